"""Self-test checks of R35-R37 (orgemu/policy_rules.py, data/policy-types.yaml): policy document
grammar, AWS-managed defaults and per-type limits (attachments, tags), trusted access and policy
types.

policy_rules() runs after selftest_orgs.policies() (SCP and TAG_POLICY enabled, RCPs not) and
before the services' checks (no Security Hub or Inspector trusted access yet); it leaves no
trusted access and no service-bound policy type enabled. policy_rules_after_services() runs after
selftest_services.inspector_macie_hub() (R13 enabled Inspector's trusted access as a side effect).
"""

import json
import time

from selftest_lib import call, check, client, expect_error, pages, wait_accounts

MALFORMED = "The provided policy document does not meet the requirements of the specified policy type."
RCP_DEFAULT = "p-RCPFullAWSAccess"
SH, I2 = "securityhub.amazonaws.com", "inspector2.amazonaws.com"
MANAGEMENT_TOP = {  # one top-level key per management type (data/policy-types.yaml `top_level`)
    "AISERVICES_OPT_OUT_POLICY": "services", "BACKUP_POLICY": "plans", "TAG_POLICY": "tags", "CHATBOT_POLICY": "chatbot",
    "DECLARATIVE_POLICY_EC2": "ec2_attributes", "SECURITYHUB_POLICY": "securityhub", "INSPECTOR_POLICY": "inspector",
    "BEDROCK_POLICY": "bedrock", "S3_POLICY": "s3_attributes", "UPGRADE_ROLLOUT_POLICY": "upgrade_rollout",
    "NETWORK_SECURITY_DIRECTOR_POLICY": "network_security_director",
}


def _malformed(name, fn):
    expect_error(name, fn, "MalformedPolicyDocumentException", status=400,
                 extra=lambda r: r["Error"].get("Message") == MALFORMED)


def _create(o, name, ty, doc, **kw):
    content = doc if isinstance(doc, str) else json.dumps(doc)
    return lambda: o.create_policy(Name=name, Type=ty, Description="selftest", Content=content, **kw)


def _pid(out):
    return out["Policy"]["PolicySummary"]["Id"] if out else None


def _wait_enabled(o, ty, timeout=10):
    deadline = time.time() + timeout
    while time.time() < deadline:
        status = next((t["Status"] for t in o.list_roots()["Roots"][0]["PolicyTypes"] if t["Type"] == ty), None)
        if status == "ENABLED":
            return True
        time.sleep(0.05)
    return False


def _ok(fn):
    """fn() succeeded (a setup step: its failure shows in the check that follows)."""
    try:
        fn()
        return True
    except Exception:  # noqa: BLE001
        return False


def _policies(o, ty):
    return pages(o.list_policies, "Policies", Filter=ty)[0]


def _tags(n, prefix="k"):
    return [{"Key": f"{prefix}{i:02d}", "Value": "v"} for i in range(n)]


def _all_targets(o, root):
    ous, todo = [], [root]
    while todo:
        parent = todo.pop()
        kids = [u["Id"] for u in pages(o.list_organizational_units_for_parent, "OrganizationalUnits", ParentId=parent)[0]]
        ous += kids
        todo += kids
    accounts = [a["Id"] for a in pages(o.list_accounts, "Accounts")[0]]
    return {root, *ous, *accounts}


def _rcp_targets(o):
    return {t["TargetId"] for t in pages(o.list_targets_for_policy, "Targets", PolicyId=RCP_DEFAULT)[0]}


def policy_rules(ctx, o):
    grammar(ctx, o)
    defaults_and_limits(ctx, o)
    tags(ctx, o)
    trusted_access(ctx, o)


