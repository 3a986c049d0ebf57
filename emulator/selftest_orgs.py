"""Self-test checks of the Organizations rules: R1-R11 and the throttling knob."""

import json
import time

from selftest_lib import call, check, client, control, expect_error, member, pages, signed, wait_accounts


def organizations(ctx):
    o = client("organizations")
    call("R0 create_organization", lambda: o.create_organization(FeatureSet="ALL"), lambda r: r["Organization"]["FeatureSet"] == "ALL",
         lambda r: f"FeatureSet={r['Organization']['FeatureSet']} master={r['Organization']['MasterAccountId']}")
    ctx["mgmt"] = o.describe_organization()["Organization"]["MasterAccountId"]
    ctx["root"] = o.list_roots()["Roots"][0]["Id"]

    # R4: asynchronous CreateAccount, unique emails
    reqs = {}
    for name in ["sec-ops", "infra", "dev"]:
        st = call(f"R4 create_account {name} IN_PROGRESS", lambda n=name: o.create_account(Email=f"aws+{n}@example.com", AccountName=n)["CreateAccountStatus"],
                  lambda s: s["State"] == "IN_PROGRESS", lambda s: f"State={s['State']}")
        if st:
            reqs[name] = st["Id"]
    dup = o.create_account(Email="aws+dev@example.com", AccountName="dev-again")["CreateAccountStatus"]
    done = wait_accounts(o, dict(reqs, dup=dup["Id"]))
    for name in reqs:
        check(f"R4 {name} SUCCEEDED", done.get(name, {}).get("State") == "SUCCEEDED", f"State={done.get(name, {}).get('State')}")
    d = done.get("dup", {})
    check("R4 duplicate email FAILED EMAIL_ALREADY_EXISTS", d.get("State") == "FAILED" and d.get("FailureReason") == "EMAIL_ALREADY_EXISTS",
          f"State={d.get('State')} FailureReason={d.get('FailureReason')}")
    ctx.update({n: done[n]["AccountId"] for n in reqs if "AccountId" in done.get(n, {})})
    expect_error("R4 describe unknown request", lambda: o.describe_create_account_status(CreateAccountRequestId="car-0123456789abcdef0123456789abcdef"),
                 "CreateAccountStatusNotFoundException")
    call("R4 list_create_account_status", lambda: o.list_create_account_status(States=["SUCCEEDED"]),
         lambda r: len(r["CreateAccountStatuses"]) == 3, lambda r: f"{len(r['CreateAccountStatuses'])} SUCCEEDED")

    # R1 / R2 / R3
    root = ctx["root"]
    sec_ou = call("R1 create OU Security", lambda: o.create_organizational_unit(ParentId=root, Name="Security"),
                  lambda r: r["OrganizationalUnit"]["Name"] == "Security", lambda r: f"Name={r['OrganizationalUnit']['Name']}")
    ctx["sec_ou"] = sec_ou["OrganizationalUnit"]["Id"] if sec_ou else None
    expect_error("R1 duplicate OU name", lambda: o.create_organizational_unit(ParentId=root, Name="Security"), "DuplicateOrganizationalUnitException")
    expect_error("R1 unknown parent", lambda: o.create_organizational_unit(ParentId="ou-abcd-12345678", Name="X"), "ParentNotFoundException")
    expect_error("R3 wrong source parent", lambda: o.move_account(AccountId=ctx["sec-ops"], SourceParentId=ctx["sec_ou"], DestinationParentId=root),
                 "SourceParentNotFoundException")
    expect_error("R3 destination is the current parent", lambda: o.move_account(AccountId=ctx["sec-ops"], SourceParentId=root, DestinationParentId=root),
                 "DuplicateAccountException")
    call("R3 move sec-ops to Security", lambda: o.move_account(AccountId=ctx["sec-ops"], SourceParentId=root, DestinationParentId=ctx["sec_ou"]))
    expect_error("R2 delete non-empty OU", lambda: o.delete_organizational_unit(OrganizationalUnitId=ctx["sec_ou"]), "OrganizationalUnitNotEmptyException")
    tmp = o.create_organizational_unit(ParentId=root, Name="Temp")["OrganizationalUnit"]["Id"]
    call("R2 delete empty OU", lambda: o.delete_organizational_unit(OrganizationalUnitId=tmp))

    # R7: pages of at most 20
    call("R7 list_accounts MaxResults=2", lambda: o.list_accounts(MaxResults=2), lambda r: len(r["Accounts"]) == 2 and r.get("NextToken"),
         lambda r: f"{len(r['Accounts'])} accounts, NextToken={'yes' if r.get('NextToken') else 'no'}")
    call("R7 all pages of 1", lambda: pages(o.list_accounts, "Accounts", MaxResults=1), lambda r: len(r[0]) == 4 and r[1] == 4,
         lambda r: f"{len(r[0])} accounts in {r[1]} pages")
    expect_error("R7 MaxResults=21", lambda: o.list_accounts(MaxResults=21), "InvalidInputException", reason="MAX_VALUE_EXCEEDED")
    expect_error("R7 invalid NextToken", lambda: o.list_accounts(NextToken="not-a-token"), "InvalidInputException", reason="INVALID_NEXT_TOKEN")
    control("/orgctl-emulator/config", b'{"empty_pages": true}')
    call("R7 --empty-pages first page", lambda: o.list_roots(), lambda r: r["Roots"] == [] and r.get("NextToken"),
         lambda r: f"{len(r['Roots'])} roots, NextToken={'yes' if r.get('NextToken') else 'no'}")
    call("R7 --empty-pages all pages", lambda: pages(o.list_roots, "Roots"), lambda r: len(r[0]) == 1, lambda r: f"{len(r[0])} roots in {r[1]} pages")
    control("/orgctl-emulator/config", b'{"empty_pages": false}')

    # R5 / R6 / R9
    sso = "sso.amazonaws.com"
    expect_error("R5 register without trusted access", lambda: o.register_delegated_administrator(AccountId=ctx["infra"], ServicePrincipal=sso),
                 "ConstraintViolationException", reason="SERVICE_ACCESS_NOT_ENABLED")
    expect_error("R5 register the management account", lambda: o.register_delegated_administrator(AccountId=ctx["mgmt"], ServicePrincipal=sso),
                 "ConstraintViolationException", reason="CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
    # R31: on the wire, the reason is a member of its own and the message does not carry it.
    status, _h, body = signed("organizations", "POST", "/", json.dumps({"AccountId": ctx["mgmt"], "ServicePrincipal": sso}).encode(),
                              {"X-Amz-Target": "AWSOrganizationsV20161128.RegisterDelegatedAdministrator", "Content-Type": "application/x-amz-json-1.1"})
    out = json.loads(body or b"{}")
    check("R31 Reason is a member of the JSON body, not in the message",
          status == 400 and out.get("Reason") == "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR" and "CANNOT_REGISTER" not in str(out.get("Message", out.get("message"))),
          f"HTTP {status} __type={out.get('__type')} Reason={out.get('Reason')} Message={out.get('Message', out.get('message'))!r}")
    call("R6 enable trusted access sso", lambda: o.enable_aws_service_access(ServicePrincipal=sso))
    call("R6 enable trusted access backup (catalog principal)", lambda: o.enable_aws_service_access(ServicePrincipal="backup.amazonaws.com"))
    call("R5 register sso admin infra", lambda: o.register_delegated_administrator(AccountId=ctx["infra"], ServicePrincipal=sso))
    expect_error("R5 second sso admin", lambda: o.register_delegated_administrator(AccountId=ctx["dev"], ServicePrincipal=sso),
                 "ConstraintViolationException", reason="MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED")
    expect_error("R5 same admin again", lambda: o.register_delegated_administrator(AccountId=ctx["infra"], ServicePrincipal=sso), "AccountAlreadyRegisteredException")
    expect_error("R9 deregister an account not registered for the service",
                 lambda: o.deregister_delegated_administrator(AccountId=ctx["infra"], ServicePrincipal="backup.amazonaws.com"), "AccountNotRegisteredException")
    call("R5 list_delegated_administrators sso", lambda: o.list_delegated_administrators(ServicePrincipal=sso),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [ctx["infra"]], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")

    # R8: who may call what
    dev, infra = client("organizations", member(ctx["dev"])), client("organizations", member(ctx["infra"]))
    expect_error("R8 member list_accounts denied", lambda: dev.list_accounts(), "AccessDeniedException")
    call("R8 member describe_organization", lambda: dev.describe_organization(), lambda r: r["Organization"]["MasterAccountId"] == ctx["mgmt"],
         lambda r: f"master={r['Organization']['MasterAccountId']}")
    call("R8 delegated admin list_accounts", lambda: infra.list_accounts(), lambda r: len(r["Accounts"]) == 4, lambda r: f"{len(r['Accounts'])} accounts")
    expect_error("R8 delegated admin write denied", lambda: infra.create_organizational_unit(ParentId=root, Name="X"), "AccessDeniedException")

    # knob: throttling
    control("/orgctl-emulator/config", b'{"throttle_every": 1}')
    expect_error("knob throttle_every", lambda: o.list_roots(), "TooManyRequestsException", status=400)
    control("/orgctl-emulator/config", b'{"throttle_every": 0}')
    account_creation_limit(o)
    return o


def account_creation_limit(o):
    """R30: at most 5 creations IN_PROGRESS. The requests reuse an email in use, so they end FAILED
    and add no account to the organization the later checks count."""
    control("/orgctl-emulator/config", b'{"create_delay": 1.0}')
    reqs = {}
    for i in range(5):
        st = o.create_account(Email="aws+dev@example.com", AccountName=f"burst-{i}")["CreateAccountStatus"]
        reqs[f"burst-{i}"] = st["Id"]
    check("R30 five creations IN_PROGRESS", len(o.list_create_account_status(States=["IN_PROGRESS"])["CreateAccountStatuses"]) == 5, "5 IN_PROGRESS")
    expect_error("R30 a sixth: ConstraintViolationException", lambda: o.create_account(Email="aws+sixth@example.com", AccountName="sixth"),
                 "ConstraintViolationException", status=400, reason="ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED")
    call("R30 the refused request is not recorded", lambda: o.list_create_account_status(States=["IN_PROGRESS"]),
         lambda r: "sixth" not in [x["AccountName"] for x in r["CreateAccountStatuses"]], lambda r: f"{len(r['CreateAccountStatuses'])} IN_PROGRESS")
    call("stats: account_creations counts the peak IN_PROGRESS and the refusal", lambda: control("/orgctl-emulator/stats")["account_creations"],
         lambda r: r["peak_in_progress"] == 5 and r["refused"] >= 1, lambda r: f"{r}")
    control("/orgctl-emulator/config", b'{"create_delay": 0.2}')
    done = wait_accounts(o, reqs)
    check("R30 the five complete (FAILED: email in use)", len(done) == 5 and all(d["State"] == "FAILED" for d in done.values()),
          f"{sorted(d['State'] for d in done.values())}")
    st = call("R30 once they completed, a creation is accepted", lambda: o.create_account(Email="aws+dev@example.com", AccountName="after-burst")["CreateAccountStatus"],
              lambda r: r["State"] == "IN_PROGRESS", lambda r: f"State={r['State']}")
    if st:
        wait_accounts(o, {"after": st["Id"]})


def resource_policy(ctx, o):
    expect_error("R10 describe none", lambda: o.describe_resource_policy(), "ResourcePolicyNotFoundException")
    expect_error("R10 invalid JSON", lambda: o.put_resource_policy(Content="{nope"), "InvalidInputException", reason="INVALID_RESOURCE_POLICY_JSON")
    bad_action = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ctx["sec-ops"]}, "Action": "organizations:CreateAccount", "Resource": "*"}]}
    expect_error("R10 unsupported action", lambda: o.put_resource_policy(Content=json.dumps(bad_action)), "InvalidInputException",
                 reason="UNSUPPORTED_ACTION_IN_RESOURCE_POLICY")
    bad_principal = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "999999999999"}, "Action": "organizations:DescribeOrganization", "Resource": "*"}]}
    expect_error("R10 invalid principal", lambda: o.put_resource_policy(Content=json.dumps(bad_principal)), "InvalidInputException", reason="INVALID_PRINCIPAL")
    expect_error("R10 over 40,000 characters", lambda: o.put_resource_policy(Content="x" * 40001), "InvalidInputException", reason="MAX_LENGTH_EXCEEDED")
    good = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ctx['sec-ops']}:root"},
                                                    "Action": ["organizations:CreatePolicy", "organizations:AttachPolicy", "organizations:DescribePolicy", "organizations:List*"],
                                                    "Resource": "*", "Condition": {"StringLikeIfExists": {"organizations:PolicyType": ["TAG_POLICY"]}}}]}
    call("R10 put", lambda: o.put_resource_policy(Content=json.dumps(good)), lambda r: r["ResourcePolicy"]["Content"] == json.dumps(good),
         lambda r: f"Arn={r['ResourcePolicy']['ResourcePolicySummary']['Arn']}")
    call("R10 describe", lambda: o.describe_resource_policy(), lambda r: r["ResourcePolicy"]["Content"] == json.dumps(good), lambda r: "content round-trips")


