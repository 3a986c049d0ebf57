"""Self-test checks of IAM Identity Center (R19-R24, R33, R34), Security Lake (R26), Audit Manager
(R27) and the control endpoints."""

import json
import time

from selftest_lib import AM, SL, call, check, client, control, expect_error, member, signed


def identity_center(ctx, o):
    sso, ids = client("sso-admin"), client("identitystore")
    inst = call("R19 list_instances", lambda: sso.list_instances(), lambda r: len(r["Instances"]) == 1,
                lambda r: f"{len(r['Instances'])} instance, owner={r['Instances'][0].get('OwnerAccountId')} status={r['Instances'][0].get('Status')}")
    call("R19 none elsewhere", lambda: client("sso-admin", region="eu-west-1").list_instances(), lambda r: r["Instances"] == [], lambda r: f"{r['Instances']}")
    if not inst:
        return
    arn, sid = inst["Instances"][0]["InstanceArn"], inst["Instances"][0]["IdentityStoreId"]
    da = client("sso-admin", member(ctx["infra"]))
    call("R19 delegated admin sees the same instance", lambda: da.list_instances(), lambda r: r["Instances"][0]["InstanceArn"] == arn, lambda r: "same InstanceArn")
    call("R19 describe_instance", lambda: sso.describe_instance(InstanceArn=arn), lambda r: r["Status"] == "ACTIVE", lambda r: f"Status={r['Status']}")
    expect_error("R20 member sso-admin call denied", lambda: client("sso-admin", member(ctx["dev"])).list_permission_sets(InstanceArn=arn), "AccessDeniedException")
    user = call("R24 identitystore create_user", lambda: ids.create_user(IdentityStoreId=sid, UserName="alice", DisplayName="Alice", Name={"GivenName": "A", "FamilyName": "L"}),
                lambda r: r["UserId"], lambda r: "UserId returned")
    expect_error("R24 duplicate UserName", lambda: ids.create_user(IdentityStoreId=sid, UserName="alice", DisplayName="Alice", Name={"GivenName": "A", "FamilyName": "L"}),
                 "ConflictException")
    call("R20 member reads the identity store", lambda: client("identitystore", member(ctx["dev"])).list_users(IdentityStoreId=sid),
         lambda r: [u["UserName"] for u in r["Users"]] == ["alice"], lambda r: f"{[u['UserName'] for u in r['Users']]}")
    expect_error("R20 member write denied", lambda: client("identitystore", member(ctx["dev"])).create_group(IdentityStoreId=sid, DisplayName="g"),
                 "AccessDeniedException")
    identity_store_strings(sid, user["UserId"] if user else None)
    expect_error("R20 wrong identity store", lambda: ids.list_users(IdentityStoreId="d-0000000000"), "ResourceNotFoundException")
    ps = call("R22 create_permission_set PT240M", lambda: sso.create_permission_set(InstanceArn=arn, Name="Admin", SessionDuration="PT240M"),
              lambda r: r["PermissionSet"]["SessionDuration"] == "PT4H", lambda r: f"SessionDuration={r['PermissionSet']['SessionDuration']} Arn={r['PermissionSet']['PermissionSetArn']}")
    expect_error("R22 13 hours", lambda: sso.create_permission_set(InstanceArn=arn, Name="Long", SessionDuration="PT13H"), "ValidationException")
    expect_error("R24 name in use", lambda: sso.create_permission_set(InstanceArn=arn, Name="Admin"), "ConflictException")
    if not ps or not user:
        return
    ps_arn, uid = ps["PermissionSet"]["PermissionSetArn"], user["UserId"]
    expect_error("R24 assignment to a non-member", lambda: sso.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT", TargetId="999999999999",
                                                                                         PrincipalType="USER", PrincipalId=uid), "ValidationException")
    st = call("R23 create_account_assignment IN_PROGRESS", lambda: sso.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT",
                                                                                                 TargetId=ctx["dev"], PrincipalType="USER", PrincipalId=uid),
              lambda r: r["AccountAssignmentCreationStatus"]["Status"] == "IN_PROGRESS", lambda r: f"Status={r['AccountAssignmentCreationStatus']['Status']}")
    if st:
        rid = st["AccountAssignmentCreationStatus"]["RequestId"]
        deadline, status = time.time() + 10, None
        while time.time() < deadline:
            status = sso.describe_account_assignment_creation_status(InstanceArn=arn, AccountAssignmentCreationRequestId=rid)["AccountAssignmentCreationStatus"]["Status"]
            if status != "IN_PROGRESS":
                break
            time.sleep(0.05)
        check("R23 assignment SUCCEEDED", status == "SUCCEEDED", f"Status={status}")
    call("R23 list_account_assignments", lambda: sso.list_account_assignments(InstanceArn=arn, AccountId=ctx["dev"], PermissionSetArn=ps_arn),
         lambda r: len(r["AccountAssignments"]) == 1, lambda r: f"{len(r['AccountAssignments'])} assignment(s)")
    call("R23 provisioned", lambda: sso.list_accounts_for_provisioned_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn),
         lambda r: r["AccountIds"] == [ctx["dev"]], lambda r: f"{r['AccountIds']}")
    expect_error("R24 delete a provisioned permission set", lambda: sso.delete_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn), "ConflictException")
    expect_error("R21 delegated admin assigns in the management account",
                 lambda: da.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT", TargetId=ctx["mgmt"], PrincipalType="USER", PrincipalId=uid),
                 "AccessDeniedException")
    customer_policies(ctx, sso, arn, uid)
    permission_set_strings(arn)
    role_conflicts(ctx, sso, ids, arn, sid)


