"""IAM Identity Center (sso-admin, identitystore) rules for orgctl's emulator.

Imported by orgctl_emulator.py, whose KNOBS it reads (create_delay, sso_region). The state lives
in moto's own backends (ssoadmin_backends / identitystore_backends of the management account, in
the Identity Center home Region), so /moto-api/reset clears it too.

Rules (IAM Identity Center; API reference https://docs.aws.amazon.com/singlesignon/latest/APIReference/,
user guide https://docs.aws.amazon.com/singlesignon/latest/userguide/):
  R19 One organization instance: the management account of an organization has exactly one
      instance, in the home Region (--sso-region, default us-east-1); ListInstances elsewhere, and
      from member accounts other than the delegated administrator, returns none; the sso.amazonaws.com
      delegated administrator sees the management account's instance (same InstanceArn and
      IdentityStoreId); DescribeInstance (moto: absent) returns it ACTIVE, owned by the management
      account; an InstanceArn that is not this instance -> AccessDeniedException
                      (identity-center-instances; API_ListInstances; API_DescribeInstance)
  R20 Who is served: sso-admin and identitystore requests of the delegated administrator are served
      from the management account's backends (moto: the caller's own, with a fresh instance per
      account and Region); identitystore reads (Describe*, List*, Get*, IsMemberInGroups) from any
      member account of the organization are served from the management account's store; every
      other sso-admin call and identitystore write from a member account -> AccessDeniedException;
      an IdentityStoreId that is not the instance's -> ResourceNotFoundException IDENTITY_STORE
                      (delegated-admin; limiting-access-from-member-accounts [identitystore API docs:
                       "you can use this API operation from the member account"])
  R21 What the delegated administrator may not do: create or delete an account assignment to the
      management account; change a permission set provisioned to the management account (Update,
      Delete, Put/DeleteInlinePolicy, Attach/Detach managed and customer managed policies,
      Put/DeletePermissionsBoundary, Tag/UntagResource, ProvisionPermissionSet), nor provision any
      permission set to the management account -> AccessDeniedException. A permission set is
      provisioned to an account from the CreateAccountAssignment or ProvisionPermissionSet request
      until the deletion of its last assignment there completes. The management account may do all
      of it                        (delegated-admin: tasks a delegated administrator cannot perform)
  R22 SessionDuration is an ISO-8601 duration (moto: a number, 3600): validated against the
      Duration pattern and 1 to 12 hours -> else ValidationException; default PT1H; every
      PermissionSet returned carries it normalised (PT1H, PT4H, PT1H30M, PT12H)
                      (API_CreatePermissionSet, API_PermissionSet; howtosessionduration)
  R23 Asynchronous operations: Create/DeleteAccountAssignment and ProvisionPermissionSet answer
      IN_PROGRESS and turn SUCCEEDED --create-delay seconds later; the change takes effect then
      (an assignment is listed, a permission set provisioned, only once SUCCEEDED);
      Describe/ListAccountAssignmentCreation/DeletionStatus and Describe/ListPermissionSet-
      ProvisioningStatus (moto: absent or always SUCCEEDED) follow; at most 10 assignment
      operations (creation + deletion) IN_PROGRESS per instance -> the 11th gets ThrottlingException;
      ProvisionPermissionSet to an account with a provisioning IN_PROGRESS -> ConflictException;
      ListAccountsForProvisionedPermissionSet / ListPermissionSetsProvisionedToAccount (moto: the
      caller's account, no AccountId, no filter) honour AccountId and ProvisioningStatus
      (LATEST_PERMISSION_SET_NOT_PROVISIONED once the permission set changed after provisioning)
                      (API_CreateAccountAssignment, API_DeleteAccountAssignment,
                       API_ProvisionPermissionSet, API_Describe*Status, API_List*Status; limits;
                       API_ListAccountsForProvisionedPermissionSet)
  R24 Validation moto skips, and the APIs it lacks: CreatePermissionSet with a name in use ->
      ConflictException; CreateAccountAssignment to an account outside the organization ->
      ValidationException, for a user/group not in the identity store -> ResourceNotFoundException,
      an existing assignment -> SUCCEEDED with no duplicate; DeletePermissionSet still provisioned
      -> ConflictException; PutInlinePolicyToPermissionSet: invalid JSON or over 32,768 characters
      -> ValidationException; MaxResults outside 1-100 or a bad NextToken -> ValidationException;
      identitystore: a UserName / group DisplayName in use -> ConflictException
      UNIQUENESS_CONSTRAINT_VIOLATION, a membership that exists -> ConflictException, deleting a
      user/group/membership that does not exist -> ResourceNotFoundException (moto: silently OK),
      deleting a user or group removes its memberships. Added: Put/Get/DeletePermissionsBoundary,
      Tag/Untag/ListTagsForResource (and CreatePermissionSet Tags), identitystore UpdateUser,
      UpdateGroup, DescribeIdentityStore, ListIdentityStores; permission set ARNs are
      arn:aws:sso:::permissionSet/ssoins-.../ps-... (moto: .../instance/ssoins-.../ps-...)
                      (API_CreatePermissionSet, API_CreateAccountAssignment, API_DeletePermissionSet
                       [ConflictException "Could not delete because PermissionSet has
                       ApplicationProfile associated with it": terraform-provider-aws#26757],
                       API_PutInlinePolicyToPermissionSet, API_PutPermissionsBoundaryToPermissionSet,
                       API_TagResource; identitystore API_CreateUser, API_UpdateUser, API_UpdateGroup)
Stats: stats() / reset_stats() feed /orgctl-emulator/stats under "sso": the peak number of
outstanding assignment operations, the provisioning conflicts answered, the requests per operation.
"""

