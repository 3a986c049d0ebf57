"""Services moto lacks, served by the emulator itself, and their WSGI dispatcher `native_app`.

Rules:
  R17 Detective Enable/List/DisableOrganizationAdminAccount per Region (moto: absent): management
      account only (AccessDeniedException), the admin must be the Organizations DA or the management
      account, one admin per Region, the Organizations DA registered as a side effect when there is
      none; Disable removes the Region's admin and keeps the DA; deregistering the DA removes the
      admin in every Region      (botocore detective operation docs)
  R18 Firewall Manager Associate/Get/DisassociateAdminAccount (RPC v2 CBOR; moto: absent): only the
      management account associates, never itself, one default admin (InvalidOperationException);
      the role goes CREATING -> READY after --create-delay; only the admin disassociates itself;
      trusted access and the Organizations DA follow   (fms API_AssociateAdminAccount,
      API_DisassociateAdminAccount, API_GetAdminAccount)
  R40 (part) Detective EnableOrganizationAdminAccount naming an account created less than
      new_account_lag seconds ago -> ValidationException, as for a non-member (newaccounts.py)
  R26 is Security Lake (securitylake.py) and R27 Audit Manager (auditmanager.py), dispatched from here too.

`native_app` picks the service from the SigV4 credential scope of the request; the caller's
account comes from its access key (moto's get_account_id_from). Detective and Security Lake are
REST-JSON (error code in the x-amzn-ErrorType header, `message` in the body); Firewall Manager is
served as RPC v2 CBOR (the Rust SDK) and as JSON 1.1 (AWS serves both; botocore uses JSON 1.1).
No moto patch: server.control_app calls native_app before moto's dispatcher.
"""

import json
import time
import uuid

import cbor2
from werkzeug.wrappers import Request, Response

from .common import ADMINS, DETECTIVE, KNOBS, LOCK, Reply, _caller, _enable_side_effects, _org_of, lagging
from .auditmanager import auditmanager
from .securitylake import securitylake

FMS = "fms.amazonaws.com"
FMS_ADMIN = {}  # management account -> {"admin": id, "since": time}


# --- R17: Amazon Detective's administrator (REST-JSON; moto: absent) -----------------------------

def detective(acct, region, path, body):
    mgmt, ob, is_mgmt = _org_of(acct)
    if not is_mgmt:
        raise Reply(403, "AccessDeniedException", "Can only be called by the organization management account.")
    state = ADMINS.setdefault(("detective", mgmt, region), {})
    if path == "/orgs/adminAccountslist":
        return {"Administrators": [{"AccountId": a, "GraphArn": f"arn:aws:detective:{region}:{a}:graph:{uuid.uuid5(uuid.NAMESPACE_OID, a + region).hex}", "DelegationTime": "2026-01-01T00:00:00Z"} for a in state]}
    if path == "/orgs/enableAdminAccount":
        admin = body.get("AccountId")
        if not any(a.id == admin for a in ob.accounts):
            raise Reply(400, "ValidationException", f"{admin} is not a member of the organization.")
        if lagging(admin, "detective:EnableOrganizationAdminAccount"):  # R40
            raise Reply(400, "ValidationException", f"{admin} cannot be found in the organization yet (the account was just created).")
        orgs_da = [a.account.id for a in ob.admins if DETECTIVE in a.services]
        if orgs_da and admin not in orgs_da and admin != mgmt:
            raise Reply(400, "ValidationException", f"The Detective administrator must be the Organizations delegated administrator ({orgs_da[0]}) or the management account.")
        if state and admin not in state:
            raise Reply(400, "ValidationException", f"{next(iter(state))} is already the Detective administrator in {region}.")
        state[admin] = "ENABLED"
        if admin != mgmt and not orgs_da:
            _enable_side_effects(ob, admin, DETECTIVE)
        return {}
    if path == "/orgs/disableAdminAccount":
        if not state:
            raise Reply(400, "ValidationException", f"There is no Detective administrator in {region}.")
        state.clear()
        return {}
    raise Reply(404, "ResourceNotFoundException", f"unknown Detective operation {path}")


# --- R18: AWS Firewall Manager's default administrator (RPC v2 CBOR; moto: absent) ---------------

