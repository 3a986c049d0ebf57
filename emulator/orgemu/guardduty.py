"""GuardDuty's delegated administrator and its members (moto's GuardDuty, patched).

Rules (GuardDuty user guide https://docs.aws.amazon.com/guardduty/latest/ug/, API reference
https://docs.aws.amazon.com/guardduty/latest/APIReference/):
  R12 GuardDuty Enable/Disable/ListOrganizationAdminAccount(s) per Region (moto: no Disable, no
      checks): management account only (List too), trusted access first, the same admin in every
      Region (the Organizations DA and the other Regions' admins), the Organizations DA registered
      as a side effect
                          (guardduty ug delegated-admin-designate, change-guardduty-delegated-admin)
  R32 (c) The management account may be the GuardDuty admin (until issue 11 the emulator refused
      it): AWS allows it and recommends against it; it gets a detector, is never registered as the
      Organizations DA (Organizations refuses the management account) and is then the one admin in
      every Region; its own detector serves R25's member APIs
                          (guardduty ug guardduty_organizations, "Considerations and
                           recommendations": the management account can be the delegated
                           administrator, but this is not recommended; ug organizations_permissions:
                           designating the management account needs iam:CreateServiceLinkedRole)
  R25 GuardDuty members of the delegated administrator (moto: absent): Create/List/Disassociate/
      DeleteMembers and Update/DescribeOrganizationConfiguration on the admin's detector, only by
      the Region's GuardDuty admin (BadRequestException); organization members are associated at
      once; a member must be disassociated before it is deleted (unprocessed otherwise); the
      designated admin gets a detector, as AWS enables GuardDuty there
                   (guardduty API_CreateMembers, API_DisassociateMembers, API_DeleteMembers,
                    API_UpdateOrganizationConfiguration; ug guardduty_organizations)
  R39 DisableOrganizationAdminAccount leaves the admin listed with AdminStatus DISABLE_IN_PROGRESS
      for disable_delay seconds (knob, default 0.3; 0 = gone at once), then it is no longer
      listed; meanwhile it is no admin (R25's member APIs refuse it, it is not counted as another
      Region's admin), a second Disable -> BadRequestException (not the admin), and an Enable in
      that Region (any account) -> BadRequestException. The Organizations DA is kept (AWS: a
      separate DeregisterDelegatedAdministrator, "one-time global action")
                   (botocore guardduty AdminStatus ENABLED | DISABLE_IN_PROGRESS; hashicorp/
                    terraform-provider-aws internal/service/guardduty (waitAdminAccountNotFound:
                    DISABLE_IN_PROGRESS pending until the admin is no longer listed); ug
                    change-guardduty-delegated-admin (Step 2, deregister in Organizations).
                    Unconfirmed: the refusal of an Enable during DISABLE_IN_PROGRESS; its code is
                    BadRequestException, the only client error GuardDuty models)
  R40 (part) EnableOrganizationAdminAccount naming an account created less than new_account_lag
      seconds ago -> BadRequestException, as for a non-member (newaccounts.py has the rule)
  R32 (b) ListMembers pages: maxResults 1-50, default 50 (outside -> BadRequestException), with a
      nextToken while members remain (an invalid token -> BadRequestException)
                   (guardduty API_ListMembers: "The default value is 50. The maximum value is 50";
                    botocore MaxResults shape, min 1, max 50; GuardDuty models only BadRequestException)

install() adds moto GuardDuty routes and replaces GuardDutyResponse handlers (ListOrganizationAdminAccounts
is answered by the emulator: moto lists every admin ENABLED); server.install()
calls it after the Organizations modules' R11 (policies.install()).
"""

import base64
import json

from moto.core.exceptions import JsonRESTError
from moto.guardduty import models as gdm
from moto.guardduty import responses as gdr
from moto.guardduty import urls as gdu
from moto.organizations import models as om

from .common import _org_of, begin_disable, lagging, settle

GD = "guardduty.amazonaws.com"


# --- R12: GuardDuty's delegated administrator (per Region) -------------------------------------