def _final(fn, key):
    """Polls an asynchronous Identity Center status until it leaves IN_PROGRESS."""
    deadline, st = time.time() + 10, {}
    while time.time() < deadline:
        st = fn()[key]
        if st["Status"] != "IN_PROGRESS":
            break
        time.sleep(0.05)
    return st


def customer_policies(ctx, sso, arn, uid):
    """R34: assignments and provisioning fail when a customer managed policy (or boundary) is missing
    from the target account's IAM; ic_check_customer_policies turns the check off."""
    dev, infra = ctx["dev"], ctx["infra"]
    iam_dev = client("iam", member(dev))
    doc = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"}]})
    ps_arn = sso.create_permission_set(InstanceArn=arn, Name="Cmp")["PermissionSet"]["PermissionSetArn"]
    sso.attach_customer_managed_policy_reference_to_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn, CustomerManagedPolicyReference={"Name": "r34-policy", "Path": "/"})

    def assign():
        rid = sso.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT", TargetId=dev, PrincipalType="USER",
                                            PrincipalId=uid)["AccountAssignmentCreationStatus"]["RequestId"]
        return _final(lambda: sso.describe_account_assignment_creation_status(InstanceArn=arn, AccountAssignmentCreationRequestId=rid), "AccountAssignmentCreationStatus")

    def provision(target):
        rid = sso.provision_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn, TargetType="AWS_ACCOUNT", TargetId=target)["PermissionSetProvisioningStatus"]["RequestId"]
        return _final(lambda: sso.describe_permission_set_provisioning_status(InstanceArn=arn, ProvisionPermissionSetRequestId=rid), "PermissionSetProvisioningStatus")

    st = assign()
    check("R34 assignment FAILED: the customer managed policy is missing in the account", st["Status"] == "FAILED" and "r34-policy" in st.get("FailureReason", ""),
          f"Status={st['Status']} FailureReason={st.get('FailureReason')!r}")
    call("R34 no assignment was made", lambda: sso.list_account_assignments(InstanceArn=arn, AccountId=dev, PermissionSetArn=ps_arn),
         lambda r: r["AccountAssignments"] == [], lambda r: f"{len(r['AccountAssignments'])} assignment(s)")
    iam_dev.create_policy(PolicyName="r34-policy", PolicyDocument=doc)
    st = assign()
    check("R34 with the policy created in the account: SUCCEEDED", st["Status"] == "SUCCEEDED", f"Status={st['Status']} FailureReason={st.get('FailureReason')!r}")
    sso.put_permissions_boundary_to_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn,
                                                   PermissionsBoundary={"CustomerManagedPolicyReference": {"Name": "r34-boundary", "Path": "/eng/"}})
    iam_dev.create_policy(PolicyName="r34-boundary", PolicyDocument=doc)  # the right name on the wrong path
    st = provision(dev)
    check("R34 provisioning FAILED: the boundary is missing (same name, other path)", st["Status"] == "FAILED" and "/eng/r34-boundary" in st.get("FailureReason", ""),
          f"Status={st['Status']} FailureReason={st.get('FailureReason')!r}")
    call("R34 not provisioned with the latest version", lambda: sso.list_accounts_for_provisioned_permission_set(InstanceArn=arn, PermissionSetArn=ps_arn,
                                                                                                             ProvisioningStatus="LATEST_PERMISSION_SET_PROVISIONED"),
         lambda r: dev not in r["AccountIds"], lambda r: f"{r['AccountIds']}")
    iam_dev.create_policy(PolicyName="r34-boundary", Path="/eng/", PolicyDocument=doc)
    st = provision(dev)
    check("R34 with the boundary on its path: SUCCEEDED", st["Status"] == "SUCCEEDED", f"Status={st['Status']} FailureReason={st.get('FailureReason')!r}")
    st = provision(infra)
    check("R34 another account without the policies: FAILED", st["Status"] == "FAILED", f"Status={st['Status']}")
    control("/orgctl-emulator/config", b'{"ic_check_customer_policies": false}')
    st = provision(infra)
    check("R34 ic_check_customer_policies false: SUCCEEDED", st["Status"] == "SUCCEEDED", f"Status={st['Status']}")
    control("/orgctl-emulator/config", b'{"ic_check_customer_policies": true}')


