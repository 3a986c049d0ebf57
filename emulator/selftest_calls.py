"""Self-test checks of the call log (test support, not an AWS rule; orgemu/calls.py):
GET /orgctl-emulator/calls records every AWS request with the account it acts as, its IAM action
and its HTTP status, in every protocol (JSON, query/EC2, REST-JSON of each REST service orgctl
calls, RPC v2 CBOR), and for the Organizations calls IAM evaluates conditions of, the request
context (policy type, service principal, tag keys, the tagged resource's ARN);
POST /orgctl-emulator/calls/reset empties it."""

import json
from urllib.parse import urlencode

import botocore.session
import cbor2
from botocore.exceptions import ClientError
from botocore.serialize import create_serializer
from werkzeug.test import EnvironBuilder

from selftest_lib import call, check, client, control, member, signed

SSO = "sso.amazonaws.com"
# The REST services orgctl calls (their operations are resolved from method + path).
REST = ("guardduty", "inspector2", "securityhub", "macie2", "detective", "securitylake", "auditmanager")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _status(fn):
    """Runs fn(); the HTTP status the client saw (an AWS error is an answer too)."""
    try:
        out = fn()
    except ClientError as e:
        return e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    if isinstance(out, tuple):  # selftest_lib.signed: (status, headers, body)
        return out[0]
    return (out or {}).get("ResponseMetadata", {}).get("HTTPStatusCode", 200)


