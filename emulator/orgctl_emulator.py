#!/usr/bin/env python3
"""orgctl's AWS emulator: moto's server plus the AWS rules moto lacks.

Starts moto in-process on 127.0.0.1 (a free port unless --port is given) and prints
`ORGCTL_EMULATOR_URL=http://127.0.0.1:PORT` on stdout once it accepts requests.

Every rule added here is listed in docs/emulator.md with the AWS source it follows.
Rules (Organizations, API reference https://docs.aws.amazon.com/organizations/latest/APIReference/):
  R1  CreateOrganizationalUnit: duplicate name under one parent -> DuplicateOrganizationalUnitException;
      unknown parent -> ParentNotFoundException                       (API_CreateOrganizationalUnit)
  R2  DeleteOrganizationalUnit: OU with accounts or child OUs -> OrganizationalUnitNotEmptyException
                                                                       (API_DeleteOrganizationalUnit)
  R3  MoveAccount: wrong source parent -> SourceParentNotFoundException; destination is the
      current parent -> DuplicateAccountException                     (API_MoveAccount)
  R4  CreateAccount is asynchronous (IN_PROGRESS, then SUCCEEDED/FAILED after --create-delay);
      an email already in use -> request FAILED with EMAIL_ALREADY_EXISTS
                                (API_CreateAccount, API_CreateAccountStatus, API_DescribeCreateAccountStatus)
  R5  RegisterDelegatedAdministrator without trusted access -> ConstraintViolationException
      SERVICE_ACCESS_NOT_ENABLED; more admins than the service allows ->
      MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED; management account ->
      CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR               (API_RegisterDelegatedAdministrator)
  R6  Every principal of orgctl's catalog is accepted for trusted access and delegation
      (moto knows 6 delegation principals)          (orgs_integrate_services_list; data/delegation-catalog.yaml)
  R7  List* pages hold at most 20 items (MaxResults 1-20) and page with NextToken; an invalid
      token -> InvalidInputException INVALID_NEXT_TOKEN; --empty-pages makes every list
      start with an empty page that carries a NextToken, as AWS may  (API_ListAccounts "NextToken")
  R8  A delegated administrator (any service) reads the organization like the management
      account; other member accounts get AccessDeniedException on List*/Describe* except
      DescribeOrganization; member accounts get AccessDeniedException on every write
                                      (orgs_integrate_delegated_admin; botocore operation docs)
  R9  DeregisterDelegatedAdministrator of an account not registered for that service ->
      AccountNotRegisteredException (moto: InvalidInputException)    (API_DeregisterDelegatedAdministrator)
  R11 Policies: all 13 policy types (moto: 5, BACKUP_POLICY fails); EnablePolicyType is
      asynchronous (PENDING_ENABLE, then ENABLED); AttachPolicy needs the type enabled
      (PolicyTypeNotEnabledException), refuses a duplicate (DuplicatePolicyAttachmentException)
      and a 6th SCP/RCP (MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED); DetachPolicy of a policy not
      attached -> PolicyNotAttachedException, of the last SCP -> MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED;
      malformed JSON -> MalformedPolicyDocumentException; over the type's size ->
      POLICY_CONTENT_LIMIT_EXCEEDED; a member account the delegation policy grants policy actions
      may make them for the granted types (R8 otherwise denies); CreatePolicy with Tags and
      Tag/UntagResource also need organizations:TagResource granted
          (API_AttachPolicy, API_DetachPolicy, API_CreatePolicy, API_EnablePolicyType;
           orgs_reference_limits; orgs_delegate_policies)
  R12 GuardDuty Enable/Disable/ListOrganizationAdminAccount(s) per Region (moto: no Disable, no
      checks): management account only (List too), trusted access first, never the management account, the same
      admin in every Region, the Organizations DA registered as a side effect
                          (guardduty ug delegated-admin-designate, change-guardduty-delegated-admin)
  R25 GuardDuty members of the delegated administrator (moto: absent): Create/List/Disassociate/
      DeleteMembers and Update/DescribeOrganizationConfiguration on the admin's detector, only by
      the Region's GuardDuty admin (BadRequestException); organization members are associated at
      once; a member must be disassociated before it is deleted (unprocessed otherwise); the
      designated admin gets a detector, as AWS enables GuardDuty there
                   (guardduty API_CreateMembers, API_DisassociateMembers, API_DeleteMembers,
                    API_UpdateOrganizationConfiguration; ug guardduty_organizations)
  R13 Inspector Enable/DisableDelegatedAdminAccount per Region: management account only, never
      the management account, the same admin in every Region (ConflictException), trusted access
      and the Organizations DA as side effects; a disabled admin is no longer listed (moto keeps
      it as "DISABLED", not an AWS status)          (inspector user/designating-admin.html)
  R14 Macie and Security Hub Enable/List/DisableOrganizationAdminAccount per Region (moto: Macie
      Disable HTTP 500, Security Hub List/Disable 404): as R13, with ValidationException (Macie)
      and InvalidInputException (Security Hub); the management account may be the admin, as AWS
      allows for Macie and Security Hub CSPM      (macie accounts-mgmt-ao-integrate; securityhub
                                                   designate-orgs-admin-account)
  R15 CloudTrail Register/DeregisterOrganizationDelegatedAdmin (moto: absent): management account
      only (NotOrganizationManagementAccountException), trusted access first
      (CloudTrailAccessNotEnabledException), never the management account
      (CannotDelegateManagementAccountException), at most 3 (DelegatedAdminAccountLimitExceededException),
      AccountRegistered/AccountNotRegisteredException; the Organizations DA follows
                        (awscloudtrail cloudtrail-delegated-administrator; botocore cloudtrail errors)
  R16 VPC IPAM ec2:Enable/DisableIpamOrganizationAdminAccount (moto: absent): management account
      only, never the management account, one admin, trusted access and the Organizations DA as
      side effects; disabling an account not registered -> IpamOrganizationAccountNotRegistered
                        (vpc/ipam enable-integ-ipam; Terraform provider ec2/errors.go for the code)
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
  R10 Put/Describe/DeleteResourcePolicy (the delegation policy; moto: HTTP 500): invalid JSON ->
      INVALID_RESOURCE_POLICY_JSON; a non-delegable action -> UNSUPPORTED_ACTION_IN_RESOURCE_POLICY;
      a principal that is not a member account -> INVALID_PRINCIPAL; over 40,000 characters
      rejected; none -> ResourcePolicyNotFoundException
                  (API_PutResourcePolicy, API_DescribeResourcePolicy, API_DeleteResourcePolicy;
                   orgs_delegate_policies)
Test knobs (not AWS rules): --throttle-every N answers every Nth Organizations request with
HTTP 400 TooManyRequestsException, as Organizations throttles; GET /orgctl-emulator/stats
returns the Organizations requests served per operation; POST /orgctl-emulator/config sets
the knobs at run time.
"""

