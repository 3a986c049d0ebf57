#!/usr/bin/env python3
"""Self-test of orgctl's emulator through boto3, without cargo.

  .venv/bin/python emulator/selftest.py [--url URL] [--skip-r26] [--wire FILE]

Starts `emulator/orgctl_emulator.py --create-delay 0.2` (unless --url names a running one, which
must be fresh), reads its `ORGCTL_EMULATOR_URL=` line, then drives every rule group with boto3 and
dummy credentials: the default access key acts as account 123456789012 (the management account
once it creates the organization); member accounts act through sts:AssumeRole into
OrganizationAccountAccessRole, as the Rust tests do (moto keys the caller's account on the
access key it issued).

Prints one line per check, `PASS name: detail` or `FAIL name: detail`; the details are
normalised (account ids, organization/OU/policy ids, UUIDs replaced by placeholders), so two runs
can be compared with diff. Exits 1 on any failure. --skip-r26 leaves out Security Lake and Audit Manager (R26, R27: the rules added after the split).
--wire FILE also writes every boto3 response (operation, HTTP status, normalised body) to FILE,
to compare two versions of the emulator response by response (polling loops may repeat a line).
FMS is driven through boto3 (JSON 1.1) and, with raw SigV4 requests, as RPC v2 CBOR (the Rust SDK's form)
and raw JSON 1.1; an unknown Security Lake operation through a raw request too.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import boto3
import cbor2
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
NO_RETRY = Config(retries={"mode": "standard", "total_max_attempts": 1})
SL = "securitylake.amazonaws.com"
AM = "auditmanager.amazonaws.com"

FAILURES = []
URL = None
MGMT = {"aws_access_key_id": "test", "aws_secret_access_key": "test"}

SUBS = [
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b\d{12}\b"), "<acct>"),
    (re.compile(r"\bo-[a-z0-9]{10,32}\b"), "<org>"),
    (re.compile(r"\bou-[a-z0-9]{4,32}-[a-z0-9]{8,32}\b"), "<ou>"),
    (re.compile(r"\br-[a-z0-9]{4,32}\b"), "<root>"),
    (re.compile(r"\bp-[a-z0-9]{8,128}\b"), "<policy>"),
    (re.compile(r"\bcar-[0-9a-f]+\b"), "<car>"),
    (re.compile(r"\bssoins-[0-9a-f]+\b"), "<ssoins>"),
    (re.compile(r"\bps-[0-9a-f]+\b"), "<ps>"),
    (re.compile(r"\bd-[0-9a-f]{10}\b"), "<store>"),
    (re.compile(r"\brp-[0-9a-f]{8}\b"), "<rp>"),
    (re.compile(r"\b[0-9a-f]{32}\b"), "<hex>"),
]


def norm(text):
    text = str(text)
    for rx, sub in SUBS:
        text = rx.sub(sub, text)
    return text


TIMES = [
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?"), "<time>"),
    (re.compile(r"\b1\d{9}(\.\d+)?\b"), "<epoch>"),
    (re.compile(r"<requestId>[^<]*</requestId>"), "<requestId/>"),
    (re.compile(r"\b[A-Za-z0-9]{52}\b"), "<reqid>"),
]


def wire_norm(text):
    for rx, sub in TIMES:
        text = rx.sub(sub, text)
    return norm(text)


def record_wire(path):
    """Appends every boto3 response (operation, HTTP status, normalised body) to `path`."""
    out = open(path, "w")

    def after_call(http_response, model, **_kw):
        body, ctype = http_response.content, http_response.headers.get("content-type", "")
        name = f"{model.service_model.service_name}.{model.name}"
        if name == "sts.AssumeRole":
            text = "<credentials>"
        elif "cbor" in ctype:
            text = "cbor " + json.dumps(cbor2.loads(body) if body else None, sort_keys=True, default=str)
        elif body[:1] in (b"{", b"["):
            text = json.dumps(json.loads(body), sort_keys=True)
        else:
            text = body.decode("utf-8", "replace")
        out.write(f"{name} {http_response.status_code} {wire_norm(text)}\n")
        out.flush()

    boto3._get_default_session().events.register("after-call", after_call)


QUIET = False


def report(ok, name, detail):
    line = f"{'PASS' if ok else 'FAIL'} {name}: {norm(detail)}"
    if not (ok and QUIET):
        print(line, flush=True)
    if not ok:
        FAILURES.append(line)


def check(name, cond, detail=""):
    report(bool(cond), name, detail)
    return bool(cond)


def call(name, fn, pred=None, show=None):
    """Runs fn(); PASS if it succeeds (and pred(result) holds). Returns the result or None."""
    try:
        out = fn()
    except ClientError as e:
        report(False, name, f"unexpected {_err(e)}")
        return None
    except Exception as e:  # noqa: BLE001 (a check must never stop the run)
        report(False, name, f"unexpected {type(e).__name__}: {e}")
        return None
    if isinstance(out, dict):
        out.pop("ResponseMetadata", None)
    detail = show(out) if show else "ok"
    report(pred is None or bool(pred(out)), name, detail)
    return out


def _err(e):
    r = e.response
    er = r.get("Error", {})
    status = r.get("ResponseMetadata", {}).get("HTTPStatusCode")
    reason = er.get("Reason") or r.get("Reason")
    return f"{er.get('Code')} HTTP {status}" + (f" reason={reason}" if reason else "") + f" message={er.get('Message')!r}"


def expect_error(name, fn, code, status=None, reason=None, extra=None):
    """PASS if fn() raises the AWS error `code` (with that HTTP status / Reason)."""
    try:
        out = fn()
    except ClientError as e:
        r = e.response
        er = r.get("Error", {})
        got_status = r.get("ResponseMetadata", {}).get("HTTPStatusCode")
        got_reason = er.get("Reason") or r.get("Reason")
        ok = er.get("Code") == code and (status is None or got_status == status) and (reason is None or got_reason == reason)
        if ok and extra is not None:
            ok = extra(r)
        report(ok, name, _err(e))
        return e
    report(False, name, f"expected {code}, got success {norm(out)[:200]}")
    return None


def client(service, creds=None, region="us-east-1"):
    return boto3.client(service, endpoint_url=URL, region_name=region, config=NO_RETRY, **(creds or MGMT))


def member(acct):
    c = client("sts").assume_role(RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole", RoleSessionName="selftest")["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"], "aws_session_token": c["SessionToken"]}


def signed(service, method, path, body, headers, creds=None, region="us-east-1"):
    """A raw SigV4 request (for wire forms boto3 does not pick). Returns (status, headers, body)."""
    creds = creds or MGMT
    req = AWSRequest(method=method, url=URL + path, data=body, headers=headers)
    SigV4Auth(Credentials(creds["aws_access_key_id"], creds["aws_secret_access_key"], creds.get("aws_session_token")), service, region).add_auth(req)
    r = urllib.request.Request(URL + path, data=body, method=method, headers=dict(req.headers))
    try:
        with urllib.request.urlopen(r) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def control(path, body=None):
    req = urllib.request.Request(URL + path, data=body, method="POST" if body is not None else "GET")
    return json.loads(urllib.request.urlopen(req).read())


def wait_accounts(o, reqs):
    ids, deadline = {}, time.time() + 20
    while len(ids) < len(reqs) and time.time() < deadline:
        time.sleep(0.05)
        for name, rid in reqs.items():
            if name in ids:
                continue
            st = o.describe_create_account_status(CreateAccountRequestId=rid)["CreateAccountStatus"]
            if st["State"] != "IN_PROGRESS":
                ids[name] = st
    return ids


def pages(fn, key, **kw):
    items, token, n = [], None, 0
    while True:
        out = fn(**kw, **({"NextToken": token} if token else {}))
        items += out[key]
        n += 1
        token = out.get("NextToken")
        if not token:
            return items, n


# --- the checks -----------------------------------------------------------------------------

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
    expect_error("R7 MaxResults=21", lambda: o.list_accounts(MaxResults=21), "InvalidInputException")
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
    return o


def resource_policy(ctx, o):
    expect_error("R10 describe none", lambda: o.describe_resource_policy(), "ResourcePolicyNotFoundException")
    expect_error("R10 invalid JSON", lambda: o.put_resource_policy(Content="{nope"), "InvalidInputException", reason="INVALID_RESOURCE_POLICY_JSON")
    bad_action = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": ctx["sec-ops"]}, "Action": "organizations:CreateAccount", "Resource": "*"}]}
    expect_error("R10 unsupported action", lambda: o.put_resource_policy(Content=json.dumps(bad_action)), "InvalidInputException",
                 reason="UNSUPPORTED_ACTION_IN_RESOURCE_POLICY")
    bad_principal = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "999999999999"}, "Action": "organizations:DescribeOrganization", "Resource": "*"}]}
    expect_error("R10 invalid principal", lambda: o.put_resource_policy(Content=json.dumps(bad_principal)), "InvalidInputException", reason="INVALID_PRINCIPAL")
    expect_error("R10 over 40,000 characters", lambda: o.put_resource_policy(Content="x" * 40001), "InvalidInputException")
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
    call("R11 create BACKUP_POLICY", lambda: o.create_policy(Name="backup", Type="BACKUP_POLICY", Description="d", Content="{}"),
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
    # delegated policy write granted by the delegation policy (R10) to sec-ops for TAG_POLICY only
    sec = client("organizations", member(ctx["sec-ops"]))
    call("R11 delegated create TAG_POLICY", lambda: sec.create_policy(Name="sec-tags", Type="TAG_POLICY", Description="d", Content=doc),
         lambda r: r["Policy"]["PolicySummary"]["Type"] == "TAG_POLICY", lambda r: "created by the delegated account")
    expect_error("R11 delegated create SCP denied", lambda: sec.create_policy(Name="sec-scp", Type="SERVICE_CONTROL_POLICY", Description="d", Content="{}"),
                 "AccessDeniedException")


def guardduty(ctx, o):
    gd = client("guardduty")
    sec = ctx["sec-ops"]
    expect_error("R12 enable before trusted access", lambda: gd.enable_organization_admin_account(AdminAccountId=sec), "BadRequestException", status=400)
    o.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    expect_error("R12 management account as admin", lambda: gd.enable_organization_admin_account(AdminAccountId=ctx["mgmt"]), "BadRequestException")
    call("R12 enable sec-ops us-east-1", lambda: gd.enable_organization_admin_account(AdminAccountId=sec))
    call("R12 enable sec-ops eu-west-1", lambda: client("guardduty", region="eu-west-1").enable_organization_admin_account(AdminAccountId=sec))
    expect_error("R12 another admin in another Region", lambda: client("guardduty", region="eu-central-1").enable_organization_admin_account(AdminAccountId=ctx["dev"]),
                 "BadRequestException")
    call("R12 list", lambda: gd.list_organization_admin_accounts(), lambda r: [a["AdminAccountId"] for a in r["AdminAccounts"]] == [sec],
         lambda r: f"{[(a['AdminAccountId'], a['AdminStatus']) for a in r['AdminAccounts']]}")
    expect_error("R12 member list denied", lambda: client("guardduty", member(ctx["dev"])).list_organization_admin_accounts(), "BadRequestException")
    call("R12 Organizations DA registered", lambda: o.list_delegated_administrators(ServicePrincipal="guardduty.amazonaws.com"),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [sec], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    # R25: members, by the admin on its own detector
    sgd = client("guardduty", member(sec))
    det = call("R25 admin has a detector", lambda: sgd.list_detectors(), lambda r: len(r["DetectorIds"]) == 1, lambda r: f"{len(r['DetectorIds'])} detector(s)")
    if det:
        d = det["DetectorIds"][0]
        call("R25 create_members", lambda: sgd.create_members(DetectorId=d, AccountDetails=[{"AccountId": ctx["dev"], "Email": "a@example.com"}, {"AccountId": "999999999999", "Email": "b@example.com"}]),
             lambda r: len(r["UnprocessedAccounts"]) == 1, lambda r: f"unprocessed={[u['AccountId'] for u in r['UnprocessedAccounts']]}")
        call("R25 list_members", lambda: sgd.list_members(DetectorId=d), lambda r: [m["RelationshipStatus"] for m in r["Members"]] == ["Enabled"],
             lambda r: f"{[(m['AccountId'], m['RelationshipStatus']) for m in r['Members']]}")
        call("R25 delete before disassociate", lambda: sgd.delete_members(DetectorId=d, AccountIds=[ctx["dev"]]), lambda r: len(r["UnprocessedAccounts"]) == 1,
             lambda r: f"unprocessed={len(r['UnprocessedAccounts'])}")
        call("R25 update_organization_configuration", lambda: sgd.update_organization_configuration(DetectorId=d, AutoEnableOrganizationMembers="ALL"))
        call("R25 describe_organization_configuration", lambda: sgd.describe_organization_configuration(DetectorId=d),
             lambda r: r["AutoEnableOrganizationMembers"] == "ALL", lambda r: f"AutoEnableOrganizationMembers={r['AutoEnableOrganizationMembers']}")
    expect_error("R25 non-admin create_members", lambda: client("guardduty", member(ctx["dev"])).create_members(DetectorId="0" * 32, AccountDetails=[{"AccountId": ctx["sec-ops"], "Email": "c@example.com"}]),
                 "BadRequestException")
    call("R12 disable eu-west-1", lambda: client("guardduty", region="eu-west-1").disable_organization_admin_account(AdminAccountId=sec))
    expect_error("R12 disable again", lambda: client("guardduty", region="eu-west-1").disable_organization_admin_account(AdminAccountId=sec), "BadRequestException")


def inspector_macie_hub(ctx, o):
    sec, mgmt = ctx["sec-ops"], ctx["mgmt"]
    i2 = client("inspector2")
    expect_error("R13 management account as admin", lambda: i2.enable_delegated_admin_account(delegatedAdminAccountId=mgmt), "ValidationException")
    call("R13 enable sec-ops", lambda: i2.enable_delegated_admin_account(delegatedAdminAccountId=sec), lambda r: r["delegatedAdminAccountId"] == sec,
         lambda r: f"delegatedAdminAccountId={r['delegatedAdminAccountId']}")
    expect_error("R13 another admin in another Region", lambda: client("inspector2", region="eu-west-1").enable_delegated_admin_account(delegatedAdminAccountId=ctx["dev"]),
                 "ConflictException", status=409)
    call("R13 list", lambda: i2.list_delegated_admin_accounts(), lambda r: [a["accountId"] for a in r["delegatedAdminAccounts"]] == [sec],
         lambda r: f"{[(a['accountId'], a['status']) for a in r['delegatedAdminAccounts']]}")
    call("R13 disable", lambda: i2.disable_delegated_admin_account(delegatedAdminAccountId=sec))
    call("R13 disabled admin not listed", lambda: i2.list_delegated_admin_accounts(), lambda r: r["delegatedAdminAccounts"] == [], lambda r: f"{r['delegatedAdminAccounts']}")
    call("R13 trusted access as a side effect", lambda: o.list_aws_service_access_for_organization(),
         lambda r: "inspector2.amazonaws.com" in [s["ServicePrincipal"] for s in r["EnabledServicePrincipals"]], lambda r: "inspector2.amazonaws.com enabled")

    m2 = client("macie2")
    call("R14 macie enable sec-ops", lambda: m2.enable_organization_admin_account(adminAccountId=sec))
    expect_error("R14 macie second admin", lambda: m2.enable_organization_admin_account(adminAccountId=ctx["dev"]), "ValidationException")
    call("R14 macie list", lambda: m2.list_organization_admin_accounts(), lambda r: [a["accountId"] for a in r["adminAccounts"]] == [sec],
         lambda r: f"{[(a['accountId'], a['status']) for a in r['adminAccounts']]}")
    call("R14 macie disable", lambda: m2.disable_organization_admin_account(adminAccountId=sec))
    expect_error("R14 macie disable again", lambda: m2.disable_organization_admin_account(adminAccountId=sec), "ValidationException")

    sh = client("securityhub")
    call("R14 securityhub enable sec-ops", lambda: sh.enable_organization_admin_account(AdminAccountId=sec))
    expect_error("R14 securityhub non-member", lambda: sh.enable_organization_admin_account(AdminAccountId="999999999999"), "InvalidInputException")
    call("R14 securityhub list", lambda: sh.list_organization_admin_accounts(), lambda r: [a["AccountId"] for a in r["AdminAccounts"]] == [sec],
         lambda r: f"{[(a['AccountId'], a['Status']) for a in r['AdminAccounts']]}")
    expect_error("R14 securityhub member list denied", lambda: client("securityhub", member(ctx["dev"])).list_organization_admin_accounts(), "InvalidAccessException")
    call("R14 securityhub disable", lambda: sh.disable_organization_admin_account(AdminAccountId=sec))


def cloudtrail_ipam(ctx, o):
    ct = client("cloudtrail")
    infra, mgmt = ctx["infra"], ctx["mgmt"]
    expect_error("R15 register without trusted access", lambda: ct.register_organization_delegated_admin(MemberAccountId=infra), "CloudTrailAccessNotEnabledException")
    o.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
    expect_error("R15 management account", lambda: ct.register_organization_delegated_admin(MemberAccountId=mgmt), "CannotDelegateManagementAccountException")
    call("R15 register infra", lambda: ct.register_organization_delegated_admin(MemberAccountId=infra))
    expect_error("R15 register again", lambda: ct.register_organization_delegated_admin(MemberAccountId=infra), "AccountRegisteredException")
    expect_error("R15 member caller", lambda: client("cloudtrail", member(infra)).register_organization_delegated_admin(MemberAccountId=ctx["dev"]),
                 "NotOrganizationManagementAccountException")
    call("R15 Organizations DA follows", lambda: o.list_delegated_administrators(ServicePrincipal="cloudtrail.amazonaws.com"),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [infra], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    call("R15 deregister", lambda: ct.deregister_organization_delegated_admin(DelegatedAdminAccountId=infra))
    expect_error("R15 deregister again", lambda: ct.deregister_organization_delegated_admin(DelegatedAdminAccountId=infra), "AccountNotRegisteredException")

    ec2 = client("ec2")
    expect_error("R16 management account", lambda: ec2.enable_ipam_organization_admin_account(DelegatedAdminAccountId=mgmt), "InvalidParameterValue")
    call("R16 enable infra", lambda: ec2.enable_ipam_organization_admin_account(DelegatedAdminAccountId=infra), lambda r: r["Success"] is True, lambda r: f"Success={r['Success']}")
    expect_error("R16 second admin", lambda: ec2.enable_ipam_organization_admin_account(DelegatedAdminAccountId=ctx["dev"]), "InvalidParameterValue")
    call("R16 trusted access and DA", lambda: o.list_delegated_administrators(ServicePrincipal="ipam.amazonaws.com"),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [infra], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    expect_error("R16 disable an account not registered", lambda: ec2.disable_ipam_organization_admin_account(DelegatedAdminAccountId=ctx["dev"]),
                 "IpamOrganizationAccountNotRegistered")
    call("R16 disable infra", lambda: ec2.disable_ipam_organization_admin_account(DelegatedAdminAccountId=infra), lambda r: r["Success"] is True)


def detective_fms(ctx, o):
    dt = client("detective")
    sec, mgmt = ctx["sec-ops"], ctx["mgmt"]
    expect_error("R17 member caller", lambda: client("detective", member(sec)).enable_organization_admin_account(AccountId=sec), "AccessDeniedException", status=403)
    expect_error("R17 non-member admin", lambda: dt.enable_organization_admin_account(AccountId="999999999999"), "ValidationException", status=400)
    call("R17 enable sec-ops", lambda: dt.enable_organization_admin_account(AccountId=sec))
    expect_error("R17 second admin in the Region", lambda: dt.enable_organization_admin_account(AccountId=mgmt), "ValidationException")
    call("R17 list", lambda: dt.list_organization_admin_accounts(), lambda r: [a["AccountId"] for a in r["Administrators"]] == [sec],
         lambda r: f"{[a['AccountId'] for a in r['Administrators']]} GraphArn={r['Administrators'][0]['GraphArn']}")
    call("R17 Organizations DA side effect", lambda: o.list_delegated_administrators(ServicePrincipal="detective.amazonaws.com"),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [sec], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    call("R17 disable", lambda: dt.disable_organization_admin_account())
    expect_error("R17 disable with none", lambda: dt.disable_organization_admin_account(), "ValidationException")
    call("R17 enable again then deregister the DA", lambda: (dt.enable_organization_admin_account(AccountId=sec),
                                                           o.deregister_delegated_administrator(AccountId=sec, ServicePrincipal="detective.amazonaws.com"),
                                                           dt.list_organization_admin_accounts())[2],
         lambda r: r["Administrators"] == [], lambda r: f"{r['Administrators']}")

    fms = client("fms")
    expect_error("R18 member associates", lambda: client("fms", member(sec)).associate_admin_account(AdminAccount=sec), "InvalidOperationException")
    expect_error("R18 management account as admin", lambda: fms.associate_admin_account(AdminAccount=mgmt), "InvalidInputException")
    expect_error("R18 get with none", lambda: fms.get_admin_account(), "ResourceNotFoundException")
    call("R18 associate sec-ops", lambda: fms.associate_admin_account(AdminAccount=sec))
    call("R18 get right away", lambda: fms.get_admin_account(), lambda r: r["AdminAccount"] == sec and r["RoleStatus"] in ("CREATING", "READY"),
         lambda r: f"AdminAccount={r['AdminAccount']}")
    time.sleep(0.3)
    call("R18 READY after --create-delay", lambda: fms.get_admin_account(), lambda r: r["RoleStatus"] == "READY", lambda r: f"RoleStatus={r['RoleStatus']}")
    expect_error("R18 second admin", lambda: fms.associate_admin_account(AdminAccount=ctx["dev"]), "InvalidOperationException")
    # The JSON 1.1 form of the same API (botocore may pick RPC v2 CBOR).
    status, headers, body = signed("fms", "POST", "/", b"{}", {"X-Amz-Target": "AWSFMS_20180101.GetAdminAccount", "Content-Type": "application/x-amz-json-1.1"})
    out = json.loads(body or b"{}")
    check("R18 JSON 1.1 GetAdminAccount", status == 200 and out.get("AdminAccount") == sec, f"HTTP {status} {out}")
    status, headers, body = signed("fms", "POST", "/", b"{}", {"X-Amz-Target": "AWSFMS_20180101.DisassociateAdminAccount", "Content-Type": "application/x-amz-json-1.1"})
    out = json.loads(body or b"{}")
    check("R18 JSON 1.1 management disassociates: refused", status == 400 and out.get("__type") == "InvalidOperationException", f"HTTP {status} {out}")
    # The RPC v2 CBOR form (the Rust SDK's).
    cbor_headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}
    status, headers, body = signed("fms", "POST", "/service/AWSFMS_20180101/operation/GetAdminAccount", cbor2.dumps({}), cbor_headers)
    out = cbor2.loads(body) if body else {}
    check("R18 CBOR GetAdminAccount", status == 200 and out.get("AdminAccount") == sec and headers.get("smithy-protocol") == "rpc-v2-cbor", f"HTTP {status} {out}")
    status, headers, body = signed("fms", "POST", "/service/AWSFMS_20180101/operation/AssociateAdminAccount", cbor2.dumps({"AdminAccount": ctx["dev"]}), cbor_headers)
    out = cbor2.loads(body) if body else {}
    check("R18 CBOR second admin: refused", status == 400 and out.get("__type") == "com.amazonaws.fms#InvalidOperationException", f"HTTP {status} {out}")
    call("R18 the admin disassociates itself", lambda: client("fms", member(sec)).disassociate_admin_account())
    call("R18 Organizations DA removed", lambda: o.list_delegated_administrators(ServicePrincipal="fms.amazonaws.com"),
         lambda r: r["DelegatedAdministrators"] == [], lambda r: f"{r['DelegatedAdministrators']}")


def identity_center(ctx, o):
    sso, ids = client("sso-admin"), client("identitystore")
    inst = call("R19 list_instances", lambda: sso.list_instances(), lambda r: len(r["Instances"]) == 1,
                lambda r: f"{len(r['Instances'])} instance, owner={r['Instances'][0].get('OwnerAccountId')} status={r['Instances'][0].get('Status')}")
    call("R19 none elsewhere", lambda: client("sso-admin", region="eu-west-1").list_instances(), lambda r: r["Instances"] == [], lambda r: f"{r['Instances']}")
    if not inst:
        return
    arn, sid = inst["Instances"][0]["InstanceArn"], inst["Instances"][0]["IdentityStoreId"]
    da = client("sso-admin", member(ctx["infra"]))
    call("R19 delegated admin sees the same instance", lambda: da.list_instances(), lambda r: r["Instances"][0]["InstanceArn"] == arn, lambda r: "same InstanceArn")
    call("R19 describe_instance", lambda: sso.describe_instance(InstanceArn=arn), lambda r: r["Status"] == "ACTIVE", lambda r: f"Status={r['Status']}")
    expect_error("R20 member sso-admin call denied", lambda: client("sso-admin", member(ctx["dev"])).list_permission_sets(InstanceArn=arn), "AccessDeniedException")
    user = call("R24 identitystore create_user", lambda: ids.create_user(IdentityStoreId=sid, UserName="alice", DisplayName="Alice", Name={"GivenName": "A", "FamilyName": "L"}),
                lambda r: r["UserId"], lambda r: "UserId returned")
    expect_error("R24 duplicate UserName", lambda: ids.create_user(IdentityStoreId=sid, UserName="alice", DisplayName="Alice", Name={"GivenName": "A", "FamilyName": "L"}),
                 "ConflictException")
    call("R20 member reads the identity store", lambda: client("identitystore", member(ctx["dev"])).list_users(IdentityStoreId=sid),
         lambda r: [u["UserName"] for u in r["Users"]] == ["alice"], lambda r: f"{[u['UserName'] for u in r['Users']]}")
    expect_error("R20 member write denied", lambda: client("identitystore", member(ctx["dev"])).create_group(IdentityStoreId=sid, DisplayName="g"),
                 "AccessDeniedException")
    expect_error("R20 wrong identity store", lambda: ids.list_users(IdentityStoreId="d-0000000000"), "ResourceNotFoundException")
    ps = call("R22 create_permission_set PT240M", lambda: sso.create_permission_set(InstanceArn=arn, Name="Admin", SessionDuration="PT240M"),
              lambda r: r["PermissionSet"]["SessionDuration"] == "PT4H", lambda r: f"SessionDuration={r['PermissionSet']['SessionDuration']} Arn={r['PermissionSet']['PermissionSetArn']}")
    expect_error("R22 13 hours", lambda: sso.create_permission_set(InstanceArn=arn, Name="Long", SessionDuration="PT13H"), "ValidationException")
    expect_error("R24 name in use", lambda: sso.create_permission_set(InstanceArn=arn, Name="Admin"), "ConflictException")
    if not ps or not user:
        return
    ps_arn, uid = ps["PermissionSet"]["PermissionSetArn"], user["UserId"]
    expect_error("R24 assignment to a non-member", lambda: sso.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT", TargetId="999999999999",
                                                                                         PrincipalType="USER", PrincipalId=uid), "ValidationException")
    st = call("R23 create_account_assignment IN_PROGRESS", lambda: sso.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT",
                                                                                                 TargetId=ctx["dev"], PrincipalType="USER", PrincipalId=uid),
              lambda r: r["AccountAssignmentCreationStatus"]["Status"] == "IN_PROGRESS", lambda r: f"Status={r['AccountAssignmentCreationStatus']['Status']}")
    if st:
        rid = st["AccountAssignmentCreationStatus"]["RequestId"]
        deadline, status = time.time() + 10, None
        while time.time() < deadline:
            status = sso.describe_account_assignment_creation_status(InstanceArn=arn, AccountAssignmentCreationRequestId=rid)["AccountAssignmentCreationStatus"]["Status"]
            if status != "IN_PROGRESS":
                break
            time.sleep(0.05)
        check("R23 assignment SUCCEEDED", status == "SUCCEEDED", f"Status={status}")
    call("R23 list_account_assignments", lambda: sso.list_account_assignments(InstanceArn=arn, AccountId=ctx["dev"], PermissionSetArn=ps_arn),
         lambda r: len(r["AccountAssignments"]) == 1, lambda r: f"{len(r['AccountAssignments'])} assignment(s)")
    call("R23 provisioned", lambda: sso.list_accounts_for_provisioned_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn),
         lambda r: r["AccountIds"] == [ctx["dev"]], lambda r: f"{r['AccountIds']}")
    expect_error("R24 delete a provisioned permission set", lambda: sso.delete_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn), "ConflictException")
    expect_error("R21 delegated admin assigns in the management account",
                 lambda: da.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT", TargetId=ctx["mgmt"], PrincipalType="USER", PrincipalId=uid),
                 "AccessDeniedException")


def control_knobs():
    stats = call("knob stats", lambda: control("/orgctl-emulator/stats"), lambda r: r["total"] > 0 and "sso" in r and "ListAccounts" in r["organizations"],
                 lambda r: f"keys={sorted(r)} sso keys={sorted(r['sso'])}")
    call("knob stats reset", lambda: (control("/orgctl-emulator/stats/reset", b""), control("/orgctl-emulator/stats"))[1],
         lambda r: r["total"] == 0 and r["sso"]["requests"] == {}, lambda r: f"total={r['total']}")
    call("knob config", lambda: control("/orgctl-emulator/config", b'{"create_delay": 0.2, "unknown": 1}'), lambda r: "unknown" not in r and r["create_delay"] == 0.2,
         lambda r: f"{sorted(r)}")
    return stats


def security_lake(ctx, o):
    sl = client("securitylake")
    mgmt, sec, infra, dev = ctx["mgmt"], ctx["sec-ops"], ctx["infra"], ctx["dev"]

    def has_error_code(r):
        return r.get("errorCode") is not None or "errorCode" in r.get("Error", {})

    expect_error("R26 member registers: AccessDenied", lambda: client("securitylake", member(sec)).register_data_lake_delegated_administrator(accountId=sec),
                 "AccessDeniedException", status=403, extra=has_error_code)
    expect_error("R26 account outside any organization: AccessDenied",
                 lambda: client("securitylake", member("111111111111")).register_data_lake_delegated_administrator(accountId=sec), "AccessDeniedException", status=403)
    expect_error("R26 the management account: BadRequest", lambda: sl.register_data_lake_delegated_administrator(accountId=mgmt), "BadRequestException", status=400)
    expect_error("R26 not a member: BadRequest", lambda: sl.register_data_lake_delegated_administrator(accountId="999999999999"), "BadRequestException", status=400)
    expect_error("R26 deregister with none: ResourceNotFound", lambda: sl.deregister_data_lake_delegated_administrator(), "ResourceNotFoundException", status=404)
    call("R26 register infra", lambda: sl.register_data_lake_delegated_administrator(accountId=infra), lambda r: r == {}, lambda r: f"{r}")
    call("R26 Organizations DA registered", lambda: o.list_delegated_administrators(ServicePrincipal=SL),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [infra], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    call("R26 trusted access enabled", lambda: o.list_aws_service_access_for_organization(),
         lambda r: SL in [s["ServicePrincipal"] for s in r["EnabledServicePrincipals"]], lambda r: f"{SL} enabled")
    call("R26 delegated services of infra", lambda: o.list_delegated_services_for_account(AccountId=infra),
         lambda r: SL in [s["ServicePrincipal"] for s in r["DelegatedServices"]], lambda r: f"{sorted(s['ServicePrincipal'] for s in r['DelegatedServices'])}")
    expect_error("R26 same admin again: Conflict", lambda: sl.register_data_lake_delegated_administrator(accountId=infra), "ConflictException", status=409)
    expect_error("R26 another admin: Conflict", lambda: sl.register_data_lake_delegated_administrator(accountId=dev), "ConflictException", status=409)
    expect_error("R26 another admin from another Region: Conflict (organization-wide)",
                 lambda: client("securitylake", region="eu-west-1").register_data_lake_delegated_administrator(accountId=dev), "ConflictException", status=409)
    expect_error("R26 the admin deregisters: AccessDenied", lambda: client("securitylake", member(infra)).deregister_data_lake_delegated_administrator(),
                 "AccessDeniedException", status=403)
    call("R26 deregister from another Region", lambda: client("securitylake", region="eu-west-1").deregister_data_lake_delegated_administrator(),
         lambda r: r == {}, lambda r: f"{r}")
    call("R26 Organizations DA removed", lambda: o.list_delegated_administrators(ServicePrincipal=SL),
         lambda r: r["DelegatedAdministrators"] == [], lambda r: f"{r['DelegatedAdministrators']}")
    call("R26 trusted access stays", lambda: o.list_aws_service_access_for_organization(),
         lambda r: SL in [s["ServicePrincipal"] for s in r["EnabledServicePrincipals"]], lambda r: f"{SL} still enabled")
    expect_error("R26 deregister again: ResourceNotFound", lambda: sl.deregister_data_lake_delegated_administrator(), "ResourceNotFoundException", status=404)
    call("R26 DA registered through Organizations", lambda: o.register_delegated_administrator(AccountId=dev, ServicePrincipal=SL))
    expect_error("R26 register while the Organizations DA is another account: Conflict",
                 lambda: sl.register_data_lake_delegated_administrator(accountId=infra), "ConflictException", status=409)
    call("R26 deregister removes that registration", lambda: (sl.deregister_data_lake_delegated_administrator(), o.list_delegated_administrators(ServicePrincipal=SL))[1],
         lambda r: r["DelegatedAdministrators"] == [], lambda r: f"{r['DelegatedAdministrators']}")
    status, headers, body = signed("securitylake", "GET", "/v1/datalake/delegate", None, {})
    check("R26 unknown operation: 404", status == 404, f"HTTP {status} {headers.get('x-amzn-ErrorType')} {body.decode()}")


def audit_manager(ctx, o):
    am = client("auditmanager")
    mgmt, sec, infra, dev = ctx["mgmt"], ctx["sec-ops"], ctx["infra"], ctx["dev"]
    eu = client("auditmanager", region="eu-west-1")
    expect_error("R27 before trusted access: Validation", lambda: am.register_organization_admin_account(adminAccountId=sec), "ValidationException", status=400)
    call("R27 trusted access enabled", lambda: o.enable_aws_service_access(ServicePrincipal=AM))
    expect_error("R27 member registers: AccessDenied", lambda: client("auditmanager", member(sec)).register_organization_admin_account(adminAccountId=sec),
                 "AccessDeniedException", status=403)
    expect_error("R27 the management account: Validation", lambda: am.register_organization_admin_account(adminAccountId=mgmt), "ValidationException", status=400)
    expect_error("R27 not a member: Validation", lambda: am.register_organization_admin_account(adminAccountId="999999999999"), "ValidationException", status=400)
    expect_error("R27 no admin yet: ResourceNotFound", lambda: am.get_organization_admin_account(), "ResourceNotFoundException", status=404)
    call("R27 register sec-ops in us-east-1", lambda: am.register_organization_admin_account(adminAccountId=sec),
         lambda r: r["adminAccountId"] == sec and r["organizationId"].startswith("o-"), lambda r: f"{r['adminAccountId'] == sec}")
    call("R27 get in us-east-1", lambda: am.get_organization_admin_account(), lambda r: r["adminAccountId"] == sec, lambda r: "sec-ops")
    expect_error("R27 none in eu-west-1 yet: ResourceNotFound", lambda: eu.get_organization_admin_account(), "ResourceNotFoundException", status=404)
    call("R27 Organizations DA registered", lambda: o.list_delegated_administrators(ServicePrincipal=AM),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [sec], lambda r: "sec-ops")
    expect_error("R27 another account in another Region: Validation (one admin everywhere)",
                 lambda: eu.register_organization_admin_account(adminAccountId=infra), "ValidationException", status=400)
    call("R27 the same account in eu-west-1", lambda: eu.register_organization_admin_account(adminAccountId=sec), lambda r: r["adminAccountId"] == sec, lambda r: "sec-ops")
    expect_error("R27 deregister an account that is not the admin: ResourceNotFound",
                 lambda: am.deregister_organization_admin_account(adminAccountId=dev), "ResourceNotFoundException", status=404)
    call("R27 deregister in both Regions", lambda: (am.deregister_organization_admin_account(adminAccountId=sec), eu.deregister_organization_admin_account(adminAccountId=sec))[1])
    expect_error("R27 gone in us-east-1: ResourceNotFound", lambda: am.get_organization_admin_account(), "ResourceNotFoundException", status=404)
    call("R27 the Organizations DA stays until deregistered there", lambda: o.list_delegated_administrators(ServicePrincipal=AM),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [sec], lambda r: "sec-ops")
    call("R27 cleanup", lambda: o.deregister_delegated_administrator(AccountId=sec, ServicePrincipal=AM))


def main():
    global URL
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running, fresh emulator (default: start one)")
    ap.add_argument("--quiet", action="store_true", help="print only failures and the count")
    ap.add_argument("--skip-r26", action="store_true", help="leave out Security Lake and Audit Manager (R26, R27)")
    ap.add_argument("--wire", metavar="FILE", help="also write every response (operation, status, normalised body) to FILE")
    a = ap.parse_args()
    global QUIET
    QUIET = a.quiet
    if a.wire:
        record_wire(a.wire)
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(k, None)
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")
    proc = None
    if a.url:
        URL = a.url
    else:
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "orgctl_emulator.py"), "--create-delay", "0.2"], stdout=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        if not line.startswith("ORGCTL_EMULATOR_URL="):
            proc.kill()
            sys.exit(f"the emulator did not start: {line!r}")
        URL = line.strip().split("=", 1)[1]
    print(f"# emulator at {re.sub(r':[0-9]+$', ':PORT', URL)}", flush=True)
    ctx = {}
    try:
        o = organizations(ctx)
        resource_policy(ctx, o)
        policies(ctx, o)
        guardduty(ctx, o)
        inspector_macie_hub(ctx, o)
        cloudtrail_ipam(ctx, o)
        detective_fms(ctx, o)
        identity_center(ctx, o)
        if not a.skip_r26:
            security_lake(ctx, o)
            audit_manager(ctx, o)
        control_knobs()
    except Exception as e:  # noqa: BLE001
        report(False, "selftest aborted", f"{type(e).__name__}: {e}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"# {len(FAILURES)} failure(s)", flush=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