def call_log(ctx, o):
    mgmt, infra, dev = ctx["mgmt"], ctx["infra"], ctx["dev"]
    names = {mgmt: "management", infra: "infra", dev: "dev"}
    # Set up outside the log: the Identity Center delegated admin, the identity store, a detector.
    sso_admins = [a["Id"] for a in o.list_delegated_administrators(ServicePrincipal=SSO)["DelegatedAdministrators"]]
    ic_acct = infra if infra in sso_admins else mgmt
    sid = client("sso-admin").list_instances()["Instances"][0]["IdentityStoreId"]
    detectors = client("guardduty").list_detectors()["DetectorIds"]
    detector = detectors[0] if detectors else "0" * 32
    org = o.describe_organization()["Organization"]["Id"]
    root = o.list_roots()["Roots"][0]["Id"]
    ou = o.list_organizational_units_for_parent(ParentId=root)["OrganizationalUnits"][0]["Id"]

    call("calls reset", lambda: control("/orgctl-emulator/calls/reset", b""), lambda r: r == {}, lambda r: f"{r}")
    call("calls empty after a reset", lambda: control("/orgctl-emulator/calls"), lambda r: r == {"calls": []}, lambda r: f"{r}")
    steps = []  # (label, account, action, status the client saw, the context it logs or None)
    creds = {}

    def step(label, account, action, fn, context=None):
        steps.append((label, account, action, _status(fn), context))

    def assume(acct):
        creds[acct] = member(acct)
        return {}

    step("organizations ListRoots (JSON 1.1, management)", mgmt, "organizations:ListRoots", lambda: o.list_roots())
    step("sts AssumeRole (query, by the management account)", mgmt, "sts:AssumeRole", lambda: assume(ic_acct))
    step("identitystore ListUsers by the Identity Center delegated admin" if ic_acct == infra else "identitystore ListUsers (management)",
         ic_acct, "identitystore:ListUsers", lambda: client("identitystore", creds[ic_acct]).list_users(IdentityStoreId=sid))
    step("sso-admin ListInstances (signing name sso)", mgmt, "sso:ListInstances", lambda: client("sso-admin").list_instances())
    step("sts AssumeRole into dev", mgmt, "sts:AssumeRole", lambda: assume(dev))
    step("organizations DescribeOrganization by a member", dev, "organizations:DescribeOrganization",
         lambda: client("organizations", creds[dev]).describe_organization())
    step("sso-admin ListPermissionSets by a member: refused, recorded", dev, "sso:ListPermissionSets",
         lambda: client("sso-admin", creds[dev]).list_permission_sets(InstanceArn="arn:aws:sso:::instance/ssoins-0000000000000000"))
    control("/orgctl-emulator/stats")  # a control endpoint: not recorded
    step("guardduty ListOrganizationAdminAccounts in eu-west-1 (REST)", mgmt, "guardduty:ListOrganizationAdminAccounts",
         lambda: client("guardduty", region="eu-west-1").list_organization_admin_accounts())
    step("guardduty ListMembers (REST, a path label)", mgmt, "guardduty:ListMembers", lambda: client("guardduty").list_members(DetectorId=detector))
    step("inspector2 ListDelegatedAdminAccounts (REST)", mgmt, "inspector2:ListDelegatedAdminAccounts",
         lambda: client("inspector2").list_delegated_admin_accounts())
    step("securityhub ListOrganizationAdminAccounts (REST)", mgmt, "securityhub:ListOrganizationAdminAccounts",
         lambda: client("securityhub").list_organization_admin_accounts())
    step("macie2 ListOrganizationAdminAccounts (REST)", mgmt, "macie2:ListOrganizationAdminAccounts",
         lambda: client("macie2").list_organization_admin_accounts())
    step("detective ListOrganizationAdminAccounts (REST, native): IAM action ListOrganizationAdminAccount", mgmt,
         "detective:ListOrganizationAdminAccount", lambda: client("detective").list_organization_admin_accounts())
    step("securitylake DeregisterDataLakeDelegatedAdministrator (REST DELETE, native)", mgmt,
         "securitylake:DeregisterDataLakeDelegatedAdministrator", lambda: client("securitylake").deregister_data_lake_delegated_administrator())
    step("securitylake RegisterDataLakeDelegatedAdministrator (REST POST, same path)", mgmt,
         "securitylake:RegisterDataLakeDelegatedAdministrator", lambda: client("securitylake").register_data_lake_delegated_administrator(accountId=mgmt))
    step("auditmanager GetOrganizationAdminAccount (REST, native)", mgmt, "auditmanager:GetOrganizationAdminAccount",
         lambda: client("auditmanager").get_organization_admin_account())
    step("ec2 EnableIpamOrganizationAdminAccount (EC2 query, form body): refused, recorded", mgmt, "ec2:EnableIpamOrganizationAdminAccount",
         lambda: client("ec2").enable_ipam_organization_admin_account(DelegatedAdminAccountId="999999999999"))
    step("ec2 DescribeRegions (Action= in the query string)", mgmt, "ec2:DescribeRegions",
         lambda: signed("ec2", "GET", "/?Action=DescribeRegions&Version=2016-11-15", None, {}))
    step("cloudtrail DescribeTrails (JSON 1.1)", mgmt, "cloudtrail:DescribeTrails", lambda: client("cloudtrail").describe_trails())
    step("fms GetAdminAccount (JSON 1.1)", mgmt, "fms:GetAdminAccount", lambda: client("fms").get_admin_account())
    step("fms GetAdminAccount (RPC v2 CBOR)", mgmt, "fms:GetAdminAccount",
         lambda: signed("fms", "POST", "/service/AWSFMS_20180101/operation/GetAdminAccount", cbor2.dumps({}),
                        {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}))
    context_steps(o, (mgmt, dev, org, root, ou), creds, step)
    control("/orgctl-emulator/config", json.dumps({"throttle_rate": 1.0, "throttle_services": ["guardduty", "organizations"]}).encode())
    step("guardduty ListDetectors throttled (R28 middleware): recorded", mgmt, "guardduty:ListDetectors", lambda: client("guardduty").list_detectors())
    step("organizations ListRoots throttled (access.py): recorded", mgmt, "organizations:ListRoots", lambda: o.list_roots())
    control("/orgctl-emulator/config", json.dumps({"throttle_rate": 0.0, "throttle_services": [], "throttle_seed": 1}).encode())

    got = control("/orgctl-emulator/calls")
    calls = got.get("calls", [])
    check("calls: the answer is {\"calls\": [...]} of {account, action, status} (and context for some Organizations calls)",
          sorted(got) == ["calls"] and all(sorted(set(c) - {"context"}) == ["account", "action", "status"] for c in calls)
          and all(c["action"].startswith("organizations:") for c in calls if "context" in c), f"{sorted(got)} {calls[:1]}")
    check("calls: one entry per request, control endpoints left out", len(calls) == len(steps),
          f"{len(calls)} entries for {len(steps)} requests: {[c['action'] for c in calls]}")
    for i, (label, account, action, status, context) in enumerate(steps):
        c = calls[i] if i < len(calls) else {}
        check(f"calls: {label}", c.get("account") == account and c.get("action") == action and c.get("status") == status
              and c.get("context") == context,
              f"got {names.get(c.get('account'), c.get('account'))} {c.get('action')} {c.get('status')} {c.get('context')}; "
              f"want {names[account]} {action} {status} {context}")
    statuses = {label: s for label, _a, _b, s, _c in steps}
    check("calls: throttled and refused answers keep their status",
          statuses["guardduty ListDetectors throttled (R28 middleware): recorded"] == 400
          and statuses["organizations ListRoots throttled (access.py): recorded"] == 400
          and statuses["ec2 EnableIpamOrganizationAdminAccount (EC2 query, form body): refused, recorded"] == 400
          and statuses["sso-admin ListPermissionSets by a member: refused, recorded"] == 400,
          f"{[s for _l, _a, _b, s, _c in steps if s != 200]}")
    check("calls: the Identity Center delegated admin was the member account", ic_acct == infra, f"acting account: {names[ic_acct]}")
    rest_resolution()
    call("calls reset empties the log", lambda: (control("/orgctl-emulator/calls/reset", b""), control("/orgctl-emulator/calls"))[1],
         lambda r: r == {"calls": []}, lambda r: f"{r}")


