//! Each AWS rule the emulator adds to moto (R1–R9, listed in docs/emulator.md with its AWS
//! source), proven through the real SDK: without the rule these calls would succeed.

use std::time::Duration;

use aws_sdk_organizations::error::ProvideErrorMetadata;
use aws_sdk_organizations::types::{CreateAccountState, OrganizationFeatureSet};

use crate::emulator::Emulator;

async fn setup(emu: &Emulator) -> (aws_sdk_organizations::Client, String) {
    let org = emu.mgmt();
    org.create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_string();
    (org, root)
}

async fn new_ou(org: &aws_sdk_organizations::Client, parent: &str, name: &str) -> String {
    let out = org
        .create_organizational_unit()
        .parent_id(parent)
        .name(name)
        .send()
        .await
        .unwrap();
    out.organizational_unit().unwrap().id().unwrap().to_string()
}

async fn create(org: &aws_sdk_organizations::Client, name: &str) -> String {
    let req = org
        .create_account()
        .email(format!("{name}@example.com"))
        .account_name(name)
        .send()
        .await
        .unwrap();
    let rid = req
        .create_account_status()
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    loop {
        let st = org
            .describe_create_account_status()
            .create_account_request_id(&rid)
            .send()
            .await
            .unwrap();
        let st = st.create_account_status().unwrap();
        if st.state() == Some(&CreateAccountState::Succeeded) {
            return st.account_id().unwrap().to_string();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn code<E: ProvideErrorMetadata>(e: &E) -> String {
    e.code().unwrap_or_default().to_string()
}

#[tokio::test]
async fn r1_duplicate_ou_name_and_unknown_parent() {
    let emu = Emulator::start(&[]);
    let (org, root) = setup(&emu).await;
    org.create_organizational_unit()
        .parent_id(&root)
        .name("A")
        .send()
        .await
        .unwrap();
    let e = org
        .create_organizational_unit()
        .parent_id(&root)
        .name("A")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "DuplicateOrganizationalUnitException");
    let e = org
        .create_organizational_unit()
        .parent_id("ou-nope-12345678")
        .name("B")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "ParentNotFoundException");
}

#[tokio::test]
async fn r2_non_empty_ou_cannot_be_deleted() {
    let emu = Emulator::start(&["--create-delay", "0"]);
    let (org, root) = setup(&emu).await;
    let ou = new_ou(&org, &root, "A").await;
    let acct = create(&org, "x").await;
    org.move_account()
        .account_id(&acct)
        .source_parent_id(&root)
        .destination_parent_id(&ou)
        .send()
        .await
        .unwrap();
    let e = org
        .delete_organizational_unit()
        .organizational_unit_id(&ou)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "OrganizationalUnitNotEmptyException");
}

#[tokio::test]
async fn r3_move_account_checks_source_and_destination() {
    let emu = Emulator::start(&["--create-delay", "0"]);
    let (org, root) = setup(&emu).await;
    let ou = new_ou(&org, &root, "A").await;
    let acct = create(&org, "x").await;
    let e = org
        .move_account()
        .account_id(&acct)
        .source_parent_id(&ou)
        .destination_parent_id(&root)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "SourceParentNotFoundException");
    let e = org
        .move_account()
        .account_id(&acct)
        .source_parent_id(&root)
        .destination_parent_id(&root)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "DuplicateAccountException");
}

#[tokio::test]
async fn r4_create_account_is_asynchronous_and_emails_are_unique() {
    let emu = Emulator::start(&["--create-delay", "0.3"]);
    let (org, _) = setup(&emu).await;
    let first = org
        .create_account()
        .email("same@example.com")
        .account_name("a")
        .send()
        .await
        .unwrap();
    assert_eq!(
        first.create_account_status().unwrap().state(),
        Some(&CreateAccountState::InProgress)
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    let second = org
        .create_account()
        .email("SAME@example.com")
        .account_name("b")
        .send()
        .await
        .unwrap();
    let rid = second
        .create_account_status()
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let st = org
        .describe_create_account_status()
        .create_account_request_id(&rid)
        .send()
        .await
        .unwrap();
    let st = st.create_account_status().unwrap();
    assert_eq!(st.state(), Some(&CreateAccountState::Failed));
    assert_eq!(
        st.failure_reason().map(|r| r.as_str()),
        Some("EMAIL_ALREADY_EXISTS")
    );
}

#[tokio::test]
async fn r5_registration_needs_trusted_access_and_respects_the_limit() {
    let emu = Emulator::start(&["--create-delay", "0"]);
    let (org, _) = setup(&emu).await;
    let (a, b) = (create(&org, "a").await, create(&org, "b").await);
    let e = org
        .register_delegated_administrator()
        .account_id(&a)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "ConstraintViolationException");
    assert_eq!(reason(&e).as_deref(), Some("SERVICE_ACCESS_NOT_ENABLED"));
    org.enable_aws_service_access()
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    org.register_delegated_administrator()
        .account_id(&a)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    let e = org
        .register_delegated_administrator()
        .account_id(&b)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        reason(&e).as_deref(),
        Some("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED"),
        "{e:?}"
    );
    let e = org
        .register_delegated_administrator()
        .account_id(crate::emulator::MGMT)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        reason(&e).as_deref(),
        Some("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"),
        "{e:?}"
    );
}

