"""Organizations: OUs, accounts and delegated administrators (moto's backend, patched).

Rules (Organizations, API reference https://docs.aws.amazon.com/organizations/latest/APIReference/):
  R1  CreateOrganizationalUnit: duplicate name under one parent -> DuplicateOrganizationalUnitException;
      unknown parent -> ParentNotFoundException                       (API_CreateOrganizationalUnit)
  R2  DeleteOrganizationalUnit: OU with accounts or child OUs -> OrganizationalUnitNotEmptyException
                                                                       (API_DeleteOrganizationalUnit)
  R32 (a) A deleted OU is no longer a target of any policy: ListTargetsForPolicy of every policy,
      FullAWSAccess included, stops listing it (moto kept it)
                 (API_DeleteOrganizationalUnit; API_ListTargetsForPolicy; aws-api-facts.md)
      (b, c: GuardDuty, guardduty.py)
  R3  MoveAccount: wrong source parent -> SourceParentNotFoundException; destination is the
      current parent -> DuplicateAccountException                     (API_MoveAccount)
  R4  CreateAccount is asynchronous (IN_PROGRESS, then SUCCEEDED/FAILED after --create-delay);
      an email already in use -> request FAILED with EMAIL_ALREADY_EXISTS
                                (API_CreateAccount, API_CreateAccountStatus, API_DescribeCreateAccountStatus)
  R30 At most 5 account creations IN_PROGRESS per organization: a CreateAccount beyond them ->
      ConstraintViolationException ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED (nothing is created, no
      request recorded); a request that completed (SUCCEEDED or FAILED) frees its place
                 (orgs_reference_limits, the 2023 page: concurrent account creations 5 [as quoted
                  by aws-api-facts.md §3]; API_CreateAccount; botocore ConstraintViolationExceptionReason
                  "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED: You attempted to exceed the number of
                  accounts that can be in progress at a time")
  R5  RegisterDelegatedAdministrator without trusted access -> ConstraintViolationException
      SERVICE_ACCESS_NOT_ENABLED; more admins than the service allows ->
      MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED; management account ->
      CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR               (API_RegisterDelegatedAdministrator)
  R6  Every principal of orgctl's catalog is accepted for trusted access and delegation
      (moto knows 6 delegation principals)          (orgs_integrate_services_list; data/delegation-catalog.yaml)
  R9  DeregisterDelegatedAdministrator of an account not registered for that service ->
      AccountNotRegisteredException (moto: InvalidInputException)    (API_DeregisterDelegatedAdministrator)
      Deregistering Detective's DA also removes it as Detective admin in every Region (R17);
      deregistering Security Hub's removes it in every Region and ends central configuration
      (R38, hub_central.py, through common.ON_DEREGISTER).
  R40 (part) The time a creation request turns SUCCEEDED is recorded (common.account_ready): for
      new_account_lag seconds after it the account is not usable (newaccounts.py has the rule).

install() patches moto's OrganizationsBackend; server.install() calls it first.
"""

import threading
import time
import uuid

from moto.organizations import exceptions as oe
from moto.organizations import models as om

from .common import ADMINS, DETECTIVE, KNOBS, MAX_ADMINS, ON_DEREGISTER, PRINCIPALS, TRUSTED_ONLY, B, _internal, account_ready, constraint, err

ORIG = {}  # moto's methods, captured by install()


# --- R1 / R2 -------------------------------------------------------------------------------

def create_organizational_unit(self, **kw):
    parent = kw.get("ParentId")
    if not any(o.id == parent for o in self.ou):
        raise err("ParentNotFoundException", "You specified parent that doesn't exist.")
    if any(o.parent_id == parent and o.name == kw.get("Name") and not isinstance(o, om.FakeRoot) for o in self.ou):
        raise err("DuplicateOrganizationalUnitException", "An OU with the same name already exists.")
    return ORIG["create_organizational_unit"](self, **kw)


def delete_organizational_unit(self, **kw):
    ou_id = kw["OrganizationalUnitId"]
    self.get_organizational_unit_by_id(ou_id)
    if any(a.parent_id == ou_id for a in self.accounts) or any(o.parent_id == ou_id for o in self.ou):
        raise err("OrganizationalUnitNotEmptyException", "The specified OU is not empty. Move all accounts to another root or OU and delete all child OUs, then try again.")
    out = ORIG["delete_organizational_unit"](self, **kw)
    # R32: the OU is no longer a target of any policy (moto keeps it in policy.attachments).
    for policy in self.policies:
        policy.attachments = [t for t in policy.attachments if t.id != ou_id]
    return out


# --- R3 ------------------------------------------------------------------------------------

def move_account(self, **kw):
    account = self.get_account_by_id(kw["AccountId"])
    self.validate_parent_id(kw["DestinationParentId"])
    if account.parent_id != kw["SourceParentId"]:
        raise err("SourceParentNotFoundException", "We can't find a source root or OU with the ParentId that you specified.")
    if account.parent_id == kw["DestinationParentId"]:
        raise err("DuplicateAccountException", "That account is already present in the specified destination.")
    return ORIG["move_account"](self, **kw)


# --- R4: asynchronous CreateAccount ----------------------------------------------------------

def _requests(self):
    if not hasattr(self, "_orgctl_requests"):
        self._orgctl_requests = {}
    return self._orgctl_requests


def _pending(self):
    """The requests still IN_PROGRESS (an index into _requests: a tick looks at these only)."""
    if not hasattr(self, "_orgctl_pending"):
        self._orgctl_pending = {}
    return self._orgctl_pending


TICK_LOCK = threading.Lock()


def tick(self):
    """Completes the creation requests whose time has come. The server is threaded: two
    requests ticking at once must not materialise one request twice."""
    with TICK_LOCK:
        _tick(self)