def fms(acct, op, body):
    mgmt, ob, is_mgmt = _org_of(acct)
    if ob is None:
        raise Reply(400, "InvalidOperationException", "The account is not in an organization.")
    cur = FMS_ADMIN.get(mgmt)
    if op == "GetAdminAccount":
        if cur is None or (not is_mgmt and acct != cur["admin"]):
            raise Reply(400, "ResourceNotFoundException", "No Firewall Manager administrator is associated.")
        ready = time.time() - cur["since"] >= float(KNOBS["create_delay"])
        return {"AdminAccount": cur["admin"], "RoleStatus": "READY" if ready else "CREATING"}
    if op == "AssociateAdminAccount":
        admin = body.get("AdminAccount")
        if not is_mgmt:
            raise Reply(400, "InvalidOperationException", "Only the management account can set Firewall Manager's default administrator.")
        if admin == mgmt:
            raise Reply(400, "InvalidInputException", "The administrator must be a member account of the organization.")
        if not any(a.id == admin for a in ob.accounts):
            raise Reply(400, "InvalidInputException", f"{admin} is not a member of the organization.")
        if cur is not None:
            raise Reply(400, "InvalidOperationException", f"{cur['admin']} is already the Firewall Manager default administrator.")
        FMS_ADMIN[mgmt] = {"admin": admin, "since": time.time()}
        _enable_side_effects(ob, admin, FMS)
        return {}
    if op == "DisassociateAdminAccount":
        if cur is None or acct != cur["admin"]:
            raise Reply(400, "InvalidOperationException", "Only the Firewall Manager administrator can disassociate itself.")
        del FMS_ADMIN[mgmt]
        if any(a.account.id == acct and FMS in a.services for a in ob.admins):
            ob.deregister_delegated_administrator(AccountId=acct, ServicePrincipal=FMS)
        return {}
    raise Reply(400, "UnknownOperationException", f"unknown Firewall Manager operation {op}")


# --- the dispatcher ------------------------------------------------------------------------------

def _rest_json(environ, start_response, serve):
    """A REST-JSON service: serve(body) under the lock; errors as x-amzn-ErrorType + message."""
    req = Request(environ)
    try:
        with LOCK:
            out = serve(json.loads(req.get_data() or b"{}"))
        return Response(json.dumps(out), mimetype="application/json")(environ, start_response)
    except Reply as e:
        body = dict({"message": e.message}, **e.fields)
        return Response(json.dumps(body), status=e.status, headers={"x-amzn-ErrorType": e.code}, mimetype="application/json")(environ, start_response)


def native_app(environ, start_response):
    """Serves Detective, Firewall Manager, Security Lake and Audit Manager requests, or returns None for moto's."""
    acct, region, service = _caller(environ)
    path = environ.get("PATH_INFO", "")
    if service == "detective":
        return _rest_json(environ, start_response, lambda body: detective(acct, region, path, body))
    if service == "securitylake":
        method = environ.get("REQUEST_METHOD", "GET")
        return _rest_json(environ, start_response, lambda body: securitylake(acct, method, path, body))
    if service == "auditmanager":
        method = environ.get("REQUEST_METHOD", "GET")
        return _rest_json(environ, start_response, lambda body: auditmanager(acct, region, method, path, body))
    if service == "fms" and path.startswith("/service/AWSFMS_20180101/operation/"):
        req = Request(environ)
        headers = {"smithy-protocol": "rpc-v2-cbor"}
        try:
            data = req.get_data()
            with LOCK:
                out = fms(acct, path.rsplit("/", 1)[1], cbor2.loads(data) if data else {})
            return Response(cbor2.dumps(out), headers=headers, mimetype="application/cbor")(environ, start_response)
        except Reply as e:
            body = cbor2.dumps({"__type": f"com.amazonaws.fms#{e.code}", "Message": e.message})
            return Response(body, status=e.status, headers=headers, mimetype="application/cbor")(environ, start_response)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if service == "fms" and target.startswith("AWSFMS_20180101."):
        # The JSON 1.1 form of the same API (AWS serves both; botocore uses this one).
        req = Request(environ)
        try:
            with LOCK:
                out = fms(acct, target.split(".", 1)[1], json.loads(req.get_data() or b"{}"))
            return Response(json.dumps(out), mimetype="application/x-amz-json-1.1")(environ, start_response)
        except Reply as e:
            return Response(json.dumps({"__type": e.code, "Message": e.message}), status=e.status, mimetype="application/x-amz-json-1.1")(environ, start_response)
    return None
