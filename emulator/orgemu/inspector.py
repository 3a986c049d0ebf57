"""Amazon Inspector's delegated administrator (moto's inspector2, patched).

Rules (Inspector user guide https://docs.aws.amazon.com/inspector/latest/user/):
  R13 Inspector Enable/DisableDelegatedAdminAccount per Region: management account only, never
      the management account, the same admin in every Region (ConflictException), trusted access
      and the Organizations DA as side effects; a disabled admin is not listed "DISABLED" (moto's
      status, not an AWS one): it goes through R39, then is no longer listed
                                                    (inspector user/designating-admin.html)
  R39 DisableDelegatedAdminAccount leaves the admin listed by ListDelegatedAdminAccounts with status
      DISABLE_IN_PROGRESS for disable_delay seconds (knob, default 0.3; 0 = gone at once), then
      it is no longer listed; meanwhile a second Disable -> ResourceNotFoundException (not the
      admin) and an Enable in that Region (any account) -> ConflictException. The Organizations
      DA is kept (as before R39)
                   (botocore inspector2 DelegatedAdminStatus ENABLED | DISABLE_IN_PROGRESS;
                    hashicorp/terraform-provider-aws internal/service/inspector2/
                    delegated_admin_account.go (waitDelegatedAdminAccountDisabled: DISABLE_IN_PROGRESS
                    pending until no longer listed; a ResourceNotFoundException on Disable means
                    gone). Unconfirmed: the refusal of an Enable during DISABLE_IN_PROGRESS and its
                    code (ConflictException, which Enable models). GetDelegatedAdminAccount (moto:
                    not routed) is not served: its status member is a RelationshipStatus, an enum
                    without DISABLE_IN_PROGRESS, so R39 shows only through the list)
  R40 (part) EnableDelegatedAdminAccount naming an account created less than new_account_lag
      seconds ago -> ValidationException, as for a non-member (newaccounts.py has the rule)

install() replaces three Inspector2Response handlers; server.install() calls it after
guardduty.install().
"""

import json

from moto.core.exceptions import JsonRESTError
from moto.inspector2 import responses as i2r
from moto.organizations import models as om

from .common import begin_disable, err, lagging, settle

I2 = "inspector2.amazonaws.com"


class I2Validation(JsonRESTError):
    code = 400

    def __init__(self, message):
        super().__init__("ValidationException", message)


ORIG = {}  # moto's list handler, captured by install()


def _settle(resp):
    """R39: the Region's admins still DISABLE_IN_PROGRESS (expired ones dropped)."""
    return settle("inspector2", resp.current_account, resp.region, resp.inspector2_backend.admin_accounts)


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
    if lagging(admin, "inspector2:EnableDelegatedAdminAccount"):  # R40
        raise I2Validation(f"{admin} cannot be found in the organization yet (the account was just created).")
    others = [a.account.id for a in ob.admins if I2 in a.services and a.account.id != admin]
    if others:
        raise err("ConflictException", f"{others[0]} is the delegated administrator: it must be the same account in every Region.")
    backend = self.inspector2_backend
    busy = _settle(self)
    if busy:  # R39
        raise err("ConflictException", f"The delegated administrator {busy[0]} is DISABLE_IN_PROGRESS in this Region; try again once it is no longer listed.")
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
    _settle(self)
    if backend.admin_accounts.get(admin) != "ENABLED":
        raise err("ResourceNotFoundException", f"{admin} is not the delegated administrator in this Region.")
    # AWS lists ENABLED or DISABLE_IN_PROGRESS (R39), then no longer lists it (moto: "DISABLED").
    begin_disable("inspector2", self.current_account, self.region, backend.admin_accounts, admin)
    return json.dumps({"delegatedAdminAccountId": admin})


def i2_list(self):
    _settle(self)  # R39: an admin whose DISABLE_IN_PROGRESS is over is no longer listed
    return ORIG["list_delegated_admin_accounts"](self)


def install():
    ORIG["list_delegated_admin_accounts"] = i2r.Inspector2Response.list_delegated_admin_accounts
    i2r.Inspector2Response.list_delegated_admin_accounts = i2_list
    i2r.Inspector2Response.enable_delegated_admin_account = i2_enable
    i2r.Inspector2Response.disable_delegated_admin_account = i2_disable