import base64
import copy
import json
import re
import secrets
import sys
import threading
import time
import uuid

from werkzeug.exceptions import HTTPException

from moto.core.exceptions import JsonRESTError
from moto.identitystore import exceptions as ise
from moto.identitystore import models as ism
from moto.identitystore import responses as isr
from moto.organizations import models as om
from moto.ssoadmin import models as ssm
from moto.ssoadmin import responses as ssr


def _find_host():
    """The launcher module (run as __main__ or imported): its KNOBS are the run-time knobs."""
    for m in list(sys.modules.values()):
        if str(getattr(m, "__file__", "") or "").endswith("orgctl_emulator.py") and isinstance(getattr(m, "KNOBS", None), dict):
            return m
    raise ImportError("emulator_sso is loaded by orgctl_emulator.py")


KNOBS = _find_host().KNOBS
KNOBS.setdefault("sso_region", "us-east-1")

SSO = "sso.amazonaws.com"
MAX_OUTSTANDING = 10
SSO_LOCK = threading.RLock()
STATS = {"peak_outstanding_assignment_ops": 0, "provision_conflicts": 0, "requests": {}}
FALLTHROUGH = object()


def stats():
    with SSO_LOCK:
        return copy.deepcopy(STATS)


def reset_stats():
    with SSO_LOCK:
        STATS.update(peak_outstanding_assignment_ops=0, provision_conflicts=0, requests={})


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


# --- R22: SessionDuration ----------------------------------------------------------------------

DURATION = re.compile(r"(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def _duration(value):
    """An ISO-8601 duration between 1 and 12 hours, normalised (PT1H30M)."""
    m = DURATION.fullmatch(value) if isinstance(value, str) and 1 <= len(value) <= 100 else None
    if m is None:
        raise invalid(f"SessionDuration {value!r} is not an ISO-8601 duration (e.g. PT1H).")
    neg, years, months, n, unit, hours, minutes, seconds = m.groups()
    total = int(years or 0) * 365 * 86400 + int(months or 0) * 30 * 86400
    total += int(n or 0) * (604800 if unit == "W" else 86400)
    total += int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    if neg or total < 3600 or total > 43200:
        raise invalid(f"SessionDuration {value} must be between 1 hour (PT1H) and 12 hours (PT12H).")
    h, rest = divmod(total, 3600)
    mi, s = divmod(rest, 60)
    out = f"PT{int(h)}H"
    if mi:
        out += f"{int(mi)}M"
    if s:
        out += f"{int(s) if float(s).is_integer() else s}S"
    return out


# --- permission sets -----------------------------------------------------------------------------

NAME = re.compile(r"[\w+=,.@-]+")


def _ps_json(ps):
    out = {"Name": ps.name, "PermissionSetArn": ps.permission_set_arn, "CreatedDate": ps.created_date}
    duration = ps.session_duration
    out["SessionDuration"] = duration if isinstance(duration, str) else "PT1H"
    if ps.description:
        out["Description"] = ps.description
    if ps.relay_state:
        out["RelayState"] = ps.relay_state
    return out


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
        b._orgctl_sso = {"ops": {}, "last_due": 0.0, "instance_tags": []}
    return b._orgctl_sso


def _ops(b):
    return _state(b)["ops"]


def _in_progress(b, kinds):
    return [op for op in _ops(b).values() if op["kind"] in kinds and op["status"]["Status"] == "IN_PROGRESS"]


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


def _tags(tags):
    tags = tags or []
    if not isinstance(tags, list) or any(not isinstance(t, dict) or not t.get("Key") for t in tags):
        raise invalid("Tags must be a list of {Key, Value}.")
    if any(str(t["Key"]).lower().startswith("aws:") for t in tags):
        raise invalid("Tag keys may not start with aws:.")
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags]


