//! The AWS rules the emulator adds for Detective, Firewall Manager, IAM Identity Center and
//! Security Lake (R17–R24, R26, listed in docs/emulator.md with their AWS sources), proven through the real
//! SDK: without each rule these calls would succeed (or fail) differently on moto.

use aws_sdk_organizations::types::OrganizationFeatureSet;
use aws_sdk_ssoadmin::types::{PrincipalType, TargetType};

use crate::e2e::accounts;
use crate::emulator::{Creds, Emulator, MGMT};

fn sso(emu: &Emulator, creds: &Creds, region: &str) -> aws_sdk_ssoadmin::Client {
    aws_sdk_ssoadmin::Client::from_conf(
        aws_sdk_ssoadmin::Config::builder()
            .behavior_version(aws_sdk_ssoadmin::config::BehaviorVersion::latest())
            .region(aws_sdk_ssoadmin::config::Region::new(region.to_string()))
            .endpoint_url(&emu.url)
            .credentials_provider(creds.provider())
            // One attempt: the rules' errors must reach the test, not the retry loop.
            .retry_config(aws_sdk_ssoadmin::config::retry::RetryConfig::disabled())
            .build(),
    )
}

fn store(emu: &Emulator, creds: &Creds) -> aws_sdk_identitystore::Client {
    aws_sdk_identitystore::Client::from_conf(
        aws_sdk_identitystore::Config::builder()
            .behavior_version(aws_sdk_identitystore::config::BehaviorVersion::latest())
            .region(aws_sdk_identitystore::config::Region::new("us-east-1"))
            .endpoint_url(&emu.url)
            .credentials_provider(creds.provider())
            .build(),
    )
}

/// An organization with members sec-ops (the sso delegated admin, or the given services')
/// and app; returns (sec-ops id, app id).
async fn org_with_admin(emu: &Emulator, principal: &str) -> (String, String) {
    let org = emu.mgmt();
    org.create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let f = emu.write(
        "org.yaml",
        "version: 1\norganization:\n  management_account_id: \"123456789012\"\naccounts:\n  - { name: sec-ops, email: sec@example.com, ou: root }\n  - { name: app, email: app@example.com, ou: root }\n",
    );
    emu.orgctl(&["apply", "-f", f.to_str().unwrap(), "--auto-approve"])
        .expect(0);
    let a = accounts(&org).await;
    let (sec, app) = (a["sec-ops"].0.clone(), a["app"].0.clone());
    if !principal.is_empty() {
        org.enable_aws_service_access()
            .service_principal(principal)
            .send()
            .await
            .unwrap();
        org.register_delegated_administrator()
            .account_id(&sec)
            .service_principal(principal)
            .send()
            .await
            .unwrap();
    }
    (sec, app)
}

#[tokio::test]
async fn r17_detective_admin_is_the_management_accounts_to_designate_one_per_region() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    let (sec, app) = org_with_admin(&emu, "").await;
    let d = |creds: &Creds| {
        aws_sdk_detective::Client::from_conf(
            aws_sdk_detective::Config::builder()
                .behavior_version(aws_sdk_detective::config::BehaviorVersion::latest())
                .region(aws_sdk_detective::config::Region::new("eu-west-1"))
                .endpoint_url(&emu.url)
                .credentials_provider(creds.provider())
                .build(),
        )
    };
    let sec_creds = emu.member(&sec).await;
    let e = d(&sec_creds)
        .enable_organization_admin_account()
        .account_id(&sec)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("AccessDeniedException")
    );
    let mgmt = d(&Creds::management());
    mgmt.enable_organization_admin_account()
        .account_id(&sec)
        .send()
        .await
        .unwrap();
    // Detective registered the Organizations delegated administrator as a side effect.
    let admins = emu
        .mgmt()
        .list_delegated_administrators()
        .service_principal("detective.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        admins.delegated_administrators()[0].id(),
        Some(sec.as_str())
    );
    let e = mgmt
        .enable_organization_admin_account()
        .account_id(&app)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("ValidationException")
    );
    mgmt.disable_organization_admin_account()
        .send()
        .await
        .unwrap();
    assert!(mgmt
        .list_organization_admin_accounts()
        .send()
        .await
        .unwrap()
        .administrators()
        .is_empty());
}

