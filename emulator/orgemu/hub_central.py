"""Security Hub central configuration (R38; moto's securityhub, patched).

Rule (Security Hub user guide https://docs.aws.amazon.com/securityhub/latest/userguide/, API
reference https://docs.aws.amazon.com/securityhub/1.0/APIReference/):
  R38 UpdateOrganizationConfiguration {AutoEnable, AutoEnableStandards, OrganizationConfiguration
      {ConfigurationType CENTRAL|LOCAL}} and DescribeOrganizationConfiguration (moto keeps one
      organization-wide record whose administrator only its own Enable sets, so neither works
      with R14's admins), by the Security Hub admin of the Region (anyone else ->
      InvalidAccessException, HTTP 401, "Account … is not an administrator for this organization"):
      - ConfigurationType CENTRAL turns central configuration on for the organization. It needs
        a home Region: the caller's finding aggregator must be in the Region of the call
        (CreateFindingAggregator / ListFindingAggregators are served, one aggregator per account,
        a second -> InvalidInputException), and the caller must not be the management account;
        AutoEnable true or AutoEnableStandards DEFAULT with it -> InvalidInputException. Otherwise
        -> InvalidInputException too.
      - Describe answers OrganizationConfiguration {ConfigurationType, Status, StatusMessage}:
        CENTRAL in the home Region and the aggregator's linked Regions, Status PENDING (with a
        StatusMessage) for create_delay seconds after it was turned on, then ENABLED; LOCAL
        elsewhere, always ENABLED. AutoEnable false and AutoEnableStandards NONE where CENTRAL
        applies (AutoEnable true or DEFAULT there -> InvalidInputException); per Region otherwise
        (defaults false, DEFAULT).
      - ConfigurationType LOCAL, from the home Region, turns it off (from another Region ->
        InvalidInputException). Configuration policies are not modelled.
      - While it is on (PENDING or ENABLED), the management account cannot change or remove the
        admin through Security Hub: DisableOrganizationAdminAccount in any Region, and
        EnableOrganizationAdminAccount of another account in any Region -> InvalidInputException.
      - Organizations DeregisterDelegatedAdministrator for securityhub.amazonaws.com removes the
        account as Security Hub admin in every Region at once (also when DISABLE_IN_PROGRESS,
        R39) and turns central configuration off (LOCAL); its policies would be deleted.
                 (ug remove-admin-overview: with central configuration the Security Hub console
                  and APIs cannot change or remove the delegated administrator; through the
                  Organizations API Security Hub stops central configuration and deletes the
                  configuration policies, and the admin is removed in all Regions;
                  ug start-central-configuration: integrate with Organizations and designate a
                  home Region first, the management account cannot be the delegated administrator;
                  CloudFormation AWS::SecurityHub::OrganizationConfiguration: central configuration
                  only in the aggregation (home) Region of the FindingAggregator; botocore
                  UpdateOrganizationConfigurationRequest (AutoEnable false / AutoEnableStandards
                  NONE in the home and linked Regions under CENTRAL), OrganizationConfiguration
                  (Status PENDING | ENABLED | FAILED | DISABLED; LOCAL is always ENABLED),
                  InvalidAccessException httpStatusCode 401, CreateFindingAggregator ("the
                  aggregation Region is now called the home Region"), ListFindingAggregators ("only
                  returns a single result"); hashicorp/terraform-provider-aws#23079 and
                  aws-ia/terraform-aws-security-hub#4 (InvalidAccessException 401 "Account … is not
                  an administrator for this organization" on Update); schubergphilis/
                  terraform-aws-mcaf-landing-zone#213 (InvalidInputException: AutoEnable and
                  AutoEnableStandards cannot be enabled for central configuration);
                  terraform-provider-aws internal/service/securityhub/organization_configuration.go
                  (waits while Status is PENDING; under CENTRAL the aggregator and the delegated
                  admin cannot be removed). Unconfirmed: the error codes of the refusals other
                  than those two (InvalidInputException, which Enable, Disable, Update and
                  CreateFindingAggregator all model); the PENDING time)

install() adds two Security Hub routes and replaces five SecurityHubResponse handlers (wrapping
macie_securityhub's Enable/Disable); server.install() calls it after macie_securityhub.install().
"""