class GdBadRequest(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("BadRequestException", message)


def _gd_org(resp):
    ob = om.organizations_backends[resp.current_account][resp.partition]
    if ob.org is None:
        raise GdBadRequest("The request is rejected because the caller is not the management account of an organization.")
    return ob


GD_DISABLING = {}  # R39: (management account, region) -> {account: "DISABLE_IN_PROGRESS"}


def _disabling(mgmt, region):
    """R39: the Region's admins still DISABLE_IN_PROGRESS (expired ones dropped)."""
    return settle("guardduty", mgmt, region, GD_DISABLING.setdefault((mgmt, region), {}))


def _admins_elsewhere(mgmt, region):
    """The GuardDuty admins of the organization in the Regions other than `region`."""
    return {a for r, b in dict.items(gdm.guardduty_backends[mgmt]) if r != region for a in b.admin_account_ids}


def gd_enable(self):
    admin = self._get_param("adminAccountId")
    ob = _gd_org(self)
    mgmt = self.current_account
    # R32c: the management account may be the admin (AWS allows it and recommends against it); it
    # is never registered in Organizations, which refuses the management account.
    if admin != mgmt and not any(a.id == admin for a in ob.accounts):
        raise GdBadRequest(f"The request is rejected because {admin} is not a member of the organization.")
    if lagging(admin, "guardduty:EnableOrganizationAdminAccount"):  # R40
        raise GdBadRequest(f"The request is rejected because the account {admin} cannot be found in the organization yet (it was just created).")
    if not any(s["ServicePrincipal"] == GD for s in ob.services):
        raise GdBadRequest("The request is rejected because trusted access for GuardDuty is not enabled in AWS Organizations.")
    others = sorted({a.account.id for a in ob.admins if GD in a.services and a.account.id != admin} | (_admins_elsewhere(mgmt, self.region) - {admin}))
    if others:
        raise GdBadRequest(f"The request is rejected because {others[0]} is the delegated administrator: it must be the same account in every Region.")
    backend = self.guardduty_backend
    busy = _disabling(mgmt, self.region)
    if busy:  # R39
        raise GdBadRequest(f"The request is rejected because the delegated administrator {busy[0]} is DISABLE_IN_PROGRESS in this Region; try again once it is no longer listed.")
    if backend.admin_account_ids and admin not in backend.admin_account_ids:
        raise GdBadRequest("The request is rejected because this Region already has a delegated administrator.")
    if admin not in backend.admin_account_ids:
        backend.admin_account_ids.append(admin)
    # AWS enables GuardDuty (a detector) in the delegated administrator's account.
    own = gdm.guardduty_backends[admin][self.region]
    if not own.detectors:
        own.create_detector(True, "SIX_HOURS", {}, {}, [])
    # AWS: the first designation registers the account as the Organizations delegated administrator.
    if admin != mgmt and not any(a.account.id == admin and GD in a.services for a in ob.admins):
        ob.register_delegated_administrator(AccountId=admin, ServicePrincipal=GD)
    return "{}"


def gd_disable(self):
    admin = self._get_param("adminAccountId")
    _gd_org(self)
    backend = self.guardduty_backend
    if admin not in backend.admin_account_ids:
        raise GdBadRequest(f"The request is rejected because {admin} is not the delegated administrator in this Region.")
    backend.admin_account_ids.remove(admin)
    # R39: listed DISABLE_IN_PROGRESS for disable_delay seconds (no admin meanwhile).
    begin_disable("guardduty", self.current_account, self.region, GD_DISABLING.setdefault((self.current_account, self.region), {}), admin)
    return "{}"


def gd_list(self):
    # AWS: "Only the organization's management account can run this API operation."
    _gd_org(self)
    rows = [{"adminAccountId": a, "adminStatus": "ENABLED"} for a in self.guardduty_backend.admin_account_ids]
    rows += [{"adminAccountId": a, "adminStatus": "DISABLE_IN_PROGRESS"} for a in _disabling(self.current_account, self.region)]  # R39
    return json.dumps({"adminAccounts": rows})


# --- R25: GuardDuty members and organization configuration of the delegated admin ------------

GD_MEMBERS = {}  # (admin account, region) -> {member account: relationship status}
GD_AUTO = {}  # (admin account, region) -> autoEnableOrganizationMembers


def _gd_detector(resp):
    """The caller's detector named in the path; the caller must be the Region's GuardDuty admin."""
    detector = resp.path.split("/")[2]
    backend = gdm.guardduty_backends[resp.current_account][resp.region]
    if detector not in backend.detectors:
        raise GdBadRequest(f"The request is rejected because the input detectorId {detector} is not owned by the current account.")
    mgmt, _ob, _is_mgmt = _org_of(resp.current_account)
    admins = gdm.guardduty_backends[mgmt][resp.region].admin_account_ids if mgmt else []
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
    _mgmt, ob, _is_mgmt = _org_of(self.current_account)
    members = GD_MEMBERS.setdefault(key, {})
    unprocessed = []
    for d in _gd_body(self).get("accountDetails", []):
        acct = d.get("accountId")
        if any(a.id == acct for a in ob.accounts) and acct != self.current_account:
            members[acct] = "Enabled"  # organization members are associated at once
        else:
            unprocessed.append({"accountId": acct, "result": "The account is not a member of the organization."})
    return json.dumps({"unprocessedAccounts": unprocessed})


def _page_args(resp):
    """R32: ListMembers' maxResults (1-50, default 50) and nextToken -> (size, start)."""
    raw = resp.querystring.get("maxResults", [None])[0]
    try:
        size = 50 if raw in (None, "") else int(raw)
    except ValueError:
        size = 0
    if not 1 <= size <= 50:
        raise GdBadRequest(f"The request is rejected because the maxResults value {raw} is not between 1 and 50.")
    token = resp.querystring.get("nextToken", [None])[0]
    if not token:
        return size, 0
    try:
        return size, int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except Exception:
        raise GdBadRequest("The request is rejected because the nextToken is not valid.")


def gd_list_members(self):
    key = _gd_detector(self)
    size, start = _page_args(self)
    only = (self.querystring.get("onlyAssociated", ["true"])[0] or "true").lower() != "false"
    members = [{"accountId": a, "detectorId": self.path.split("/")[2], "email": f"{a}@example.com", "relationshipStatus": st, "administratorId": key[0], "updatedAt": "2026-01-01T00:00:00Z"}
               for a, st in sorted(GD_MEMBERS.get(key, {}).items()) if not only or st == "Enabled"]
    out = {"members": members[start:start + size]}
    if start + size < len(members):
        out["nextToken"] = base64.urlsafe_b64encode(json.dumps({"o": start + size}).encode()).decode()
    return json.dumps(out)


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


def install():
    # R12. moto routes no DisableOrganizationAdminAccount (HTTP 404).
    gdu.url_paths["{0}/admin/disable$"] = gdr.GuardDutyResponse.dispatch
    gdr.GuardDutyResponse.list_organization_admin_accounts = gd_list
    gdr.GuardDutyResponse.enable_organization_admin_account = gd_enable
    gdr.GuardDutyResponse.disable_organization_admin_account = gd_disable
    # R25.
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