/// The `Reason` of a registration's ConstraintViolationException: a member of its own, as AWS
/// sends it, never inside the message.
fn reason(
    e: &aws_sdk_organizations::operation::register_delegated_administrator::RegisterDelegatedAdministratorError,
) -> Option<String> {
    use aws_sdk_organizations::operation::register_delegated_administrator::RegisterDelegatedAdministratorError as E;
    match e {
        E::ConstraintViolationException(c) => {
            let r = c.reason().map(|r| r.as_str().to_string());
            if let Some(r) = &r {
                assert!(
                    !e.message().unwrap_or_default().contains(r.as_str()),
                    "{e:?}"
                );
            }
            r
        }
        _ => None,
    }
}

#[tokio::test]
async fn r6_catalog_principals_are_accepted() {
    let emu = Emulator::start(&["--create-delay", "0"]);
    let (org, _) = setup(&emu).await;
    let a = create(&org, "a").await;
    for p in [
        "cost-optimization-hub.bcm.amazonaws.com",
        "reporting.trustedadvisor.amazonaws.com",
        "backup.amazonaws.com",
        "iam.amazonaws.com",
    ] {
        org.enable_aws_service_access()
            .service_principal(p)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{p}: {e:?}"));
        org.register_delegated_administrator()
            .account_id(&a)
            .service_principal(p)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{p}: {e:?}"));
    }
}

#[tokio::test]
async fn r7_pages_hold_at_most_20() {
    let emu = Emulator::start(&["--create-delay", "0"]);
    let (org, root) = setup(&emu).await;
    for i in 0..25 {
        org.create_organizational_unit()
            .parent_id(&root)
            .name(format!("ou{i}"))
            .send()
            .await
            .unwrap();
    }
    let p1 = org
        .list_organizational_units_for_parent()
        .parent_id(&root)
        .send()
        .await
        .unwrap();
    assert_eq!(p1.organizational_units().len(), 20);
    let p2 = org
        .list_organizational_units_for_parent()
        .parent_id(&root)
        .next_token(p1.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(p2.organizational_units().len(), 5);
    assert!(p2.next_token().is_none());
    let e = org
        .list_organizational_units_for_parent()
        .parent_id(&root)
        .next_token("garbage")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "InvalidInputException");
}

#[tokio::test]
async fn r8_delegated_admins_read_the_organization_others_are_denied() {
    let emu = Emulator::start(&["--create-delay", "0"]);
    let (org, root) = setup(&emu).await;
    let (admin, plain) = (create(&org, "admin").await, create(&org, "plain").await);
    org.enable_aws_service_access()
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    org.register_delegated_administrator()
        .account_id(&admin)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    let as_admin = emu.org(&emu.member(&admin).await);
    assert_eq!(
        as_admin
            .list_accounts()
            .send()
            .await
            .unwrap()
            .accounts()
            .len(),
        3
    );
    let e = as_admin
        .create_organizational_unit()
        .parent_id(&root)
        .name("X")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        code(&e),
        "AccessDeniedException",
        "writes stay with the management account"
    );
    let as_plain = emu.org(&emu.member(&plain).await);
    let e = as_plain
        .list_accounts()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "AccessDeniedException");
    assert!(
        as_plain.describe_organization().send().await.is_ok(),
        "any member may describe its organization"
    );
}

#[tokio::test]
async fn r9_deregistering_an_unregistered_admin() {
    let emu = Emulator::start(&["--create-delay", "0"]);
    let (org, _) = setup(&emu).await;
    let a = create(&org, "a").await;
    org.enable_aws_service_access()
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    org.enable_aws_service_access()
        .service_principal("backup.amazonaws.com")
        .send()
        .await
        .unwrap();
    org.register_delegated_administrator()
        .account_id(&a)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    let e = org
        .deregister_delegated_administrator()
        .account_id(&a)
        .service_principal("backup.amazonaws.com")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "AccountNotRegisteredException");
}