def identity_store_strings(sid, uid):
    """R33: no empty strings; an AttributeOperation without a value removes the attribute."""
    raw = client("identitystore", validate=False)
    expect_error("R33 create_group with Description \"\"", lambda: raw.create_group(IdentityStoreId=sid, DisplayName="r33", Description=""), "ValidationException", status=400)
    expect_error("R33 create_user with NickName \"\"", lambda: raw.create_user(IdentityStoreId=sid, UserName="r33", DisplayName="R", NickName="",
                                                                               Name={"GivenName": "R", "FamilyName": "S"}), "ValidationException", status=400)
    g = call("R33 create_group with a description", lambda: raw.create_group(IdentityStoreId=sid, DisplayName="r33", Description="team"), lambda r: r["GroupId"], lambda r: "GroupId")
    if g:
        gid = g["GroupId"]
        expect_error("R33 update_group description \"\"", lambda: raw.update_group(IdentityStoreId=sid, GroupId=gid, Operations=[{"AttributePath": "description", "AttributeValue": ""}]),
                     "ValidationException", status=400)
        call("R33 the description stays", lambda: raw.describe_group(IdentityStoreId=sid, GroupId=gid), lambda r: r.get("Description") == "team", lambda r: f"Description={r.get('Description')!r}")
        call("R33 update_group without AttributeValue removes the description",
             lambda: (raw.update_group(IdentityStoreId=sid, GroupId=gid, Operations=[{"AttributePath": "description"}]), raw.describe_group(IdentityStoreId=sid, GroupId=gid))[1],
             lambda r: not r.get("Description"), lambda r: f"Description={r.get('Description')!r}")
        expect_error("R33 the group's displayName cannot be removed", lambda: raw.update_group(IdentityStoreId=sid, GroupId=gid, Operations=[{"AttributePath": "displayName"}]),
                     "ValidationException", status=400)
        raw.delete_group(IdentityStoreId=sid, GroupId=gid)
    if uid:
        expect_error("R33 update_user displayName \"\"", lambda: raw.update_user(IdentityStoreId=sid, UserId=uid, Operations=[{"AttributePath": "displayName", "AttributeValue": ""}]),
                     "ValidationException", status=400)
        expect_error("R33 update_user emails with an empty value",
                     lambda: raw.update_user(IdentityStoreId=sid, UserId=uid, Operations=[{"AttributePath": "emails", "AttributeValue": [{"value": "", "primary": True}]}]),
                     "ValidationException", status=400)
        call("R33 update_user sets a title", lambda: (raw.update_user(IdentityStoreId=sid, UserId=uid, Operations=[{"AttributePath": "title", "AttributeValue": "Lead"}]),
                                                      raw.describe_user(IdentityStoreId=sid, UserId=uid))[1], lambda r: r.get("Title") == "Lead", lambda r: f"Title={r.get('Title')!r}")
        call("R33 update_user without AttributeValue removes it", lambda: (raw.update_user(IdentityStoreId=sid, UserId=uid, Operations=[{"AttributePath": "title"}]),
                                                                           raw.describe_user(IdentityStoreId=sid, UserId=uid))[1],
             lambda r: not r.get("Title") and r.get("DisplayName") == "Alice", lambda r: f"Title={r.get('Title')!r} DisplayName={r.get('DisplayName')!r}")
        expect_error("R33 the user's displayName cannot be removed", lambda: raw.update_user(IdentityStoreId=sid, UserId=uid, Operations=[{"AttributePath": "displayName"}]),
                     "ValidationException", status=400)