def create_permission_set(c):
    name = c.p.get("Name")
    if not isinstance(name, str) or not NAME.fullmatch(name) or len(name) > 32:
        raise invalid("Name must be 1-32 characters of [\\w+=,.@-].")
    if any(ps.name == name for ps in c.b.permission_sets if ps.instance_arn == c.inst.instance_arn):
        raise conflict(f"PermissionSet with name {name} already exists.")
    description = c.p.get("Description")
    if description is not None and not 1 <= len(description) <= 700:
        raise invalid("Description must be 1-700 characters.")
    duration = _duration(c.p.get("SessionDuration", "PT1H"))
    tags = _tags(c.p.get("Tags"))
    ps = ssm.PermissionSet(name, description, c.inst.instance_arn, duration, c.p.get("RelayState"), tags)
    ps.permission_set_arn = c.inst.instance_arn.replace(":instance/", ":permissionSet/") + "/ps-" + secrets.token_hex(8)
    c.b.permission_sets.append(ps)
    return {"PermissionSet": _ps_json(ps)}


def describe_permission_set(c):
    return {"PermissionSet": _ps_json(c.ps())}


def update_permission_set(c):
    ps = c.ps()
    if "SessionDuration" in c.p:
        ps.session_duration = _duration(c.p["SessionDuration"])
    if "Description" in c.p:
        ps.description = c.p["Description"]
    if "RelayState" in c.p:
        ps.relay_state = c.p["RelayState"]
    _bump(ps)
    return {}


def delete_permission_set(c):
    ps = c.ps()
    if _provisioned_anywhere(c.b, ps):
        raise conflict("Could not delete because PermissionSet has ApplicationProfile associated with it.")
    c.b.permission_sets.remove(ps)
    return {}


def list_permission_sets(c):
    arns = [ps.permission_set_arn for ps in c.b.permission_sets if ps.instance_arn == c.inst.instance_arn]
    return _page(arns, c.p, "PermissionSets")


def put_inline_policy(c):
    ps = c.ps()
    policy = c.p.get("InlinePolicy")
    if not isinstance(policy, str) or not policy:
        raise invalid("InlinePolicy is required.")
    if len(policy) > 32768:
        raise invalid("The inline policy exceeds 32,768 characters.")
    try:
        doc = json.loads(policy)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise invalid("The inline policy is not a valid JSON policy document.")
    ps.inline_policy = policy
    _bump(ps)
    return {}


def get_inline_policy(c):
    return {"InlinePolicy": c.ps().inline_policy or ""}


def delete_inline_policy(c):
    ps = c.ps()
    ps.inline_policy = ""
    _bump(ps)
    return {}


def attach_managed(c):
    ps = c.ps()
    c.b.attach_managed_policy_to_permission_set(c.inst.instance_arn, ps.permission_set_arn, c.p.get("ManagedPolicyArn"))
    _bump(ps)
    return {}


def detach_managed(c):
    ps = c.ps()
    c.b.detach_managed_policy_from_permission_set(c.inst.instance_arn, ps.permission_set_arn, c.p.get("ManagedPolicyArn"))
    _bump(ps)
    return {}


def list_managed(c):
    items = [{"Arn": m.arn, "Name": m.name} for m in c.ps().managed_policies]
    return _page(items, c.p, "AttachedManagedPolicies")


def _cmp_ref(ref):
    if not isinstance(ref, dict) or not isinstance(ref.get("Name"), str) or not NAME.fullmatch(ref["Name"]):
        raise invalid("CustomerManagedPolicyReference needs a Name of [\\w+=,.@-].")
    return {"Name": ref["Name"], "Path": ref.get("Path") or "/"}


def attach_cmp(c):
    ps = c.ps()
    ref = _cmp_ref(c.p.get("CustomerManagedPolicyReference"))
    c.b.attach_customer_managed_policy_reference_to_permission_set(c.inst.instance_arn, ps.permission_set_arn, ref)
    _bump(ps)
    return {}


def detach_cmp(c):
    ps = c.ps()
    ref = _cmp_ref(c.p.get("CustomerManagedPolicyReference"))
    c.b.detach_customer_managed_policy_reference_from_permission_set(c.inst.instance_arn, ps.permission_set_arn, ref)
    _bump(ps)
    return {}


def list_cmp(c):
    items = [{"Name": m.name, "Path": m.path} for m in c.ps().customer_managed_policies]
    return _page(items, c.p, "CustomerManagedPolicyReferences")


def put_boundary(c):
    ps = c.ps()
    pb = c.p.get("PermissionsBoundary") or {}
    has_cmp, has_arn = "CustomerManagedPolicyReference" in pb, "ManagedPolicyArn" in pb
    if has_cmp == has_arn:
        raise invalid("PermissionsBoundary takes exactly one of CustomerManagedPolicyReference and ManagedPolicyArn.")
    if has_arn:
        c.b._find_managed_policy(pb["ManagedPolicyArn"])  # ResourceNotFoundException if unknown
        ps._orgctl_boundary = {"ManagedPolicyArn": pb["ManagedPolicyArn"]}
    else:
        ps._orgctl_boundary = {"CustomerManagedPolicyReference": _cmp_ref(pb["CustomerManagedPolicyReference"])}
    _bump(ps)
    return {}


def _no_boundary(ps):
    return not_found(f"Could not find PermissionsBoundary for PermissionSet with id {ps.permission_set_arn.split('/')[-1]}")