/// The modelled `Reason` of a PutResourcePolicy input error, as the SDK parses it.
fn put_reason(
    e: &aws_sdk_organizations::operation::put_resource_policy::PutResourcePolicyError,
) -> String {
    use aws_sdk_organizations::operation::put_resource_policy::PutResourcePolicyError as E;
    match e {
        E::InvalidInputException(i) => i
            .reason()
            .map(|r| r.as_str().to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

#[tokio::test]
async fn r10_the_delegation_policy_apis() {
    let emu = Emulator::start(&["--create-delay", "0"]);
    let (org, _) = setup(&emu).await;
    let a = create(&org, "a").await;
    let e = org
        .describe_resource_policy()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "ResourcePolicyNotFoundException");
    let e = org
        .put_resource_policy()
        .content("{not json")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(put_reason(&e), "INVALID_RESOURCE_POLICY_JSON", "{e:?}");
    let bad = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{a}:root"}},"Action":"organizations:CreateAccount","Resource":"*"}}]}}"#
    );
    let e = org
        .put_resource_policy()
        .content(bad)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(
        put_reason(&e),
        "UNSUPPORTED_ACTION_IN_RESOURCE_POLICY",
        "{e:?}"
    );
    let stranger = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"999999999999"},"Action":"organizations:ListRoots","Resource":"*"}]}"#;
    let e = org
        .put_resource_policy()
        .content(stranger)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(put_reason(&e), "INVALID_PRINCIPAL", "{e:?}");
    let good = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{a}:root"}},"Action":["organizations:ListRoots","organizations:CreatePolicy"],"Resource":"*"}}]}}"#
    );
    org.put_resource_policy()
        .content(&good)
        .send()
        .await
        .unwrap();
    let got = org.describe_resource_policy().send().await.unwrap();
    assert_eq!(
        got.resource_policy().unwrap().content(),
        Some(good.as_str())
    );
    org.delete_resource_policy().send().await.unwrap();
    let e = org
        .delete_resource_policy()
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "ResourcePolicyNotFoundException");
}

#[tokio::test]
async fn r11_policy_types_attachments_and_documents() {
    use aws_sdk_organizations::types::{PolicyType, PolicyTypeStatus};
    let emu = Emulator::start(&["--create-delay", "0"]);
    let (org, root) = setup(&emu).await;
    let ou = new_ou(&org, &root, "A").await;
    let doc = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
    // All 13 types can be created (moto alone fails on BACKUP_POLICY).
    let backup = org
        .create_policy()
        .name("b")
        .r#type(PolicyType::BackupPolicy)
        .content(r#"{"plans":{}}"#)
        .description("")
        .send()
        .await
        .unwrap();
    let backup_id = backup
        .policy()
        .unwrap()
        .policy_summary()
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    // Attaching a type that is not enabled fails; EnablePolicyType is asynchronous.
    let e = org
        .attach_policy()
        .policy_id(&backup_id)
        .target_id(&ou)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "PolicyTypeNotEnabledException");
    let en = org
        .enable_policy_type()
        .root_id(&root)
        .policy_type(PolicyType::BackupPolicy)
        .send()
        .await
        .unwrap();
    assert_eq!(
        en.root().unwrap().policy_types()[0].status(),
        Some(&PolicyTypeStatus::PendingEnable)
    );
    tokio::time::sleep(Duration::from_millis(400)).await;
    org.attach_policy()
        .policy_id(&backup_id)
        .target_id(&ou)
        .send()
        .await
        .unwrap();
    let e = org
        .attach_policy()
        .policy_id(&backup_id)
        .target_id(&ou)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "DuplicatePolicyAttachmentException");
    // SCPs: a malformed document, the 5-per-target maximum, never the last one detached.
    let e = org
        .create_policy()
        .name("bad")
        .r#type(PolicyType::ServiceControlPolicy)
        .content("{nope")
        .description("")
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "MalformedPolicyDocumentException");
    org.enable_policy_type()
        .root_id(&root)
        .policy_type(PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let p = org
            .create_policy()
            .name(format!("s{i}"))
            .r#type(PolicyType::ServiceControlPolicy)
            .content(doc)
            .description("")
            .send()
            .await
            .unwrap();
        ids.push(
            p.policy()
                .unwrap()
                .policy_summary()
                .unwrap()
                .id()
                .unwrap()
                .to_string(),
        );
    }
    // The OU already has FullAWSAccess: four more make five, a fifth extra is refused.
    for id in &ids[..4] {
        org.attach_policy()
            .policy_id(id)
            .target_id(&ou)
            .send()
            .await
            .unwrap();
    }
    let e = org
        .attach_policy()
        .policy_id(&ids[4])
        .target_id(&ou)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        format!("{e:?}").contains("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
            || format!("{e:?}").contains("MaxPolicyTypeAttachmentLimitExceeded"),
        "{e:?}"
    );
    let full = "p-FullAWSAccess";
    let e = org
        .detach_policy()
        .policy_id(&ids[4])
        .target_id(&ou)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "PolicyNotAttachedException");
    for id in &ids[..4] {
        org.detach_policy()
            .policy_id(id)
            .target_id(&ou)
            .send()
            .await
            .unwrap();
    }
    let e = org
        .detach_policy()
        .policy_id(full)
        .target_id(&ou)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        format!("{e:?}").contains("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
            || format!("{e:?}").contains("MinPolicyTypeAttachmentLimitExceeded"),
        "{e:?}"
    );
}