def permission_set_strings(arn):
    """R33 for permission sets: Description and RelayState are at least 1 character, on an
    update too, so an empty string cannot remove them."""
    raw = client("sso-admin", validate=False)
    expect_error("R33 create_permission_set with RelayState \"\"", lambda: raw.create_permission_set(InstanceArn=arn, Name="r33", RelayState=""), "ValidationException", status=400)
    ps = call("R33 create_permission_set with a description and a relay state",
              lambda: raw.create_permission_set(InstanceArn=arn, Name="r33", Description="team", RelayState="https://console.aws.amazon.com/"),
              lambda r: r["PermissionSet"]["PermissionSetArn"], lambda r: r["PermissionSet"]["PermissionSetArn"])
    if not ps:
        return
    psa = ps["PermissionSet"]["PermissionSetArn"]
    for key in ("Description", "RelayState"):
        expect_error(f"R33 update_permission_set {key} \"\"", lambda: raw.update_permission_set(InstanceArn=arn, PermissionSetArn=psa, **{key: ""}), "ValidationException", status=400)
    call("R33 both stay", lambda: raw.describe_permission_set(InstanceArn=arn, PermissionSetArn=psa)["PermissionSet"],
         lambda r: r.get("Description") == "team" and r.get("RelayState") == "https://console.aws.amazon.com/", lambda r: f"{r}")
    call("R33 an update without them keeps both", lambda: (raw.update_permission_set(InstanceArn=arn, PermissionSetArn=psa, SessionDuration="PT2H"),
                                                           raw.describe_permission_set(InstanceArn=arn, PermissionSetArn=psa))[1]["PermissionSet"],
         lambda r: r.get("Description") == "team" and r.get("SessionDuration") == "PT2H", lambda r: f"{r}")
    raw.delete_permission_set(InstanceArn=arn, PermissionSetArn=psa)


def role_conflicts(ctx, sso, ids, arn, sid):
    """R42: two assignment operations on one permission set's role in one account at once: the
    later ends FAILED (nothing assigned) and asks to try again; ic_role_conflicts turns it off."""
    ps = sso.create_permission_set(InstanceArn=arn, Name="r42")["PermissionSet"]["PermissionSetArn"]
    g1 = ids.create_group(IdentityStoreId=sid, DisplayName="r42-a")["GroupId"]
    g2 = ids.create_group(IdentityStoreId=sid, DisplayName="r42-b")["GroupId"]
    start = lambda g: sso.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps, TargetType="AWS_ACCOUNT", TargetId=ctx["dev"],
                                                    PrincipalType="GROUP", PrincipalId=g)["AccountAssignmentCreationStatus"]["RequestId"]
    status = lambda rid: _final(lambda: sso.describe_account_assignment_creation_status(InstanceArn=arn, AccountAssignmentCreationRequestId=rid),
                                "AccountAssignmentCreationStatus")
    first, second = start(g1), start(g2)
    a, b = status(first), status(second)
    check("R42 the first SUCCEEDED", a["Status"] == "SUCCEEDED", f"Status={a['Status']}")
    check("R42 the second, started while the first was in progress, FAILED: try again",
          b["Status"] == "FAILED" and "try again" in b.get("FailureReason", ""), f"Status={b['Status']} FailureReason={b.get('FailureReason')!r}")
    call("R42 nothing assigned by the failed one", lambda: sso.list_account_assignments(InstanceArn=arn, AccountId=ctx["dev"], PermissionSetArn=ps),
         lambda r: [x["PrincipalId"] for x in r["AccountAssignments"]] == [g1], lambda r: f"{[x['PrincipalId'] for x in r['AccountAssignments']]}")
    b = status(start(g2))
    check("R42 started again once the first ended: SUCCEEDED", b["Status"] == "SUCCEEDED", f"Status={b['Status']}")
    control("/orgctl-emulator/config", b'{"ic_role_conflicts": false}')
    g3 = ids.create_group(IdentityStoreId=sid, DisplayName="r42-c")["GroupId"]
    first = start(g3)
    rid = sso.delete_account_assignment(InstanceArn=arn, PermissionSetArn=ps, TargetType="AWS_ACCOUNT", TargetId=ctx["dev"],
                                        PrincipalType="GROUP", PrincipalId=g1)["AccountAssignmentDeletionStatus"]["RequestId"]
    d = _final(lambda: sso.describe_account_assignment_deletion_status(InstanceArn=arn, AccountAssignmentDeletionRequestId=rid), "AccountAssignmentDeletionStatus")
    check("R42 ic_role_conflicts false: both SUCCEEDED", status(first)["Status"] == "SUCCEEDED" and d["Status"] == "SUCCEEDED", f"delete={d['Status']}")
    control("/orgctl-emulator/config", b'{"ic_role_conflicts": true}')