import argparse
import base64
import json
import os
import sys
import threading
import time
import uuid

import yaml
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from moto.core.common_models import BaseModel  # noqa: F401  (imports moto's core first)
from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from moto.organizations import exceptions as oe
from moto.organizations import models as om
from moto.organizations import responses as orsp
from moto.organizations import utils as outils

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.join(HERE, "..", "data", "delegation-catalog.yaml")

KNOBS = {"create_delay": 0.5, "throttle_every": 0, "empty_pages": False, "policy_type_delay": 0.3, "sso_region": "us-east-1"}
STATS = {}
LOCK = threading.Lock()
COUNTER = {"n": 0}


def err(code, message, **fields):
    """An Organizations error with extra modelled members (e.g. Reason)."""
    e = oe.OrganizationsClientError(code, message)
    for k, v in fields.items():
        setattr(e, k, v)
    return e


def constraint(reason, message):
    return err("ConstraintViolationException", f"{message} ({reason})", Reason=reason)


# --- R6: the catalog's principals -------------------------------------------------------

def load_catalog():
    with open(CATALOG) as f:
        cat = yaml.safe_load(f)
    limits, principals = {}, set()
    for s in cat["services"]:
        for p in [s.get("principal")] + list(s.get("extra_principals") or []):
            if isinstance(p, str) and p.endswith(".amazonaws.com"):
                principals.add(p)
                m = s.get("max_delegated_admins")
                if isinstance(m, int):
                    limits[p] = m
    trusted_only = set()
    for t in cat.get("trusted_access_only", []):
        p = str(t["principal"]).split(" ")[0]
        if p.endswith(".amazonaws.com"):
            trusted_only.add(p)
    return principals, trusted_only, limits


PRINCIPALS, TRUSTED_ONLY, MAX_ADMINS = load_catalog()
om.FakeDelegatedAdministrator.SUPPORTED_SERVICES = sorted(set(om.FakeDelegatedAdministrator.SUPPORTED_SERVICES) | PRINCIPALS)
om.FakeServiceAccess.TRUSTED_SERVICES = sorted(set(om.FakeServiceAccess.TRUSTED_SERVICES) | PRINCIPALS | TRUSTED_ONLY)

B = om.OrganizationsBackend


# --- R1 / R2 -------------------------------------------------------------------------------

_orig_create_ou = B.create_organizational_unit