import json
import time
import uuid

from moto.core.exceptions import JsonRESTError
from moto.securityhub import responses as shr
from moto.securityhub import urls as shu

from .common import ADMINS, DISABLING, KNOBS, ON_DEREGISTER, _org_of
from .macie_securityhub import HubInvalidInput, hub_disable, hub_enable

HUB = "securityhub.amazonaws.com"
CENTRAL = {}  # management account -> {"home": region, "admin": account, "since": time it was turned on}
AUTO = {}  # (management account, region) -> {"AutoEnable": bool, "AutoEnableStandards": str}
AGGREGATORS = {}  # account -> its finding aggregator (CreateFindingAggregator's answer)
MODES = ("ALL_REGIONS", "ALL_REGIONS_EXCEPT_SPECIFIED", "SPECIFIED_REGIONS", "NO_REGIONS")
REFUSED = ("Central configuration is on: the delegated administrator cannot be changed or removed through Security Hub. "
           "Use Organizations' DeregisterDelegatedAdministrator, which also stops central configuration.")


class HubInvalidAccess(JsonRESTError):
    code = 401

    def __init__(self, message):
        super().__init__("InvalidAccessException", message)


def _body(resp):
    try:
        return json.loads(resp.body or "{}")
    except ValueError:
        return {}


def _linked(agg, region):
    mode, regions = agg["RegionLinkingMode"], agg.get("Regions") or []
    return (mode == "ALL_REGIONS" or (mode == "ALL_REGIONS_EXCEPT_SPECIFIED" and region not in regions)
            or (mode == "SPECIFIED_REGIONS" and region in regions))


def _applies(mgmt, region):
    """Whether central configuration governs `region` (its home Region or a linked one)."""
    cur = CENTRAL.get(mgmt)
    if cur is None:
        return False
    agg = AGGREGATORS.get(cur["admin"])
    return region == cur["home"] or bool(agg and _linked(agg, region))


def _admin(resp):
    """The caller's management account; the caller must be the Region's Security Hub admin."""
    mgmt, _ob, _is_mgmt = _org_of(resp.current_account)
    state = ADMINS.get(("securityhub", mgmt, resp.region), {}) if mgmt else {}
    if state.get(resp.current_account) != "ENABLED":
        raise HubInvalidAccess(f"Account {resp.current_account} is not an administrator for this organization")
    return mgmt


def update_configuration(self):
    mgmt = _admin(self)
    body = _body(self)
    auto, standards = bool(body.get("AutoEnable")), body.get("AutoEnableStandards")
    want = (body.get("OrganizationConfiguration") or {}).get("ConfigurationType")
    if standards not in (None, "NONE", "DEFAULT"):
        raise HubInvalidInput("AutoEnableStandards must be NONE or DEFAULT.")
    if want not in (None, "CENTRAL", "LOCAL"):
        raise HubInvalidInput("ConfigurationType must be CENTRAL or LOCAL.")
    cur = CENTRAL.get(mgmt)
    if want == "CENTRAL" or (want is None and _applies(mgmt, self.region)):
        if auto or standards == "DEFAULT":
            raise HubInvalidInput("AutoEnable and AutoEnableStandards cannot be turned on under central configuration: "
                                  "new accounts are configured by configuration policies.")
    if want == "CENTRAL" and cur is None:
        if self.current_account == mgmt:
            raise HubInvalidInput("The organization management account cannot use central configuration: designate a member account as the delegated administrator.")
        agg = AGGREGATORS.get(self.current_account)
        if agg is None or agg["FindingAggregationRegion"] != self.region:
            raise HubInvalidInput(f"Central configuration can be turned on only in the home Region: {self.region} is not the Region of "
                                  "your finding aggregator (CreateFindingAggregator).")
        CENTRAL[mgmt] = {"home": self.region, "admin": self.current_account, "since": time.time()}
    elif want is not None and cur is not None and cur["home"] != self.region:
        raise HubInvalidInput(f"Central configuration is managed from its home Region, {cur['home']}.")
    elif want == "LOCAL" and cur is not None:
        del CENTRAL[mgmt]  # its configuration policies would have to be deleted first (not modelled)
    key = (mgmt, self.region)
    if _applies(mgmt, self.region):
        AUTO[key] = {"AutoEnable": False, "AutoEnableStandards": "NONE"}
    else:
        old = AUTO.get(key, {"AutoEnableStandards": "DEFAULT"})
        AUTO[key] = {"AutoEnable": auto, "AutoEnableStandards": standards or old["AutoEnableStandards"]}
    return "{}"