def control_knobs():
    stats = call("knob stats", lambda: control("/orgctl-emulator/stats"), lambda r: r["total"] > 0 and "sso" in r and "ListAccounts" in r["organizations"],
                 lambda r: f"keys={sorted(r)} sso keys={sorted(r['sso'])}")
    call("knob stats reset", lambda: (control("/orgctl-emulator/stats/reset", b""), control("/orgctl-emulator/stats"))[1],
         lambda r: r["total"] == 0 and r["sso"]["requests"] == {}, lambda r: f"total={r['total']}")
    call("knob config", lambda: control("/orgctl-emulator/config", b'{"create_delay": 0.2, "unknown": 1}'), lambda r: "unknown" not in r and r["create_delay"] == 0.2,
         lambda r: f"{sorted(r)}")
    return stats


def security_lake(ctx, o):
    sl = client("securitylake")
    mgmt, sec, infra, dev = ctx["mgmt"], ctx["sec-ops"], ctx["infra"], ctx["dev"]

    def has_error_code(r):
        return r.get("errorCode") is not None or "errorCode" in r.get("Error", {})

    expect_error("R26 member registers: AccessDenied", lambda: client("securitylake", member(sec)).register_data_lake_delegated_administrator(accountId=sec),
                 "AccessDeniedException", status=403, extra=has_error_code)
    expect_error("R26 account outside any organization: AccessDenied",
                 lambda: client("securitylake", member("111111111111")).register_data_lake_delegated_administrator(accountId=sec), "AccessDeniedException", status=403)
    expect_error("R26 the management account: BadRequest", lambda: sl.register_data_lake_delegated_administrator(accountId=mgmt), "BadRequestException", status=400)
    expect_error("R26 not a member: BadRequest", lambda: sl.register_data_lake_delegated_administrator(accountId="999999999999"), "BadRequestException", status=400)
    expect_error("R26 deregister with none: ResourceNotFound", lambda: sl.deregister_data_lake_delegated_administrator(), "ResourceNotFoundException", status=404)
    call("R26 register infra", lambda: sl.register_data_lake_delegated_administrator(accountId=infra), lambda r: r == {}, lambda r: f"{r}")
    call("R26 Organizations DA registered", lambda: o.list_delegated_administrators(ServicePrincipal=SL),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [infra], lambda r: f"{[a['Id'] for a in r['DelegatedAdministrators']]}")
    call("R26 trusted access enabled", lambda: o.list_aws_service_access_for_organization(),
         lambda r: SL in [s["ServicePrincipal"] for s in r["EnabledServicePrincipals"]], lambda r: f"{SL} enabled")
    call("R26 delegated services of infra", lambda: o.list_delegated_services_for_account(AccountId=infra),
         lambda r: SL in [s["ServicePrincipal"] for s in r["DelegatedServices"]], lambda r: f"{sorted(s['ServicePrincipal'] for s in r['DelegatedServices'])}")
    expect_error("R26 same admin again: Conflict", lambda: sl.register_data_lake_delegated_administrator(accountId=infra), "ConflictException", status=409)
    expect_error("R26 another admin: Conflict", lambda: sl.register_data_lake_delegated_administrator(accountId=dev), "ConflictException", status=409)
    expect_error("R26 another admin from another Region: Conflict (organization-wide)",
                 lambda: client("securitylake", region="eu-west-1").register_data_lake_delegated_administrator(accountId=dev), "ConflictException", status=409)
    expect_error("R26 the admin deregisters: AccessDenied", lambda: client("securitylake", member(infra)).deregister_data_lake_delegated_administrator(),
                 "AccessDeniedException", status=403)
    call("R26 deregister from another Region", lambda: client("securitylake", region="eu-west-1").deregister_data_lake_delegated_administrator(),
         lambda r: r == {}, lambda r: f"{r}")
    call("R26 Organizations DA removed", lambda: o.list_delegated_administrators(ServicePrincipal=SL),
         lambda r: r["DelegatedAdministrators"] == [], lambda r: f"{r['DelegatedAdministrators']}")
    call("R26 trusted access stays", lambda: o.list_aws_service_access_for_organization(),
         lambda r: SL in [s["ServicePrincipal"] for s in r["EnabledServicePrincipals"]], lambda r: f"{SL} still enabled")
    expect_error("R26 deregister again: ResourceNotFound", lambda: sl.deregister_data_lake_delegated_administrator(), "ResourceNotFoundException", status=404)
    call("R26 DA registered through Organizations", lambda: o.register_delegated_administrator(AccountId=dev, ServicePrincipal=SL))
    expect_error("R26 register while the Organizations DA is another account: Conflict",
                 lambda: sl.register_data_lake_delegated_administrator(accountId=infra), "ConflictException", status=409)
    call("R26 deregister removes that registration", lambda: (sl.deregister_data_lake_delegated_administrator(), o.list_delegated_administrators(ServicePrincipal=SL))[1],
         lambda r: r["DelegatedAdministrators"] == [], lambda r: f"{r['DelegatedAdministrators']}")
    status, headers, body = signed("securitylake", "GET", "/v1/datalake/delegate", None, {})
    check("R26 unknown operation: 404", status == 404, f"HTTP {status} {headers.get('x-amzn-ErrorType')} {body.decode()}")