#[tokio::test]
async fn r18_firewall_manager_admin_rules() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    let (sec, _) = org_with_admin(&emu, "").await;
    let f = |creds: &Creds| {
        aws_sdk_fms::Client::from_conf(
            aws_sdk_fms::Config::builder()
                .behavior_version(aws_sdk_fms::config::BehaviorVersion::latest())
                .region(aws_sdk_fms::config::Region::new("us-east-1"))
                .endpoint_url(&emu.url)
                .credentials_provider(creds.provider())
                .build(),
        )
    };
    let mgmt = f(&Creds::management());
    let e = mgmt
        .associate_admin_account()
        .admin_account(MGMT)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("InvalidInputException")
    );
    let sec_creds = emu.member(&sec).await;
    let e = f(&sec_creds)
        .associate_admin_account()
        .admin_account(&sec)
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("InvalidOperationException")
    );
    mgmt.associate_admin_account()
        .admin_account(&sec)
        .send()
        .await
        .unwrap();
    // The role is created asynchronously.
    let first = mgmt.get_admin_account().send().await.unwrap();
    assert_eq!(first.role_status().map(|s| s.as_str()), Some("CREATING"));
    // Only the administrator disassociates itself.
    let e = mgmt.disassociate_admin_account().send().await.unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("InvalidOperationException")
    );
    f(&sec_creds)
        .disassociate_admin_account()
        .send()
        .await
        .unwrap();
    let e = mgmt.get_admin_account().send().await.unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("ResourceNotFoundException")
    );
}

#[tokio::test]
async fn r19_r20_the_delegated_admin_sees_the_management_accounts_instance_others_do_not() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    let (sec, app) = org_with_admin(&emu, "sso.amazonaws.com").await;
    let mine = sso(&emu, &Creds::management(), "us-east-1")
        .list_instances()
        .send()
        .await
        .unwrap();
    let i = &mine.instances()[0];
    let da = sso(&emu, &emu.member(&sec).await, "us-east-1")
        .list_instances()
        .send()
        .await
        .unwrap();
    assert_eq!(da.instances()[0].instance_arn(), i.instance_arn());
    assert_eq!(da.instances()[0].identity_store_id(), i.identity_store_id());
    assert!(sso(&emu, &Creds::management(), "eu-west-1")
        .list_instances()
        .send()
        .await
        .unwrap()
        .instances()
        .is_empty());
    let app_creds = emu.member(&app).await;
    let other = sso(&emu, &app_creds, "us-east-1")
        .list_permission_sets()
        .instance_arn(i.instance_arn().unwrap())
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        other.into_service_error().meta().code(),
        Some("AccessDeniedException")
    );
    // Any member may read the identity store; only the admins may write it.
    let id = i.identity_store_id().unwrap();
    store(&emu, &app_creds)
        .list_users()
        .identity_store_id(id)
        .send()
        .await
        .unwrap();
    let e = store(&emu, &app_creds)
        .create_group()
        .identity_store_id(id)
        .display_name("x")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("AccessDeniedException")
    );
}