def get_boundary(c):
    ps = c.ps()
    if not getattr(ps, "_orgctl_boundary", None):
        raise _no_boundary(ps)
    return {"PermissionsBoundary": copy.deepcopy(ps._orgctl_boundary)}


def delete_boundary(c):
    ps = c.ps()
    if not getattr(ps, "_orgctl_boundary", None):
        raise _no_boundary(ps)
    ps._orgctl_boundary = None
    _bump(ps)
    return {}


def _tag_holder(c):
    arn = c.p.get("ResourceArn")
    if arn == c.inst.instance_arn:
        return _state(c.b), "instance_tags"
    ps = c.ps(arn)
    if ps.tags is None:
        ps.tags = []
    return ps, "tags"


def _get_tags(holder, attr):
    return holder[attr] if isinstance(holder, dict) else getattr(holder, attr)


def _set_tags(holder, attr, tags):
    if isinstance(holder, dict):
        holder[attr] = tags
    else:
        setattr(holder, attr, tags)


def tag_resource(c):
    holder, attr = _tag_holder(c)
    new = _tags(c.p.get("Tags"))
    keys = {t["Key"] for t in new}
    tags = [t for t in _get_tags(holder, attr) if t["Key"] not in keys] + new
    if len(tags) > 50:
        raise sso_err("ServiceQuotaExceededException", "A resource can have at most 50 tags.")
    _set_tags(holder, attr, tags)
    return {}


def untag_resource(c):
    holder, attr = _tag_holder(c)
    keys = set(c.p.get("TagKeys") or [])
    _set_tags(holder, attr, [t for t in _get_tags(holder, attr) if t["Key"] not in keys])
    return {}


def list_tags(c):
    holder, attr = _tag_holder(c)
    return _page([dict(t) for t in _get_tags(holder, attr)], c.p, "Tags")


# --- R23: asynchronous operations ----------------------------------------------------------------

def _new_op(b, kind, status, ps_arn, targets, **extra):
    now = time.time()
    due = max(now + float(KNOBS.get("create_delay", 0.5)), _state(b)["last_due"])
    _state(b)["last_due"] = due
    rid = str(uuid.uuid4())
    status = dict(status, RequestId=rid, CreatedDate=now, Status="IN_PROGRESS")
    op = {"kind": kind, "status": status, "due": due, "ps": ps_arn, "targets": list(targets), **extra}
    _ops(b)[rid] = op
    return op


def tick(b):
    now = time.time()
    for op in _ops(b).values():
        if op["status"]["Status"] == "IN_PROGRESS" and op["due"] <= now:
            _complete(b, op)


def _find_ps(b, arn):
    return next((ps for ps in b.permission_sets if ps.permission_set_arn == arn), None)


def _complete(b, op):
    st = op["status"]
    ps = _find_ps(b, op["ps"])
    if ps is None:
        st.update(Status="FAILED", FailureReason="The permission set no longer exists.")
        return
    if op["kind"] == "create":
        key = op["key"]
        if not any(_key(a) == key for a in b.account_assignments):
            b.account_assignments.append(ssm.AccountAssignment(*key))
        _prov(ps).setdefault(key[1], _version(ps))
    elif op["kind"] == "delete":
        key = op["key"]
        b.account_assignments = [a for a in b.account_assignments if _key(a) != key]
        if not _assignments(b, ps.permission_set_arn, key[1]):
            _prov(ps).pop(key[1], None)
    else:
        for acct in op["targets"]:
            _prov(ps)[acct] = max(_prov(ps).get(acct, 0), op["version"])
    st["Status"] = "SUCCEEDED"


def _key(a):
    return (a.instance_arn, a.target_id, a.target_type, a.permission_set_arn, a.principal_type, a.principal_id)


def _assignment_request(c):
    ps = c.ps()
    target, target_type = c.p.get("TargetId"), c.p.get("TargetType")
    ptype, pid = c.p.get("PrincipalType"), c.p.get("PrincipalId")
    if target_type != "AWS_ACCOUNT":
        raise invalid("TargetType must be AWS_ACCOUNT.")
    if ptype not in ("USER", "GROUP"):
        raise invalid("PrincipalType must be USER or GROUP.")
    if not isinstance(target, str) or not re.fullmatch(r"\d{12}", target):
        raise invalid("TargetId must be a 12-digit account ID.")
    if c.role == "da" and target == c.mgmt:
        raise denied("The delegated administrator cannot manage account assignments of the management account.")
    key = (c.inst.instance_arn, target, target_type, ps.permission_set_arn, ptype, pid)
    status = {"TargetId": target, "TargetType": target_type, "PermissionSetArn": ps.permission_set_arn,
              "PrincipalType": ptype, "PrincipalId": pid}
    return ps, key, status


def _outstanding_check(b):
    if len(_in_progress(b, ("create", "delete"))) >= MAX_OUTSTANDING:
        raise sso_err("ThrottlingException", f"Too many outstanding account assignment operations (max {MAX_OUTSTANDING})")