def grammar(ctx, o):
    """R35: each type's grammar, on CreatePolicy and UpdatePolicy."""
    scp, rcp = "SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY"
    deny = {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}
    bad_scps = [
        ("not a JSON object", ["Statement"]),
        ("an unknown top-level key", {"Version": "2012-10-17", "Statement": [deny], "Extra": 1}),
        ("Version 2020-01-01", {"Version": "2020-01-01", "Statement": [deny]}),
        ("no Statement", {"Version": "2012-10-17"}),
        ("an empty Statement list", {"Version": "2012-10-17", "Statement": []}),
        ("a statement that is not an object", {"Statement": ["s3:*"]}),
        ("an unknown statement key", {"Statement": [dict(deny, Actions="s3:*")]}),
        ("no Effect", {"Statement": [{"Action": "s3:*", "Resource": "*"}]}),
        ("Effect Audit", {"Statement": [dict(deny, Effect="Audit")]}),
        ("both Action and NotAction", {"Statement": [dict(deny, NotAction="iam:*")]}),
        ("neither Action nor NotAction", {"Statement": [{"Effect": "Deny", "Resource": "*"}]}),
        ("both Resource and NotResource", {"Statement": [dict(deny, NotResource="arn:aws:s3:::x")]}),
        ("a Principal", {"Statement": [dict(deny, Principal="*")]}),
        ("a NotPrincipal", {"Statement": [dict(deny, NotPrincipal={"AWS": "arn:aws:iam::111122223333:root"})]}),
    ]
    for what, doc in bad_scps:
        _malformed(f"R35 SCP with {what}: refused", _create(o, "r35-bad-scp", scp, doc))
    call("R35 SCP statement as an object, NotAction, Version 2008-10-17: accepted",
         _create(o, "r35-scp", scp, {"Version": "2008-10-17", "Statement": {"Sid": "x", "Effect": "Deny", "NotAction": "s3:*", "Resource": "*"}}),
         lambda r: r["Policy"]["PolicySummary"]["Type"] == scp, lambda r: "created")
    scp_id = next((p["Id"] for p in _policies(o, scp) if p["Name"] == "r35-scp"), None)
    if scp_id:
        _malformed("R35 UpdatePolicy SCP with a Principal: refused",
                   lambda: o.update_policy(PolicyId=scp_id, Content=json.dumps({"Statement": [dict(deny, Principal="*")]})))
        call("R35 UpdatePolicy SCP with a valid document: accepted",
             lambda: o.update_policy(PolicyId=scp_id, Content=json.dumps({"Version": "2012-10-17", "Statement": [deny]})),
             lambda r: json.loads(r["Policy"]["Content"])["Statement"] == [deny], lambda r: "updated")
    rcp_ok = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    bad_rcps = [
        ("Effect Allow (only RCPFullAWSAccess may allow)", dict(rcp_ok, Effect="Allow")),
        ("no Principal", {k: v for k, v in rcp_ok.items() if k != "Principal"}),
        ('Principal {"AWS": "*"} (the RCP syntax page: only "*")', dict(rcp_ok, Principal={"AWS": "*"})),
        ("a NotAction", {"Effect": "Deny", "Principal": "*", "NotAction": "s3:*", "Resource": "*"}),
        ("a NotPrincipal", dict(rcp_ok, NotPrincipal={"AWS": "*"})),
    ]
    for what, stmt in bad_rcps:
        _malformed(f"R35 RCP with {what}: refused", _create(o, "r35-bad-rcp", rcp, {"Version": "2012-10-17", "Statement": [stmt]}))
    call("R35 RCP Deny with Principal \"*\": accepted", _create(o, "r35-rcp", rcp, {"Version": "2012-10-17", "Statement": [rcp_ok]}),
         lambda r: r["Policy"]["PolicySummary"]["Type"] == rcp, lambda r: "created")

    good_tag = {"tags": {"team": {"tag_key": {"@@assign": "Team", "@@operators_allowed_for_child_policies": ["@@none"]},
                                  "tag_value": {"@@append": ["a"]}, "enforced_for": {"@@assign": ["ec2:instance"]}}}}
    tp = call("R35 tag policy with @@assign, @@append, @@operators_allowed_for_child_policies: accepted",
              _create(o, "r35-tags", "TAG_POLICY", good_tag), lambda r: r["Policy"]["PolicySummary"]["Type"] == "TAG_POLICY", lambda r: "created")
    _malformed('R35 tag policy with "@@assing": refused', _create(o, "r35-bad-tags", "TAG_POLICY", {"tags": {"team": {"tag_key": {"@@assing": "Team"}}}}))
    _malformed("R35 tag policy with an unknown operator inside a list: refused",
               _create(o, "r35-bad-tags", "TAG_POLICY", {"tags": {"team": {"tag_value": {"@@assign": [{"@@bogus": "x"}]}}}}))
    _malformed("R35 an empty management document: refused", _create(o, "r35-bad-tags", "TAG_POLICY", {}))
    _malformed("R35 tag policy whose top-level key is another type's (plans): refused",
               _create(o, "r35-bad-tags", "TAG_POLICY", {"plans": {"daily": {"regions": {"@@assign": ["us-east-1"]}}}}))
    _malformed("R35 management document with Version and Statement: refused",
               _create(o, "r35-bad-tags", "TAG_POLICY", {"Version": "2012-10-17", "Statement": [deny], "tags": {}}))
    _malformed('R35 S3_POLICY { note: { "@@assign": orgctl } } (top-level key not s3_attributes): refused',
               _create(o, "r35-bad-s3", "S3_POLICY", {"note": {"@@assign": "orgctl"}}))
    if tp:
        _malformed('R35 UpdatePolicy tag policy with "@@assing": refused',
                   lambda: o.update_policy(PolicyId=_pid(tp), Content=json.dumps({"tags": {"team": {"tag_key": {"@@assing": "Team"}}}})))
        call("R35 UpdatePolicy tag policy, name only (no Content): accepted", lambda: o.update_policy(PolicyId=_pid(tp), Name="r35-tags-renamed"),
             lambda r: r["Policy"]["PolicySummary"]["Name"] == "r35-tags-renamed", lambda r: "renamed")
    # Per-type grammar (the AI opt-out and tag policy syntax guides).
    call("R35 AI opt-out policy default optOut, lex optIn: accepted",
         _create(o, "r35-ai", "AISERVICES_OPT_OUT_POLICY", {"services": {"default": {"opt_out_policy": {"@@assign": "optOut"}},
                                                                         "lex": {"opt_out_policy": {"@@assign": "optIn"}}}}),
         lambda r: r["Policy"]["PolicySummary"]["Type"] == "AISERVICES_OPT_OUT_POLICY", lambda r: "created")
    _malformed('R35 AI opt-out policy setting "opt-out": refused',
               _create(o, "r35-bad-ai", "AISERVICES_OPT_OUT_POLICY", {"services": {"default": {"opt_out_policy": {"@@assign": "opt-out"}}}}))
    _malformed("R35 AI opt-out policy service key other than opt_out_policy: refused",
               _create(o, "r35-bad-ai", "AISERVICES_OPT_OUT_POLICY", {"services": {"lex": {"optout": {"@@assign": "optOut"}}}}))
    _malformed("R35 tag policy whose tag_key is a string, not an object of operators: refused",
               _create(o, "r35-bad-tags", "TAG_POLICY", {"tags": {"costcenter": {"tag_key": "CostCenter"}}}))
    _malformed("R35 tag policy whose tag_key does not match its policy key: refused",
               _create(o, "r35-bad-tags", "TAG_POLICY", {"tags": {"costcenter": {"tag_key": {"@@assign": "CostCentre"}}}}))
    for ty, top in sorted(MANAGEMENT_TOP.items()):
        call(f"R35 {ty} with its top-level key {top}: accepted", _create(o, f"r35-{ty.lower()}", ty, {top: {"setting": {"@@assign": "value"}}}),
             lambda r, t=ty: r["Policy"]["PolicySummary"]["Type"] == t, lambda r: "created")
    call("R35 the AWS-managed defaults are untouched (RCPFullAWSAccess: Allow)", lambda: o.describe_policy(PolicyId=RCP_DEFAULT),
         lambda r: json.loads(r["Policy"]["Content"])["Statement"][0]["Effect"] == "Allow" and r["Policy"]["PolicySummary"]["AwsManaged"],
         lambda r: f"AwsManaged={r['Policy']['PolicySummary']['AwsManaged']}")


