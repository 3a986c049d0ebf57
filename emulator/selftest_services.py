"""Self-test checks of the delegated-admin APIs of the other services: R12-R18, R25 (GuardDuty,
Inspector, Macie, Security Hub, CloudTrail, IPAM, Detective, Firewall Manager)."""

import json
import time

import cbor2

from selftest_lib import call, check, client, eventually, expect_error, member, signed


def guardduty(ctx, o):
    gd = client("guardduty")
    sec = ctx["sec-ops"]
    expect_error("R12 enable before trusted access", lambda: gd.enable_organization_admin_account(AdminAccountId=sec), "BadRequestException", status=400)
    o.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    # R32c: the management account may be the GuardDuty admin (not recommended); no Organizations DA.
    ap = client("guardduty", region="ap-southeast-2")
    call("R32 the management account as GuardDuty admin (ap-southeast-2)", lambda: ap.enable_organization_admin_account(AdminAccountId=ctx["mgmt"]))
    call("R32 listed as the Region's admin", lambda: ap.list_organization_admin_accounts(),
         lambda r: [a["AdminAccountId"] for a in r["AdminAccounts"]] == [ctx["mgmt"]], lambda r: f"{[a['AdminAccountId'] for a in r['AdminAccounts']]}")
    call("R32 not registered in Organizations", lambda: o.list_delegated_administrators(ServicePrincipal="guardduty.amazonaws.com"),
         lambda r: r["DelegatedAdministrators"] == [], lambda r: f"{r['DelegatedAdministrators']}")
    det = ap.list_detectors()["DetectorIds"]
    call("R32 its detector serves the member APIs", lambda: ap.list_members(DetectorId=det[0]), lambda r: r["Members"] == [], lambda r: f"{len(det)} detector, {r['Members']}")
    expect_error("R32 another account in another Region while the management account is admin",
                 lambda: gd.enable_organization_admin_account(AdminAccountId=sec), "BadRequestException", status=400)
    call("R32 disable the management account", lambda: ap.disable_organization_admin_account(AdminAccountId=ctx["mgmt"]))
    call("R12 enable sec-ops us-east-1", lambda: gd.enable_organization_admin_account(AdminAccountId=sec))
    call("R12 enable sec-ops eu-west-1", lambda: client("guardduty", region="eu-west-1").enable_organization_admin_account(AdminAccountId=sec))
    expect_error("R12 another admin in another Region", lambda: client("guardduty", region="eu-central-1").enable_organization_admin_account(AdminAccountId=ctx["dev"]),
                 "BadRequestException")
    call("R12 list", lambda: gd.list_organization_admin_accounts(), lambda r: [a["AdminAccountId"] for a in r["AdminAccounts"]] == [sec],
         lambda r: f"{[(a['AdminAccountId'], a['AdminStatus']) for a in r['AdminAccounts']]}")
    expect_error("R12 member list denied", lambda: client("guardduty", member(ctx["dev"])).list_organization_admin_accounts(), "BadRequestException")
    call("R12 Organizations DA registered", lambda: o.list_delegated_administrators(ServicePrincipal="guardduty.amazonaws.com"),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [sec], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    # R25: members, by the admin on its own detector
    sgd = client("guardduty", member(sec))
    det = call("R25 admin has a detector", lambda: sgd.list_detectors(), lambda r: len(r["DetectorIds"]) == 1, lambda r: f"{len(r['DetectorIds'])} detector(s)")
    if det:
        d = det["DetectorIds"][0]
        call("R25 create_members", lambda: sgd.create_members(DetectorId=d, AccountDetails=[{"AccountId": ctx["dev"], "Email": "a@example.com"}, {"AccountId": "999999999999", "Email": "b@example.com"}]),
             lambda r: len(r["UnprocessedAccounts"]) == 1, lambda r: f"unprocessed={[u['AccountId'] for u in r['UnprocessedAccounts']]}")
        call("R25 list_members", lambda: sgd.list_members(DetectorId=d), lambda r: [m["RelationshipStatus"] for m in r["Members"]] == ["Enabled"],
             lambda r: f"{[(m['AccountId'], m['RelationshipStatus']) for m in r['Members']]}")
        # R32b: ListMembers pages (maxResults 1-50, default 50).
        sgd.create_members(DetectorId=d, AccountDetails=[{"AccountId": ctx["infra"], "Email": "i@example.com"}])
        first = call("R32 list_members MaxResults=1: one member and a NextToken", lambda: sgd.list_members(DetectorId=d, MaxResults=1),
                     lambda r: len(r["Members"]) == 1 and r.get("NextToken"), lambda r: f"{len(r['Members'])} member, NextToken={'yes' if r.get('NextToken') else 'no'}")
        if first:
            call("R32 list_members next page: the last member, no NextToken", lambda: sgd.list_members(DetectorId=d, MaxResults=1, NextToken=first["NextToken"]),
                 lambda r: len(r["Members"]) == 1 and not r.get("NextToken") and r["Members"][0]["AccountId"] != first["Members"][0]["AccountId"],
                 lambda r: f"{len(r['Members'])} member, NextToken={'yes' if r.get('NextToken') else 'no'}")
        call("R32 list_members default page holds both", lambda: sgd.list_members(DetectorId=d), lambda r: len(r["Members"]) == 2 and not r.get("NextToken"),
             lambda r: f"{len(r['Members'])} members")
        expect_error("R32 list_members MaxResults=51", lambda: sgd.list_members(DetectorId=d, MaxResults=51), "BadRequestException", status=400)
        expect_error("R32 list_members invalid NextToken", lambda: sgd.list_members(DetectorId=d, NextToken="not-a-token"), "BadRequestException", status=400)
        call("R25 delete before disassociate", lambda: sgd.delete_members(DetectorId=d, AccountIds=[ctx["dev"]]), lambda r: len(r["UnprocessedAccounts"]) == 1,
             lambda r: f"unprocessed={len(r['UnprocessedAccounts'])}")
        call("R25 update_organization_configuration", lambda: sgd.update_organization_configuration(DetectorId=d, AutoEnableOrganizationMembers="ALL"))
        call("R25 describe_organization_configuration", lambda: sgd.describe_organization_configuration(DetectorId=d),
             lambda r: r["AutoEnableOrganizationMembers"] == "ALL", lambda r: f"AutoEnableOrganizationMembers={r['AutoEnableOrganizationMembers']}")
    expect_error("R25 non-admin create_members", lambda: client("guardduty", member(ctx["dev"])).create_members(DetectorId="0" * 32, AccountDetails=[{"AccountId": ctx["sec-ops"], "Email": "c@example.com"}]),
                 "BadRequestException")
    call("R12 disable eu-west-1", lambda: client("guardduty", region="eu-west-1").disable_organization_admin_account(AdminAccountId=sec))
    expect_error("R12 disable again", lambda: client("guardduty", region="eu-west-1").disable_organization_admin_account(AdminAccountId=sec), "BadRequestException")


def inspector_macie_hub(ctx, o):
    sec, mgmt = ctx["sec-ops"], ctx["mgmt"]
    i2 = client("inspector2")
    expect_error("R13 management account as admin", lambda: i2.enable_delegated_admin_account(delegatedAdminAccountId=mgmt), "ValidationException")
    call("R13 enable sec-ops", lambda: i2.enable_delegated_admin_account(delegatedAdminAccountId=sec), lambda r: r["delegatedAdminAccountId"] == sec,
         lambda r: f"delegatedAdminAccountId={r['delegatedAdminAccountId']}")
    expect_error("R13 another admin in another Region", lambda: client("inspector2", region="eu-west-1").enable_delegated_admin_account(delegatedAdminAccountId=ctx["dev"]),
                 "ConflictException", status=409)
    call("R13 list", lambda: i2.list_delegated_admin_accounts(), lambda r: [a["accountId"] for a in r["delegatedAdminAccounts"]] == [sec],
         lambda r: f"{[(a['accountId'], a['status']) for a in r['delegatedAdminAccounts']]}")
    call("R13 disable", lambda: i2.disable_delegated_admin_account(delegatedAdminAccountId=sec))
    # R39: listed DISABLE_IN_PROGRESS for disable_delay seconds first (selftest_async.py checks that).
    call("R13 disabled admin not listed", lambda: eventually(i2.list_delegated_admin_accounts, lambda r: r["delegatedAdminAccounts"] == []),
         lambda r: r["delegatedAdminAccounts"] == [], lambda r: f"{r['delegatedAdminAccounts']}")
    call("R13 trusted access as a side effect", lambda: o.list_aws_service_access_for_organization(),
         lambda r: "inspector2.amazonaws.com" in [s["ServicePrincipal"] for s in r["EnabledServicePrincipals"]], lambda r: "inspector2.amazonaws.com enabled")

    m2 = client("macie2")
    call("R14 macie enable sec-ops", lambda: m2.enable_organization_admin_account(adminAccountId=sec))
    expect_error("R14 macie second admin", lambda: m2.enable_organization_admin_account(adminAccountId=ctx["dev"]), "ValidationException")
    call("R14 macie list", lambda: m2.list_organization_admin_accounts(), lambda r: [a["accountId"] for a in r["adminAccounts"]] == [sec],
         lambda r: f"{[(a['accountId'], a['status']) for a in r['adminAccounts']]}")
    call("R14 macie disable", lambda: m2.disable_organization_admin_account(adminAccountId=sec))
    expect_error("R14 macie disable again", lambda: m2.disable_organization_admin_account(adminAccountId=sec), "ValidationException")

    sh = client("securityhub")
    call("R14 securityhub enable sec-ops", lambda: sh.enable_organization_admin_account(AdminAccountId=sec))
    expect_error("R14 securityhub non-member", lambda: sh.enable_organization_admin_account(AdminAccountId="999999999999"), "InvalidInputException")
    call("R14 securityhub list", lambda: sh.list_organization_admin_accounts(), lambda r: [a["AccountId"] for a in r["AdminAccounts"]] == [sec],
         lambda r: f"{[(a['AccountId'], a['Status']) for a in r['AdminAccounts']]}")
    expect_error("R14 securityhub member list denied", lambda: client("securityhub", member(ctx["dev"])).list_organization_admin_accounts(), "InvalidAccessException")
    call("R14 securityhub disable", lambda: sh.disable_organization_admin_account(AdminAccountId=sec))


def cloudtrail_ipam(ctx, o):
    ct = client("cloudtrail")
    infra, mgmt = ctx["infra"], ctx["mgmt"]
    expect_error("R15 register without trusted access", lambda: ct.register_organization_delegated_admin(MemberAccountId=infra), "CloudTrailAccessNotEnabledException")
    o.enable_aws_service_access(ServicePrincipal="cloudtrail.amazonaws.com")
    expect_error("R15 management account", lambda: ct.register_organization_delegated_admin(MemberAccountId=mgmt), "CannotDelegateManagementAccountException")
    call("R15 register infra", lambda: ct.register_organization_delegated_admin(MemberAccountId=infra))
    expect_error("R15 register again", lambda: ct.register_organization_delegated_admin(MemberAccountId=infra), "AccountRegisteredException")
    expect_error("R15 member caller", lambda: client("cloudtrail", member(infra)).register_organization_delegated_admin(MemberAccountId=ctx["dev"]),
                 "NotOrganizationManagementAccountException")
    call("R15 Organizations DA follows", lambda: o.list_delegated_administrators(ServicePrincipal="cloudtrail.amazonaws.com"),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [infra], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    call("R15 deregister", lambda: ct.deregister_organization_delegated_admin(DelegatedAdminAccountId=infra))
    expect_error("R15 deregister again", lambda: ct.deregister_organization_delegated_admin(DelegatedAdminAccountId=infra), "AccountNotRegisteredException")

    ec2 = client("ec2")
    expect_error("R16 management account", lambda: ec2.enable_ipam_organization_admin_account(DelegatedAdminAccountId=mgmt), "InvalidParameterValue")
    call("R16 enable infra", lambda: ec2.enable_ipam_organization_admin_account(DelegatedAdminAccountId=infra), lambda r: r["Success"] is True, lambda r: f"Success={r['Success']}")
    expect_error("R16 second admin", lambda: ec2.enable_ipam_organization_admin_account(DelegatedAdminAccountId=ctx["dev"]), "InvalidParameterValue")
    call("R16 trusted access and DA", lambda: o.list_delegated_administrators(ServicePrincipal="ipam.amazonaws.com"),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [infra], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    expect_error("R16 disable an account not registered", lambda: ec2.disable_ipam_organization_admin_account(DelegatedAdminAccountId=ctx["dev"]),
                 "IpamOrganizationAccountNotRegistered")
    call("R16 disable infra", lambda: ec2.disable_ipam_organization_admin_account(DelegatedAdminAccountId=infra), lambda r: r["Success"] is True)


def detective_fms(ctx, o):
    dt = client("detective")
    sec, mgmt = ctx["sec-ops"], ctx["mgmt"]
    expect_error("R17 member caller", lambda: client("detective", member(sec)).enable_organization_admin_account(AccountId=sec), "AccessDeniedException", status=403)
    expect_error("R17 non-member admin", lambda: dt.enable_organization_admin_account(AccountId="999999999999"), "ValidationException", status=400)
    call("R17 enable sec-ops", lambda: dt.enable_organization_admin_account(AccountId=sec))
    expect_error("R17 second admin in the Region", lambda: dt.enable_organization_admin_account(AccountId=mgmt), "ValidationException")
    call("R17 list", lambda: dt.list_organization_admin_accounts(), lambda r: [a["AccountId"] for a in r["Administrators"]] == [sec],
         lambda r: f"{[a['AccountId'] for a in r['Administrators']]} GraphArn={r['Administrators'][0]['GraphArn']}")
    call("R17 Organizations DA side effect", lambda: o.list_delegated_administrators(ServicePrincipal="detective.amazonaws.com"),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [sec], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    call("R17 disable", lambda: dt.disable_organization_admin_account())
    expect_error("R17 disable with none", lambda: dt.disable_organization_admin_account(), "ValidationException")
    call("R17 enable again then deregister the DA", lambda: (dt.enable_organization_admin_account(AccountId=sec),
                                                           o.deregister_delegated_administrator(AccountId=sec, ServicePrincipal="detective.amazonaws.com"),
                                                           dt.list_organization_admin_accounts())[2],
         lambda r: r["Administrators"] == [], lambda r: f"{r['Administrators']}")

    fms = client("fms")
    expect_error("R18 member associates", lambda: client("fms", member(sec)).associate_admin_account(AdminAccount=sec), "InvalidOperationException")
    expect_error("R18 management account as admin", lambda: fms.associate_admin_account(AdminAccount=mgmt), "InvalidInputException")
    expect_error("R18 get with none", lambda: fms.get_admin_account(), "ResourceNotFoundException")
    call("R18 associate sec-ops", lambda: fms.associate_admin_account(AdminAccount=sec))
    call("R18 get right away", lambda: fms.get_admin_account(), lambda r: r["AdminAccount"] == sec and r["RoleStatus"] in ("CREATING", "READY"),
         lambda r: f"AdminAccount={r['AdminAccount']}")
    time.sleep(0.3)
    call("R18 READY after --create-delay", lambda: fms.get_admin_account(), lambda r: r["RoleStatus"] == "READY", lambda r: f"RoleStatus={r['RoleStatus']}")
    expect_error("R18 second admin", lambda: fms.associate_admin_account(AdminAccount=ctx["dev"]), "InvalidOperationException")
    # The JSON 1.1 form of the same API (botocore may pick RPC v2 CBOR).
    status, headers, body = signed("fms", "POST", "/", b"{}", {"X-Amz-Target": "AWSFMS_20180101.GetAdminAccount", "Content-Type": "application/x-amz-json-1.1"})
    out = json.loads(body or b"{}")
    check("R18 JSON 1.1 GetAdminAccount", status == 200 and out.get("AdminAccount") == sec, f"HTTP {status} {out}")
    status, headers, body = signed("fms", "POST", "/", b"{}", {"X-Amz-Target": "AWSFMS_20180101.DisassociateAdminAccount", "Content-Type": "application/x-amz-json-1.1"})
    out = json.loads(body or b"{}")
    check("R18 JSON 1.1 management disassociates: refused", status == 400 and out.get("__type") == "InvalidOperationException", f"HTTP {status} {out}")
    # The RPC v2 CBOR form (the Rust SDK's).
    cbor_headers = {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"}
    status, headers, body = signed("fms", "POST", "/service/AWSFMS_20180101/operation/GetAdminAccount", cbor2.dumps({}), cbor_headers)
    out = cbor2.loads(body) if body else {}
    check("R18 CBOR GetAdminAccount", status == 200 and out.get("AdminAccount") == sec and headers.get("smithy-protocol") == "rpc-v2-cbor", f"HTTP {status} {out}")
    status, headers, body = signed("fms", "POST", "/service/AWSFMS_20180101/operation/AssociateAdminAccount", cbor2.dumps({"AdminAccount": ctx["dev"]}), cbor_headers)
    out = cbor2.loads(body) if body else {}
    check("R18 CBOR second admin: refused", status == 400 and out.get("__type") == "com.amazonaws.fms#InvalidOperationException", f"HTTP {status} {out}")
    call("R18 the admin disassociates itself", lambda: client("fms", member(sec)).disassociate_admin_account())
    call("R18 Organizations DA removed", lambda: o.list_delegated_administrators(ServicePrincipal="fms.amazonaws.com"),
         lambda r: r["DelegatedAdministrators"] == [], lambda r: f"{r['DelegatedAdministrators']}")
