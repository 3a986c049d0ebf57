"""orgemu: the AWS rules moto 5.2.5 lacks, for orgctl's emulator (started by emulator/orgctl_emulator.py).

One module per rule group; each module's docstring states its rules in full with their AWS
sources, and docs/emulator.md has the table with the tests that prove them.

  common.py             knobs, lock, request counts, error helpers (R31 error details), the delegation catalog,
                        data/policy-types.yaml (POLICY_RULES, POLICY_OPERATORS),
                        helpers of the services served natively (Reply, _caller, _org_of,
                        _enable_side_effects), R39's DISABLE_IN_PROGRESS clock, R40's new-account
                        clock and its refusal counts, the Organizations deregistration hooks
  organizations.py      R1 OUs, R2 OU deletion, R3 MoveAccount, R4 asynchronous CreateAccount,
                        R5 delegated-admin registration, R6 catalog principals, R9 deregistration,
                        R30 five creations in progress, R32a deleted OUs leave policy targets
  resource_policy.py    R10 the delegation policy (Put/Describe/DeleteResourcePolicy)
  policies.py           R11 policy types, attachments, documents, delegated policy writes
  policy_rules.py       R35 document grammar per type, R36 AWS-managed defaults and limits
                        (attachments, tags), R37 trusted access and policy types
  paging.py             R7 pages of at most 20, NextToken, --empty-pages
  access.py             R8 who may call what; the Organizations throttling knobs; R29's check;
                        request counts
  faults.py             R28 throttling in every service (WSGI middleware), R29
                        ConcurrentModificationException, their seeded PRNG
  guardduty.py          R12 GuardDuty delegated admin, R25 its members, R32b ListMembers paging,
                        R32c the management account as admin, R39 DISABLE_IN_PROGRESS
  inspector.py          R13 Inspector delegated admin, R39 DISABLE_IN_PROGRESS
  macie_securityhub.py  R14 Macie and Security Hub delegated admins, R39 (Security Hub)
  hub_central.py        R38 Security Hub central configuration (and its finding aggregator)
  newaccounts.py        R40 a new account is not usable at once (the rule; STS and
                        RegisterDelegatedAdministrator; the services check it in their modules)
  cloudtrail.py         R15 CloudTrail delegated admins
  ipam.py               R16 VPC IPAM delegated admin
  native.py             R17 Detective, R18 Firewall Manager; native_app, the dispatcher of the
                        services moto lacks
  securitylake.py       R26 Security Lake delegated admin (served by native_app)
  auditmanager.py       R27 Audit Manager delegated admin (served by native_app)
  sso/                  R19-R24, R33, R34, R41 IAM Identity Center: admin.py (R19-R21 dispatch),
                        permission_sets.py (R22, R24), assignments.py (R21, R23, R24, R34),
                        identitystore.py (R20, R24, R33), scim.py (R41 ExternalIds of users and
                        groups an identity provider provisions; the SCIM stand-in), common.py
                        (shared state), __init__.py (wiring)
  calls.py              test support, not a rule: the call log (GET /orgctl-emulator/calls)
  speed.py              not a rule: moto's per-request look-ups without their scans (access key ->
                        account, memoized; moto's module list, read once)
  server.py             install() (patches moto once, in a fixed order), control endpoints
                        (stats, config, the SCIM stand-in, the call log),
                        the HTTP server, main()

Importing the package or its modules patches nothing: server.install() does, once.
"""