def create_organizational_unit(self, **kw):
    parent = kw.get("ParentId")
    if not any(o.id == parent for o in self.ou):
        raise err("ParentNotFoundException", "You specified parent that doesn't exist.")
    if any(o.parent_id == parent and o.name == kw.get("Name") and not isinstance(o, om.FakeRoot) for o in self.ou):
        raise err("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
    return _orig_create_ou(self, **kw)


_orig_delete_ou = B.delete_organizational_unit


def delete_organizational_unit(self, **kw):
    ou_id = kw["OrganizationalUnitId"]
    self.get_organizational_unit_by_id(ou_id)
    if any(a.parent_id == ou_id for a in self.accounts) or any(o.parent_id == ou_id for o in self.ou):
        raise err("OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to another root or OU and delete all child OUs, then try again.")
    return _orig_delete_ou(self, **kw)


# --- R3 ------------------------------------------------------------------------------------

_orig_move = B.move_account


def move_account(self, **kw):
    account = self.get_account_by_id(kw["AccountId"])
    self.validate_parent_id(kw["DestinationParentId"])
    if account.parent_id != kw["SourceParentId"]:
        raise err("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
    if account.parent_id == kw["DestinationParentId"]:
        raise err("DuplicateAccountException", "That account is already present in the specified destination.")
    return _orig_move(self, **kw)


# --- R4: asynchronous CreateAccount ----------------------------------------------------------

_orig_create_account = B.create_account


def _requests(self):
    if not hasattr(self, "_orgctl_requests"):
        self._orgctl_requests = {}
    return self._orgctl_requests


TICK_LOCK = threading.Lock()


def tick(self):
    """Completes the creation requests whose time has come. The server is threaded: two
    requests ticking at once must not materialise one request twice."""
    with TICK_LOCK:
        _tick(self)


def _tick(self):
    now = time.time()
    for req in _requests(self).values():
        st = req["status"]
        if st["State"] != "IN_PROGRESS" or req["due"] > now:
            continue
        email = req["kwargs"]["Email"].lower()
        if any(a.email.lower() == email for a in self.accounts):
            st.update(State="FAILED", FailureReason="EMAIL_ALREADY_EXISTS", CompletedTimestamp=now)
            continue
        created = _orig_create_account(self, **req["kwargs"])["CreateAccountStatus"]
        st.update(State="SUCCEEDED", AccountId=created["AccountId"], CompletedTimestamp=now)


def create_account(self, **kw):
    if self.org is None:
        raise oe.AWSOrganizationsNotInUseException
    rid = "car-" + uuid.uuid4().hex
    status = {"Id": rid, "AccountName": kw["AccountName"], "State": "IN_PROGRESS", "RequestedTimestamp": time.time()}
    _requests(self)[rid] = {"kwargs": kw, "due": time.time() + float(KNOBS["create_delay"]), "status": status}
    return {"CreateAccountStatus": dict(status)}


def describe_create_account_status(self, **kw):
    tick(self)
    req = _requests(self).get(kw["CreateAccountRequestId"])
    if req is None:
        raise err("CreateAccountStatusNotFoundException", "We can't find an create account request with the CreateAccountRequestId that you specified.")
    return {"CreateAccountStatus": dict(req["status"])}


def list_create_account_status(self, **kw):
    tick(self)
    states = kw.get("States") or ["IN_PROGRESS", "SUCCEEDED", "FAILED"]
    items = [dict(r["status"]) for r in _requests(self).values() if r["status"]["State"] in states]
    return {"CreateAccountStatuses": items}


# --- R5 / R9 --------------------------------------------------------------------------------

_orig_register = B.register_delegated_administrator


def register_delegated_administrator(self, **kw):
    account_id, principal = kw["AccountId"], kw["ServicePrincipal"]
    if account_id == self.account_id:
        raise constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR", "You cannot register the management account as a delegated administrator.")
    if principal not in PRINCIPALS and principal not in om.FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        raise err("InvalidInputException", "You specified an unrecognized service principal.", Reason="UNRECOGNIZED_SERVICE_PRINCIPAL")
    self.get_account_by_id(account_id)
    if not any(s["ServicePrincipal"] == principal for s in self.services):
        raise constraint("SERVICE_ACCESS_NOT_ENABLED", f"You must first enable trusted access for {principal}.")
    current = [a for a in self.admins if principal in a.services]
    if any(a.account.id == account_id for a in current):
        raise oe.AccountAlreadyRegisteredException
    limit = MAX_ADMINS.get(principal)
    if limit is not None and len(current) >= limit:
        raise constraint("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED", f"{principal} allows at most {limit} delegated administrator(s).")
    return _orig_register(self, **kw)


_orig_deregister = B.deregister_delegated_administrator


def deregister_delegated_administrator(self, **kw):
    admin = next((a for a in self.admins if a.account.id == kw["AccountId"]), None)
    if admin is not None and kw["ServicePrincipal"] not in admin.services:
        raise oe.AccountNotRegisteredException
    _orig_deregister(self, **kw)
    # AWS lists an account as delegated administrator only while it has a service.
    self.admins = [a for a in self.admins if a.services]
    if kw["ServicePrincipal"] == DETECTIVE:
        # R17: removing Detective's Organizations DA removes it as Detective admin in every Region.
        for (svc, mgmt, _region), state in ADMINS.items():
            if svc == "detective" and mgmt == self.account_id:
                state.pop(kw["AccountId"], None)


def list_delegated_administrators(self, **kw):
    service = kw.get("ServicePrincipal")
    admins = [a for a in self.admins if a.services and (not service or service in a.services)]
    return {"DelegatedAdministrators": [a.describe() for a in admins]}


B.create_organizational_unit = create_organizational_unit
B.delete_organizational_unit = delete_organizational_unit
B.move_account = move_account
B.create_account = create_account
B.describe_create_account_status = describe_create_account_status
B.list_create_account_status = list_create_account_status
B.register_delegated_administrator = register_delegated_administrator
B.deregister_delegated_administrator = deregister_delegated_administrator
B.list_delegated_administrators = list_delegated_administrators


# --- R10: the delegation policy (moto: HTTP 500) ----------------------------------------------

def _delegable():
    with open(CATALOG) as f:
        d = yaml.safe_load(f)["organizations_policy_delegation"]
    return set(d["delegable_actions_2023_doc"]) | set(d["botocore_ops_callable_by_mgmt_or_da"])


DELEGABLE = _delegable()


def _action_ok(action):
    if not isinstance(action, str) or not action.lower().startswith("organizations:"):
        return False
    name = action.split(":", 1)[1]
    if name.endswith("*"):
        prefix = name[:-1].lower()
        matched = [a for a in DELEGABLE if a.lower().startswith(prefix)]
        return bool(matched) and prefix in ("describe", "list")
    return any(a.lower() == name.lower() for a in DELEGABLE)


def _as_list(v):
    return v if isinstance(v, list) else [v]


def put_resource_policy(self, **kw):
    content = kw.get("Content") or ""
    if len(content) > 40000:
        raise err("InvalidInputException", "The Content exceeds 40,000 characters.", Reason="MAX_LENGTH_EXCEEDED")
    try:
        doc = json.loads(content)
        statements = _as_list(doc["Statement"])
    except Exception:
        raise err("InvalidInputException", "The provided policy document is not valid JSON for a resource policy.", Reason="INVALID_RESOURCE_POLICY_JSON")
    members = {a.id for a in self.accounts if a.id != self.account_id}
    for st in statements:
        for action in _as_list(st.get("Action", [])):
            if not _action_ok(action):
                raise err("InvalidInputException", f"The action {action} is not supported in a resource policy.", Reason="UNSUPPORTED_ACTION_IN_RESOURCE_POLICY")
        principal = st.get("Principal", {})
        for p in _as_list(principal.get("AWS", []) if isinstance(principal, dict) else principal):
            acct = str(p).replace("arn:aws:iam::", "").replace(":root", "")
            if acct not in members:
                raise err("InvalidInputException", f"The principal {p} is not a member account of this organization.", Reason="INVALID_PRINCIPAL")
    pid = getattr(self, "_orgctl_policy_id", None) or "rp-" + uuid.uuid4().hex[:8]
    self._orgctl_policy_id = pid
    self._orgctl_policy = content
    return _policy(self)


def _policy(self):
    return {
        "ResourcePolicy": {
            "ResourcePolicySummary": {"Id": self._orgctl_policy_id, "Arn": f"arn:aws:organizations::{self.account_id}:resourcepolicy/{self.org.id}/{self._orgctl_policy_id}"},
            "Content": self._orgctl_policy,
        }
    }


def _no_policy():
    return err("ResourcePolicyNotFoundException", "We can't find a resource policy request with the parameter that you specified.")


def describe_resource_policy(self, **kw):
    if getattr(self, "_orgctl_policy", None) is None:
        raise _no_policy()
    return _policy(self)


def delete_resource_policy(self, **kw):
    if getattr(self, "_orgctl_policy", None) is None:
        raise _no_policy()
    self._orgctl_policy = None


B.put_resource_policy = put_resource_policy
B.describe_resource_policy = describe_resource_policy
B.delete_resource_policy = delete_resource_policy


def _put_rp(self):
    return json.dumps(self.organizations_backend.put_resource_policy(**self.request_params))


def _describe_rp(self):
    return json.dumps(self.organizations_backend.describe_resource_policy(**self.request_params))


def _delete_rp(self):
    self.organizations_backend.delete_resource_policy(**self.request_params)
    return "{}"


orsp.OrganizationsResponse.put_resource_policy = _put_rp
orsp.OrganizationsResponse.describe_resource_policy = _describe_rp
orsp.OrganizationsResponse.delete_resource_policy = _delete_rp


# --- R11: policies ----------------------------------------------------------------------------

POLICY_TYPES = [
    "AISERVICES_OPT_OUT_POLICY", "BACKUP_POLICY", "BEDROCK_POLICY", "CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2",
    "INSPECTOR_POLICY", "NETWORK_SECURITY_DIRECTOR_POLICY", "RESOURCE_CONTROL_POLICY", "S3_POLICY",
    "SECURITYHUB_POLICY", "SERVICE_CONTROL_POLICY", "TAG_POLICY", "UPGRADE_ROLLOUT_POLICY",
]
MAX_SIZE = {"SERVICE_CONTROL_POLICY": 5120, "RESOURCE_CONTROL_POLICY": 5120, "AISERVICES_OPT_OUT_POLICY": 2500}
om.FakePolicy.SUPPORTED_POLICY_TYPES = POLICY_TYPES
om.FakeRoot.SUPPORTED_POLICY_TYPES = POLICY_TYPES
_orig_policy_init = om.FakePolicy.__init__


def _policy_init(self, organization, **kw):
    ty = kw.get("Type", "")
    if ty in ("SERVICE_CONTROL_POLICY", "TAG_POLICY", "AISERVICES_OPT_OUT_POLICY", "RESOURCE_CONTROL_POLICY"):
        return _orig_policy_init(self, organization, **kw)
    # moto raises NotImplementedError for the other types; AWS's ARN shape is the same.
    kw2 = dict(kw, Type="TAG_POLICY")
    _orig_policy_init(self, organization, **kw2)
    self.type = ty
    self._arn_format = "arn:{0}:organizations::{1}:policy/{2}/" + ty.lower() + "/{3}"


om.FakePolicy.__init__ = _policy_init


def _check_document(content, ty):
    try:
        json.loads(content)
    except Exception:
        raise err("MalformedPolicyDocumentException", "The provided policy document does not meet the requirements of the specified policy type.")
    if len(content) > MAX_SIZE.get(ty, 10000):
        raise constraint("POLICY_CONTENT_LIMIT_EXCEEDED", f"The policy is larger than the maximum size for {ty}.")


_orig_create_policy = B.create_policy


def create_policy(self, **kw):
    _check_document(kw.get("Content", ""), kw.get("Type", ""))
    return _orig_create_policy(self, **kw)


_orig_update_policy = B.update_policy


def update_policy(self, **kw):
    policy = self.get_policy_by_id(kw["PolicyId"])
    if "Content" in kw:
        _check_document(kw["Content"], policy.type)
    return _orig_update_policy(self, **kw)


def _root(self):
    return next(o for o in self.ou if isinstance(o, om.FakeRoot))


def _type_enabled(self, ty):
    return any(t["Type"] == ty and t["Status"] == "ENABLED" for t in _root(self).policy_types)


def _target(self, target_id):
    t = next((o for o in self.ou if o.id == target_id), None) or next((a for a in self.accounts if a.id == target_id), None)
    if t is None:
        raise err("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
    return t


_orig_attach = B.attach_policy


def attach_policy(self, **kw):
    if getattr(self, "_orgctl_internal", 0):
        # moto attaching its default policies while creating an OU or account.
        return _orig_attach(self, **kw)
    policy = self.get_policy_by_id(kw["PolicyId"])
    target = _target(self, kw["TargetId"])
    if not _type_enabled(self, policy.type):
        raise err("PolicyTypeNotEnabledException", f"The {policy.type} policy type is not enabled on the root.")
    if policy in target.attached_policies:
        raise err("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
    same_type = [p for p in target.attached_policies if p.type == policy.type]
    if policy.type in ("SERVICE_CONTROL_POLICY", "RESOURCE_CONTROL_POLICY") and len(same_type) >= 5:
        raise constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", f"You attempted to exceed the number of {policy.type} policies attached to the target.")
    return _orig_attach(self, **kw)


_orig_detach = B.detach_policy


def detach_policy(self, **kw):
    policy = self.get_policy_by_id(kw["PolicyId"])
    target = _target(self, kw["TargetId"])
    if policy not in target.attached_policies:
        raise err("PolicyNotAttachedException", "The policy isn't attached to the specified target.")
    if policy.type == "SERVICE_CONTROL_POLICY" and _type_enabled(self, policy.type):
        if len([p for p in target.attached_policies if p.type == policy.type]) <= 1:
            raise constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to detach the last SCP from the target: every root, OU and account must have at least one.")
    return _orig_detach(self, **kw)


def enable_policy_type(self, **kw):
    root = self._get_root_by_id(kw["RootId"])
    ty = kw["PolicyType"]
    if ty not in POLICY_TYPES:
        raise err("InvalidInputException", "You specified an invalid value.")
    if any(t["Type"] == ty for t in root.policy_types):
        raise err("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")
    root.policy_types.append({"Type": ty, "Status": "PENDING_ENABLE"})
    if not hasattr(self, "_orgctl_pending_types"):
        self._orgctl_pending_types = {}
    self._orgctl_pending_types[ty] = time.time() + float(KNOBS["policy_type_delay"])
    return {"Root": root.describe()}


def tick_policy_types(self):
    pending = getattr(self, "_orgctl_pending_types", {})
    now = time.time()
    for ty, due in list(pending.items()):
        if due <= now:
            for t in _root(self).policy_types:
                if t["Type"] == ty:
                    t["Status"] = "ENABLED"
            del pending[ty]


def _internal(fn):
    def wrapper(self, *a, **kw):
        self._orgctl_internal = getattr(self, "_orgctl_internal", 0) + 1
        try:
            return fn(self, *a, **kw)
        finally:
            self._orgctl_internal -= 1
    return wrapper


B.create_organization = _internal(B.create_organization)
B.create_organizational_unit = _internal(B.create_organizational_unit)
_orig_create_account = _internal(_orig_create_account)
B.create_policy = create_policy
B.update_policy = update_policy
B.attach_policy = attach_policy
B.detach_policy = detach_policy
B.enable_policy_type = enable_policy_type


# Who may make a delegated policy write (R8 + the delegation policy).
POLICY_WRITES = {"CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy", "EnablePolicyType", "DisablePolicyType"}


def _request_policy_type(self, action, mb):
    params = self.request_params
    if action == "CreatePolicy":
        return params.get("Type")
    if action in ("EnablePolicyType", "DisablePolicyType"):
        return params.get("PolicyType")
    p = next((x for x in mb.policies if x.id == params.get("PolicyId")), None)
    return p.type if p else None


def _grants(mb, acct, action, policy_type):
    """Whether the management backend's delegation policy grants `action` (for `policy_type`) to `acct`."""
    content = getattr(mb, "_orgctl_policy", None)
    if not content:
        return False
    for st in _as_list(json.loads(content).get("Statement", [])):
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal", {})
        principals = [str(p).replace("arn:aws:iam::", "").replace(":root", "") for p in _as_list(principal.get("AWS", []) if isinstance(principal, dict) else principal)]
        if acct not in principals:
            continue
        actions = [a.lower() for a in _as_list(st.get("Action", []))]
        wanted = f"organizations:{action}".lower()
        if not any(a == wanted or (a.endswith("*") and wanted.startswith(a[:-1])) for a in actions):
            continue
        cond = (st.get("Condition") or {})
        types = None
        for op, kv in cond.items():
            if "organizations:PolicyType" in kv:
                types = _as_list(kv["organizations:PolicyType"])
        if types is None or policy_type is None or policy_type in types:
            return True
    return False


# --- R12: GuardDuty's delegated administrator (per Region) -------------------------------------

from moto.core.exceptions import JsonRESTError  # noqa: E402
from moto.guardduty import responses as gdr  # noqa: E402
from moto.guardduty import urls as gdu  # noqa: E402

# moto routes no DisableOrganizationAdminAccount (HTTP 404).
gdu.url_paths["{0}/admin/disable$"] = gdr.GuardDutyResponse.dispatch
GD = "guardduty.amazonaws.com"


class GdBadRequest(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("BadRequestException", message)


def _gd_org(resp):
    ob = om.organizations_backends[resp.current_account][resp.partition]
    if ob.org is None:
        raise GdBadRequest("The request is rejected because the caller is not the management account of an organization.")
    return ob


def gd_enable(self):
    admin = self._get_param("adminAccountId")
    ob = _gd_org(self)
    if admin == self.current_account:
        raise GdBadRequest("The request is rejected because the management account cannot be the delegated administrator.")
    if not any(a.id == admin for a in ob.accounts):
        raise GdBadRequest(f"The request is rejected because {admin} is not a member of the organization.")
    if not any(s["ServicePrincipal"] == GD for s in ob.services):
        raise GdBadRequest("The request is rejected because trusted access for GuardDuty is not enabled in AWS Organizations.")
    others = [a.account.id for a in ob.admins if GD in a.services and a.account.id != admin]
    if others:
        raise GdBadRequest(f"The request is rejected because {others[0]} is the delegated administrator: it must be the same account in every Region.")
    backend = self.guardduty_backend
    if backend.admin_account_ids and admin not in backend.admin_account_ids:
        raise GdBadRequest("The request is rejected because this Region already has a delegated administrator.")
    if admin not in backend.admin_account_ids:
        backend.admin_account_ids.append(admin)
    # AWS enables GuardDuty (a detector) in the delegated administrator's account.
    own = gdm.guardduty_backends[admin][self.region]
    if not own.detectors:
        own.create_detector(True, "SIX_HOURS", {}, {}, [])
    # AWS: the first designation registers the account as the Organizations delegated administrator.
    if not any(a.account.id == admin and GD in a.services for a in ob.admins):
        ob.register_delegated_administrator(AccountId=admin, ServicePrincipal=GD)
    return "{}"


def gd_disable(self):
    admin = self._get_param("adminAccountId")
    _gd_org(self)
    backend = self.guardduty_backend
    if admin not in backend.admin_account_ids:
        raise GdBadRequest(f"The request is rejected because {admin} is not the delegated administrator in this Region.")
    backend.admin_account_ids.remove(admin)
    return "{}"


_gd_list = gdr.GuardDutyResponse.list_organization_admin_accounts


def gd_list(self):
    # AWS: "Only the organization's management account can run this API operation."
    _gd_org(self)
    return _gd_list(self)


gdr.GuardDutyResponse.list_organization_admin_accounts = gd_list
gdr.GuardDutyResponse.enable_organization_admin_account = gd_enable
gdr.GuardDutyResponse.disable_organization_admin_account = gd_disable


# --- R25: GuardDuty members and organization configuration of the delegated admin ------------

from moto.guardduty import models as gdm  # noqa: E402
from moto.guardduty import urls as gdu  # noqa: E402

GD_MEMBERS = {}  # (admin account, region) -> {member account: relationship status}
GD_AUTO = {}  # (admin account, region) -> autoEnableOrganizationMembers


def _gd_detector(resp):
    """The caller's detector named in the path; the caller must be the Region's GuardDuty admin."""
    detector = resp.path.split("/")[2]
    backend = gdm.guardduty_backends[resp.current_account][resp.region]
    if detector not in backend.detectors:
        raise GdBadRequest(f"The request is rejected because the input detectorId {detector} is not owned by the current account.")
    master = om.organizations_backends.master_accounts.get(resp.current_account)
    admins = gdm.guardduty_backends[master[0]][resp.region].admin_account_ids if master else []
    if resp.current_account not in admins:
        raise GdBadRequest("The request is rejected because the current account is not the GuardDuty delegated administrator in this Region.")
    return (resp.current_account, resp.region)


def _gd_body(resp):
    try:
        return json.loads(resp.body or "{}")
    except ValueError:
        return {}


def gd_create_members(self):
    key = _gd_detector(self)
    master = om.organizations_backends.master_accounts[self.current_account]
    ob = om.organizations_backends[master[0]][master[1]]
    members = GD_MEMBERS.setdefault(key, {})
    unprocessed = []
    for d in _gd_body(self).get("accountDetails", []):
        acct = d.get("accountId")
        if any(a.id == acct for a in ob.accounts) and acct != self.current_account:
            members[acct] = "Enabled"  # organization members are associated at once
        else:
            unprocessed.append({"accountId": acct, "result": "The account is not a member of the organization."})
    return json.dumps({"unprocessedAccounts": unprocessed})


def gd_list_members(self):
    key = _gd_detector(self)
    only = (self.querystring.get("onlyAssociated", ["true"])[0] or "true").lower() != "false"
    members = [{"accountId": a, "detectorId": self.path.split("/")[2], "email": f"{a}@example.com", "relationshipStatus": st, "administratorId": key[0], "updatedAt": "2026-01-01T00:00:00Z"}
               for a, st in sorted(GD_MEMBERS.get(key, {}).items()) if not only or st == "Enabled"]
    return json.dumps({"members": members})


def gd_disassociate_members(self):
    key = _gd_detector(self)
    members = GD_MEMBERS.setdefault(key, {})
    for a in _gd_body(self).get("accountIds", []):
        if a in members:
            members[a] = "Removed"
    return json.dumps({"unprocessedAccounts": []})


def gd_delete_members(self):
    key = _gd_detector(self)
    members = GD_MEMBERS.setdefault(key, {})
    unprocessed = []
    for a in _gd_body(self).get("accountIds", []):
        if members.get(a) == "Enabled":
            # AWS: a member must be disassociated before it is deleted.
            unprocessed.append({"accountId": a, "result": "The account must be disassociated first."})
        else:
            members.pop(a, None)
    return json.dumps({"unprocessedAccounts": unprocessed})


def gd_update_org_config(self):
    key = _gd_detector(self)
    body = _gd_body(self)
    value = body.get("autoEnableOrganizationMembers") or ("NEW" if body.get("autoEnable") else "NONE")
    if value not in ("NEW", "ALL", "NONE"):
        raise GdBadRequest(f"The request is rejected because autoEnableOrganizationMembers {value} is not NEW, ALL or NONE.")
    GD_AUTO[key] = value
    return "{}"


def gd_describe_org_config(self):
    key = _gd_detector(self)
    value = GD_AUTO.get(key, "NONE")
    return json.dumps({"autoEnable": value != "NONE", "autoEnableOrganizationMembers": value, "memberAccountLimitReached": False})


gdu.url_paths["{0}/detector/(?P<detector_id>[^/]+)/member$"] = gdr.GuardDutyResponse.dispatch
gdu.url_paths["{0}/detector/(?P<detector_id>[^/]+)/member/disassociate$"] = gdr.GuardDutyResponse.dispatch
gdu.url_paths["{0}/detector/(?P<detector_id>[^/]+)/member/delete$"] = gdr.GuardDutyResponse.dispatch
gdu.url_paths["{0}/detector/(?P<detector_id>[^/]+)/admin$"] = gdr.GuardDutyResponse.dispatch
gdr.GuardDutyResponse.create_members = gd_create_members
gdr.GuardDutyResponse.list_members = gd_list_members
gdr.GuardDutyResponse.disassociate_members = gd_disassociate_members
gdr.GuardDutyResponse.delete_members = gd_delete_members
gdr.GuardDutyResponse.update_organization_configuration = gd_update_org_config
gdr.GuardDutyResponse.describe_organization_configuration = gd_describe_org_config


# --- R13: Inspector's delegated administrator (per Region) -------------------------------------

from moto.inspector2 import responses as i2r  # noqa: E402

I2 = "inspector2.amazonaws.com"


class I2Validation(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("ValidationException", message)


def _i2_org(resp):
    ob = om.organizations_backends[resp.current_account][resp.partition]
    if ob.org is None:
        raise I2Validation("Only the management account of an organization can designate a delegated administrator.")
    return ob


def i2_enable(self):
    admin = self._get_param("delegatedAdminAccountId")
    ob = _i2_org(self)
    if admin == self.current_account:
        raise I2Validation("The management account cannot be the delegated administrator.")
    if not any(a.id == admin for a in ob.accounts):
        raise I2Validation(f"{admin} is not a member of the organization.")
    others = [a.account.id for a in ob.admins if I2 in a.services and a.account.id != admin]
    if others:
        raise err("ConflictException", f"{others[0]} is the delegated administrator: it must be the same account in every Region.")
    backend = self.inspector2_backend
    current = [k for k, v in backend.admin_accounts.items() if v == "ENABLED"]
    if current and admin not in current:
        raise err("ConflictException", "This Region already has a delegated administrator.")
    backend.admin_accounts[admin] = "ENABLED"
    # AWS: the Inspector designation enables trusted access and registers the Organizations DA.
    if not any(s["ServicePrincipal"] == I2 for s in ob.services):
        ob.enable_aws_service_access(ServicePrincipal=I2)
    if not any(a.account.id == admin and I2 in a.services for a in ob.admins):
        ob.register_delegated_administrator(AccountId=admin, ServicePrincipal=I2)
    return json.dumps({"delegatedAdminAccountId": admin})


def i2_disable(self):
    admin = self._get_param("delegatedAdminAccountId")
    _i2_org(self)
    backend = self.inspector2_backend
    if backend.admin_accounts.get(admin) != "ENABLED":
        raise err("ResourceNotFoundException", f"{admin} is not the delegated administrator in this Region.")
    # AWS lists ENABLED or DISABLE_IN_PROGRESS; a disabled admin is no longer listed (moto: "DISABLED").
    del backend.admin_accounts[admin]
    return json.dumps({"delegatedAdminAccountId": admin})


i2r.Inspector2Response.enable_delegated_admin_account = i2_enable
i2r.Inspector2Response.disable_delegated_admin_account = i2_disable


# --- R14: Macie and Security Hub delegated administrators (per Region) --------------------------
# moto has no Macie Disable (HTTP 500) and no Security Hub List/Disable (HTTP 404): the launcher
# keeps the per-Region admin state itself, with the rules of R12/R13 and each service's errors.

from moto.macie2 import responses as m2r  # noqa: E402
from moto.macie2 import urls as m2u  # noqa: E402
from moto.securityhub import responses as shr  # noqa: E402
from moto.securityhub import urls as shu  # noqa: E402

shu.url_paths["{0}/organization/admin/disable$"] = shr.SecurityHubResponse.dispatch
shu.url_paths["{0}/organization/admin$"] = shr.SecurityHubResponse.dispatch
ADMINS = {}  # (service, management account, region) -> {account: status}


def _native_enable(resp, service, principal, admin, error):
    ob = om.organizations_backends[resp.current_account][resp.partition]
    if ob.org is None:
        raise error("Only the management account of an organization can designate a delegated administrator.")
    if not any(a.id == admin for a in ob.accounts):
        raise error(f"{admin} is not a member of the organization.")
    others = [a.account.id for a in ob.admins if principal in a.services and a.account.id != admin]
    if others:
        raise error(f"{others[0]} is the delegated administrator: it must be the same account in every Region.")
    state = ADMINS.setdefault((service, resp.current_account, resp.region), {})
    if state and admin not in state:
        raise error("This Region already has a delegated administrator.")
    state[admin] = "ENABLED"
    if admin != resp.current_account:
        if not any(s["ServicePrincipal"] == principal for s in ob.services):
            ob.enable_aws_service_access(ServicePrincipal=principal)
        if not any(a.account.id == admin and principal in a.services for a in ob.admins):
            ob.register_delegated_administrator(AccountId=admin, ServicePrincipal=principal)


def _native_disable(resp, service, admin, error):
    state = ADMINS.setdefault((service, resp.current_account, resp.region), {})
    if admin not in state:
        raise error(f"{admin} is not the delegated administrator in this Region.")
    del state[admin]


class MacieValidation(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("ValidationException", message)


class HubInvalidInput(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("InvalidInputException", message)


def macie_enable(self):
    _native_enable(self, "macie", "macie.amazonaws.com", self._get_param("adminAccountId"), MacieValidation)
    return "{}"


def macie_list(self):
    state = ADMINS.get(("macie", self.current_account, self.region), {})
    return json.dumps({"adminAccounts": [{"accountId": a, "status": s} for a, s in state.items()]})


def macie_disable(self):
    _native_disable(self, "macie", self._get_param("adminAccountId"), MacieValidation)
    return "{}"


def hub_enable(self):
    _native_enable(self, "securityhub", "securityhub.amazonaws.com", json.loads(self.body or "{}").get("AdminAccountId"), HubInvalidInput)
    return "{}"


def hub_list(self):
    # AWS: "Can only be called by the organization management account."
    if om.organizations_backends[self.current_account][self.partition].org is None:
        raise JsonRESTError("InvalidAccessException", "Only the organization management account can list Security Hub administrators.")
    state = ADMINS.get(("securityhub", self.current_account, self.region), {})
    return json.dumps({"AdminAccounts": [{"AccountId": a, "Status": s} for a, s in state.items()]})


def hub_disable(self):
    _native_disable(self, "securityhub", json.loads(self.body or "{}").get("AdminAccountId"), HubInvalidInput)
    return "{}"


m2r.MacieResponse.enable_organization_admin_account = macie_enable
m2r.MacieResponse.list_organization_admin_accounts = macie_list
m2r.MacieResponse.disable_organization_admin_account = macie_disable
shr.SecurityHubResponse.enable_organization_admin_account = hub_enable
shr.SecurityHubResponse.list_organization_admin_accounts = hub_list
shr.SecurityHubResponse.disable_organization_admin_account = hub_disable


# --- R15: CloudTrail's delegated administrator (org-wide) ---------------------------------------

from moto.cloudtrail import responses as ctr  # noqa: E402

CT = "cloudtrail.amazonaws.com"


def _ct_params(resp):
    try:
        return json.loads(resp.body or "{}")
    except ValueError:
        return {}


def ct_register(self):
    admin = _ct_params(self).get("MemberAccountId")
    ob = om.organizations_backends[self.current_account][self.partition]
    if ob.org is None:
        raise JsonRESTError("NotOrganizationManagementAccountException", "This operation can be called only from the organization's management account.")
    if admin == self.current_account:
        raise JsonRESTError("CannotDelegateManagementAccountException", "You cannot register the management account as a delegated administrator.")
    if not any(a.id == admin for a in ob.accounts):
        raise JsonRESTError("AccountNotFoundException", f"{admin} is not a member of the organization.")
    if not any(s["ServicePrincipal"] == CT for s in ob.services):
        raise JsonRESTError("CloudTrailAccessNotEnabledException", "Trusted access for CloudTrail is not enabled in AWS Organizations.")
    current = [a.account.id for a in ob.admins if CT in a.services]
    if admin in current:
        raise JsonRESTError("AccountRegisteredException", f"{admin} is already a delegated administrator.")
    if len(current) >= 3:
        raise JsonRESTError("DelegatedAdminAccountLimitExceededException", "CloudTrail allows at most 3 delegated administrators.")
    ob.register_delegated_administrator(AccountId=admin, ServicePrincipal=CT)
    return "{}"


def ct_deregister(self):
    admin = _ct_params(self).get("DelegatedAdminAccountId")
    ob = om.organizations_backends[self.current_account][self.partition]
    if ob.org is None:
        raise JsonRESTError("NotOrganizationManagementAccountException", "This operation can be called only from the organization's management account.")
    if not any(a.account.id == admin and CT in a.services for a in ob.admins):
        raise JsonRESTError("AccountNotRegisteredException", f"{admin} is not a delegated administrator.")
    ob.deregister_delegated_administrator(AccountId=admin, ServicePrincipal=CT)
    return "{}"


ctr.CloudTrailResponse.register_organization_delegated_admin = ct_register
ctr.CloudTrailResponse.deregister_organization_delegated_admin = ct_deregister


# --- R16: VPC IPAM's delegated administrator (EC2 API; moto: absent) ----------------------------

from moto.ec2.exceptions import EC2ClientError  # noqa: E402
from moto.ec2.responses import EC2Response  # noqa: E402

IPAM = "ipam.amazonaws.com"


def ipam_enable(self):
    admin = self._get_param("DelegatedAdminAccountId")
    ob = om.organizations_backends[self.current_account][self.partition]
    # Error codes other than IpamOrganizationAccountNotRegistered are not documented by AWS;
    # these are plausible stand-ins (the rules themselves are documented).
    if ob.org is None:
        raise EC2ClientError("UnauthorizedOperation", "Only the management account of an organization can delegate IPAM.")
    if admin == self.current_account:
        raise EC2ClientError("InvalidParameterValue", "The management account cannot be the IPAM delegated administrator.")
    if not any(a.id == admin for a in ob.accounts):
        raise EC2ClientError("InvalidParameterValue", f"{admin} is not a member of the organization.")
    others = [a.account.id for a in ob.admins if IPAM in a.services and a.account.id != admin]
    if others:
        raise EC2ClientError("InvalidParameterValue", f"{others[0]} is already the IPAM delegated administrator.")
    # AWS: this call enables trusted access for IPAM and creates its service-linked role;
    # EnableAWSServiceAccess must not be used for IPAM.
    if not any(s["ServicePrincipal"] == IPAM for s in ob.services):
        ob.enable_aws_service_access(ServicePrincipal=IPAM)
    if not others and not any(a.account.id == admin and IPAM in a.services for a in ob.admins):
        ob.register_delegated_administrator(AccountId=admin, ServicePrincipal=IPAM)
    return ActionResult({"Success": True})


def ipam_disable(self):
    admin = self._get_param("DelegatedAdminAccountId")
    ob = om.organizations_backends[self.current_account][self.partition]
    if ob.org is None:
        raise EC2ClientError("UnauthorizedOperation", "Only the management account of an organization can delegate IPAM.")
    if not any(a.account.id == admin and IPAM in a.services for a in ob.admins):
        raise EC2ClientError("IpamOrganizationAccountNotRegistered", f"{admin} is not the IPAM delegated administrator.")
    ob.deregister_delegated_administrator(AccountId=admin, ServicePrincipal=IPAM)
    return ActionResult({"Success": True})


EC2Response.enable_ipam_organization_admin_account = ipam_enable
EC2Response.disable_ipam_organization_admin_account = ipam_disable


# --- R17: Amazon Detective's administrator (REST-JSON; moto: absent) -----------------------------
# --- R18: AWS Firewall Manager's default administrator (RPC v2 CBOR; moto: absent) ---------------

import cbor2  # noqa: E402
from moto.iam.models import get_account_id_from  # noqa: E402

DETECTIVE = "detective.amazonaws.com"
FMS = "fms.amazonaws.com"
FMS_ADMIN = {}  # management account -> {"admin": id, "since": time}


class Reply(Exception):
    def __init__(self, status, code, message):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _caller(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    try:
        cred = auth.split("Credential=")[1].split(",")[0].split("/")
    except IndexError:
        return None, None, None
    return get_account_id_from(cred[0]), cred[2], cred[3]


def _org_of(acct):
    """(management account, its Organizations backend, caller is management)."""
    own = om.organizations_backends[acct]["aws"]
    if own.org is not None:
        return acct, own, True
    master = om.organizations_backends.master_accounts.get(acct)
    if master is None:
        return None, None, False
    return master[0], om.organizations_backends[master[0]][master[1]], False


def _enable_side_effects(ob, admin, principal):
    if not any(x["ServicePrincipal"] == principal for x in ob.services):
        ob.enable_aws_service_access(ServicePrincipal=principal)
    if not any(a.account.id == admin and principal in a.services for a in ob.admins):
        ob.register_delegated_administrator(AccountId=admin, ServicePrincipal=principal)


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


def native_app(environ, start_response):
    """Serves Detective and Firewall Manager requests, or returns None for moto's."""
    acct, region, service = _caller(environ)
    path = environ.get("PATH_INFO", "")
    if service == "detective":
        req = Request(environ)
        try:
            with LOCK:
                out = detective(acct, region, path, json.loads(req.get_data() or b"{}"))
            return Response(json.dumps(out), mimetype="application/json")(environ, start_response)
        except Reply as e:
            return Response(json.dumps({"message": e.message}), status=e.status, headers={"x-amzn-ErrorType": e.code}, mimetype="application/json")(environ, start_response)
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


# --- R7: pages of at most 20 ------------------------------------------------------------------

LISTS = {
    "list_accounts": "Accounts",
    "list_accounts_for_parent": "Accounts",
    "list_organizational_units_for_parent": "OrganizationalUnits",
    "list_children": "Children",
    "list_roots": "Roots",
    "list_delegated_administrators": "DelegatedAdministrators",
    "list_delegated_services_for_account": "DelegatedServices",
    "list_aws_service_access_for_organization": "EnabledServicePrincipals",
    "list_create_account_status": "CreateAccountStatuses",
    "list_policies": "Policies",
    "list_policies_for_target": "Policies",
    "list_targets_for_policy": "Targets",
}
R = orsp.OrganizationsResponse


def _token(n):
    return base64.urlsafe_b64encode(json.dumps({"o": n}).encode()).decode()


def _offset(token):
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except Exception:
        raise err("InvalidInputException", "The NextToken value is not valid.", Reason="INVALID_NEXT_TOKEN")


def paged(name, key):
    orig = getattr(R, name)

    def handler(self):
        params = self.request_params
        size = params.get("MaxResults") or 20
        if not isinstance(size, int) or size < 1 or size > 20:
            raise err("InvalidInputException", "MaxResults must be between 1 and 20.", Reason="INVALID_INPUT")
        token = params.get("NextToken")
        start = _offset(token) if token else 0
        params = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
        if name in ("list_accounts", "list_accounts_for_parent", "list_organizational_units_for_parent", "list_policies", "list_policies_for_target"):
            params["MaxResults"] = 10**6
        self.body = json.dumps(params)
        full = json.loads(orig(self))
        items = full.get(key) or []
        full.pop("NextToken", None)
        if KNOBS["empty_pages"] and not token and items:
            full[key] = []
            full["NextToken"] = _token(0)
            return json.dumps(full)
        full[key] = items[start:start + size]
        if start + size < len(items):
            full["NextToken"] = _token(start + size)
        return json.dumps(full)

    handler.__name__ = name
    return handler


for _n, _k in LISTS.items():
    setattr(R, _n, paged(_n, _k))


# --- R8: who may call what ------------------------------------------------------------------

ANY_MEMBER = {"DescribeOrganization", "DescribeEffectivePolicy", "DescribeHandshake", "ListHandshakesForAccount", "LeaveOrganization", "AcceptHandshake", "DeclineHandshake"}


def _backend_prop(self):
    target = getattr(self, "_orgctl_backend_account", None) or self.current_account
    return om.organizations_backends[target][self.partition]


R.organizations_backend = property(_backend_prop)
_orig_call_action = R.call_action


def _throttle():
    n = int(KNOBS["throttle_every"] or 0)
    if n <= 0:
        return
    with LOCK:
        COUNTER["n"] += 1
        hit = COUNTER["n"] % n == 0
    if hit:
        raise err("TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress. Try again later.", Type="TooManyRequests")


def _access(self, action):
    acct = self.current_account
    own = om.organizations_backends[acct][self.partition]
    if own.org is not None or action in ANY_MEMBER or action == "CreateOrganization":
        return
    master = om.organizations_backends.master_accounts.get(acct)
    if master is None:
        return  # not in an organization: moto's own errors apply
    mb = om.organizations_backends[master[0]][master[1]]
    is_admin = any(a.account.id == acct and a.services for a in mb.admins)
    if (action.startswith("List") or action.startswith("Describe")) and (is_admin or _grants(mb, acct, action, None)):
        self._orgctl_backend_account = master[0]
        return
    if action in ("TagResource", "UntagResource") and _grants(mb, acct, action, None):
        self._orgctl_backend_account = master[0]
        return
    tags_ok = action != "CreatePolicy" or not self.request_params.get("Tags") or _grants(mb, acct, "TagResource", None)
    if action in POLICY_WRITES and tags_ok and _grants(mb, acct, action, _request_policy_type(self, action, mb)):
        # A policy write the delegation policy grants this member account (orgs_delegate_policies).
        self._orgctl_backend_account = master[0]
        return
    raise err("AccessDeniedException", f"You don't have permissions to access this resource. Account {acct} is not the management account or a delegated administrator, or the action {action} is reserved to the management account.")


def call_action(self):
    action = self._get_action()
    with LOCK:
        STATS[action] = STATS.get(action, 0) + 1
    try:
        _throttle()
        _access(self, action)
        backend = self.organizations_backend
        if backend.org is not None:
            tick(backend)
            tick_policy_types(backend)
    except ServiceException as e:
        status, headers, body = self.serialized(ActionResult(e))
        return status, headers, body
    return _orig_call_action(self)


R.call_action = call_action


import emulator_sso  # noqa: E402,F401  (R19-R24: Identity Center)


# --- server ---------------------------------------------------------------------------------

def control_app(inner):
    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/orgctl-emulator/stats":
            with LOCK:
                body = json.dumps({"organizations": STATS, "total": sum(STATS.values()), "sso": emulator_sso.stats()})
            return Response(body, mimetype="application/json")(environ, start_response)
        if path == "/orgctl-emulator/stats/reset" and environ["REQUEST_METHOD"] == "POST":
            with LOCK:
                STATS.clear()
                emulator_sso.reset_stats()
            return Response("{}", mimetype="application/json")(environ, start_response)
        if path == "/orgctl-emulator/config" and environ["REQUEST_METHOD"] == "POST":
            req = Request(environ)
            KNOBS.update({k: v for k, v in json.loads(req.get_data() or b"{}").items() if k in KNOBS})
            return Response(json.dumps(KNOBS), mimetype="application/json")(environ, start_response)
        served = native_app(environ, start_response)
        if served is not None:
            return served
        return inner(environ, start_response)

    return app


class QuietHandler(MotoRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--create-delay", type=float, default=KNOBS["create_delay"], help="seconds a CreateAccount request stays IN_PROGRESS")
    ap.add_argument("--throttle-every", type=int, default=0)
    ap.add_argument("--empty-pages", action="store_true")
    ap.add_argument("--sso-region", default=KNOBS["sso_region"], help="IAM Identity Center home Region (where the organization instance lives)")
    a = ap.parse_args()
    KNOBS.update(create_delay=a.create_delay, throttle_every=a.throttle_every, empty_pages=a.empty_pages, sso_region=a.sso_region)
    app = control_app(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", a.port, app, threaded=True, request_handler=QuietHandler)
    print(f"ORGCTL_EMULATOR_URL=http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