def context_steps(o, ids, creds, step):
    """The "context" member: the request-context values IAM evaluates for Organizations calls
    (policy type, service principal, tag keys and values, the tagged resource's ARN), read from
    the JSON body (which moto still reads: the policy is created with its name) and, for a
    PolicyId or a ResourceId, from the organization."""
    mgmt, dev, org, root, ou = ids
    root_arn = f"arn:aws:organizations::{mgmt}:root/{org}/{root}"
    doc = json.dumps({"tags": {"team": {"tag_key": {"@@assign": "team"}}}})
    made = {}

    def create():
        made["policy"] = o.create_policy(Name="calls-context", Type="TAG_POLICY", Description="d", Content=doc,
                                         Tags=[{"Key": "team", "Value": "blue"}])["Policy"]["PolicySummary"]
        return {}

    step("organizations CreatePolicy TAG_POLICY with a tag: context organizations:PolicyType, aws:TagKeys, aws:RequestTag",
         mgmt, "organizations:CreatePolicy", create,
         {"keys": {"organizations:PolicyType": "TAG_POLICY", "aws:TagKeys": ["team"], "aws:RequestTag/team": "blue"}})
    pid = made.get("policy", {}).get("Id", "p-00000000")
    check("calls: the JSON body read for the context is put back (moto created the policy by its name)",
          made.get("policy", {}).get("Name") == "calls-context", f"{made.get('policy')}")
    step("organizations TagResource on the root: context its ARN and tag keys", mgmt, "organizations:TagResource",
         lambda: o.tag_resource(ResourceId=root, Tags=[{"Key": "calls-selftest", "Value": "x"}]),
         {"resource": root_arn, "keys": {"aws:TagKeys": ["calls-selftest"], "aws:RequestTag/calls-selftest": "x"}})
    step("organizations UntagResource on the root: context its ARN and TagKeys", mgmt, "organizations:UntagResource",
         lambda: o.untag_resource(ResourceId=root, TagKeys=["calls-selftest"]),
         {"resource": root_arn, "keys": {"aws:TagKeys": ["calls-selftest"]}})
    step("organizations UntagResource on an OU: its ARN", mgmt, "organizations:UntagResource",
         lambda: o.untag_resource(ResourceId=ou, TagKeys=["calls-selftest"]),
         {"resource": f"arn:aws:organizations::{mgmt}:ou/{org}/{ou}", "keys": {"aws:TagKeys": ["calls-selftest"]}})
    step("organizations UntagResource on a member account: its ARN", mgmt, "organizations:UntagResource",
         lambda: o.untag_resource(ResourceId=dev, TagKeys=["calls-selftest"]),
         {"resource": f"arn:aws:organizations::{mgmt}:account/{org}/{dev}", "keys": {"aws:TagKeys": ["calls-selftest"]}})
    step("organizations UntagResource on FullAWSAccess: the AWS managed policy's ARN", mgmt, "organizations:UntagResource",
         lambda: o.untag_resource(ResourceId="p-FullAWSAccess", TagKeys=["calls-selftest"]),
         {"resource": "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess", "keys": {"aws:TagKeys": ["calls-selftest"]}})
    step("organizations TagResource of an unknown OU: refused, tag keys but no resource", mgmt, "organizations:TagResource",
         lambda: o.tag_resource(ResourceId="ou-zzzz-zzzzzzzz", Tags=[{"Key": "k", "Value": ""}]),
         {"keys": {"aws:TagKeys": ["k"], "aws:RequestTag/k": ""}})
    step("organizations AttachPolicy by a member: refused, the policy's type looked up in its organization", dev,
         "organizations:AttachPolicy", lambda: client("organizations", creds[dev]).attach_policy(PolicyId=pid, TargetId=root),
         {"keys": {"organizations:PolicyType": "TAG_POLICY"}})
    step("organizations DeletePolicy: the deleted policy's type", mgmt, "organizations:DeletePolicy",
         lambda: o.delete_policy(PolicyId=pid), {"keys": {"organizations:PolicyType": "TAG_POLICY"}})
    step("organizations DeregisterDelegatedAdministrator refused: context organizations:ServicePrincipal", mgmt,
         "organizations:DeregisterDelegatedAdministrator",
         lambda: o.deregister_delegated_administrator(AccountId="999999999999", ServicePrincipal="example.amazonaws.com"),
         {"keys": {"organizations:ServicePrincipal": "example.amazonaws.com"}})


