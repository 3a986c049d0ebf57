"""What every rule group shares: the run-time knobs, the lock, the Organizations request counts,
the per-Region admin state of the services moto lacks, error helpers, orgctl's delegation
catalog, the helpers of the services the emulator serves itself (`Reply`, `_caller`, `_org_of`,
`_enable_side_effects`), the DISABLE_IN_PROGRESS clock of R39 (`begin_disable`, `settle`), the
new-account clock of R40 (`account_ready`, `lagging`) and the Organizations deregistration hooks
(`ON_DEREGISTER`, used by R38).

Rules (Organizations, API reference https://docs.aws.amazon.com/organizations/latest/APIReference/):
  R31 Error details as AWS sends them: the reason of a ConstraintViolationException or an
      InvalidInputException travels only in its Reason member; the message is AWS's sentence for
      that reason (the botocore error documentation) and never contains the reason code (moto's
      style, and this emulator's until issue 11, appended " (REASON)"); MaxResults out of range ->
      InvalidInputException MIN_VALUE_EXCEEDED / MAX_VALUE_EXCEEDED (INVALID_INPUT is no AWS reason)
                 (ConstraintViolationException, InvalidInputException; botocore
                  ConstraintViolationExceptionReason / InvalidInputExceptionReason)

No moto patch is made here: the catalog is read (it feeds R5, R6 and R10), and so is
data/policy-types.yaml (the per-type rules of Organizations policies: R11's sizes, R35-R37 in
policy_rules.py); nothing is installed.
"""

import os
import threading
import time

import yaml

from moto.iam.models import get_account_id_from
from moto.organizations import exceptions as oe
from moto.organizations import models as om

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CATALOG = os.path.join(ROOT, "data", "delegation-catalog.yaml")
POLICY_TYPES_FILE = os.path.join(ROOT, "data", "policy-types.yaml")

# Run-time knobs (command line, POST /orgctl-emulator/config).
KNOBS = {"create_delay": 0.5, "throttle_every": 0, "empty_pages": False, "policy_type_delay": 0.3, "sso_region": "us-east-1",
         "throttle_rate": 0.0, "throttle_seed": 1, "throttle_services": [], "cme_rate": 0.0,  # R28, R29 (faults.py)
         "ic_check_customer_policies": True,  # R34 (sso/assignments.py)
         "ic_role_conflicts": True,  # R42 (sso/assignments.py)
         "disable_delay": 0.3,  # R39: seconds a disabled regional admin stays DISABLE_IN_PROGRESS
         "new_account_lag": 0.0}  # R40 (newaccounts.py): seconds a new account is not usable; 0 = off
STATS = {}  # Organizations requests served, per operation (GET /orgctl-emulator/stats)
LOCK = threading.Lock()
COUNTER = {"n": 0}  # Organizations requests seen by the throttling knob
ADMINS = {}  # (service, management account, region) -> {account: status}  (R14 Macie/Security Hub, R17 Detective)

DETECTIVE = "detective.amazonaws.com"
DELAY_KNOBS = ("disable_delay", "new_account_lag")  # R39, R40: seconds, >= 0

# R38: principal -> functions f(management account, account) run after Organizations'
# DeregisterDelegatedAdministrator removed that account for that principal.
ON_DEREGISTER = {}

B = om.OrganizationsBackend


def err(code, message, **fields):
    """An Organizations error with extra modelled members (e.g. Reason)."""
    e = oe.OrganizationsClientError(code, message)
    for k, v in fields.items():
        setattr(e, k, v)
    return e


# R31: the message of a ConstraintViolationException as AWS words it (botocore
# ConstraintViolationException documentation, one sentence per reason); the reason code itself
# travels only in the Reason member, never in the message.
CONSTRAINT_TEXT = {
    "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED": "You attempted to exceed the number of accounts that can be in progress at a time.",
    "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR": "You attempted to register the management account of the organization as a delegated administrator for an Amazon Web Services service integrated with Organizations. You can designate only a member account as a delegated administrator.",
    "MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED": "You attempted to register more delegated administrators than allowed for the service principal.",
    "MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED": "You attempted to exceed the number of policies of a certain type that can be attached to an entity at one time.",
    "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED": "You attempted to detach a policy from an entity that would cause the entity to have fewer than the minimum number of policies of a certain type required.",
    "POLICY_CONTENT_LIMIT_EXCEEDED": "You attempted to create a policy that is larger than the maximum size.",
    "SERVICE_ACCESS_NOT_ENABLED": "You attempted to register a delegated administrator before you enabled service access. Call the EnableAWSServiceAccess API first.",
    "MAX_TAG_LIMIT_EXCEEDED": "You have exceeded the number of tags allowed on this resource.",  # R36
    "POLICY_TYPE_ENABLED_FOR_THIS_SERVICE": "You attempted to disable service access before you disabled the policy type (for example, SECURITYHUB_POLICY). To complete this operation, you must first disable the policy type.",  # R37
}
# A reason whose sentence depends on the operation (botocore documents two sentences for
# SERVICE_ACCESS_NOT_ENABLED: RegisterDelegatedAdministrator's above, EnablePolicyType's here, R37).
CONSTRAINT_TEXT_FOR = {
    ("SERVICE_ACCESS_NOT_ENABLED", "EnablePolicyType"): "You attempted to enable a policy type before you enabled service access. Call the EnableAWSServiceAccess API first.",
}
# R31 for InvalidInputException: AWS's sentence per reason (botocore InvalidInputException documentation).
INPUT_TEXT = {
    "INVALID_SYSTEM_TAGS_PARAMETER": "You specified a tag key that is a system tag. You can’t add, edit, or delete system tag keys because they're reserved for Amazon Web Services use. System tags don’t count against your tags per resource limit.",  # R36
    "NON_DETACHABLE_POLICY": "You can't detach this Amazon Web Services Managed Policy.",  # R36
}