#[tokio::test]
async fn r21_to_r24_what_the_delegated_admin_may_not_do_and_what_aws_validates() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    let (sec, app) = org_with_admin(&emu, "sso.amazonaws.com").await;
    let sec_creds = emu.member(&sec).await;
    let da = sso(&emu, &sec_creds, "us-east-1");
    let mgmt = sso(&emu, &Creds::management(), "us-east-1");
    let inst = da.list_instances().send().await.unwrap().instances()[0].clone();
    let (arn, id) = (
        inst.instance_arn().unwrap().to_string(),
        inst.identity_store_id().unwrap().to_string(),
    );
    let gid = store(&emu, &sec_creds)
        .create_group()
        .identity_store_id(&id)
        .display_name("admins")
        .send()
        .await
        .unwrap()
        .group_id()
        .to_string();
    // R24: a group name in use.
    let dup = store(&emu, &sec_creds)
        .create_group()
        .identity_store_id(&id)
        .display_name("admins")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        dup.into_service_error().meta().code(),
        Some("ConflictException")
    );
    // R22: the session duration is checked and returned as ISO-8601.
    let bad = da
        .create_permission_set()
        .instance_arn(&arn)
        .name("TooLong")
        .session_duration("PT13H")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        bad.into_service_error().meta().code(),
        Some("ValidationException")
    );
    let ps = da
        .create_permission_set()
        .instance_arn(&arn)
        .name("Admin")
        .session_duration("PT240M")
        .send()
        .await
        .unwrap();
    let ps = ps.permission_set().unwrap();
    assert_eq!(ps.session_duration(), Some("PT4H"));
    let ps_arn = ps.permission_set_arn().unwrap().to_string();
    let dup = da
        .create_permission_set()
        .instance_arn(&arn)
        .name("Admin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        dup.into_service_error().meta().code(),
        Some("ConflictException")
    );
    let assign = |c: &aws_sdk_ssoadmin::Client, target: &str| {
        c.create_account_assignment()
            .instance_arn(&arn)
            .permission_set_arn(&ps_arn)
            .principal_type(PrincipalType::Group)
            .principal_id(&gid)
            .target_type(TargetType::AwsAccount)
            .target_id(target)
            .send()
    };
    // R21: never in the management account.
    let e = assign(&da, MGMT).await.unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("AccessDeniedException")
    );
    // R23: asynchronous.
    let st = assign(&da, &app).await.unwrap();
    let st = st.account_assignment_creation_status().unwrap();
    assert_eq!(st.status().map(|s| s.as_str()), Some("IN_PROGRESS"));
    // R24: not a member account.
    let e = assign(&da, "999999999999").await.unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("ValidationException")
    );
    // The management account may assign it there; then the admin may no longer change it.
    assign(&mgmt, MGMT).await.unwrap();
    let e = da
        .update_permission_set()
        .instance_arn(&arn)
        .permission_set_arn(&ps_arn)
        .description("changed by the delegated admin")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("AccessDeniedException")
    );
    mgmt.update_permission_set()
        .instance_arn(&arn)
        .permission_set_arn(&ps_arn)
        .description("changed by the management account")
        .send()
        .await
        .unwrap();
}

/// The AWS error code of a failed call.
fn code<E, R>(e: aws_sdk_securitylake::error::SdkError<E, R>) -> Option<String>
where
    E: aws_sdk_securitylake::error::ProvideErrorMetadata,
{
    e.as_service_error()
        .and_then(|s| s.code())
        .map(str::to_string)
}

/// R26: Security Lake's delegated administrator is the management account's to register,
/// never itself, one for the organization; registration enables trusted access and registers
/// the Organizations admin (how orgctl reads it back); deregistration takes no account.
/// On plain moto every call fails (moto has no Security Lake).
#[tokio::test]
async fn r26_security_lake_admin_rules() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    let (sec, app) = org_with_admin(&emu, "").await;
    let lake = |creds: &Creds, region: &str| {
        aws_sdk_securitylake::Client::from_conf(
            aws_sdk_securitylake::Config::builder()
                .behavior_version(aws_sdk_securitylake::config::BehaviorVersion::latest())
                .region(aws_sdk_securitylake::config::Region::new(
                    region.to_string(),
                ))
                .endpoint_url(&emu.url)
                .credentials_provider(creds.provider())
                .retry_config(aws_sdk_securitylake::config::retry::RetryConfig::disabled())
                .build(),
        )
    };
    let mgmt = lake(&Creds::management(), "us-east-1");
    let register = |c: &aws_sdk_securitylake::Client, a: &str| {
        c.register_data_lake_delegated_administrator()
            .account_id(a)
            .send()
    };
    // Never the management account; only members of the organization.
    let e = register(&mgmt, MGMT).await.unwrap_err();
    assert_eq!(code(e).as_deref(), Some("BadRequestException"));
    let e = register(&mgmt, "999999999999").await.unwrap_err();
    assert_eq!(code(e).as_deref(), Some("BadRequestException"));
    // Only the management account registers.
    let sec_creds = emu.member(&sec).await;
    let e = register(&lake(&sec_creds, "us-east-1"), &sec)
        .await
        .unwrap_err();
    assert_eq!(code(e).as_deref(), Some("AccessDeniedException"));
    register(&mgmt, &sec).await.unwrap();
    // Side effects: trusted access and the Organizations registration.
    let org = emu.mgmt();
    let access = org
        .list_aws_service_access_for_organization()
        .send()
        .await
        .unwrap();
    assert!(access
        .enabled_service_principals()
        .iter()
        .any(|p| p.service_principal() == Some("securitylake.amazonaws.com")));
    let listed = |org: aws_sdk_organizations::Client| async move {
        org.list_delegated_administrators()
            .service_principal("securitylake.amazonaws.com")
            .send()
            .await
            .unwrap()
            .delegated_administrators()
            .iter()
            .filter_map(|a| a.id().map(str::to_string))
            .collect::<Vec<_>>()
    };
    assert_eq!(listed(emu.mgmt()).await, vec![sec.clone()]);
    // One administrator for the organization, from any Region.
    let e = register(&lake(&Creds::management(), "eu-west-1"), &app)
        .await
        .unwrap_err();
    assert_eq!(code(e).as_deref(), Some("ConflictException"));
    // Deregistration: management only, no account parameter; trusted access stays.
    let e = lake(&sec_creds, "us-east-1")
        .deregister_data_lake_delegated_administrator()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(e).as_deref(), Some("AccessDeniedException"));
    mgmt.deregister_data_lake_delegated_administrator()
        .send()
        .await
        .unwrap();
    assert!(listed(emu.mgmt()).await.is_empty());
    let e = mgmt
        .deregister_data_lake_delegated_administrator()
        .send()
        .await
        .unwrap_err();
    assert_eq!(code(e).as_deref(), Some("ResourceNotFoundException"));
}