def _dummy(shape):
    """A value for each required member (URI labels, required query arguments and headers)."""
    kind = shape.type_name
    if kind == "structure":
        return {k: _dummy(shape.members[k]) for k in shape.required_members}
    if kind == "list":
        return [_dummy(shape.member)]
    return {"map": {}, "integer": 1, "long": 1, "boolean": True, "timestamp": 0, "blob": b"x", "float": 1.0, "double": 1.0}.get(kind, "abc123def")


def rest_resolution():
    """In process: every operation of each REST service orgctl calls, as botocore serializes it
    (method, path with its labels filled, query string, headers), resolves to its own name."""
    from orgemu import calls  # imports moto: only this check needs it

    session = botocore.session.get_session()
    for service in REST:
        model = session.get_service_model(service)
        serializer = create_serializer(model.metadata["protocol"], include_validation=False)
        wrong = []
        for name in model.operation_names:
            op = model.operation_model(name)
            req = serializer.serialize_to_request(_dummy(op.input_shape) if op.input_shape else {}, op)
            path, _, literal = req["url_path"].partition("?")
            query = "&".join(x for x in (literal, urlencode(req["query_string"], doseq=True)) if x)
            environ = EnvironBuilder(method=req["method"], path=path, query_string=query, headers=dict(req["headers"])).get_environ()
            environ["RAW_URI"] = path + (f"?{query}" if query else "")
            got = calls.operation(environ, model.metadata["signingName"])
            if got != name:
                wrong.append(f"{req['method']} {req['url_path']} -> {got}, not {name}")
        check(f"calls: every {service} REST operation resolves to itself", not wrong,
              f"{len(model.operation_names) - len(wrong)}/{len(model.operation_names)} {wrong[:3]}")