#[tokio::test]
async fn r12_guardduty_delegated_admin_rules() {
    // R39's DISABLE_IN_PROGRESS is proven by e2e_delegation; here a disable is immediate.
    let emu = Emulator::start(&["--create-delay", "0", "--disable-delay", "0"]);
    let (org, _) = setup(&emu).await;
    let (a, b) = (create(&org, "a").await, create(&org, "b").await);
    let (east, west) = (emu.guardduty("us-east-1"), emu.guardduty("eu-west-1"));
    let msg = |e: &aws_sdk_guardduty::operation::enable_organization_admin_account::EnableOrganizationAdminAccountError| e.meta().message().unwrap_or_default().to_string();
    let e = east
        .enable_organization_admin_account()
        .admin_account_id(&a)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        msg(&e).contains("trusted access for GuardDuty is not enabled"),
        "{e:?}"
    );
    org.enable_aws_service_access()
        .service_principal("guardduty.amazonaws.com")
        .send()
        .await
        .unwrap();
    // AWS lets the management account be GuardDuty's administrator (and recommends against it);
    // it is not registered with Organizations, and it must be disabled before another account.
    east.enable_organization_admin_account()
        .admin_account_id(crate::emulator::MGMT)
        .send()
        .await
        .unwrap();
    assert_eq!(
        emu.service_admins("guardduty", "us-east-1").await,
        vec![crate::emulator::MGMT.to_string()]
    );
    let none = org
        .list_delegated_administrators()
        .service_principal("guardduty.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert!(none.delegated_administrators().is_empty());
    east.disable_organization_admin_account()
        .admin_account_id(crate::emulator::MGMT)
        .send()
        .await
        .unwrap();
    east.enable_organization_admin_account()
        .admin_account_id(&a)
        .send()
        .await
        .unwrap();
    // The first designation registers the Organizations delegated administrator.
    let das = org
        .list_delegated_administrators()
        .service_principal("guardduty.amazonaws.com")
        .send()
        .await
        .unwrap();
    assert_eq!(das.delegated_administrators()[0].id(), Some(a.as_str()));
    // The same account in every Region.
    let e = west
        .enable_organization_admin_account()
        .admin_account_id(&b)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        msg(&e).contains("must be the same account in every Region"),
        "{e:?}"
    );
    let e = west
        .disable_organization_admin_account()
        .admin_account_id(&a)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert!(
        e.meta()
            .message()
            .unwrap_or_default()
            .contains("not the delegated administrator in this Region"),
        "{e:?}"
    );
    east.disable_organization_admin_account()
        .admin_account_id(&a)
        .send()
        .await
        .unwrap();
    assert!(east
        .list_organization_admin_accounts()
        .send()
        .await
        .unwrap()
        .admin_accounts()
        .is_empty());
}

#[tokio::test]
async fn r13_inspector_delegated_admin_rules() {
    // R39's DISABLE_IN_PROGRESS is proven by e2e_delegation; here a disable is immediate.
    let emu = Emulator::start(&["--create-delay", "0", "--disable-delay", "0"]);
    let (org, _) = setup(&emu).await;
    let (a, b) = (create(&org, "a").await, create(&org, "b").await);
    let (east, west) = (emu.inspector2("us-east-1"), emu.inspector2("eu-west-1"));
    let e = east
        .enable_delegated_admin_account()
        .delegated_admin_account_id(crate::emulator::MGMT)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "ValidationException");
    east.enable_delegated_admin_account()
        .delegated_admin_account_id(&a)
        .send()
        .await
        .unwrap();
    // Trusted access and the Organizations registration come with the designation.
    let ta = org
        .list_aws_service_access_for_organization()
        .send()
        .await
        .unwrap();
    assert!(ta
        .enabled_service_principals()
        .iter()
        .any(|p| p.service_principal() == Some("inspector2.amazonaws.com")));
    let e = west
        .enable_delegated_admin_account()
        .delegated_admin_account_id(&b)
        .send()
        .await
        .unwrap_err()
        .into_service_error();
    assert_eq!(code(&e), "ConflictException");
    east.disable_delegated_admin_account()
        .delegated_admin_account_id(&a)
        .send()
        .await
        .unwrap();
    assert!(
        east.list_delegated_admin_accounts()
            .send()
            .await
            .unwrap()
            .delegated_admin_accounts()
            .is_empty(),
        "a disabled admin is not listed"
    );
}
