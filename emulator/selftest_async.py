"""Self-test checks of the rules that play out over time: R38 (Security Hub central configuration),
R39 (a disabled GuardDuty / Inspector / Security Hub admin stays DISABLE_IN_PROGRESS for
disable_delay seconds) and R40 (a new account is not usable for new_account_lag seconds).

selftest.py runs them after the control-endpoint checks and before the faults checks. They start
from the state the earlier checks leave: sec-ops is GuardDuty's admin in us-east-1 and the
Organizations DA of GuardDuty, Inspector and Security Hub; Inspector and Security Hub have no
enabled admin; create_delay is 0.2.
"""

import json
import time
import urllib.error

from selftest_lib import call, check, client, control, eventually, expect_error, member, wait_accounts

GD, I2, SH = "guardduty.amazonaws.com", "inspector2.amazonaws.com", "securityhub.amazonaws.com"


def config(knobs):
    return control("/orgctl-emulator/config", json.dumps(knobs).encode())


def _message_has(*words):
    """An `extra` check of expect_error: the error message names the rule's cause."""
    return lambda r: all(w in str(r.get("Error", {}).get("Message")) for w in words)


def _gd_rows(r):
    return [(a["AdminAccountId"], a["AdminStatus"]) for a in r["AdminAccounts"]]


def _i2_rows(r):
    return [(a["accountId"], a["status"]) for a in r["delegatedAdminAccounts"]]


def _sh_rows(r):
    return [(a["AccountId"], a["Status"]) for a in r["AdminAccounts"]]


def knobs():
    call("R39/R40 knobs: disable_delay 0.3 and new_account_lag 0 by default", lambda: config({}),
         lambda r: r.get("disable_delay") == 0.3 and r.get("new_account_lag") == 0,
         lambda r: f"disable_delay={r.get('disable_delay')} new_account_lag={r.get('new_account_lag')}")
    for knob in ("disable_delay", "new_account_lag"):
        try:
            out = config({knob: -1})
            check(f"R39/R40 knobs: {knob} -1 refused", False, f"accepted: {knob}={out.get(knob)}")
        except urllib.error.HTTPError as e:
            check(f"R39/R40 knobs: {knob} -1 refused", e.code == 400, f"HTTP {e.code} {json.loads(e.read() or b'{}')}")


