"""CloudTrail's delegated administrator (organization-wide; moto's cloudtrail, patched).

Rules (CloudTrail user guide https://docs.aws.amazon.com/awscloudtrail/latest/userguide/):
  R15 CloudTrail Register/DeregisterOrganizationDelegatedAdmin (moto: absent): management account
      only (NotOrganizationManagementAccountException), trusted access first
      (CloudTrailAccessNotEnabledException), never the management account
      (CannotDelegateManagementAccountException), at most 3 (DelegatedAdminAccountLimitExceededException),
      AccountRegistered/AccountNotRegisteredException; the Organizations DA follows
                        (awscloudtrail cloudtrail-delegated-administrator; botocore cloudtrail errors)

install() adds two CloudTrailResponse handlers; server.install() calls it after
macie_securityhub.install().
"""

import json

from moto.cloudtrail import responses as ctr
from moto.core.exceptions import JsonRESTError
from moto.organizations import models as om

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


def install():
    ctr.CloudTrailResponse.register_organization_delegated_admin = ct_register
    ctr.CloudTrailResponse.deregister_organization_delegated_admin = ct_deregister