def _record_peak(b):
    n = len(_in_progress(b, ("create", "delete")))
    STATS["peak_outstanding_assignment_ops"] = max(STATS["peak_outstanding_assignment_ops"], n)


def create_account_assignment(c):
    ps, key, status = _assignment_request(c)
    target, ptype, pid = key[1], key[4], key[5]
    if target not in _org_accounts(c.mgmt):
        raise invalid(f"TargetId {target} is not an account of the organization.")
    store = _store(c.mgmt, c.inst)
    if (ptype == "USER" and pid not in store.users) or (ptype == "GROUP" and pid not in store.groups):
        raise not_found(f"{ptype} {pid} does not exist in identity store {c.inst.identity_store_id}.")
    pending_delete = any(op["key"] == key for op in _in_progress(c.b, ("delete",)))
    if any(_key(a) == key for a in c.b.account_assignments) and not pending_delete:
        # Idempotent: the assignment exists; nothing to do, nothing outstanding.
        op = _new_op(c.b, "create", status, ps.permission_set_arn, [target], key=key)
        op["status"]["Status"] = "SUCCEEDED"
        return {"AccountAssignmentCreationStatus": dict(op["status"])}
    _outstanding_check(c.b)
    op = _new_op(c.b, "create", status, ps.permission_set_arn, [target], key=key)
    _record_peak(c.b)
    return {"AccountAssignmentCreationStatus": dict(op["status"])}


def delete_account_assignment(c):
    ps, key, status = _assignment_request(c)
    exists = any(_key(a) == key for a in c.b.account_assignments)
    pending = any(op["key"] == key for op in _in_progress(c.b, ("create",)))
    if not exists and not pending:
        raise not_found("The account assignment does not exist.")
    _outstanding_check(c.b)
    op = _new_op(c.b, "delete", status, ps.permission_set_arn, [key[1]], key=key)
    _record_peak(c.b)
    return {"AccountAssignmentDeletionStatus": dict(op["status"])}


def provision_permission_set(c):
    ps = c.ps()
    target_type, target = c.p.get("TargetType"), c.p.get("TargetId")
    if target_type == "AWS_ACCOUNT":
        if not target:
            raise invalid("TargetId is required when TargetType is AWS_ACCOUNT.")
        if c.role == "da" and target == c.mgmt:
            raise denied("The delegated administrator cannot provision permission sets to the management account.")
        if target not in _org_accounts(c.mgmt):
            raise invalid(f"TargetId {target} is not an account of the organization.")
        targets = [target]
    elif target_type == "ALL_PROVISIONED_ACCOUNTS":
        targets = sorted(set(_prov(ps)) | {a.target_id for a in _assignments(c.b, ps.permission_set_arn)})
    else:
        raise invalid("TargetType must be AWS_ACCOUNT or ALL_PROVISIONED_ACCOUNTS.")
    busy = [op for op in _in_progress(c.b, ("provision",)) if set(op["targets"]) & set(targets)]
    if busy:
        STATS["provision_conflicts"] += 1
        raise conflict("There is a conflicting operation in process.")
    status = {"PermissionSetArn": ps.permission_set_arn}
    if target_type == "AWS_ACCOUNT":
        status["AccountId"] = target
    op = _new_op(c.b, "provision", status, ps.permission_set_arn, targets, version=_version(ps))
    return {"PermissionSetProvisioningStatus": dict(op["status"])}


def _describe_op(kind, id_param, out_key):
    def handler(c):
        op = _ops(c.b).get(c.p.get(id_param))
        if op is None or op["kind"] != kind:
            raise not_found(f"Could not find the request with id {c.p.get(id_param)}.")
        return {out_key: dict(op["status"])}
    return handler


def _list_ops(kind, out_key):
    def handler(c):
        wanted = (c.p.get("Filter") or {}).get("Status")
        items = [{"Status": op["status"]["Status"], "RequestId": op["status"]["RequestId"], "CreatedDate": op["status"]["CreatedDate"]}
                 for op in _ops(c.b).values() if op["kind"] == kind and (not wanted or op["status"]["Status"] == wanted)]
        return _page(items, c.p, out_key)
    return handler


def list_account_assignments(c):
    ps = c.ps()
    items = [{"AccountId": a.target_id, "PermissionSetArn": a.permission_set_arn, "PrincipalType": a.principal_type, "PrincipalId": a.principal_id}
             for a in _assignments(c.b, ps.permission_set_arn, c.p.get("AccountId"))]
    return _page(items, c.p, "AccountAssignments")


def list_account_assignments_for_principal(c):
    acct = (c.p.get("Filter") or {}).get("AccountId")
    items = [{"AccountId": a.target_id, "PermissionSetArn": a.permission_set_arn, "PrincipalType": a.principal_type, "PrincipalId": a.principal_id}
             for a in c.b.account_assignments
             if a.principal_id == c.p.get("PrincipalId") and a.principal_type == c.p.get("PrincipalType") and (acct is None or a.target_id == acct)]
    return _page(items, c.p, "AccountAssignments")