def disable_in_progress(ctx, o):
    """R39, in us-east-1: each admin disabled is listed DISABLE_IN_PROGRESS, an Enable meanwhile is
    refused; once disable_delay passed it is gone and a new admin is accepted."""
    sec, dev = ctx["sec-ops"], ctx["dev"]
    gd, i2, sh = client("guardduty"), client("inspector2"), client("securityhub")
    config({"disable_delay": 1.0})
    # GuardDuty: the AWS order (disable in the Region, deregister in Organizations, enable the new admin).
    call("R39 guardduty disable sec-ops", lambda: gd.disable_organization_admin_account(AdminAccountId=sec))
    call("R39 guardduty: sec-ops listed DISABLE_IN_PROGRESS", lambda: gd.list_organization_admin_accounts(),
         lambda r: _gd_rows(r) == [(sec, "DISABLE_IN_PROGRESS")], lambda r: f"{_gd_rows(r)}")
    call("R39 guardduty: deregister sec-ops in Organizations", lambda: o.deregister_delegated_administrator(AccountId=sec, ServicePrincipal=GD))
    expect_error("R39 guardduty: enable dev while sec-ops is DISABLE_IN_PROGRESS", lambda: gd.enable_organization_admin_account(AdminAccountId=dev),
                 "BadRequestException", status=400, extra=_message_has("DISABLE_IN_PROGRESS"))
    expect_error("R39 guardduty: disable sec-ops again while DISABLE_IN_PROGRESS", lambda: gd.disable_organization_admin_account(AdminAccountId=sec),
                 "BadRequestException", status=400)
    # Inspector.
    call("R39 inspector enable sec-ops", lambda: i2.enable_delegated_admin_account(delegatedAdminAccountId=sec))
    call("R39 inspector disable sec-ops", lambda: i2.disable_delegated_admin_account(delegatedAdminAccountId=sec))
    call("R39 inspector: sec-ops listed DISABLE_IN_PROGRESS", lambda: i2.list_delegated_admin_accounts(),
         lambda r: _i2_rows(r) == [(sec, "DISABLE_IN_PROGRESS")], lambda r: f"{_i2_rows(r)}")
    call("R39 inspector: deregister sec-ops in Organizations", lambda: o.deregister_delegated_administrator(AccountId=sec, ServicePrincipal=I2))
    expect_error("R39 inspector: enable dev while sec-ops is DISABLE_IN_PROGRESS", lambda: i2.enable_delegated_admin_account(delegatedAdminAccountId=dev),
                 "ConflictException", status=409, extra=_message_has("DISABLE_IN_PROGRESS"))
    expect_error("R39 inspector: disable sec-ops again while DISABLE_IN_PROGRESS", lambda: i2.disable_delegated_admin_account(delegatedAdminAccountId=sec),
                 "ResourceNotFoundException", status=404)
    # Security Hub (sec-ops stays the Organizations DA: R38 below needs it).
    call("R39 securityhub enable sec-ops", lambda: sh.enable_organization_admin_account(AdminAccountId=sec))
    call("R39 securityhub disable sec-ops", lambda: sh.disable_organization_admin_account(AdminAccountId=sec))
    call("R39 securityhub: sec-ops listed DISABLE_IN_PROGRESS", lambda: sh.list_organization_admin_accounts(),
         lambda r: _sh_rows(r) == [(sec, "DISABLE_IN_PROGRESS")], lambda r: f"{_sh_rows(r)}")
    expect_error("R39 securityhub: enable sec-ops again while DISABLE_IN_PROGRESS", lambda: sh.enable_organization_admin_account(AdminAccountId=sec),
                 "InvalidInputException", status=400, extra=_message_has("DISABLE_IN_PROGRESS"))
    # Once disable_delay has passed: gone, and the next admin is accepted.
    call("R39 guardduty: gone after disable_delay", lambda: eventually(gd.list_organization_admin_accounts, lambda r: not r["AdminAccounts"]),
         lambda r: r["AdminAccounts"] == [], lambda r: f"{_gd_rows(r)}")
    call("R39 guardduty: enable dev accepted", lambda: (gd.enable_organization_admin_account(AdminAccountId=dev), gd.list_organization_admin_accounts())[1],
         lambda r: _gd_rows(r) == [(dev, "ENABLED")], lambda r: f"{_gd_rows(r)}")
    call("R39 inspector: gone after disable_delay", lambda: eventually(i2.list_delegated_admin_accounts, lambda r: not r["delegatedAdminAccounts"]),
         lambda r: r["delegatedAdminAccounts"] == [], lambda r: f"{_i2_rows(r)}")
    call("R39 inspector: enable dev accepted", lambda: (i2.enable_delegated_admin_account(delegatedAdminAccountId=dev), i2.list_delegated_admin_accounts())[1],
         lambda r: _i2_rows(r) == [(dev, "ENABLED")], lambda r: f"{_i2_rows(r)}")
    call("R39 securityhub: gone after disable_delay", lambda: eventually(sh.list_organization_admin_accounts, lambda r: not r["AdminAccounts"]),
         lambda r: r["AdminAccounts"] == [], lambda r: f"{_sh_rows(r)}")
    call("R39 securityhub: enable sec-ops accepted", lambda: (sh.enable_organization_admin_account(AdminAccountId=sec), sh.list_organization_admin_accounts())[1],
         lambda r: _sh_rows(r) == [(sec, "ENABLED")], lambda r: f"{_sh_rows(r)}")
    config({"disable_delay": 0.3})


