//! End to end, AWS's asynchronous states (issue 11, items 7 and 8) against the emulator's
//! R38–R40: a regional admin still `DISABLE_IN_PROGRESS` is waited out, a just-created account
//! that AWS does not know everywhere yet is retried until it is (Organizations, GuardDuty and
//! an Identity Center assignment made by a later stage), and a Security Hub
//! administrator under central configuration is refused with the documented paths.

use crate::e2e::{accounts, apply_stages, new_org, SMALL};
use crate::emulator::{Creds, Emulator};

fn with(line: &str) -> String {
    SMALL.replace(
        "  sso: { admin: sec-ops }\n",
        &format!("  sso: {{ admin: sec-ops }}\n  {line}\n"),
    )
}

#[tokio::test]
async fn a_regional_admin_still_leaving_is_waited_out_not_disabled_twice() {
    let emu = Emulator::start(&["--create-delay", "0.1", "--disable-delay", "3"]);
    new_org(&emu).await;
    let file = with("inspector2: { admin: sec-ops, regions: [us-east-1] }");
    let f = emu.write("org.yaml", &file);
    let f = f.to_str().unwrap().to_string();
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    let accts = accounts(&emu.mgmt()).await;
    let (sec, app) = (accts["sec-ops"].0.clone(), accts["app"].0.clone());
    // Someone (a killed run, the console) starts removing sec-ops: it is listed
    // DISABLE_IN_PROGRESS for 3 s, and AWS refuses both a second disable and a new admin.
    emu.inspector2("us-east-1")
        .disable_delegated_admin_account()
        .delegated_admin_account_id(&sec)
        .send()
        .await
        .unwrap();
    std::fs::write(
        &f,
        file.replace("inspector2: { admin: sec-ops", "inspector2: { admin: app"),
    )
    .unwrap();
    let r = emu
        .orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    assert!(
        r.stdout()
            .contains(&format!("{sec} finished leaving us-east-1")),
        "{}",
        r.stdout()
    );
    assert_eq!(
        emu.service_admins("inspector2", "us-east-1").await,
        vec![app]
    );
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn a_new_account_unknown_to_the_services_for_a_while_is_retried_until_it_is_known() {
    // For 2 s after its creation, every service answers as if the account did not exist.
    let emu = Emulator::start(&["--create-delay", "0.1", "--new-account-lag", "2"]);
    new_org(&emu).await;
    let f = emu.write(
        "org.yaml",
        &with("guardduty: { admin: sec-ops, regions: [us-east-1] }"),
    );
    let f = f.to_str().unwrap();
    emu.orgctl(&["apply", "-f", f, "--auto-approve"]).expect(0);
    // AWS did refuse: the Identity Center registration (Organizations) and GuardDuty's
    // designation, both for sec-ops, created in the same run.
    let lag = &emu.stats()["new_account_lag"];
    assert!(
        lag.as_object().is_some_and(|m| !m.is_empty()),
        "no call hit the lag: {lag}"
    );
    let sec = accounts(&emu.mgmt()).await["sec-ops"].0.clone();
    assert_eq!(
        emu.service_admins("guardduty", "us-east-1").await,
        vec![sec]
    );
    emu.orgctl(&["plan", "-f", f, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn an_assignment_to_an_account_this_plan_created_is_retried_until_identity_center_can_use_it()
{
    // Identity Center first, with no lag: sec-ops administers it, Admin and carol exist.
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let base = format!(
        "{SMALL}identity_center:\n  users:\n    - {{ user_name: carol, display_name: Carol, given_name: Carol, family_name: Lee }}\n  permission_sets:\n    - {{ name: Admin, managed_policies: [\"arn:aws:iam::aws:policy/AdministratorAccess\"] }}\n"
    );
    let f = emu.write("org.yaml", &base);
    let f = f.to_str().unwrap().to_string();
    apply_stages(&emu, &f).await;
    // Then one reviewed plan creates `late` and assigns carol there. For 6 s after its
    // creation Identity Center cannot use the account: an assignment ends FAILED (R40).
    // sec-ops' stage runs right after the management account's. (The lag counts from each
    // account's creation: the first run's accounts must be older than it first.)
    tokio::time::sleep(std::time::Duration::from_secs(6)).await;
    emu.configure(r#"{"new_account_lag": 6}"#);
    let file = base.replace(
        "  - { name: app, email: aws+app@example.com, ou: Workloads/Prod }\n",
        "  - { name: app, email: aws+app@example.com, ou: Workloads/Prod }\n  - { name: late, email: aws+late@example.com, ou: Workloads/Prod }\n",
    ) + "  assignments:\n    - { permission_set: Admin, user: carol, targets: [\"account:late\"] }\n";
    std::fs::write(&f, file).unwrap();
    let (plan, _) = apply_stages(&emu, &f).await;
    assert_eq!(
        plan["stages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["account_name"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["master", "sec-ops"]
    );
    let lag = &emu.stats()["new_account_lag"];
    assert!(
        lag["sso-admin:CreateAccountAssignment"].as_u64() >= Some(1),
        "the assignment never met the new account's lag: {lag}"
    );
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

fn securityhub(emu: &Emulator, creds: &Creds, region: &str) -> aws_sdk_securityhub::Client {
    let conf = aws_sdk_securityhub::Config::builder()
        .behavior_version(aws_sdk_securityhub::config::BehaviorVersion::latest())
        .region(aws_sdk_securityhub::config::Region::new(region.to_string()))
        .endpoint_url(&emu.url)
        .credentials_provider(creds.provider())
        .build();
    aws_sdk_securityhub::Client::from_conf(conf)
}

#[tokio::test]
async fn a_security_hub_admin_under_central_configuration_is_refused_with_the_documented_paths() {
    use aws_sdk_securityhub::types::{
        AutoEnableStandards, OrganizationConfiguration, OrganizationConfigurationConfigurationType,
    };
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let file = with("securityhub: { admin: sec-ops, regions: [us-east-1] }");
    let f = emu.write("org.yaml", &file);
    let f = f.to_str().unwrap().to_string();
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    let sec = accounts(&emu.mgmt()).await["sec-ops"].0.clone();
    // sec-ops turns on central configuration from its home Region.
    let hub = securityhub(&emu, &emu.member(&sec).await, "us-east-1");
    hub.create_finding_aggregator()
        .region_linking_mode("ALL_REGIONS")
        .send()
        .await
        .unwrap();
    hub.update_organization_configuration()
        .auto_enable(false)
        .auto_enable_standards(AutoEnableStandards::None)
        .organization_configuration(
            OrganizationConfiguration::builder()
                .configuration_type(OrganizationConfigurationConfigurationType::Central)
                .build(),
        )
        .send()
        .await
        .unwrap();
    std::fs::write(
        &f,
        file.replace("securityhub: { admin: sec-ops", "securityhub: { admin: app"),
    )
    .unwrap();
    let r = emu
        .orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(1);
    let out = format!("{}{}", r.stdout(), r.stderr());
    assert!(out.contains("central configuration"), "{out}");
    assert!(
        out.contains("ConfigurationType=LOCAL")
            && out.contains("deregister-delegated-administrator"),
        "{out}"
    );
    // Nothing half done: sec-ops is still the administrator.
    assert_eq!(
        emu.service_admins("securityhub", "us-east-1").await,
        vec![sec.clone()]
    );
    // The first documented path: central configuration off, then the same apply works.
    hub.update_organization_configuration()
        .auto_enable(false)
        .organization_configuration(
            OrganizationConfiguration::builder()
                .configuration_type(OrganizationConfigurationConfigurationType::Local)
                .build(),
        )
        .send()
        .await
        .unwrap();
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    let app = accounts(&emu.mgmt()).await["app"].0.clone();
    assert_eq!(
        emu.service_admins("securityhub", "us-east-1").await,
        vec![app]
    );
}