def _tick(self):
    now = time.time()
    pending = _pending(self)
    for rid, req in list(pending.items()):
        st = req["status"]
        if st["State"] != "IN_PROGRESS":
            del pending[rid]
            continue
        if req["due"] > now:
            continue
        del pending[rid]
        email = req["kwargs"]["Email"].lower()
        if any(a.email.lower() == email for a in self.accounts):
            st.update(State="FAILED", FailureReason="EMAIL_ALREADY_EXISTS", CompletedTimestamp=now)
            continue
        created = ORIG["create_account"](self, **req["kwargs"])["CreateAccountStatus"]
        st.update(State="SUCCEEDED", AccountId=created["AccountId"], CompletedTimestamp=now)
        account_ready(created["AccountId"], now)  # R40 counts the lag from here


MAX_CREATIONS_IN_PROGRESS = 5  # R30
# Not a rule (GET /orgctl-emulator/stats "account_creations", for the apply benchmark): the most
# creations IN_PROGRESS at once, and the CreateAccount calls R30 refused.
CREATION_STATS = {"peak_in_progress": 0, "refused": 0}


def creation_stats(reset=False):
    with TICK_LOCK:
        out = dict(CREATION_STATS)
        if reset:
            CREATION_STATS.update(peak_in_progress=0, refused=0)
    return out


def create_account(self, **kw):
    if self.org is None:
        raise oe.AWSOrganizationsNotInUseException
    rid = "car-" + uuid.uuid4().hex
    status = {"Id": rid, "AccountName": kw["AccountName"], "State": "IN_PROGRESS", "RequestedTimestamp": time.time()}
    with TICK_LOCK:  # two requests at once must not both pass R30's count
        _tick(self)
        if len(_pending(self)) >= MAX_CREATIONS_IN_PROGRESS:
            CREATION_STATS["refused"] += 1
            raise constraint("ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED")
        _requests(self)[rid] = _pending(self)[rid] = {"kwargs": kw, "due": time.time() + float(KNOBS["create_delay"]), "status": status}
        CREATION_STATS["peak_in_progress"] = max(CREATION_STATS["peak_in_progress"], len(_pending(self)))
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

def register_delegated_administrator(self, **kw):
    account_id, principal = kw["AccountId"], kw["ServicePrincipal"]
    if account_id == self.account_id:
        raise constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
    if principal not in PRINCIPALS and principal not in om.FakeDelegatedAdministrator.SUPPORTED_SERVICES:
        raise err("InvalidInputException", "You specified a service principal that isn't recognized.", Reason="UNRECOGNIZED_SERVICE_PRINCIPAL")
    self.get_account_by_id(account_id)
    if not any(s["ServicePrincipal"] == principal for s in self.services):
        raise constraint("SERVICE_ACCESS_NOT_ENABLED")
    current = [a for a in self.admins if principal in a.services]
    if any(a.account.id == account_id for a in current):
        raise oe.AccountAlreadyRegisteredException
    limit = MAX_ADMINS.get(principal)
    if limit is not None and len(current) >= limit:
        raise constraint("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED")
    return ORIG["register_delegated_administrator"](self, **kw)


def deregister_delegated_administrator(self, **kw):
    admin = next((a for a in self.admins if a.account.id == kw["AccountId"]), None)
    if admin is not None and kw["ServicePrincipal"] not in admin.services:
        raise oe.AccountNotRegisteredException
    ORIG["deregister_delegated_administrator"](self, **kw)
    # AWS lists an account as delegated administrator only while it has a service.
    self.admins = [a for a in self.admins if a.services]
    if kw["ServicePrincipal"] == DETECTIVE:
        # R17: removing Detective's Organizations DA removes it as Detective admin in every Region.
        for (svc, mgmt, _region), state in ADMINS.items():
            if svc == "detective" and mgmt == self.account_id:
                state.pop(kw["AccountId"], None)
    for hook in ON_DEREGISTER.get(kw["ServicePrincipal"], ()):
        hook(self.account_id, kw["AccountId"])  # R38: Security Hub's admin in every Region


def list_delegated_administrators(self, **kw):
    service = kw.get("ServicePrincipal")
    admins = [a for a in self.admins if a.services and (not service or service in a.services)]
    return {"DelegatedAdministrators": [a.describe() for a in admins]}


def install():
    # R6: the catalog's principals.
    om.FakeDelegatedAdministrator.SUPPORTED_SERVICES = sorted(set(om.FakeDelegatedAdministrator.SUPPORTED_SERVICES) | PRINCIPALS)
    om.FakeServiceAccess.TRUSTED_SERVICES = sorted(set(om.FakeServiceAccess.TRUSTED_SERVICES) | PRINCIPALS | TRUSTED_ONLY)
    for name in ("create_organizational_unit", "delete_organizational_unit", "move_account", "register_delegated_administrator",
                 "deregister_delegated_administrator"):
        ORIG[name] = getattr(B, name)
    # moto's own CreateAccount, called when a request completes, attaches moto's default policies:
    # marked internal for R11 (the single-file emulator wrapped it in its R11 section; no request
    # is served before every install() has run, so wrapping it here is the same).
    ORIG["create_account"] = _internal(B.create_account)
    B.create_organizational_unit = create_organizational_unit
    B.delete_organizational_unit = delete_organizational_unit
    B.move_account = move_account
    B.create_account = create_account
    B.describe_create_account_status = describe_create_account_status
    B.list_create_account_status = list_create_account_status
    B.register_delegated_administrator = register_delegated_administrator
    B.deregister_delegated_administrator = deregister_delegated_administrator
    B.list_delegated_administrators = list_delegated_administrators