def _status_ok(ps, acct, wanted):
    if wanted is None:
        return True
    latest = _prov(ps).get(acct, 0) >= _version(ps)
    return latest if wanted == "LATEST_PERMISSION_SET_PROVISIONED" else not latest


def _check_provisioning_status(c):
    wanted = c.p.get("ProvisioningStatus")
    if wanted not in (None, "LATEST_PERMISSION_SET_PROVISIONED", "LATEST_PERMISSION_SET_NOT_PROVISIONED"):
        raise invalid("ProvisioningStatus must be LATEST_PERMISSION_SET_PROVISIONED or LATEST_PERMISSION_SET_NOT_PROVISIONED.")
    return wanted


def list_accounts_for_provisioned(c):
    ps = c.ps()
    wanted = _check_provisioning_status(c)
    accounts = [a for a in sorted(_prov(ps)) if _status_ok(ps, a, wanted)]
    return _page(accounts, c.p, "AccountIds")


def list_permission_sets_provisioned_to_account(c):
    acct = c.p.get("AccountId")
    if not acct:
        raise invalid("AccountId is required.")
    wanted = _check_provisioning_status(c)
    arns = [ps.permission_set_arn for ps in c.b.permission_sets
            if ps.instance_arn == c.inst.instance_arn and acct in _prov(ps) and _status_ok(ps, acct, wanted)]
    return _page(arns, c.p, "PermissionSets")


def describe_instance(c):
    return _inst_json(c.inst)


SSO_HANDLERS = {
    "DescribeInstance": describe_instance,
    "CreatePermissionSet": create_permission_set,
    "DescribePermissionSet": describe_permission_set,
    "UpdatePermissionSet": update_permission_set,
    "DeletePermissionSet": delete_permission_set,
    "ListPermissionSets": list_permission_sets,
    "PutInlinePolicyToPermissionSet": put_inline_policy,
    "GetInlinePolicyForPermissionSet": get_inline_policy,
    "DeleteInlinePolicyFromPermissionSet": delete_inline_policy,
    "AttachManagedPolicyToPermissionSet": attach_managed,
    "DetachManagedPolicyFromPermissionSet": detach_managed,
    "ListManagedPoliciesInPermissionSet": list_managed,
    "AttachCustomerManagedPolicyReferenceToPermissionSet": attach_cmp,
    "DetachCustomerManagedPolicyReferenceFromPermissionSet": detach_cmp,
    "ListCustomerManagedPolicyReferencesInPermissionSet": list_cmp,
    "PutPermissionsBoundaryToPermissionSet": put_boundary,
    "GetPermissionsBoundaryForPermissionSet": get_boundary,
    "DeletePermissionsBoundaryFromPermissionSet": delete_boundary,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags,
    "CreateAccountAssignment": create_account_assignment,
    "DeleteAccountAssignment": delete_account_assignment,
    "DescribeAccountAssignmentCreationStatus": _describe_op("create", "AccountAssignmentCreationRequestId", "AccountAssignmentCreationStatus"),
    "DescribeAccountAssignmentDeletionStatus": _describe_op("delete", "AccountAssignmentDeletionRequestId", "AccountAssignmentDeletionStatus"),
    "ListAccountAssignmentCreationStatus": _list_ops("create", "AccountAssignmentsCreationStatus"),
    "ListAccountAssignmentDeletionStatus": _list_ops("delete", "AccountAssignmentsDeletionStatus"),
    "ProvisionPermissionSet": provision_permission_set,
    "DescribePermissionSetProvisioningStatus": _describe_op("provision", "ProvisionPermissionSetRequestId", "PermissionSetProvisioningStatus"),
    "ListPermissionSetProvisioningStatus": _list_ops("provision", "PermissionSetsProvisioningStatus"),
    "ListAccountAssignments": list_account_assignments,
    "ListAccountAssignmentsForPrincipal": list_account_assignments_for_principal,
    "ListAccountsForProvisionedPermissionSet": list_accounts_for_provisioned,
    "ListPermissionSetsProvisionedToAccount": list_permission_sets_provisioned_to_account,
}

# R21: changes the delegated administrator may not make to a permission set provisioned to the
# management account.
PS_CHANGES = {
    "UpdatePermissionSet", "DeletePermissionSet", "PutInlinePolicyToPermissionSet", "DeleteInlinePolicyFromPermissionSet",
    "AttachManagedPolicyToPermissionSet", "DetachManagedPolicyFromPermissionSet",
    "AttachCustomerManagedPolicyReferenceToPermissionSet", "DetachCustomerManagedPolicyReferenceFromPermissionSet",
    "PutPermissionsBoundaryToPermissionSet", "DeletePermissionsBoundaryFromPermissionSet",
    "TagResource", "UntagResource", "ProvisionPermissionSet",
}


