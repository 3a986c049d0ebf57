"""A new account is not usable at once (R40): STS and Organizations' side, and the rule in full.

Rule (Organizations API reference https://docs.aws.amazon.com/organizations/latest/APIReference/):
  R40 For new_account_lag seconds (knob, default 0 = off; launcher --new-account-lag) after an
      account's CreateAccount request turned SUCCEEDED (organizations.py records the time, R4),
      the account is not usable yet:
        sts AssumeRole into a role of that account        -> AccessDenied, HTTP 403 (STS query XML)
        organizations RegisterDelegatedAdministrator      -> AccountNotFoundException
        guardduty EnableOrganizationAdminAccount          -> BadRequestException      (guardduty.py)
        inspector2 EnableDelegatedAdminAccount            -> ValidationException      (inspector.py)
        macie2 EnableOrganizationAdminAccount             -> ValidationException      (macie_securityhub.py)
        securityhub EnableOrganizationAdminAccount        -> InvalidInputException    (macie_securityhub.py)
        detective EnableOrganizationAdminAccount          -> ValidationException      (native.py)
        ec2 EnableIpamOrganizationAdminAccount            -> InvalidParameterValue    (ipam.py)
        sso-admin CreateAccountAssignment to it           -> IN_PROGRESS, then FAILED with a
                                                             FailureReason    (sso/assignments.py)
      Each service answers with the error it gives for an account outside the organization (the
      service cannot see the account yet). Every refusal is counted per operation under
      "new_account_lag" in GET /orgctl-emulator/stats. Other callers (CloudTrail, Security Lake,
      Audit Manager, Firewall Manager) are not delayed.
                 (botocore organizations CreateAccount documentation: "You might need to wait a
                  few minutes before you can successfully access the account"; boto/boto3#1216: AssumeRole into a just-created account ->
                  AccessDenied "Not authorized to perform sts:AssumeRole";
                  hashicorp/terraform-provider-aws#15654: a created account may not be usable for
                  30 seconds or more. Unconfirmed: which calls AWS delays and each error; the
                  codes are each operation's modelled errors (RegisterDelegatedAdministrator
                  models AccountNotFoundException), the sso-admin outcome FAILED is the emulator's
                  choice, consistent with R34's asynchronous failures)

install() wraps moto's sts TokenResponse.assume_role and OrganizationsResponse's
register_delegated_administrator handler; server.install() calls it after the Organizations modules.
"""

from moto.core.exceptions import AccessDeniedError
from moto.organizations import exceptions as oe
from moto.organizations import responses as orsp
from moto.sts import responses as stsr

from .common import lagging

ORIG = {}  # moto's handlers, captured by install()


def _role_account(arn):
    """The account of arn:aws:iam::ACCOUNT:role/NAME, or None."""
    parts = (arn or "").split(":")
    return parts[4] if len(parts) > 5 and parts[2] == "iam" else None


def assume_role(self):
    role_arn = self._get_param("RoleArn")
    account = _role_account(role_arn)
    if account and lagging(account, "sts:AssumeRole"):
        raise AccessDeniedError(user_arn=f"arn:aws:iam::{self.current_account}:root", action=f"sts:AssumeRole on resource: {role_arn}")
    return ORIG["assume_role"](self)


def register_delegated_administrator(self):
    if lagging(self._get_param("AccountId"), "organizations:RegisterDelegatedAdministrator"):
        raise oe.AccountNotFoundException()
    return ORIG["register_delegated_administrator"](self)


def install():
    ORIG["assume_role"] = stsr.TokenResponse.assume_role
    stsr.TokenResponse.assume_role = assume_role
    ORIG["register_delegated_administrator"] = orsp.OrganizationsResponse.register_delegated_administrator
    orsp.OrganizationsResponse.register_delegated_administrator = register_delegated_administrator
