"""Account assignments and provisioning: R23, and the assignment parts of R21 and R24.

Rules (IAM Identity Center; API reference https://docs.aws.amazon.com/singlesignon/latest/APIReference/,
user guide https://docs.aws.amazon.com/singlesignon/latest/userguide/):
  R21 (assignments) the delegated administrator may not create or delete an account assignment to
      the management account, nor provision any permission set to the management account ->
      AccessDeniedException. A permission set is provisioned to an account from the
      CreateAccountAssignment or ProvisionPermissionSet request until the deletion of its last
      assignment there completes      (delegated-admin: tasks a delegated administrator cannot perform)
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
  R34 Asynchronous failures: CreateAccountAssignment and ProvisionPermissionSet end FAILED, with a
      FailureReason naming the policy and the account, when the permission set references a
      customer managed policy or a customer managed permissions boundary that does not exist (same
      name and path) in the target account's IAM: the assignment is not created, the permission
      set not provisioned there (ALL_PROVISIONED_ACCOUNTS: provisioned to the accounts that have
      the policies, FAILED for the others). Knob ic_check_customer_policies (default true) turns
      the check off. The FailureReason text is the emulator's own (AWS's is not documented)
                      (botocore sso-admin CustomerManagedPolicyReference: "You must have an IAM
                       policy that matches the name and path in each Amazon Web Services account
                       where you want to deploy your permission set"; user guide howtocmp:
                       "create those policies in advance in each account ... and match them to the
                       name and path", "IAM Identity Center fails to assign the permission set if
                       the policy doesn't exist in your member account" (names match
                       case-sensitively); permissionsetcustom; aws-samples/aws-iam-identity-
                       center-pipeline#5 (provisioning FAILED for a missing policy))
  R42 One role update per account and permission set at a time (on by default; knob
      ic_role_conflicts): a CreateAccountAssignment / DeleteAccountAssignment that starts while
      another assignment operation or a provisioning of the same permission set in the same
      account is IN_PROGRESS is accepted IN_PROGRESS and ends FAILED, nothing changed, with a
      FailureReason asking to try again. (AWS updates the permission set's role in the account
      for each operation; reports of simultaneous assignments failing until re-submitted:
      aws-samples/iam-identity-center-team#363; the sso-admin API reference lists
      ConflictException for concurrent writes. The FAILED outcome and its text are the
      emulator's choice: AWS does not document them.)
  R40 (part) CreateAccountAssignment targeting an account created less than new_account_lag
      seconds ago (at request time) is accepted IN_PROGRESS and ends FAILED with the FailureReason
      AWS sends when it cannot manage an account yet ("Obtaining permissions to manage your AWS
      account ... takes longer than usual. Please try again in a few minutes", quoted in
      aws-samples/aws-identitycenter-codepipeline-auto-assignment#31); nothing is assigned (newaccounts.py has the rule; the
      outcome, FAILED rather than a ValidationException, is the emulator's choice, unconfirmed)
  R24 (assignments) CreateAccountAssignment to an account outside the organization ->
      ValidationException, for a user/group not in the identity store -> ResourceNotFoundException,
      an existing assignment -> SUCCEEDED with no duplicate      (API_CreateAccountAssignment)
"""

import re
import time
import uuid

from moto.iam.models import iam_backends
from moto.ssoadmin import models as ssm

from ..common import KNOBS, lagging
from .common import (MAX_OUTSTANDING, STATS, _assignments, _in_progress, _ops, _org_accounts, _page, _prov, _state, _store,
                     _version, conflict, denied, invalid, not_found, sso_err)


# --- R23: asynchronous operations ----------------------------------------------------------------

def _new_op(b, kind, status, ps_arn, targets, **extra):
    now = time.time()
    due = max(now + float(KNOBS.get("create_delay", 0.5)), _state(b)["last_due"])
    _state(b)["last_due"] = due
    rid = str(uuid.uuid4())
    status = dict(status, RequestId=rid, CreatedDate=now, Status="IN_PROGRESS")
    op = {"kind": kind, "status": status, "due": due, "ps": ps_arn, "targets": list(targets), **extra}
    _ops(b)[rid] = _state(b)["pending"][rid] = op
    return op


def tick(b):
    now = time.time()
    pending = _state(b)["pending"]
    for rid, op in list(pending.items()):
        if op["status"]["Status"] == "IN_PROGRESS" and op["due"] <= now:
            _complete(b, op)
        if op["status"]["Status"] != "IN_PROGRESS":
            del pending[rid]


def _find_ps(b, arn):
    return next((ps for ps in b.permission_sets if ps.permission_set_arn == arn), None)


# --- R34: customer managed policies must exist in the target account ------------------------------