def central_configuration(ctx, o):
    """R38: sec-ops is Security Hub's admin in us-east-1 (R39 above) and its Organizations DA."""
    sec, dev = ctx["sec-ops"], ctx["dev"]
    sh, sh_west = client("securityhub"), client("securityhub", region="eu-west-1")
    admin, admin_west = client("securityhub", member(sec)), client("securityhub", member(sec), region="eu-west-1")

    def conf(c):
        return lambda: c.describe_organization_configuration()

    def show(r):
        oc = r["OrganizationConfiguration"]
        return f"{oc.get('ConfigurationType')} {oc.get('Status')} AutoEnable={r.get('AutoEnable')} AutoEnableStandards={r.get('AutoEnableStandards')}"

    central = {"ConfigurationType": "CENTRAL"}
    call("R38 describe by the admin: LOCAL, ENABLED", conf(admin),
         lambda r: r["OrganizationConfiguration"]["ConfigurationType"] == "LOCAL" and r["OrganizationConfiguration"]["Status"] == "ENABLED", show)
    expect_error("R38 describe by an account that is not the admin", conf(client("securityhub", member(dev))), "InvalidAccessException", status=401)
    expect_error("R38 CENTRAL without a home Region (no finding aggregator)",
                 lambda: admin.update_organization_configuration(AutoEnable=False, AutoEnableStandards="NONE", OrganizationConfiguration=central),
                 "InvalidInputException", status=400, extra=_message_has("home Region"))
    call("R38 create_finding_aggregator in us-east-1, eu-west-1 linked",
         lambda: admin.create_finding_aggregator(RegionLinkingMode="SPECIFIED_REGIONS", Regions=["eu-west-1"]),
         lambda r: r["FindingAggregationRegion"] == "us-east-1", lambda r: f"FindingAggregationRegion={r['FindingAggregationRegion']}")
    call("R38 list_finding_aggregators", lambda: admin.list_finding_aggregators(), lambda r: len(r["FindingAggregators"]) == 1,
         lambda r: f"{len(r['FindingAggregators'])} aggregator")
    call("R38 sec-ops also admin in eu-west-1", lambda: sh_west.enable_organization_admin_account(AdminAccountId=sec))
    expect_error("R38 CENTRAL from eu-west-1 (not the home Region)",
                 lambda: admin_west.update_organization_configuration(AutoEnable=False, AutoEnableStandards="NONE", OrganizationConfiguration=central),
                 "InvalidInputException", status=400, extra=_message_has("home Region"))
    expect_error("R38 CENTRAL with AutoEnable true", lambda: admin.update_organization_configuration(AutoEnable=True, OrganizationConfiguration=central),
                 "InvalidInputException", status=400)
    call("R38 CENTRAL from the home Region", lambda: admin.update_organization_configuration(AutoEnable=False, AutoEnableStandards="NONE", OrganizationConfiguration=central))
    call("R38 describe at once: CENTRAL, PENDING", conf(admin),
         lambda r: r["OrganizationConfiguration"]["ConfigurationType"] == "CENTRAL" and r["OrganizationConfiguration"]["Status"] == "PENDING", show)
    call("R38 then ENABLED", lambda: eventually(conf(admin), lambda r: r["OrganizationConfiguration"]["Status"] == "ENABLED"),
         lambda r: r["OrganizationConfiguration"]["ConfigurationType"] == "CENTRAL" and r["OrganizationConfiguration"]["Status"] == "ENABLED"
         and r["AutoEnable"] is False and r["AutoEnableStandards"] == "NONE", show)
    call("R38 the linked Region is CENTRAL too", conf(admin_west), lambda r: r["OrganizationConfiguration"]["ConfigurationType"] == "CENTRAL", show)
    expect_error("R38 AutoEnable true under CENTRAL", lambda: admin.update_organization_configuration(AutoEnable=True),
                 "InvalidInputException", status=400)
    expect_error("R38 the management account disables the admin: refused", lambda: sh.disable_organization_admin_account(AdminAccountId=sec),
                 "InvalidInputException", status=400, extra=_message_has("entral configuration"))
    expect_error("R38 the management account enables another account: refused",
                 lambda: client("securityhub", region="eu-central-1").enable_organization_admin_account(AdminAccountId=dev),
                 "InvalidInputException", status=400, extra=_message_has("entral configuration"))
    call("R38 sec-ops is still the admin", lambda: sh.list_organization_admin_accounts(), lambda r: _sh_rows(r) == [(sec, "ENABLED")], lambda r: f"{_sh_rows(r)}")
    call("R38 Organizations deregisters sec-ops", lambda: o.deregister_delegated_administrator(AccountId=sec, ServicePrincipal=SH))
    call("R38 the admin is gone in every Region", lambda: (sh.list_organization_admin_accounts(), sh_west.list_organization_admin_accounts()),
         lambda r: r[0]["AdminAccounts"] == [] and r[1]["AdminAccounts"] == [], lambda r: f"us-east-1 {_sh_rows(r[0])} eu-west-1 {_sh_rows(r[1])}")
    call("R38 an admin can be designated again", lambda: sh.enable_organization_admin_account(AdminAccountId=sec))
    call("R38 central configuration is off (LOCAL)", conf(admin), lambda r: r["OrganizationConfiguration"]["ConfigurationType"] == "LOCAL", show)
    call("R38 the admin can be removed through Security Hub again", lambda: sh.disable_organization_admin_account(AdminAccountId=sec))