def defaults_and_limits(ctx, o):
    """R36 (a-c): RCPFullAWSAccess follows RESOURCE_CONTROL_POLICY; it cannot be detached; attach_max per type."""
    root, rcp = ctx["root"], "RESOURCE_CONTROL_POLICY"
    call("R36 before RCPs are enabled: RCPFullAWSAccess has no target", lambda: _rcp_targets(o), lambda r: r == set(), lambda r: f"{len(r)} targets")
    call("R36 before RCPs are enabled: no RCP listed for the root", lambda: o.list_policies_for_target(TargetId=root, Filter=rcp)["Policies"],
         lambda r: r == [], lambda r: f"{[p['Name'] for p in r]}")
    call("R36 before RCPs are enabled: no RCP listed for an account", lambda: o.list_policies_for_target(TargetId=ctx["dev"], Filter=rcp)["Policies"],
         lambda r: r == [], lambda r: f"{[p['Name'] for p in r]}")
    pending = o.create_organizational_unit(ParentId=root, Name="R36-before")["OrganizationalUnit"]["Id"]
    call("R36 an OU created before RCPs are enabled has no RCP", lambda: o.list_policies_for_target(TargetId=pending, Filter=rcp)["Policies"],
         lambda r: r == [], lambda r: f"{[p['Name'] for p in r]}")
    o.enable_policy_type(RootId=root, PolicyType=rcp)
    check("R36 RESOURCE_CONTROL_POLICY becomes ENABLED", _wait_enabled(o, rcp), "ENABLED")
    everything = _all_targets(o, root)
    call("R36 once enabled: RCPFullAWSAccess on the root, every OU and every account", lambda: _rcp_targets(o),
         lambda r: r == everything, lambda r: f"{len(r)} targets of {len(everything)}")
    call("R36 once enabled: ListPoliciesForTarget shows it for an account", lambda: o.list_policies_for_target(TargetId=ctx["dev"], Filter=rcp)["Policies"],
         lambda r: [p["Name"] for p in r] == ["RCPFullAWSAccess"], lambda r: f"{[p['Name'] for p in r]}")
    ou = o.create_organizational_unit(ParentId=root, Name="R36-limits")["OrganizationalUnit"]["Id"]
    call("R36 a new OU while enabled gets RCPFullAWSAccess", lambda: o.list_policies_for_target(TargetId=ou, Filter=rcp)["Policies"],
         lambda r: [p["Name"] for p in r] == ["RCPFullAWSAccess"], lambda r: f"{[p['Name'] for p in r]}")
    expect_error("R36 DetachPolicy RCPFullAWSAccess from the root: refused", lambda: o.detach_policy(PolicyId=RCP_DEFAULT, TargetId=root),
                 "InvalidInputException", status=400, reason="NON_DETACHABLE_POLICY")
    expect_error("R36 DetachPolicy RCPFullAWSAccess from an account: refused", lambda: o.detach_policy(PolicyId=RCP_DEFAULT, TargetId=ctx["dev"]),
                 "InvalidInputException", status=400, reason="NON_DETACHABLE_POLICY")
    call("R36 RCPFullAWSAccess still attached to the root", lambda: o.list_policies_for_target(TargetId=root, Filter=rcp)["Policies"],
         lambda r: "RCPFullAWSAccess" in [p["Name"] for p in r], lambda r: f"{[p['Name'] for p in r]}")
    # RCPs: attach_max 5, the default counts: 4 more fit, a 5th is refused.
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}
    rcps = [_pid(o.create_policy(Name=f"r36-rcp-{i}", Type=rcp, Description="d", Content=json.dumps(deny))) for i in range(5)]
    for i, p in enumerate(rcps[:4]):
        call(f"R36 attach RCP {i + 2} of 5 (RCPFullAWSAccess counts): accepted", lambda p=p: o.attach_policy(PolicyId=p, TargetId=ou))
    expect_error("R36 a 6th RCP: refused", lambda: o.attach_policy(PolicyId=rcps[4], TargetId=ou), "ConstraintViolationException", status=400,
                 reason="MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    # TAG_POLICY: attach_max 10 (the old emulator limited only SCPs and RCPs).
    doc = json.dumps({"tags": {"team": {"tag_key": {"@@assign": "team"}}}})
    tags = [_pid(o.create_policy(Name=f"r36-tag-{i}", Type="TAG_POLICY", Description="d", Content=doc)) for i in range(11)]
    ok = all([_ok(lambda p=p: o.attach_policy(PolicyId=p, TargetId=ou)) for p in tags[:10]])
    call("R36 ten tag policies on one OU: accepted", lambda: o.list_policies_for_target(TargetId=ou, Filter="TAG_POLICY")["Policies"],
         lambda r: ok and len(r) == 10, lambda r: f"{len(r)} attached")
    expect_error("R36 an 11th tag policy: refused", lambda: o.attach_policy(PolicyId=tags[10], TargetId=ou), "ConstraintViolationException", status=400,
                 reason="MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    expect_error("R36 at the limit, a duplicate is still DuplicatePolicyAttachmentException", lambda: o.attach_policy(PolicyId=tags[0], TargetId=ou),
                 "DuplicatePolicyAttachmentException")
    # S3_POLICY: attach_max null, not limited.
    o.enable_policy_type(RootId=root, PolicyType="S3_POLICY")
    _wait_enabled(o, "S3_POLICY")
    s3doc = json.dumps({"s3_attributes": {"public_access_block_configuration": {"@@assign": "all"}}})
    s3 = [_pid(o.create_policy(Name=f"r36-s3-{i}", Type="S3_POLICY", Description="d", Content=s3doc)) for i in range(11)]
    ok = all([_ok(lambda p=p: o.attach_policy(PolicyId=p, TargetId=ou)) for p in s3])
    call("R36 eleven S3 policies on one OU (no documented maximum): accepted", lambda: o.list_policies_for_target(TargetId=ou, Filter="S3_POLICY")["Policies"],
         lambda r: ok and len(r) == 11, lambda r: f"{len(r)} attached")
    # DisablePolicyType detaches every policy of the type, the default included.
    call("R36 DisablePolicyType RESOURCE_CONTROL_POLICY", lambda: o.disable_policy_type(RootId=root, PolicyType=rcp),
         lambda r: rcp not in [t["Type"] for t in r["Root"]["PolicyTypes"]], lambda r: f"{sorted(t['Type'] for t in r['Root']['PolicyTypes'])}")
    call("R36 after disabling: RCPFullAWSAccess has no target", lambda: _rcp_targets(o), lambda r: r == set(), lambda r: f"{len(r)} targets")
    call("R36 after disabling: no RCP attached to the OU", lambda: o.list_policies_for_target(TargetId=ou, Filter=rcp)["Policies"],
         lambda r: r == [], lambda r: f"{[p['Name'] for p in r]}")
    call("R36 after disabling: the RCPs still exist, detached", lambda: o.list_targets_for_policy(PolicyId=rcps[0])["Targets"],
         lambda r: r == [] and any(p["Id"] == rcps[0] for p in _policies(o, rcp)), lambda r: f"{len(r)} targets")
    o.enable_policy_type(RootId=root, PolicyType=rcp)
    _wait_enabled(o, rcp)
    everything = _all_targets(o, root)
    call("R36 enabled again: RCPFullAWSAccess everywhere again", lambda: _rcp_targets(o), lambda r: r == everything,
         lambda r: f"{len(r)} targets of {len(everything)}")
    o.disable_policy_type(RootId=root, PolicyType="S3_POLICY")
    for p in s3:
        _ok(lambda p=p: o.delete_policy(PolicyId=p))


def tags(ctx, o):
    """R36 (d): system tag keys and at most 50 tags per resource."""
    root = ctx["root"]
    doc = json.dumps({"tags": {"team": {"tag_key": {"@@assign": "team"}}}})
    expect_error("R36 CreatePolicy with tag key aws:team: refused", lambda: o.create_policy(Name="r36-sys", Type="TAG_POLICY", Description="d", Content=doc,
                                                                                           Tags=[{"Key": "aws:team", "Value": "x"}]),
                 "InvalidInputException", status=400, reason="INVALID_SYSTEM_TAGS_PARAMETER")
    expect_error("R36 CreateOrganizationalUnit with tag key AWS:Team (any case): refused",
                 lambda: o.create_organizational_unit(ParentId=root, Name="R36-sys", Tags=[{"Key": "AWS:Team", "Value": "x"}]),
                 "InvalidInputException", status=400, reason="INVALID_SYSTEM_TAGS_PARAMETER")
    before = len(pages(o.list_create_account_status, "CreateAccountStatuses")[0])
    expect_error("R36 CreateAccount with tag key aws:cost: refused",
                 lambda: o.create_account(Email="aws+r36@example.com", AccountName="r36", Tags=[{"Key": "aws:cost", "Value": "x"}]),
                 "InvalidInputException", status=400, reason="INVALID_SYSTEM_TAGS_PARAMETER")
    expect_error("R36 CreateAccount with 51 tags: refused", lambda: o.create_account(Email="aws+r36@example.com", AccountName="r36", Tags=_tags(51)),
                 "ConstraintViolationException", status=400, reason="MAX_TAG_LIMIT_EXCEEDED")
    check("R36 refused CreateAccount requests are not recorded", len(pages(o.list_create_account_status, "CreateAccountStatuses")[0]) == before, f"{before} requests")
    st = call("R36 CreateAccount with 50 tags: accepted", lambda: o.create_account(Email="aws+dev@example.com", AccountName="r36-fifty", Tags=_tags(50))["CreateAccountStatus"],
              lambda r: r["State"] == "IN_PROGRESS", lambda r: f"State={r['State']}")
    if st:
        wait_accounts(o, {"fifty": st["Id"]})  # the email is in use: it ends FAILED and adds no account
    expect_error("R36 CreatePolicy with 51 tags: refused", lambda: o.create_policy(Name="r36-many", Type="TAG_POLICY", Description="d", Content=doc, Tags=_tags(51)),
                 "ConstraintViolationException", status=400, reason="MAX_TAG_LIMIT_EXCEEDED")
    check("R36 the refused policies were not created", not any(p["Name"] in ("r36-sys", "r36-many") for p in _policies(o, "TAG_POLICY")),
          "not listed")
    expect_error("R36 CreateOrganizationalUnit with 51 tags: refused", lambda: o.create_organizational_unit(ParentId=root, Name="R36-many", Tags=_tags(51)),
                 "ConstraintViolationException", status=400, reason="MAX_TAG_LIMIT_EXCEEDED")
    check("R36 the refused OUs were not created",
          not any(u["Name"] in ("R36-sys", "R36-many") for u in pages(o.list_organizational_units_for_parent, "OrganizationalUnits", ParentId=root)[0]), "not listed")
    ou = call("R36 CreateOrganizationalUnit with 50 tags: accepted", lambda: o.create_organizational_unit(ParentId=root, Name="R36-tags", Tags=_tags(50)),
              lambda r: r["OrganizationalUnit"]["Name"] == "R36-tags", lambda r: "created")
    ou = ou["OrganizationalUnit"]["Id"] if ou else root
    call("R36 ... and it holds 50 tags", lambda: pages(o.list_tags_for_resource, "Tags", ResourceId=ou)[0], lambda r: len(r) == 50, lambda r: f"{len(r)} tags")
    expect_error("R36 TagResource of a 51st key: refused", lambda: o.tag_resource(ResourceId=ou, Tags=[{"Key": "extra", "Value": "x"}]),
                 "ConstraintViolationException", status=400, reason="MAX_TAG_LIMIT_EXCEEDED")
    call("R36 ... nothing changed", lambda: pages(o.list_tags_for_resource, "Tags", ResourceId=ou)[0],
         lambda r: len(r) == 50 and "extra" not in [t["Key"] for t in r], lambda r: f"{len(r)} tags")
    call("R36 TagResource changing the value of existing keys at 50: accepted", lambda: o.tag_resource(ResourceId=ou, Tags=[{"Key": "k00", "Value": "new"}]))
    call("R36 ... the value changed, still 50 tags", lambda: pages(o.list_tags_for_resource, "Tags", ResourceId=ou)[0],
         lambda r: len(r) == 50 and {"Key": "k00", "Value": "new"} in r, lambda r: f"{len(r)} tags")
    expect_error("R36 TagResource with tag key Aws:owner: refused", lambda: o.tag_resource(ResourceId=ctx["dev"], Tags=[{"Key": "Aws:owner", "Value": "x"}]),
                 "InvalidInputException", status=400, reason="INVALID_SYSTEM_TAGS_PARAMETER")
    call("R36 TagResource of an account with an ordinary key (aws: inside, not as prefix): accepted",
         lambda: o.tag_resource(ResourceId=ctx["dev"], Tags=[{"Key": "team-aws:x", "Value": "aws:value"}]))


def trusted_access(ctx, o):
    """R37: a policy type bound to a service needs its trusted access, which cannot go while the type is enabled."""
    root = ctx["root"]
    e = expect_error("R37 EnablePolicyType SECURITYHUB_POLICY before trusted access: refused",
                     lambda: o.enable_policy_type(RootId=root, PolicyType="SECURITYHUB_POLICY"), "ConstraintViolationException", status=400,
                     reason="SERVICE_ACCESS_NOT_ENABLED")
    msg = e.response["Error"]["Message"] if e is not None else ""
    check("R37 ... with the policy-type sentence", msg.startswith("You attempted to enable a policy type before you enabled service access"), repr(msg))
    expect_error("R37 EnablePolicyType INSPECTOR_POLICY before trusted access: refused",
                 lambda: o.enable_policy_type(RootId=root, PolicyType="INSPECTOR_POLICY"), "ConstraintViolationException", status=400,
                 reason="SERVICE_ACCESS_NOT_ENABLED")
    e = expect_error("R37 RegisterDelegatedAdministrator without trusted access keeps its own sentence",
                     lambda: o.register_delegated_administrator(AccountId=ctx["dev"], ServicePrincipal="config.amazonaws.com"),
                     "ConstraintViolationException", reason="SERVICE_ACCESS_NOT_ENABLED",
                     extra=lambda r: r["Error"]["Message"].startswith("You attempted to register a delegated administrator"))
    call("R37 EnablePolicyType BEDROCK_POLICY (no service principal) without trusted access: accepted",
         lambda: o.enable_policy_type(RootId=root, PolicyType="BEDROCK_POLICY"), lambda r: True, lambda r: "accepted")
    o.enable_aws_service_access(ServicePrincipal=SH)
    call("R37 EnablePolicyType SECURITYHUB_POLICY after EnableAWSServiceAccess: accepted",
         lambda: o.enable_policy_type(RootId=root, PolicyType="SECURITYHUB_POLICY"),
         lambda r: {"Type": "SECURITYHUB_POLICY", "Status": "PENDING_ENABLE"} in r["Root"]["PolicyTypes"], lambda r: "PENDING_ENABLE")
    expect_error("R37 DisableAWSServiceAccess securityhub while SECURITYHUB_POLICY is PENDING_ENABLE: refused",
                 lambda: o.disable_aws_service_access(ServicePrincipal=SH), "ConstraintViolationException", status=400,
                 reason="POLICY_TYPE_ENABLED_FOR_THIS_SERVICE")
    _wait_enabled(o, "SECURITYHUB_POLICY")
    expect_error("R37 DisableAWSServiceAccess securityhub while SECURITYHUB_POLICY is ENABLED: refused",
                 lambda: o.disable_aws_service_access(ServicePrincipal=SH), "ConstraintViolationException", status=400,
                 reason="POLICY_TYPE_ENABLED_FOR_THIS_SERVICE")
    call("R37 ... trusted access stays", lambda: o.list_aws_service_access_for_organization()["EnabledServicePrincipals"],
         lambda r: SH in [s["ServicePrincipal"] for s in r], lambda r: f"{SH} enabled")
    call("R37 DisableAWSServiceAccess of a principal no enabled type needs (ram): accepted",
         lambda: (o.enable_aws_service_access(ServicePrincipal="ram.amazonaws.com"), o.disable_aws_service_access(ServicePrincipal="ram.amazonaws.com")))
    o.disable_policy_type(RootId=root, PolicyType="SECURITYHUB_POLICY")
    call("R37 DisableAWSServiceAccess securityhub once SECURITYHUB_POLICY is disabled: accepted", lambda: o.disable_aws_service_access(ServicePrincipal=SH))
    o.disable_policy_type(RootId=root, PolicyType="BEDROCK_POLICY")


def policy_rules_after_services(ctx, o):
    """R37 with R13's side effect: the Inspector designation enabled trusted access, so INSPECTOR_POLICY can be enabled."""
    root = ctx["root"]
    call("R37 after the Inspector designation (trusted access as a side effect): EnablePolicyType INSPECTOR_POLICY accepted",
         lambda: o.enable_policy_type(RootId=root, PolicyType="INSPECTOR_POLICY"),
         lambda r: "INSPECTOR_POLICY" in [t["Type"] for t in r["Root"]["PolicyTypes"]], lambda r: "accepted")
    expect_error("R37 DisableAWSServiceAccess inspector2 while INSPECTOR_POLICY is enabled: refused",
                 lambda: o.disable_aws_service_access(ServicePrincipal=I2), "ConstraintViolationException", status=400,
                 reason="POLICY_TYPE_ENABLED_FOR_THIS_SERVICE")
    _wait_enabled(o, "INSPECTOR_POLICY")
    o.disable_policy_type(RootId=root, PolicyType="INSPECTOR_POLICY")
