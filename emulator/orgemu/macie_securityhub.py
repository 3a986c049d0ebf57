"""Macie's and Security Hub's delegated administrators (moto's macie2 and securityhub, patched).

Rules (Macie user guide https://docs.aws.amazon.com/macie/latest/user/, Security Hub user guide
https://docs.aws.amazon.com/securityhub/latest/userguide/):
  R14 Macie and Security Hub Enable/List/DisableOrganizationAdminAccount per Region (moto: Macie
      Disable HTTP 500, Security Hub List/Disable 404): as R13, with ValidationException (Macie)
      and InvalidInputException (Security Hub); the management account may be the admin, as AWS
      allows for Macie and Security Hub CSPM      (macie accounts-mgmt-ao-integrate; securityhub
                                                   designate-orgs-admin-account)
  R39 Security Hub DisableOrganizationAdminAccount leaves the admin listed by
      ListOrganizationAdminAccounts with Status DISABLE_IN_PROGRESS for disable_delay seconds
      (knob, default 0.3; 0 = gone at once), then it is no longer listed; meanwhile a second
      Disable -> InvalidInputException (not the admin) and an Enable in that Region (any account)
      -> InvalidInputException. The Organizations DA is kept (as before R39). Macie is left as it
      was (disabled at once; its own status would be DISABLING_IN_PROGRESS)
                   (botocore securityhub AdminStatus ENABLED | DISABLE_IN_PROGRESS; hashicorp/
                    terraform-provider-aws internal/service/securityhub (waitAdminAccountNotFound:
                    DISABLE_IN_PROGRESS pending until the admin is no longer listed). Unconfirmed:
                    the refusal of an Enable during DISABLE_IN_PROGRESS and its code
                    (InvalidInputException, which Enable models))
  R40 (part) Enable naming an account created less than new_account_lag seconds ago -> the error
      of a non-member: ValidationException (Macie), InvalidInputException (Security Hub)
      (newaccounts.py has the rule)
  R38 (Security Hub central configuration) lives in hub_central.py, which wraps hub_enable and
      hub_disable.
moto has no Macie Disable (HTTP 500) and no Security Hub List/Disable (HTTP 404): the emulator
keeps the per-Region admin state itself (common.ADMINS), with the rules of R12/R13 and each
service's errors.

install() adds two Security Hub routes and replaces MacieResponse / SecurityHubResponse handlers;
server.install() calls it after inspector.install().
"""

import json

from moto.core.exceptions import JsonRESTError
from moto.macie2 import responses as m2r
from moto.organizations import models as om
from moto.securityhub import responses as shr
from moto.securityhub import urls as shu

from .common import ADMINS, begin_disable, lagging, settle

OPS = {"macie": "macie2:EnableOrganizationAdminAccount", "securityhub": "securityhub:EnableOrganizationAdminAccount"}  # R40 counts


def _native_enable(resp, service, principal, admin, error):
    ob = om.organizations_backends[resp.current_account][resp.partition]
    if ob.org is None:
        raise error("Only the management account of an organization can designate a delegated administrator.")
    if not any(a.id == admin for a in ob.accounts):
        raise error(f"{admin} is not a member of the organization.")
    if lagging(admin, OPS[service]):  # R40
        raise error(f"{admin} cannot be found in the organization yet (the account was just created).")
    others = [a.account.id for a in ob.admins if principal in a.services and a.account.id != admin]
    if others:
        raise error(f"{others[0]} is the delegated administrator: it must be the same account in every Region.")
    state = ADMINS.setdefault((service, resp.current_account, resp.region), {})
    busy = settle(service, resp.current_account, resp.region, state)
    if busy:  # R39 (Security Hub only: Macie's state never holds DISABLE_IN_PROGRESS)
        raise error(f"The administrator account {busy[0]} is DISABLE_IN_PROGRESS in this Region; try again once it is no longer listed.")
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
    settle(service, resp.current_account, resp.region, state)
    if state.get(admin) != "ENABLED":
        raise error(f"{admin} is not the delegated administrator in this Region.")
    if service == "securityhub":
        begin_disable(service, resp.current_account, resp.region, state, admin)  # R39
    else:
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
    state = ADMINS.setdefault(("securityhub", self.current_account, self.region), {})
    settle("securityhub", self.current_account, self.region, state)  # R39
    return json.dumps({"AdminAccounts": [{"AccountId": a, "Status": s} for a, s in state.items()]})


def hub_disable(self):
    _native_disable(self, "securityhub", json.loads(self.body or "{}").get("AdminAccountId"), HubInvalidInput)
    return "{}"


def install():
    shu.url_paths["{0}/organization/admin/disable$"] = shr.SecurityHubResponse.dispatch
    shu.url_paths["{0}/organization/admin$"] = shr.SecurityHubResponse.dispatch
    m2r.MacieResponse.enable_organization_admin_account = macie_enable
    m2r.MacieResponse.list_organization_admin_accounts = macie_list
    m2r.MacieResponse.disable_organization_admin_account = macie_disable
    shr.SecurityHubResponse.enable_organization_admin_account = hub_enable
    shr.SecurityHubResponse.list_organization_admin_accounts = hub_list
    shr.SecurityHubResponse.disable_organization_admin_account = hub_disable