def new_account_lag(ctx, o):
    """R40: for new_account_lag seconds after its creation SUCCEEDED an account is refused
    everywhere R40 lists; afterwards the same calls are accepted."""
    lag = 2.0
    config({"new_account_lag": lag})
    control("/orgctl-emulator/stats/reset", b"")
    rid = o.create_account(Email="aws+fresh@example.com", AccountName="fresh")["CreateAccountStatus"]["Id"]
    st = wait_accounts(o, {"fresh": rid}).get("fresh", {})
    ready = time.time()
    if not check("R40 fresh account SUCCEEDED", st.get("State") == "SUCCEEDED", f"State={st.get('State')}"):
        return
    fresh = st["AccountId"]
    role = f"arn:aws:iam::{fresh}:role/OrganizationAccountAccessRole"
    sso, ids = client("sso-admin"), client("identitystore")
    inst = sso.list_instances()["Instances"][0]
    arn = inst["InstanceArn"]
    uid = ids.list_users(IdentityStoreId=inst["IdentityStoreId"])["Users"][0]["UserId"]
    ps_arn = sso.create_permission_set(InstanceArn=arn, Name="Fresh")["PermissionSet"]["PermissionSetArn"]

    def assign():
        return sso.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT", TargetId=fresh,
                                             PrincipalType="USER", PrincipalId=uid)["AccountAssignmentCreationStatus"]["RequestId"]

    def final(request_id):
        return eventually(lambda: sso.describe_account_assignment_creation_status(InstanceArn=arn, AccountAssignmentCreationRequestId=request_id)
                          ["AccountAssignmentCreationStatus"], lambda s: s["Status"] != "IN_PROGRESS")

    just = _message_has("just created")
    expect_error("R40 sts AssumeRole into the new account", lambda: client("sts").assume_role(RoleArn=role, RoleSessionName="selftest"), "AccessDenied", status=403)
    request = assign()
    expect_error("R40 organizations RegisterDelegatedAdministrator", lambda: o.register_delegated_administrator(AccountId=fresh, ServicePrincipal="backup.amazonaws.com"),
                 "AccountNotFoundException", status=400)
    expect_error("R40 guardduty EnableOrganizationAdminAccount", lambda: client("guardduty", region="sa-east-1").enable_organization_admin_account(AdminAccountId=fresh),
                 "BadRequestException", status=400, extra=just)
    expect_error("R40 inspector2 EnableDelegatedAdminAccount", lambda: client("inspector2", region="sa-east-1").enable_delegated_admin_account(delegatedAdminAccountId=fresh),
                 "ValidationException", status=400, extra=just)
    expect_error("R40 macie2 EnableOrganizationAdminAccount", lambda: client("macie2", region="sa-east-1").enable_organization_admin_account(adminAccountId=fresh),
                 "ValidationException", status=400, extra=just)
    expect_error("R40 securityhub EnableOrganizationAdminAccount", lambda: client("securityhub", region="sa-east-1").enable_organization_admin_account(AdminAccountId=fresh),
                 "InvalidInputException", status=400, extra=just)
    expect_error("R40 detective EnableOrganizationAdminAccount", lambda: client("detective", region="sa-east-1").enable_organization_admin_account(AccountId=fresh),
                 "ValidationException", status=400, extra=just)
    expect_error("R40 ec2 EnableIpamOrganizationAdminAccount", lambda: client("ec2").enable_ipam_organization_admin_account(DelegatedAdminAccountId=fresh),
                 "InvalidParameterValue", extra=just)
    st = final(request)
    check("R40 sso-admin CreateAccountAssignment ends FAILED with a FailureReason", st["Status"] == "FAILED" and fresh in st.get("FailureReason", ""),
          f"Status={st['Status']} FailureReason={st.get('FailureReason')!r}")
    check("R40 the refusals came within the lag", time.time() - ready < lag, f"{time.time() - ready:.1f} s after SUCCEEDED (lag {lag} s)")
    ops = ["sts:AssumeRole", "sso-admin:CreateAccountAssignment", "organizations:RegisterDelegatedAdministrator", "guardduty:EnableOrganizationAdminAccount",
           "inspector2:EnableDelegatedAdminAccount", "macie2:EnableOrganizationAdminAccount", "securityhub:EnableOrganizationAdminAccount",
           "detective:EnableOrganizationAdminAccount", "ec2:EnableIpamOrganizationAdminAccount"]
    call("R40 stats count the refusals per operation", lambda: control("/orgctl-emulator/stats").get("new_account_lag"),
         lambda r: r == {op: 1 for op in ops}, lambda r: f"{r}")
    time.sleep(max(0.0, ready + lag + 0.1 - time.time()))
    call("R40 after the lag: AssumeRole accepted", lambda: member(fresh), lambda r: bool(r.get("aws_session_token")), lambda r: "credentials issued")
    call("R40 after the lag: RegisterDelegatedAdministrator accepted",
         lambda: (o.register_delegated_administrator(AccountId=fresh, ServicePrincipal="backup.amazonaws.com"),
                  o.deregister_delegated_administrator(AccountId=fresh, ServicePrincipal="backup.amazonaws.com")))
    call("R40 after the lag: detective enable accepted", lambda: client("detective", region="sa-east-1").enable_organization_admin_account(AccountId=fresh))
    client("detective", region="sa-east-1").disable_organization_admin_account()
    o.deregister_delegated_administrator(AccountId=fresh, ServicePrincipal="detective.amazonaws.com")
    call("R40 after the lag: ec2 EnableIpamOrganizationAdminAccount accepted",
         lambda: client("ec2").enable_ipam_organization_admin_account(DelegatedAdminAccountId=fresh), lambda r: r["Success"] is True, lambda r: f"Success={r['Success']}")
    client("ec2").disable_ipam_organization_admin_account(DelegatedAdminAccountId=fresh)
    st = final(assign())
    check("R40 after the lag: the assignment SUCCEEDED", st["Status"] == "SUCCEEDED", f"Status={st['Status']} FailureReason={st.get('FailureReason')!r}")
    config({"new_account_lag": 0})
