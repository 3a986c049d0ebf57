"""Who may call which Organizations operation, the throttling knob and the request counts.

Rules (Organizations, API reference https://docs.aws.amazon.com/organizations/latest/APIReference/):
  R8  A delegated administrator (any service) reads the organization like the management
      account; other member accounts get AccessDeniedException on List*/Describe* except
      DescribeOrganization; member accounts get AccessDeniedException on every write
                                      (orgs_integrate_delegated_admin; botocore operation docs)
      A member account the delegation policy (R10) grants policy actions may make them for the
      granted types (R11; orgs_delegate_policies).
Test knobs (not AWS rules): --throttle-every N answers every Nth Organizations request with
HTTP 400 TooManyRequestsException, as Organizations throttles; R28's throttle_rate does the same
for a seeded-random fraction of them, and R29's cme_rate answers a fraction of the writes with
ConcurrentModificationException (faults.py has both rules, their sources and the PRNG). Every
Organizations request is counted per operation in common.STATS (GET /orgctl-emulator/stats),
throttled or refused ones too. Each request also completes R4's account creations and R11's
policy-type enablements whose time has come.

install() replaces OrganizationsResponse.call_action and its organizations_backend property;
server.install() calls it last among the Organizations modules (after paging.install()).
"""

from moto.core.exceptions import ServiceException
from moto.core.responses import ActionResult
from moto.organizations import models as om
from moto.organizations import responses as orsp

from . import faults
from .common import COUNTER, KNOBS, LOCK, STATS, err
from .organizations import tick
from .policies import POLICY_WRITES, _request_policy_type, tick_policy_types
from .resource_policy import _grants

ANY_MEMBER = {"DescribeOrganization", "DescribeEffectivePolicy", "DescribeHandshake", "ListHandshakesForAccount", "LeaveOrganization", "AcceptHandshake", "DeclineHandshake"}
R = orsp.OrganizationsResponse
ORIG = {}  # moto's call_action, captured by install()


def _backend_prop(self):
    target = getattr(self, "_orgctl_backend_account", None) or self.current_account
    return om.organizations_backends[target][self.partition]


def _throttle():
    n = int(KNOBS["throttle_every"] or 0)
    hit = False
    if n > 0:
        with LOCK:
            COUNTER["n"] += 1
            hit = COUNTER["n"] % n == 0
        if hit:
            faults.count_throttled("organizations")
    if hit or faults.throttle("organizations"):
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
        if faults.concurrent_modification(action):
            # R29: refused before the write is made.
            raise err("ConcurrentModificationException", faults.CME_MESSAGE)
        backend = self.organizations_backend
        if backend.org is not None:
            tick(backend)
            tick_policy_types(backend)
    except ServiceException as e:
        status, headers, body = self.serialized(ActionResult(e))
        return status, headers, body
    return ORIG["call_action"](self)


def install():
    R.organizations_backend = property(_backend_prop)
    ORIG["call_action"] = R.call_action
    R.call_action = call_action