def _customer_policies(ps):
    """(name, path) of every customer managed policy the permission set references, boundary included."""
    refs = [(m.name, m.path or "/") for m in ps.customer_managed_policies]
    boundary = (getattr(ps, "_orgctl_boundary", None) or {}).get("CustomerManagedPolicyReference")
    if boundary:
        refs.append((boundary["Name"], boundary.get("Path") or "/"))
    return refs


def _missing_policy(ps, acct):
    """The first customer managed policy of ps missing from acct's IAM (moto keeps IAM per account), or None."""
    if not KNOBS.get("ic_check_customer_policies", True):
        return None
    refs = _customer_policies(ps)
    if not refs:
        return None
    have = {(p.name, p.path) for p in iam_backends[acct]["aws"].managed_policies.values()}
    return next((f"arn:aws:iam::{acct}:policy{path}{name}" for name, path in refs if (name, path) not in have), None)


def _failure(acct, arn):
    return (f"The customer managed policy {arn} referenced by the permission set does not exist in account {acct}. "
            "Create it there with the same name and path, then provision the permission set again.")


def _complete(b, op):
    st = op["status"]
    ps = _find_ps(b, op["ps"])
    if ps is None:
        st.update(Status="FAILED", FailureReason="The permission set no longer exists.")
        return
    if op.get("conflict"):  # R42
        st.update(Status="FAILED", FailureReason=f"Another operation is updating the role of this permission set in account {op['targets'][0]}. "
                  "Please try again in a few minutes.")
        return
    if op["kind"] == "create":
        key = op["key"]
        if op.get("lag"):  # R40
            # The FailureReason AWS sends when it cannot manage the account yet (quoted in
            # aws-samples/aws-identitycenter-codepipeline-auto-assignment#31).
            st.update(Status="FAILED", FailureReason="AWS SSO is unable to complete your request at this time. Obtaining permissions to manage "
                      f"your AWS account '{key[1]}' takes longer than usual. Please try again in a few minutes. If this problem continues, contact AWS Support.")
            return
        missing = _missing_policy(ps, key[1])
        if missing:
            st.update(Status="FAILED", FailureReason=_failure(key[1], missing))
            return
        if not _exists(b, key):
            b.account_assignments.append(ssm.AccountAssignment(*key))
        _prov(ps).setdefault(key[1], _version(ps))
    elif op["kind"] == "delete":
        key = op["key"]
        b.account_assignments = [a for a in b.account_assignments if _key(a) != key]
        if not _assignments(b, ps.permission_set_arn, key[1]):
            _prov(ps).pop(key[1], None)
    else:
        failed = []
        for acct in op["targets"]:
            missing = _missing_policy(ps, acct)
            if missing:
                failed.append((acct, missing))
                continue
            _prov(ps)[acct] = max(_prov(ps).get(acct, 0), op["version"])
        if failed:
            st.update(Status="FAILED", FailureReason=" ".join(_failure(a, m) for a, m in failed))
            return
    st["Status"] = "SUCCEEDED"


def _key(a):
    return (a.instance_arn, a.target_id, a.target_type, a.permission_set_arn, a.principal_type, a.principal_id)


def _exists(b, key):
    """Whether the assignment exists (the account compared first: 10,000 assignments are walked
    per request)."""
    return any(a.target_id == key[1] and _key(a) == key for a in b.account_assignments)


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


def _role_busy(b, ps_arn, target):
    """R42: whether another operation is updating ps_arn's role in target (counted)."""
    if not KNOBS.get("ic_role_conflicts", True):
        return False
    busy = any(op["ps"] == ps_arn and target in op["targets"] for op in _in_progress(b, ("create", "delete", "provision")))
    if busy:
        STATS["role_conflicts"] = STATS.get("role_conflicts", 0) + 1
    return busy


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
    if _exists(c.b, key) and not pending_delete:
        # Idempotent: the assignment exists; nothing to do, nothing outstanding.
        op = _new_op(c.b, "create", status, ps.permission_set_arn, [target], key=key)
        op["status"]["Status"] = "SUCCEEDED"
        return {"AccountAssignmentCreationStatus": dict(op["status"])}
    _outstanding_check(c.b)
    conflict = _role_busy(c.b, ps.permission_set_arn, target)
    op = _new_op(c.b, "create", status, ps.permission_set_arn, [target], key=key, conflict=conflict,
                 lag=lagging(target, "sso-admin:CreateAccountAssignment"))  # R40
    _record_peak(c.b)
    return {"AccountAssignmentCreationStatus": dict(op["status"])}


def delete_account_assignment(c):
    ps, key, status = _assignment_request(c)
    exists = _exists(c.b, key)
    pending = any(op["key"] == key for op in _in_progress(c.b, ("create",)))
    if not exists and not pending:
        raise not_found("The account assignment does not exist.")
    _outstanding_check(c.b)
    conflict = _role_busy(c.b, ps.permission_set_arn, key[1])
    op = _new_op(c.b, "delete", status, ps.permission_set_arn, [key[1]], key=key, conflict=conflict)
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
