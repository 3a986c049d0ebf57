"""The self-test's harness: starting points, normalisation, PASS/FAIL reporting, boto3 clients,
raw SigV4 requests and the control endpoints (used by every selftest_*.py module).

`URL` is set by selftest.py's main() before any check runs; `FAILURES` collects the failed lines.
"""

import json
import os
import re
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
    (re.compile(r"<PolicyId>[^<]*</PolicyId>"), "<PolicyId/>"),
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
    """PASS if fn() raises the AWS error `code` (with that HTTP status / Reason). With `reason`, the
    message must not contain the reason code (R31: AWS sends it only in the Reason member)."""
    try:
        out = fn()
    except ClientError as e:
        r = e.response
        er = r.get("Error", {})
        got_status = r.get("ResponseMetadata", {}).get("HTTPStatusCode")
        got_reason = er.get("Reason") or r.get("Reason")
        ok = er.get("Code") == code and (status is None or got_status == status) and (reason is None or got_reason == reason)
        if reason is not None and reason in str(er.get("Message") or ""):
            ok = False
        if ok and extra is not None:
            ok = extra(r)
        report(ok, name, _err(e))
        return e
    report(False, name, f"expected {code}, got success {norm(out)[:200]}")
    return None


def client(service, creds=None, region="us-east-1", validate=True):
    """A boto3 client of the emulator; validate=False sends what botocore would refuse (e.g. "" where
    the model wants 1 character: the Rust SDK does not check lengths, the service must)."""
    config = NO_RETRY if validate else NO_RETRY.merge(Config(parameter_validation=False))
    return boto3.client(service, endpoint_url=URL, region_name=region, config=config, **(creds or MGMT))


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


def eventually(fn, pred, timeout=5.0):
    """Calls fn() until pred(result) holds or `timeout` seconds passed; returns the last result
    (for states that change with time: R39's DISABLE_IN_PROGRESS, R38's PENDING)."""
    deadline = time.time() + timeout
    while True:
        out = fn()
        if pred(out) or time.time() >= deadline:
            return out
        time.sleep(0.05)


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