def audit_manager(ctx, o):
    am = client("auditmanager")
    mgmt, sec, infra, dev = ctx["mgmt"], ctx["sec-ops"], ctx["infra"], ctx["dev"]
    eu = client("auditmanager", region="eu-west-1")
    expect_error("R27 before trusted access: Validation", lambda: am.register_organization_admin_account(adminAccountId=sec), "ValidationException", status=400)
    call("R27 trusted access enabled", lambda: o.enable_aws_service_access(ServicePrincipal=AM))
    expect_error("R27 member registers: AccessDenied", lambda: client("auditmanager", member(sec)).register_organization_admin_account(adminAccountId=sec),
                 "AccessDeniedException", status=403)
    expect_error("R27 the management account: Validation", lambda: am.register_organization_admin_account(adminAccountId=mgmt), "ValidationException", status=400)
    expect_error("R27 not a member: Validation", lambda: am.register_organization_admin_account(adminAccountId="999999999999"), "ValidationException", status=400)
    expect_error("R27 no admin yet: ResourceNotFound", lambda: am.get_organization_admin_account(), "ResourceNotFoundException", status=404)
    call("R27 register sec-ops in us-east-1", lambda: am.register_organization_admin_account(adminAccountId=sec),
         lambda r: r["adminAccountId"] == sec and r["organizationId"].startswith("o-"), lambda r: f"{r['adminAccountId'] == sec}")
    call("R27 get in us-east-1", lambda: am.get_organization_admin_account(), lambda r: r["adminAccountId"] == sec, lambda r: "sec-ops")
    expect_error("R27 none in eu-west-1 yet: ResourceNotFound", lambda: eu.get_organization_admin_account(), "ResourceNotFoundException", status=404)
    call("R27 Organizations DA registered", lambda: o.list_delegated_administrators(ServicePrincipal=AM),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [sec], lambda r: "sec-ops")
    expect_error("R27 another account in another Region: Validation (one admin everywhere)",
                 lambda: eu.register_organization_admin_account(adminAccountId=infra), "ValidationException", status=400)
    call("R27 the same account in eu-west-1", lambda: eu.register_organization_admin_account(adminAccountId=sec), lambda r: r["adminAccountId"] == sec, lambda r: "sec-ops")
    expect_error("R27 deregister an account that is not the admin: ResourceNotFound",
                 lambda: am.deregister_organization_admin_account(adminAccountId=dev), "ResourceNotFoundException", status=404)
    call("R27 deregister in both Regions", lambda: (am.deregister_organization_admin_account(adminAccountId=sec), eu.deregister_organization_admin_account(adminAccountId=sec))[1])
    expect_error("R27 gone in us-east-1: ResourceNotFound", lambda: am.get_organization_admin_account(), "ResourceNotFoundException", status=404)
    call("R27 the Organizations DA stays until deregistered there", lambda: o.list_delegated_administrators(ServicePrincipal=AM),
         lambda r: [a["Id"] for a in r["DelegatedAdministrators"]] == [sec], lambda r: "sec-ops")
    call("R27 cleanup", lambda: o.deregister_delegated_administrator(AccountId=sec, ServicePrincipal=AM))
