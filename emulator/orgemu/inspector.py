"""Amazon Inspector's delegated administrator (moto's inspector2, patched).

Rules (Inspector user guide https://docs.aws.amazon.com/inspector/latest/user/):
  R13 Inspector Enable/DisableDelegatedAdminAccount per Region: management account only, never
      the management account, the same admin in every Region (ConflictException), trusted access
      and the Organizations DA as side effects; a disabled admin is no longer listed (moto keeps
      it as "DISABLED", not an AWS status)          (inspector user/designating-admin.html)

install() replaces two Inspector2Response handlers; server.install() calls it after
guardduty.install().
"""

import json

from moto.core.exceptions import JsonRESTError
from moto.inspector2 import responses as i2r
from moto.organizations import models as om

from .common import err

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


def install():
    i2r.Inspector2Response.enable_delegated_admin_account = i2_enable
    i2r.Inspector2Response.disable_delegated_admin_account = i2_disable