/// R27: Audit Manager's administrator is the management account's to designate, Region by
/// Region, after trusted access, never itself, the same account in every Region. On plain
/// moto every call fails (moto has no Audit Manager).
#[tokio::test]
async fn r27_audit_manager_admin_rules() {
    use aws_sdk_auditmanager::error::ProvideErrorMetadata;
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    let (sec, app) = org_with_admin(&emu, "").await;
    let am = |creds: &Creds, region: &str| {
        aws_sdk_auditmanager::Client::from_conf(
            aws_sdk_auditmanager::Config::builder()
                .behavior_version(aws_sdk_auditmanager::config::BehaviorVersion::latest())
                .region(aws_sdk_auditmanager::config::Region::new(
                    region.to_string(),
                ))
                .endpoint_url(&emu.url)
                .credentials_provider(creds.provider())
                .retry_config(aws_sdk_auditmanager::config::retry::RetryConfig::disabled())
                .build(),
        )
    };
    let (us, eu) = (
        am(&Creds::management(), "us-east-1"),
        am(&Creds::management(), "eu-west-1"),
    );
    let register = |c: &aws_sdk_auditmanager::Client, a: &str| {
        c.register_organization_admin_account()
            .admin_account_id(a)
            .send()
    };
    let code = |e: &dyn ProvideErrorMetadata| e.code().map(str::to_string);
    // Trusted access first.
    let e = register(&us, &sec).await.unwrap_err().into_service_error();
    assert_eq!(code(&e).as_deref(), Some("ValidationException"));
    emu.mgmt()
        .enable_aws_service_access()
        .service_principal("auditmanager.amazonaws.com")
        .send()
        .await
        .unwrap();
    // Never the management account; only the management account designates.
    let e = register(&us, MGMT).await.unwrap_err().into_service_error();
    assert_eq!(code(&e).as_deref(), Some("ValidationException"));
    let sec_creds = emu.member(&sec).await;
    let e = register(&am(&sec_creds, "us-east-1"), &sec)
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e).as_deref(), Some("AccessDeniedException"));
    register(&us, &sec).await.unwrap();
    let got = us.get_organization_admin_account().send().await.unwrap();
    assert_eq!(got.admin_account_id(), Some(sec.as_str()));
    // Per Region: none in eu-west-1 yet; there, only the same account.
    let e = eu
        .get_organization_admin_account()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e).as_deref(), Some("ResourceNotFoundException"));
    let e = register(&eu, &app).await.unwrap_err().into_service_error();
    assert_eq!(code(&e).as_deref(), Some("ValidationException"));
    assert!(
        e.message()
            .unwrap_or_default()
            .contains("Cannot change delegated Admin"),
        "{e:?}"
    );
    register(&eu, &sec).await.unwrap();
    us.deregister_organization_admin_account()
        .admin_account_id(&sec)
        .send()
        .await
        .unwrap();
    let e = us
        .get_organization_admin_account()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e).as_deref(), Some("ResourceNotFoundException"));
}
