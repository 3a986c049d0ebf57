#!/usr/bin/env python3
"""orgctl's AWS emulator: moto's server plus the AWS rules moto lacks.

  orgctl_emulator.py [--port N] [--create-delay S] [--throttle-every N] [--empty-pages] [--sso-region R]
                     [--throttle-rate F] [--throttle-seed N] [--throttle-services A,B] [--cme-rate F]
                     [--disable-delay S] [--new-account-lag S]

Starts moto in-process on 127.0.0.1 (a free port unless --port is given) and prints
`ORGCTL_EMULATOR_URL=http://127.0.0.1:PORT` on stdout once it accepts requests.

The rules live in the package emulator/orgemu/, one module per rule group; each module's
docstring has its rules in full with their AWS sources, and docs/emulator.md lists every rule
with its source and the test that proves it:
  R1-R6, R9  Organizations: OUs, MoveAccount, asynchronous CreateAccount, delegated
             administrators, the catalog's principals                  orgemu/organizations.py
  R7         List* pages of at most 20, NextToken, --empty-pages        orgemu/paging.py
  R8         who may call which Organizations operation                 orgemu/access.py
  R10        the delegation policy (Put/Describe/DeleteResourcePolicy)  orgemu/resource_policy.py
  R11        policies: 13 types, attachments, documents, delegated writes  orgemu/policies.py
  R35-R37    policy grammar, defaults and limits, trusted access per type  orgemu/policy_rules.py
  R12, R25   GuardDuty delegated admin and its members                  orgemu/guardduty.py
  R13        Inspector delegated admin                                  orgemu/inspector.py
  R14        Macie and Security Hub delegated admins                    orgemu/macie_securityhub.py
  R38        Security Hub central configuration                         orgemu/hub_central.py
  R39        disabled GuardDuty/Inspector/Security Hub admins stay DISABLE_IN_PROGRESS
             --disable-delay seconds (default 0.3)   orgemu/guardduty.py, inspector.py, macie_securityhub.py
  R40        a new account is not usable for --new-account-lag seconds (default 0: off)
                                                                        orgemu/newaccounts.py
  R15        CloudTrail delegated admins                                orgemu/cloudtrail.py
  R16        VPC IPAM delegated admin (EC2 API)                         orgemu/ipam.py
  R17, R18   Detective; Firewall Manager (served natively)              orgemu/native.py
  R19-R24    IAM Identity Center (sso-admin, identitystore)             orgemu/sso/
  R41        users and groups provisioned by an identity provider (SCIM) carry ExternalIds;
             POST /orgctl-emulator/scim stands in for the SCIM endpoint  orgemu/sso/scim.py
  R26        Security Lake delegated admin (served natively)            orgemu/securitylake.py
  R27        Audit Manager delegated admin (served natively)            orgemu/auditmanager.py
  R28, R29   throttling in every service; ConcurrentModificationException  orgemu/faults.py
  R31        error details (Reason member, AWS's messages)              orgemu/common.py
Test knobs (not AWS rules): --throttle-every N answers every Nth Organizations request with
HTTP 400 TooManyRequestsException, as Organizations throttles; --throttle-rate F answers that
fraction of the requests of every service with the service's own throttling error (R28; only the
services of --throttle-services; --throttle-seed seeds the choice); --cme-rate F answers that
fraction of Organizations writes with ConcurrentModificationException (R29); GET
/orgctl-emulator/stats returns the Organizations requests served per operation and the faults
answered; POST /orgctl-emulator/config sets the knobs at run time; POST /orgctl-emulator/scim
provisions a user or group as an identity provider would (R41).
"""

import sys

from orgemu import server

if __name__ == "__main__":
    sys.exit(server.main(description=__doc__.splitlines()[0]))
