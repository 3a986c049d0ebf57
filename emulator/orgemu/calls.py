"""Test support, not an AWS rule: the call log, every AWS request the emulator serves, so a test
can check that each call orgctl makes is allowed by the IAM policy orgctl generates for the
account that made it.

  GET  /orgctl-emulator/calls        {"calls": [{"account": "123456789012",
                                                 "action": "organizations:ListRoots",
                                                 "status": 200}, ...]} in arrival order
  POST /orgctl-emulator/calls/reset  empties it ({})

Every request but the control endpoints (/orgctl-emulator/...) and moto's own (/moto-api/...) is
recorded when it arrives, before R28's throttling (faults.middleware), native_app and moto, so
throttled and refused requests are there too, with the HTTP status they were answered with (null
while a request is still being served; 500 when the server failed).

  account  the 12-digit account the request acts as, as the rules decide it: moto's order
           (MOTO_ACCOUNT_ID, the x-moto-account-id header, then the access key of the SigV4
           credential, common._caller) -- the management account (123456789012) for the default
           test credentials, the member account for credentials from sts:AssumeRole into it.
  action   "<prefix>:<Operation>": the prefix is the SigV4 signing name of the credential scope,
           which is the IAM prefix of every service orgctl calls ("sso" for sso-admin); the
           operation is read per protocol:
             RPC v2 CBOR (fms, the Rust SDK)  the last segment of /service/<Service>/operation/<Op>
             JSON 1.0/1.1 (organizations, sso-admin, identitystore, cloudtrail, fms via botocore)
                                              the X-Amz-Target header after its last "."
             query / EC2 (sts, ec2)           Action= in the query string or the form body
             REST-JSON (guardduty, inspector2, securityhub, macie2, detective, securitylake,
                        auditmanager)         method + path matched against the URI templates of
                                              the botocore service model (moto's RestRouter, the
                                              router moto dispatches REST services with)
           An operation authorized on an IAM action of another name is recorded under the IAM
           action (IAM_ACTION). An operation that cannot be resolved is recorded as "<prefix>:?"
           with an extra "request": "METHOD /path" member.
"""

import functools
import io
import json
import os
import re
import threading
from urllib.parse import parse_qs

from werkzeug.wrappers import Response

from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.request import Request
from moto.core.routing import RestRouter
from moto.core.utils import get_service_model
from moto.iam.models import get_account_id_from

CALLS = []
# Its own lock, not common.LOCK: recording never waits for a request served under LOCK, and a
# status is recorded from start_response, which may be called while LOCK is held.
CALLS_LOCK = threading.Lock()

# SigV4 signing name -> botocore service name (the model the operation is resolved with).
MODEL = {"sso": "sso-admin"}
# (IAM prefix, API operation) -> IAM action, where they differ.
IAM_ACTION = {
    # Detective API reference, ListOrganizationAdminAccounts: "authorized on the
    # detective:ListOrganizationAdminAccount identity-based action" (Service Authorization
    # Reference: no detective:ListOrganizationAdminAccounts).
    ("detective", "ListOrganizationAdminAccounts"): "ListOrganizationAdminAccount",
}
CBOR_PATH = re.compile(r"^/service/[^/]+/operation/([A-Za-z0-9]+)$")
SKIPPED = ("/orgctl-emulator/", "/moto-api/")


def _credential(environ):
    """(access key, signing name) of the SigV4 Authorization header or a presigned query."""
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" in auth:
        cred = auth.split("Credential=", 1)[1].split(",")[0].strip().split("/")
    else:
        cred = (parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential") or [""])[0].split("/")
    return (cred[0], cred[3]) if len(cred) >= 5 else (None, None)


def _account(environ, key):
    if "MOTO_ACCOUNT_ID" in os.environ:
        return os.environ["MOTO_ACCOUNT_ID"]
    if environ.get("HTTP_X_MOTO_ACCOUNT_ID"):
        return environ["HTTP_X_MOTO_ACCOUNT_ID"]
    return get_account_id_from(key) if key else DEFAULT_ACCOUNT_ID


def _form_action(environ):
    """Action= of a form-encoded body; the body is read and put back for the next reader (as
    moto's own dispatcher does)."""
    if not environ.get("CONTENT_TYPE", "").startswith("application/x-www-form-urlencoded"):
        return None
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if size <= 0:
        return None
    body = environ["wsgi.input"].read(size)
    environ["wsgi.input"] = io.BytesIO(body)
    return (parse_qs(body.decode("utf-8", "replace")).get("Action") or [None])[0]


@functools.lru_cache(maxsize=None)
def _rest_router(service):
    try:
        model = get_service_model(service)
    except Exception:  # noqa: BLE001 (no botocore model of that name)
        return None
    return RestRouter(model) if model.protocol in ("rest-json", "rest-xml") else None


def _rest_operation(environ, service):
    router = _rest_router(service)
    if router is None:
        return None
    try:
        operation, _params = router.match(Request(environ, populate_request=False, shallow=True))
    except Exception:  # noqa: BLE001 (werkzeug NotFound: no template matches)
        return None
    return operation.name


def operation(environ, scope):
    """The API operation of a request of the service signed as `scope`, or None."""
    m = CBOR_PATH.match(environ.get("PATH_INFO", ""))
    if m:
        return m.group(1)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return target.rsplit(".", 1)[-1]
    action = (parse_qs(environ.get("QUERY_STRING", "")).get("Action") or [None])[0] or _form_action(environ)
    if action:
        return action
    return _rest_operation(environ, MODEL.get(scope, scope)) if scope else None


def entry(environ):
    """The log entry of a request: {"account", "action", "status": None}."""
    key, scope = _credential(environ)
    op = operation(environ, scope)
    prefix = scope or "?"
    out = {"account": _account(environ, key), "action": f"{prefix}:{IAM_ACTION.get((prefix, op), op) if op else '?'}", "status": None}
    if not op:
        out["request"] = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '')}"
    return out


def serve(app, environ, start_response):
    """Serves the request with `app`, recording it first (unless it is a control request); the
    status is filled in when `app` answers (500 when it fails)."""
    if environ.get("PATH_INFO", "").startswith(SKIPPED):
        return app(environ, start_response)
    try:
        item = entry(environ)
    except Exception as e:  # noqa: BLE001 (the log must never break a request)
        item = {"account": DEFAULT_ACCOUNT_ID, "action": "?:?", "status": None, "request": f"{type(e).__name__}: {e}"}
    with CALLS_LOCK:
        CALLS.append(item)

    def recording_start_response(status, headers, exc_info=None):
        with CALLS_LOCK:
            item["status"] = int(str(status).split(" ", 1)[0])
        return start_response(status, headers, exc_info)

    try:
        return app(environ, recording_start_response)
    except Exception:
        with CALLS_LOCK:
            item["status"] = 500
        raise


def control(environ, start_response):
    """GET /orgctl-emulator/calls, POST /orgctl-emulator/calls/reset; None for any other request."""
    path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
    if path == "/orgctl-emulator/calls" and method == "GET":
        return Response(json.dumps({"calls": calls()}), mimetype="application/json")(environ, start_response)
    if path == "/orgctl-emulator/calls/reset" and method == "POST":
        reset()
        return Response("{}", mimetype="application/json")(environ, start_response)
    return None


def calls():
    with CALLS_LOCK:
        return [dict(c) for c in CALLS]


def reset():
    with CALLS_LOCK:
        CALLS.clear()