def policies(ctx, o):
    root = ctx["root"]
    doc = json.dumps({"tags": {"team": {"tag_key": {"@@assign": "team"}}}})
    expect_error("R11 malformed document", lambda: o.create_policy(Name="bad", Type="TAG_POLICY", Description="d", Content="{nope"),
                 "MalformedPolicyDocumentException")
    expect_error("R11 SCP over 5,120 characters", lambda: o.create_policy(Name="big", Type="SERVICE_CONTROL_POLICY", Description="d",
                                                                            Content=json.dumps({"Version": "2012-10-17", "x": "y" * 6000})),
                 "ConstraintViolationException", reason="POLICY_CONTENT_LIMIT_EXCEEDED")
    call("R11 create BACKUP_POLICY", lambda: o.create_policy(Name="backup", Type="BACKUP_POLICY", Description="d", Content=json.dumps({"plans": {}})),
              lambda r: r["Policy"]["PolicySummary"]["Type"] == "BACKUP_POLICY", lambda r: f"Type={r['Policy']['PolicySummary']['Type']} Arn={r['Policy']['PolicySummary']['Arn']}")
    tp = call("R11 create TAG_POLICY", lambda: o.create_policy(Name="tags", Type="TAG_POLICY", Description="d", Content=doc),
              lambda r: r["Policy"]["PolicySummary"]["Type"] == "TAG_POLICY", lambda r: f"Type={r['Policy']['PolicySummary']['Type']}")
    tp_id = tp["Policy"]["PolicySummary"]["Id"] if tp else None
    expect_error("R11 attach before the type is enabled", lambda: o.attach_policy(PolicyId=tp_id, TargetId=root), "PolicyTypeNotEnabledException")
    call("R11 enable TAG_POLICY PENDING_ENABLE", lambda: o.enable_policy_type(RootId=root, PolicyType="TAG_POLICY"),
         lambda r: {"Type": "TAG_POLICY", "Status": "PENDING_ENABLE"} in r["Root"]["PolicyTypes"],
         lambda r: f"{sorted((t['Type'], t['Status']) for t in r['Root']['PolicyTypes'])}")
    expect_error("R11 enable again", lambda: o.enable_policy_type(RootId=root, PolicyType="TAG_POLICY"), "PolicyTypeAlreadyEnabledException")
    deadline = time.time() + 10
    status = None
    while time.time() < deadline:
        status = next((t["Status"] for t in o.list_roots()["Roots"][0]["PolicyTypes"] if t["Type"] == "TAG_POLICY"), None)
        if status == "ENABLED":
            break
        time.sleep(0.1)
    check("R11 TAG_POLICY becomes ENABLED", status == "ENABLED", f"Status={status}")
    call("R11 attach", lambda: o.attach_policy(PolicyId=tp_id, TargetId=root))
    expect_error("R11 duplicate attachment", lambda: o.attach_policy(PolicyId=tp_id, TargetId=root), "DuplicatePolicyAttachmentException")
    expect_error("R11 detach a policy not attached", lambda: o.detach_policy(PolicyId=tp_id, TargetId=ctx["sec_ou"]), "PolicyNotAttachedException")
    call("R11 list_targets_for_policy", lambda: o.list_targets_for_policy(PolicyId=tp_id), lambda r: [t["TargetId"] for t in r["Targets"]] == [root],
         lambda r: f"{[t['Type'] for t in r['Targets']]}")
    o.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    time.sleep(0.5)
    scps = o.list_policies_for_target(TargetId=root, Filter="SERVICE_CONTROL_POLICY")["Policies"]
    check("R11 FullAWSAccess attached to the root", [p["Name"] for p in scps] == ["FullAWSAccess"], f"{[p['Name'] for p in scps]}")
    if scps:
        expect_error("R11 detach the last SCP", lambda: o.detach_policy(PolicyId=scps[0]["Id"], TargetId=root), "ConstraintViolationException",
                     reason="MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    # R32a: a deleted OU leaves every policy's target list, FullAWSAccess included (moto keeps it).
    doomed = o.create_organizational_unit(ParentId=root, Name="Doomed")["OrganizationalUnit"]["Id"]
    o.attach_policy(PolicyId=tp_id, TargetId=doomed)
    full = scps[0]["Id"] if scps else "p-FullAWSAccess"
    check("R32 the new OU is a target of FullAWSAccess and the tag policy",
          doomed in [t["TargetId"] for t in pages(o.list_targets_for_policy, "Targets", PolicyId=full)[0]]
          and doomed in [t["TargetId"] for t in o.list_targets_for_policy(PolicyId=tp_id)["Targets"]], "listed")
    o.delete_organizational_unit(OrganizationalUnitId=doomed)
    call("R32 deleted OU gone from the tag policy's targets", lambda: o.list_targets_for_policy(PolicyId=tp_id),
         lambda r: doomed not in [t["TargetId"] for t in r["Targets"]], lambda r: f"{[t['Type'] for t in r['Targets']]}")
    call("R32 deleted OU gone from FullAWSAccess's targets", lambda: pages(o.list_targets_for_policy, "Targets", PolicyId=full)[0],
         lambda r: doomed not in [t["TargetId"] for t in r], lambda r: f"{len(r)} targets, the deleted OU not among them")
    # delegated policy write granted by the delegation policy (R10) to sec-ops for TAG_POLICY only
    sec = client("organizations", member(ctx["sec-ops"]))
    call("R11 delegated create TAG_POLICY", lambda: sec.create_policy(Name="sec-tags", Type="TAG_POLICY", Description="d", Content=doc),
         lambda r: r["Policy"]["PolicySummary"]["Type"] == "TAG_POLICY", lambda r: "created by the delegated account")
    expect_error("R11 delegated create SCP denied", lambda: sec.create_policy(Name="sec-scp", Type="SERVICE_CONTROL_POLICY", Description="d", Content="{}"),
                 "AccessDeniedException")