def _sso(self, action, params):
    mgmt, role = _context(self.current_account)
    _check_max_results(params, invalid)
    if action == "ListInstances":
        _b, inst = _instance(mgmt, self.region) if role in ("mgmt", "da") else (None, None)
        return _page([_inst_json(inst)] if inst else [], params, "Instances")
    if role not in ("mgmt", "da"):
        raise denied(f"Account {self.current_account} is not the management account or the IAM Identity Center delegated administrator.")
    b, inst = _instance(mgmt, self.region)
    if inst is None:
        raise denied(f"There is no IAM Identity Center instance in {self.region} (home Region: {KNOBS.get('sso_region')}).")
    if "InstanceArn" in params and params["InstanceArn"] != inst.instance_arn:
        raise denied(f"User is not authorized to perform this action on instance {params['InstanceArn']}.")
    self._orgctl_sso_account = mgmt
    tick(b)
    c = Ctx(self, b, inst, mgmt, role, params)
    if role == "da" and action in PS_CHANGES:
        arn = params.get("ResourceArn") if action in ("TagResource", "UntagResource") else params.get("PermissionSetArn")
        if arn != inst.instance_arn:
            ps = c.ps(arn)
            if _provisioned_to(b, ps, mgmt):
                raise denied(f"The delegated administrator cannot change permission set {ps.name}: it is provisioned to the management account.")
    handler = SSO_HANDLERS.get(action)
    if handler is None:
        return FALLTHROUGH
    return handler(c)


# --- identitystore (R20, R24) --------------------------------------------------------------------

def _store(mgmt, inst):
    b = ism.identitystore_backends[mgmt][KNOBS.get("sso_region", "us-east-1")]
    return b.identity_stores.setdefault(inst.identity_store_id, ism.IdentityStoreData())


def _ids_conflict(message):
    return ise.ConflictException(message=message, reason="UNIQUENESS_CONSTRAINT_VIOLATION")


def _user(store, uid):
    if uid not in store.users:
        raise ise.ResourceNotFoundException(message="USER not found.", resource_type="USER")
    return store.users[uid]


def _group(store, gid):
    if gid not in store.groups:
        raise ise.ResourceNotFoundException(message="GROUP not found.", resource_type="GROUP")
    return store.groups[gid]


def _cap_keys(v):
    if isinstance(v, list):
        return [{(k[:1].upper() + k[1:]): x for k, x in e.items()} if isinstance(e, dict) else e for e in v]
    return v


USER_FIELDS = {
    "username": "UserName", "displayname": "DisplayName", "nickname": "NickName", "profileurl": "ProfileUrl",
    "usertype": "UserType", "title": "Title", "preferredlanguage": "PreferredLanguage", "locale": "Locale",
    "timezone": "Timezone", "emails": "Emails", "addresses": "Addresses", "phonenumbers": "PhoneNumbers",
}
NAME_FIELDS = {"formatted": "Formatted", "familyname": "FamilyName", "givenname": "GivenName", "middlename": "MiddleName",
               "honorificprefix": "HonorificPrefix", "honorificsuffix": "HonorificSuffix"}
REQUIRED_USER = {"username", "displayname", "name.givenname", "name.familyname"}


def _operations(p):
    ops = p.get("Operations")
    if not isinstance(ops, list) or not 1 <= len(ops) <= 100:
        raise ise.ValidationException(message="Operations must hold 1 to 100 attribute operations.")
    return ops


def update_user(c):
    store = _store(c.mgmt, c.inst)
    user = _user(store, c.p.get("UserId"))
    changes = {}
    name = dict(user.Name._asdict()) if user.Name else {f: None for f in NAME_FIELDS.values()}
    for op in _operations(c.p):
        path = str(op.get("AttributePath", "")).lower()
        value = op.get("AttributeValue")
        if value is None and path in REQUIRED_USER:
            raise ise.ValidationException(message=f"{op.get('AttributePath')}: The attribute is required and cannot be removed")
        if path in USER_FIELDS:
            field = USER_FIELDS[path]
            if field == "UserName" and any(u.UserName == value and u.UserId != user.UserId for u in store.users.values()):
                raise _ids_conflict("Duplicate UserName")
            changes[field] = _cap_keys(value)
        elif path.startswith("name.") and path[5:] in NAME_FIELDS:
            name[NAME_FIELDS[path[5:]]] = value
        elif path == "name":
            if not isinstance(value, dict) or not value.get("GivenName") or not value.get("FamilyName"):
                raise ise.ValidationException(message="name needs GivenName and FamilyName")
            name = {f: value.get(f) for f in NAME_FIELDS.values()}
        else:
            raise ise.ValidationException(message=f"Invalid attribute path {op.get('AttributePath')}")
    changes["Name"] = ism.Name(**name)
    store.users[user.UserId] = user._replace(**changes)
    return {"IdentityStoreId": c.inst.identity_store_id, "UserId": user.UserId}


