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
  context  (optional; Organizations only) the request-context values IAM evaluates for the
           call, as the Service Authorization Reference for AWS Organizations documents them:
             {"resource": ARN,                         the resource the call acts on, when known
              "keys": {condition key: value}}          a string, or a list for aws:TagKeys
           CreatePolicy                  organizations:PolicyType = its Type
           UpdatePolicy, AttachPolicy, DetachPolicy, DeletePolicy
                                         organizations:PolicyType = the type of the policy
                                         PolicyId names (absent when no such policy exists)
           EnablePolicyType, DisablePolicyType
                                         organizations:PolicyType = its PolicyType
           EnableAWSServiceAccess, DisableAWSServiceAccess, RegisterDelegatedAdministrator,
           DeregisterDelegatedAdministrator
                                         organizations:ServicePrincipal = its ServicePrincipal
           TagResource, UntagResource    resource = the ARN of ResourceId (root
                                         arn:aws:organizations::<mgmt>:root/o-<org>/r-<root>,
                                         OU .../ou/o-<org>/ou-..., account .../account/o-<org>/<id>,
                                         policy .../policy/o-<org>/<type_lower>/p-..., an AWS
                                         managed policy arn:aws:organizations::aws:policy/
                                         <type_lower>/p-...; absent when it names nothing);
                                         aws:TagKeys = Tags[].Key (TagResource) or TagKeys
           TagResource, CreatePolicy, CreateOrganizationalUnit, CreateAccount with Tags
                                         aws:TagKeys = Tags[].Key, aws:RequestTag/<key> = value
           Only these members are written; a call with none of them has no "context". It is read
           when the request arrives (the JSON body is read and put back for moto), from the
           organization of the acting account. When it cannot be worked out, the entry has
           "context_error": "<exception>" instead (the request is served all the same).
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

from .common import _org_of  # the acting account's organization, as the rules reach it

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
# Organizations operations whose request context carries a condition key or a resource (the
# "context" member).
POLICY_BY_ID = {"UpdatePolicy", "AttachPolicy", "DetachPolicy", "DeletePolicy"}
TYPE_PARAM = {"EnablePolicyType", "DisablePolicyType"}
PRINCIPAL_PARAM = {"EnableAWSServiceAccess", "DisableAWSServiceAccess", "RegisterDelegatedAdministrator", "DeregisterDelegatedAdministrator"}
WITH_TAGS = {"TagResource", "CreatePolicy", "CreateOrganizationalUnit", "CreateAccount"}  # Tags[]
ON_RESOURCE = {"TagResource", "UntagResource"}
CONTEXT_OPS = POLICY_BY_ID | TYPE_PARAM | PRINCIPAL_PARAM | WITH_TAGS | ON_RESOURCE
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


def _json_body(environ):
    """The JSON object of a request's body ({} when there is none); the body is read and put back
    for the next reader, as _form_action does."""
    try:
        size = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return {}
    if size <= 0:
        return {}
    body = environ["wsgi.input"].read(size)
    environ["wsgi.input"] = io.BytesIO(body)
    out = json.loads(body.decode("utf-8") or "{}")
    return out if isinstance(out, dict) else {}


def _policy(ob, policy_id):
    return next((p for p in list(ob.policies) if p.id == policy_id), None) if ob is not None and policy_id else None


def _policy_arn(ob, p):
    kind = p.type.lower()
    if getattr(p, "aws_managed", False):
        return f"arn:aws:organizations::aws:policy/{kind}/{p.id}"
    return f"arn:aws:organizations::{ob.org.master_account_id}:policy/{ob.org.id}/{kind}/{p.id}"


def _resource_arn(ob, resource_id):
    """The ARN of a root, OU, account or policy id of the organization `ob` serves; None when it
    names none of them."""
    if ob is None or ob.org is None or not resource_id:
        return None
    org, mgmt = ob.org.id, ob.org.master_account_id
    for o in list(ob.ou):  # the root and the OUs
        if o.id == resource_id:
            kind = "root" if o.id.startswith("r-") else "ou"
            return f"arn:aws:organizations::{mgmt}:{kind}/{org}/{o.id}"
    if any(a.id == resource_id for a in list(ob.accounts)):
        return f"arn:aws:organizations::{mgmt}:account/{org}/{resource_id}"
    p = _policy(ob, resource_id)
    return _policy_arn(ob, p) if p is not None else None


def context(account, op, body):
    """The "context" member of an Organizations call `op` with JSON body `body` made by
    `account`, or None when IAM evaluates none of the values it records."""
    keys, out = {}, {}
    ob = _org_of(account)[1] if op in POLICY_BY_ID | ON_RESOURCE else None
    if op == "CreatePolicy":
        keys["organizations:PolicyType"] = body.get("Type")
    elif op in POLICY_BY_ID:
        p = _policy(ob, body.get("PolicyId"))
        keys["organizations:PolicyType"] = p.type if p is not None else None
    elif op in TYPE_PARAM:
        keys["organizations:PolicyType"] = body.get("PolicyType")
    elif op in PRINCIPAL_PARAM:
        keys["organizations:ServicePrincipal"] = body.get("ServicePrincipal")
    tags = [t for t in (body.get("Tags") or []) if isinstance(t, dict) and "Key" in t] if op in WITH_TAGS else []
    if tags:
        keys["aws:TagKeys"] = [t["Key"] for t in tags]
        keys.update({f"aws:RequestTag/{t['Key']}": t.get("Value", "") for t in tags})
    if op == "UntagResource":
        keys["aws:TagKeys"] = list(body.get("TagKeys") or [])
    if op in ON_RESOURCE:
        arn = _resource_arn(ob, body.get("ResourceId"))
        if arn:
            out["resource"] = arn
    keys = {k: v for k, v in keys.items() if v is not None}
    if keys:
        out["keys"] = keys
    return out or None


def entry(environ):
    """The log entry of a request: {"account", "action", "status": None}, with "context" for the
    Organizations calls that have one."""
    key, scope = _credential(environ)
    op = operation(environ, scope)
    prefix = scope or "?"
    out = {"account": _account(environ, key), "action": f"{prefix}:{IAM_ACTION.get((prefix, op), op) if op else '?'}", "status": None}
    if not op:
        out["request"] = f"{environ.get('REQUEST_METHOD', 'GET')} {environ.get('PATH_INFO', '')}"
    if prefix == "organizations" and op in CONTEXT_OPS:
        try:
            ctx = context(out["account"], op, _json_body(environ))
        except Exception as e:  # noqa: BLE001 (the log must never break a request)
            out["context_error"] = f"{type(e).__name__}: {e}"
        else:
            if ctx:
                out["context"] = ctx
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