def constraint(reason, message=None, operation=None):
    """A ConstraintViolationException: the reason in the Reason member only (R31); `operation`
    picks the sentence of a reason AWS words per operation (CONSTRAINT_TEXT_FOR)."""
    text = message or CONSTRAINT_TEXT_FOR.get((reason, operation)) or CONSTRAINT_TEXT[reason]
    return err("ConstraintViolationException", text, Reason=reason)


def invalid_input(reason, message=None):
    """An InvalidInputException with its Reason member and AWS's sentence (R31)."""
    return err("InvalidInputException", message or INPUT_TEXT[reason], Reason=reason)


def _as_list(v):
    return v if isinstance(v, list) else [v]


# --- orgctl's catalog (R5 limits, R6 principals) ----------------------------------------------

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


# --- data/policy-types.yaml (R11 sizes, R35-R37) -----------------------------------------------

def load_policy_types():
    """{policy type: its rules}, [inheritance operators] from data/policy-types.yaml (the file
    orgctl's catalog mirrors; its header explains each field)."""
    with open(POLICY_TYPES_FILE) as f:
        data = yaml.safe_load(f)
    return dict(data["types"]), list(data.get("operators") or [])


POLICY_RULES, POLICY_OPERATORS = load_policy_types()


def _internal(fn):
    """Marks moto's own calls (R11: moto attaches its default policies to new OUs and accounts
    through attach_policy; those calls skip R11's request checks)."""
    def wrapper(self, *a, **kw):
        self._orgctl_internal = getattr(self, "_orgctl_internal", 0) + 1
        try:
            return fn(self, *a, **kw)
        finally:
            self._orgctl_internal -= 1
    return wrapper


# --- services served by the emulator itself (native.py, securitylake.py) ----------------------

class Reply(Exception):
    """An error of a service the emulator serves itself; `fields` are extra modelled members of
    the error body (e.g. Security Lake's errorCode)."""

    def __init__(self, status, code, message, **fields):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


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


def check_delays(new):
    """The error text for an invalid R39/R40 knob in a config request, or None."""
    for k in DELAY_KNOBS:
        if k in new and (not isinstance(new[k], (int, float)) or isinstance(new[k], bool) or new[k] < 0):
            return f"{k} must be a number of seconds >= 0"
    return None


# --- R39: a disabled regional admin stays DISABLE_IN_PROGRESS for disable_delay seconds --------

DISABLING = {}  # (service, management account, region) -> {account: time it stops being listed}


def begin_disable(service, mgmt, region, state, account):
    """R39: `account` (in `state`, {account: status}) turns DISABLE_IN_PROGRESS, and is dropped
    disable_delay seconds later (at once when the knob is 0)."""
    delay = float(KNOBS["disable_delay"] or 0)
    if delay <= 0:
        state.pop(account, None)
        return
    state[account] = "DISABLE_IN_PROGRESS"
    DISABLING.setdefault((service, mgmt, region), {})[account] = time.time() + delay


def settle(service, mgmt, region, state):
    """R39: drops from `state` the admins whose DISABLE_IN_PROGRESS is over; returns the accounts
    still DISABLE_IN_PROGRESS."""
    pending, now = DISABLING.get((service, mgmt, region), {}), time.time()
    for account, until in list(pending.items()):
        if until <= now:
            del pending[account]
            if state.get(account) == "DISABLE_IN_PROGRESS":
                del state[account]
    return sorted(a for a, st in state.items() if st == "DISABLE_IN_PROGRESS")


# --- R40: a new account is not usable for new_account_lag seconds ------------------------------

READY = {}  # account -> time its CreateAccount request turned SUCCEEDED (organizations.py, R4)
LAGGED = {}  # "service:Operation" -> refusals (GET /orgctl-emulator/stats, "new_account_lag")
LAG_LOCK = threading.Lock()


def account_ready(account, when):
    READY[account] = when


def lagging(account, operation):
    """R40: True, and counted under `operation`, while `account` was created less than
    new_account_lag seconds ago."""
    lag = float(KNOBS["new_account_lag"] or 0)
    since = READY.get(account)
    if lag <= 0 or since is None or time.time() - since >= lag:
        return False
    with LAG_LOCK:
        LAGGED[operation] = LAGGED.get(operation, 0) + 1
    return True


def lag_stats(reset=False):
    with LAG_LOCK:
        out = dict(LAGGED)
        if reset:
            LAGGED.clear()
    return out