def describe_configuration(self):
    mgmt = _admin(self)
    oc = {"ConfigurationType": "LOCAL", "Status": "ENABLED"}
    auto = AUTO.get((mgmt, self.region), {"AutoEnable": False, "AutoEnableStandards": "DEFAULT"})
    if _applies(mgmt, self.region):
        oc["ConfigurationType"] = "CENTRAL"
        auto = {"AutoEnable": False, "AutoEnableStandards": "NONE"}
        if time.time() - CENTRAL[mgmt]["since"] < float(KNOBS["create_delay"]):
            oc.update(Status="PENDING", StatusMessage="Central configuration is being turned on.")
    return json.dumps(dict(auto, MemberAccountLimitReached=False, OrganizationConfiguration=oc))


def enable_admin(self):
    cur = CENTRAL.get(self.current_account)
    if cur is not None and _body(self).get("AdminAccountId") != cur["admin"]:
        raise HubInvalidInput(REFUSED)
    return hub_enable(self)


def disable_admin(self):
    if CENTRAL.get(self.current_account) is not None:
        raise HubInvalidInput(REFUSED)
    return hub_disable(self)


def create_finding_aggregator(self):
    body = _body(self)
    mode = body.get("RegionLinkingMode")
    if mode not in MODES:
        raise HubInvalidInput(f"RegionLinkingMode must be one of {', '.join(MODES)}.")
    if self.current_account in AGGREGATORS:
        raise HubInvalidInput("This account already has a finding aggregator (one home Region per account).")
    agg = {"FindingAggregatorArn": f"arn:aws:securityhub:{self.region}:{self.current_account}:finding-aggregator/{uuid.uuid4()}",
           "FindingAggregationRegion": self.region, "RegionLinkingMode": mode, "Regions": list(body.get("Regions") or [])}
    AGGREGATORS[self.current_account] = agg
    return json.dumps(agg)


def list_finding_aggregators(self):
    agg = AGGREGATORS.get(self.current_account)
    return json.dumps({"FindingAggregators": [{"FindingAggregatorArn": agg["FindingAggregatorArn"]}] if agg else []})


def on_deregister(mgmt, account):
    """Organizations removed `account` as Security Hub's delegated administrator."""
    for (service, owner, region), state in ADMINS.items():
        if service == "securityhub" and owner == mgmt:
            state.pop(account, None)
            DISABLING.get((service, owner, region), {}).pop(account, None)
    cur = CENTRAL.get(mgmt)
    if cur is not None and cur["admin"] == account:
        del CENTRAL[mgmt]  # back to LOCAL; the configuration policies would be deleted


def install():
    shu.url_paths["{0}/findingAggregator/create$"] = shr.SecurityHubResponse.dispatch
    shu.url_paths["{0}/findingAggregator/list$"] = shr.SecurityHubResponse.dispatch
    shr.SecurityHubResponse.update_organization_configuration = update_configuration
    shr.SecurityHubResponse.describe_organization_configuration = describe_configuration
    shr.SecurityHubResponse.enable_organization_admin_account = enable_admin
    shr.SecurityHubResponse.disable_organization_admin_account = disable_admin
    shr.SecurityHubResponse.create_finding_aggregator = create_finding_aggregator
    shr.SecurityHubResponse.list_finding_aggregators = list_finding_aggregators
    ON_DEREGISTER.setdefault(HUB, []).append(on_deregister)
