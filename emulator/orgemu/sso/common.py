"""What the Identity Center modules share: who is asking (R19, R20), the organization instance,
errors, paging, the request counts and the per-instance state of asynchronous operations (R23)
and provisioning (R21).

The state lives in moto's own backends (ssoadmin_backends / identitystore_backends of the
management account, in the Identity Center home Region, common.KNOBS["sso_region"]), so
/moto-api/reset clears it too.
"""

import base64
import copy
import json
import secrets
import threading

from moto.core.exceptions import JsonRESTError
from moto.identitystore import exceptions as ise
from moto.identitystore import models as ism
from moto.organizations import models as om
from moto.ssoadmin import models as ssm

from ..common import KNOBS

SSO = "sso.amazonaws.com"
MAX_OUTSTANDING = 10
SSO_LOCK = threading.RLock()
STATS = {"peak_outstanding_assignment_ops": 0, "provision_conflicts": 0, "role_conflicts": 0, "requests": {}}
FALLTHROUGH = object()


def stats():
    with SSO_LOCK:
        return copy.deepcopy(STATS)


def reset_stats():
    with SSO_LOCK:
        STATS.update(peak_outstanding_assignment_ops=0, provision_conflicts=0, role_conflicts=0, requests={})


def _count(action):
    with SSO_LOCK:
        STATS["requests"][action] = STATS["requests"].get(action, 0) + 1


# --- errors ----------------------------------------------------------------------------------

def sso_err(code, message):
    e = JsonRESTError(code, message)
    e.code = 400
    return e


def denied(message):
    return sso_err("AccessDeniedException", message)


def invalid(message):
    return sso_err("ValidationException", message)


def not_found(message):
    return sso_err("ResourceNotFoundException", message)


def conflict(message):
    return sso_err("ConflictException", message)


class IdsAccessDenied(ise.IdentityStoreError):
    TYPE = "AccessDeniedException"
    code = 400


# --- who is asking (R19, R20) ------------------------------------------------------------------

def _context(acct):
    """(management account or None, role): role is mgmt, da (sso delegated admin), member or none."""
    own = om.organizations_backends[acct]["aws"]
    if own.org is not None:
        return acct, "mgmt"
    master = om.organizations_backends.master_accounts.get(acct)
    if master is None:
        return None, "none"
    mb = om.organizations_backends[master[0]][master[1]]
    if mb.org is None or not any(a.id == acct for a in mb.accounts):
        return None, "none"
    if any(a.account.id == acct and SSO in a.services for a in mb.admins):
        return master[0], "da"
    return master[0], "member"


def _instance(mgmt, region):
    """The organization instance: the management account's, in the home Region only."""
    if mgmt is None or region != KNOBS.get("sso_region", "us-east-1"):
        return None, None
    b = ssm.ssoadmin_backends[mgmt][region]
    inst = b.instances[0]
    if not getattr(inst, "_orgctl_ready", False):
        # AWS's identifiers are hexadecimal (botocore patterns); moto draws letters too.
        inst.identity_store_id = "d-" + secrets.token_hex(5)
        inst.instance_arn = f"arn:{b.partition}:sso:::instance/ssoins-{secrets.token_hex(8)}"
        inst.account_id = mgmt
        inst._orgctl_ready = True
    return b, inst


def _inst_json(inst):
    out = {
        "InstanceArn": inst.instance_arn,
        "IdentityStoreId": inst.identity_store_id,
        "OwnerAccountId": inst.account_id,
        "CreatedDate": inst.created_date,
        "Status": "ACTIVE",
    }
    if inst.name:
        out["Name"] = inst.name
    return out


def _org_accounts(mgmt):
    return {a.id for a in om.organizations_backends[mgmt]["aws"].accounts} | {mgmt}


def _store(mgmt, inst):
    b = ism.identitystore_backends[mgmt][KNOBS.get("sso_region", "us-east-1")]
    return b.identity_stores.setdefault(inst.identity_store_id, ism.IdentityStoreData())


# --- paging ------------------------------------------------------------------------------------

def _check_max_results(params, error):
    if "MaxResults" in params:
        n = params["MaxResults"]
        if not isinstance(n, int) or isinstance(n, bool) or n < 1 or n > 100:
            raise error("MaxResults must be between 1 and 100.")


def _page(items, params, key):
    size = params.get("MaxResults") or 100
    token = params.get("NextToken")
    start = 0
    if token:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
        except Exception:
            raise invalid("The NextToken value is not valid.")
    out = {key: items[start:start + size]}
    if start + size < len(items):
        out["NextToken"] = base64.urlsafe_b64encode(json.dumps({"o": start + size}).encode()).decode()
    return out


# --- provisioning and asynchronous operations: the state (R21, R23) ------------------------------

def _prov(ps):
    """Accounts the permission set is provisioned to -> the version provisioned there."""
    if not hasattr(ps, "_orgctl_prov"):
        ps._orgctl_prov = {}
    return ps._orgctl_prov


def _version(ps):
    return getattr(ps, "_orgctl_version", 1)


def _bump(ps):
    ps._orgctl_version = _version(ps) + 1


def _state(b):
    if not hasattr(b, "_orgctl_sso"):
        # pending: the ops that may be IN_PROGRESS (every IN_PROGRESS op is there; tick drops the
        # others), so that tick and _in_progress need not walk every op ever made.
        b._orgctl_sso = {"ops": {}, "pending": {}, "last_due": 0.0, "instance_tags": []}
    return b._orgctl_sso


def _ops(b):
    return _state(b)["ops"]


def _in_progress(b, kinds):
    return [op for op in _state(b)["pending"].values() if op["kind"] in kinds and op["status"]["Status"] == "IN_PROGRESS"]


def _assignments(b, ps_arn=None, acct=None):
    return [a for a in b.account_assignments
            if (ps_arn is None or a.permission_set_arn == ps_arn) and (acct is None or a.target_id == acct)]


def _provisioned_to(b, ps, acct):
    """R21: provisioned there, or on its way (an assignment or provisioning IN_PROGRESS)."""
    if acct in _prov(ps) or _assignments(b, ps.permission_set_arn, acct):
        return True
    return any(op["ps"] == ps.permission_set_arn and acct in op["targets"]
               for op in _in_progress(b, ("create", "provision")))


def _provisioned_anywhere(b, ps):
    if _prov(ps) or _assignments(b, ps.permission_set_arn):
        return True
    return any(op["ps"] == ps.permission_set_arn for op in _in_progress(b, ("create", "provision")))


class Ctx:
    def __init__(self, resp, b, inst, mgmt, role, params):
        self.resp, self.b, self.inst, self.mgmt, self.role, self.p = resp, b, inst, mgmt, role, params

    def ps(self, arn=None):
        arn = arn or self.p.get("PermissionSetArn")
        for ps in self.b.permission_sets:
            if ps.permission_set_arn == arn and ps.instance_arn == self.inst.instance_arn:
                return ps
        raise not_found(f"Could not find PermissionSet with id {str(arn).split('/')[-1]}")