def update_group(c):
    store = _store(c.mgmt, c.inst)
    group = _group(store, c.p.get("GroupId"))
    changes = {}
    for op in _operations(c.p):
        path = str(op.get("AttributePath", "")).lower()
        value = op.get("AttributeValue")
        if path == "displayname":
            if not value:
                raise ise.ValidationException(message="displayName: The attribute is required and cannot be removed")
            if any(g.DisplayName == value and g.GroupId != group.GroupId for g in store.groups.values()):
                raise _ids_conflict("Duplicate GroupDisplayName")
            changes["DisplayName"] = value
        elif path == "description":
            changes["Description"] = value
        else:
            raise ise.ValidationException(message=f"Invalid attribute path {op.get('AttributePath')}")
    store.groups[group.GroupId] = group._replace(**changes)
    return {"IdentityStoreId": c.inst.identity_store_id, "GroupId": group.GroupId}


def create_group_membership(c):
    store = _store(c.mgmt, c.inst)
    uid = (c.p.get("MemberId") or {}).get("UserId")
    if any(m["GroupId"] == c.p.get("GroupId") and m["MemberId"].get("UserId") == uid for m in store.group_memberships.values()):
        raise _ids_conflict("Member is already in the group")
    return FALLTHROUGH


def delete_user(c):
    store = _store(c.mgmt, c.inst)
    uid = _user(store, c.p.get("UserId")).UserId
    del store.users[uid]
    store.group_memberships = {k: m for k, m in store.group_memberships.items() if m["MemberId"].get("UserId") != uid}
    return {}


def delete_group(c):
    store = _store(c.mgmt, c.inst)
    gid = _group(store, c.p.get("GroupId")).GroupId
    del store.groups[gid]
    store.group_memberships = {k: m for k, m in store.group_memberships.items() if m["GroupId"] != gid}
    return {}


def delete_group_membership(c):
    store = _store(c.mgmt, c.inst)
    if c.p.get("MembershipId") not in store.group_memberships:
        raise ise.ResourceNotFoundException(message="GROUP_MEMBERSHIP not found.", resource_type="GROUP_MEMBERSHIP")
    del store.group_memberships[c.p["MembershipId"]]
    return {}


def _store_json(c):
    sid = c.inst.identity_store_id
    return {"IdentityStoreId": sid, "IdentityStoreArn": f"arn:aws:identitystore::{c.mgmt}:identitystore/{sid}"}


IDS_HANDLERS = {
    "UpdateUser": update_user,
    "UpdateGroup": update_group,
    "CreateGroupMembership": create_group_membership,
    "DeleteUser": delete_user,
    "DeleteGroup": delete_group,
    "DeleteGroupMembership": delete_group_membership,
    "DescribeIdentityStore": _store_json,
}


def _ids_read(action):
    return action.startswith(("Describe", "List", "Get")) or action == "IsMemberInGroups"


def _ids(self, action, params):
    mgmt, role = _context(self.current_account)
    _check_max_results(params, lambda m: ise.ValidationException(message=m))
    if role == "member" and not _ids_read(action):
        raise IdsAccessDenied(message=f"Account {self.current_account} may read the identity store but not change it.")
    b, inst = _instance(mgmt, self.region)
    if action == "ListIdentityStores":
        c = Ctx(self, b, inst, mgmt, role, params)
        return _page([_store_json(c)] if inst else [], params, "IdentityStores")
    if inst is None or params.get("IdentityStoreId") != inst.identity_store_id:
        raise ise.ResourceNotFoundException(message=f"Identity store {params.get('IdentityStoreId')} not found.", resource_type="IDENTITY_STORE")
    self._orgctl_ids_account = mgmt
    handler = IDS_HANDLERS.get(action)
    if handler is None:
        return FALLTHROUGH
    return handler(Ctx(self, b, inst, mgmt, role, params))


# --- wiring --------------------------------------------------------------------------------------

def _wrap(orig, serve):
    def call_action(self):
        action = self._get_action()
        _count(action)
        try:
            params = json.loads(self.body or "{}")
        except ValueError:
            params = {}
        try:
            with SSO_LOCK:
                out = serve(self, action, params)
                if out is FALLTHROUGH:
                    status, headers, body = orig(self)
                    if status == 400 and '"InvalidToken"' in str(body):
                        # moto's paginator; AWS answers a bad NextToken with ValidationException.
                        raise invalid("The NextToken value is not valid.")
                    return status, headers, body
        except HTTPException as e:
            headers = dict(self.response_headers)
            headers.update(dict(e.get_headers() or []))
            return e.code, headers, e.description
        headers = dict(self.response_headers, **{"Content-Type": "application/x-amz-json-1.1"})
        return 200, headers, json.dumps(out)
    return call_action


ssr.SSOAdminResponse.call_action = _wrap(ssr.SSOAdminResponse.call_action, _sso)
isr.IdentityStoreResponse.call_action = _wrap(isr.IdentityStoreResponse.call_action, _ids)
ssr.SSOAdminResponse.ssoadmin_backend = property(
    lambda self: ssm.ssoadmin_backends[getattr(self, "_orgctl_sso_account", None) or self.current_account][self.region])
isr.IdentityStoreResponse.identitystore_backend = property(
    lambda self: ism.identitystore_backends[getattr(self, "_orgctl_ids_account", None) or self.current_account][self.region])
