"""VPC IPAM's delegated administrator (the EC2 API; moto: absent).

Rules (VPC IPAM user guide https://docs.aws.amazon.com/vpc/latest/ipam/):
  R16 VPC IPAM ec2:Enable/DisableIpamOrganizationAdminAccount (moto: absent): management account
      only, never the management account, one admin, trusted access and the Organizations DA as
      side effects; disabling an account not registered -> IpamOrganizationAccountNotRegistered
                        (vpc/ipam enable-integ-ipam; Terraform provider ec2/errors.go for the code)
  R40 (part) EnableIpamOrganizationAdminAccount naming an account created less than
      new_account_lag seconds ago -> InvalidParameterValue, as for a non-member (a stand-in, like
      R16's other codes; newaccounts.py has the rule)

install() adds two EC2Response handlers; server.install() calls it after cloudtrail.install().
"""

from moto.core.responses import ActionResult
from moto.ec2.exceptions import EC2ClientError
from moto.ec2.responses import EC2Response
from moto.organizations import models as om

from .common import lagging

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
    if lagging(admin, "ec2:EnableIpamOrganizationAdminAccount"):  # R40
        raise EC2ClientError("InvalidParameterValue", f"{admin} cannot be found in the organization yet (the account was just created).")
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


def install():
    EC2Response.enable_ipam_organization_admin_account = ipam_enable
    EC2Response.disable_ipam_organization_admin_account = ipam_disable
