//! End to end, delegation through each service's own API: the real binary and SDK against
//! orgctl's emulator. Per-Region designation, one `replace` to move an admin, idempotent
//! re-runs, and what the emulator records afterwards.

use crate::e2e::{accounts, admins, new_org, SMALL};
use crate::emulator::{change, changes, Emulator, MGMT};

#[tokio::test]
async fn guardduty_is_delegated_per_region_through_its_own_api_and_moved_with_one_replace() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let (gd, f) = with_delegation(
        &emu,
        "guardduty: { admin: sec-ops, regions: [us-east-1, eu-west-1] }",
    );
    // Accounts first; then sec-ops is made GuardDuty admin by hand in one Region only.
    let small = emu.write("small.yaml", SMALL);
    emu.orgctl(&["apply", "-f", small.to_str().unwrap(), "--auto-approve"])
        .expect(0);
    let org = emu.mgmt();
    let accts = accounts(&org).await;
    let (sec, app) = (accts["sec-ops"].0.clone(), accts["app"].0.clone());
    org.enable_aws_service_access()
        .service_principal("guardduty.amazonaws.com")
        .send()
        .await
        .unwrap();
    emu.guardduty("us-east-1")
        .enable_organization_admin_account()
        .admin_account_id(&sec)
        .send()
        .await
        .unwrap();

    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(
        changes(&plan),
        vec![(
            "delegation[\"guardduty.amazonaws.com\"].region[\"eu-west-1\"]".to_string(),
            "create".to_string()
        )]
    );
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    for r in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            emu.service_admins("guardduty", r).await,
            vec![sec.clone()],
            "{r}"
        );
    }
    assert_eq!(
        admins(&org, "guardduty.amazonaws.com").await,
        vec![sec.clone()],
        "registered in Organizations as a side effect"
    );

    // sec-ops, as GuardDuty admin, manages a member and auto-enables new accounts.
    let sec_creds = emu.member(&sec).await;
    let sec_gd = guardduty_as(&emu, &sec_creds, "us-east-1");
    let detector = sec_gd.list_detectors().send().await.unwrap().detector_ids()[0].clone();
    sec_gd
        .create_members()
        .detector_id(&detector)
        .account_details(
            aws_sdk_guardduty::types::AccountDetail::builder()
                .account_id(&app)
                .email("aws+app@example.com")
                .build(),
        )
        .send()
        .await
        .unwrap();
    // And 60 more accounts of the organization, so ListMembers needs two pages of at most
    // 50 (R32 b) and the teardown must follow the token.
    emu.configure(r#"{"create_delay": 0}"#);
    let mut more = Vec::new();
    for batch in 0..12 {
        for k in 0..5 {
            org.create_account()
                .account_name(format!("m{batch}-{k}"))
                .email(format!("m{batch}-{k}@example.com"))
                .send()
                .await
                .unwrap();
        }
        creations_done(&org).await;
    }
    for (name, (id, ..)) in accounts(&org).await {
        if name.starts_with('m') && name.contains('-') {
            more.push(id);
        }
    }
    assert_eq!(more.len(), 60);
    for chunk in more.chunks(50) {
        let details: Vec<_> = chunk
            .iter()
            .map(|id| {
                aws_sdk_guardduty::types::AccountDetail::builder()
                    .account_id(id)
                    .email(format!("{id}@example.com"))
                    .build()
            })
            .collect();
        let out = sec_gd
            .create_members()
            .detector_id(&detector)
            .set_account_details(Some(details))
            .send()
            .await
            .unwrap();
        assert!(out.unprocessed_accounts().is_empty(), "{out:?}");
    }
    sec_gd
        .update_organization_configuration()
        .detector_id(&detector)
        .auto_enable_organization_members(aws_sdk_guardduty::types::AutoEnableMembers::All)
        .send()
        .await
        .unwrap();

    // Moving the admin: the old admin's teardown (its own share, as AWS documents), then one
    // replace by the management account; refused without --allow-destroy.
    std::fs::write(
        &f,
        gd.replace("guardduty: { admin: sec-ops", "guardduty: { admin: app"),
    )
    .unwrap();
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let teardown = format!("delegation[\"guardduty.amazonaws.com\"].teardown[\"{sec}\"]");
    assert_eq!(
        changes(&plan),
        vec![
            (teardown.clone(), "delete".to_string()),
            (
                "delegation[\"guardduty.amazonaws.com\"]".to_string(),
                "replace".to_string()
            )
        ]
    );
    assert_eq!(plan["changes"][0]["executor"]["account_id"], sec.as_str());
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(1);
    assert_eq!(
        emu.service_admins("guardduty", "eu-west-1").await,
        vec![sec.clone()],
        "nothing changed"
    );
    // The old admin runs its share first, as the plan says.
    assert!(plan["changes"][1]["summary"]
        .as_str()
        .unwrap()
        .contains(&format!("after the old admin's own share: {teardown}")));
    let r = emu
        .orgctl_as(
            &sec_creds,
            &[
                "apply",
                "-f",
                &f,
                "--auto-approve",
                "--allow-destroy",
                "--executor",
                "sec-ops",
            ],
        )
        .expect(0);
    assert!(
        r.stdout()
            .contains("us-east-1: auto-enable off, 61 member(s) removed"),
        "{}",
        r.stdout()
    );
    let members = sec_gd
        .list_members()
        .detector_id(&detector)
        .only_associated("false")
        .send()
        .await
        .unwrap();
    assert!(members.members().is_empty(), "{members:?}");
    let conf = sec_gd
        .describe_organization_configuration()
        .detector_id(&detector)
        .send()
        .await
        .unwrap();
    assert_eq!(
        conf.auto_enable_organization_members(),
        Some(&aws_sdk_guardduty::types::AutoEnableMembers::None)
    );
    // The management account applies its share (the teardown cannot be observed from here,
    // so it stays planned for sec-ops while sec-ops is the admin).
    let r = emu
        .orgctl(&[
            "apply",
            "-f",
            &f,
            "--auto-approve",
            "--allow-destroy",
            "--executor",
            MGMT,
            "--stage",
            "2",
        ])
        .expect(0);
    assert!(r.stdout().contains(&format!("disabled {sec} in eu-west-1; disabled {sec} in us-east-1; deregistered {sec}; enabled {app} in eu-west-1; enabled {app} in us-east-1")), "{}", r.stdout());
    for r in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            emu.service_admins("guardduty", r).await,
            vec![app.clone()],
            "{r}"
        );
    }
    assert_eq!(
        admins(&org, "guardduty.amazonaws.com").await,
        vec![app.clone()]
    );
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    // A re-run changes nothing.
    let again = emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    assert!(again.stdout().contains("No changes."), "{}", again.stdout());
}

#[tokio::test]
async fn inspector_is_delegated_per_region_and_moved_with_one_replace() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let (file, f) = with_delegation(
        &emu,
        "inspector2: { admin: sec-ops, regions: [us-east-1, eu-west-1] }",
    );
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let ch = changes(&plan);
    let pos = |a: &str| {
        ch.iter()
            .position(|(x, _)| x == a)
            .unwrap_or_else(|| panic!("{a} in {ch:?}"))
    };
    assert!(
        pos("trusted_access[\"inspector2.amazonaws.com\"]")
            < pos("delegation[\"inspector2.amazonaws.com\"].region[\"eu-west-1\"]")
    );
    assert!(
        pos("account[\"sec-ops\"]")
            < pos("delegation[\"inspector2.amazonaws.com\"].region[\"us-east-1\"]")
    );
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    let org = emu.mgmt();
    let accts = accounts(&org).await;
    let (sec, app) = (accts["sec-ops"].0.clone(), accts["app"].0.clone());
    for r in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            emu.service_admins("inspector2", r).await,
            vec![sec.clone()],
            "{r}"
        );
    }
    std::fs::write(
        &f,
        file.replace("inspector2: { admin: sec-ops", "inspector2: { admin: app"),
    )
    .unwrap();
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    for r in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            emu.service_admins("inspector2", r).await,
            vec![app.clone()],
            "{r}"
        );
    }
    assert_eq!(admins(&org, "inspector2.amazonaws.com").await, vec![app]);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn macie_and_security_hub_are_delegated_per_region_and_moved_with_one_replace() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let (file, f) = with_delegation(&emu, "macie: { admin: sec-ops, regions: [us-east-1, eu-west-1] }\n  securityhub: { admin: sec-ops, regions: [us-east-1, eu-west-1] }");
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    let org = emu.mgmt();
    let accts = accounts(&org).await;
    let (sec, app) = (accts["sec-ops"].0.clone(), accts["app"].0.clone());
    for (svc, principal) in [
        ("macie", "macie.amazonaws.com"),
        ("securityhub", "securityhub.amazonaws.com"),
    ] {
        for r in ["us-east-1", "eu-west-1"] {
            assert_eq!(
                emu.service_admins(svc, r).await,
                vec![sec.clone()],
                "{svc} {r}"
            );
        }
        assert_eq!(admins(&org, principal).await, vec![sec.clone()], "{svc}");
    }
    std::fs::write(
        &f,
        file.replace("macie: { admin: sec-ops", "macie: { admin: app")
            .replace("securityhub: { admin: sec-ops", "securityhub: { admin: app"),
    )
    .unwrap();
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(
        changes(&plan),
        vec![
            (
                "delegation[\"macie.amazonaws.com\"]".to_string(),
                "replace".to_string()
            ),
            (
                "delegation[\"securityhub.amazonaws.com\"]".to_string(),
                "replace".to_string()
            )
        ]
    );
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    for svc in ["macie", "securityhub"] {
        for r in ["us-east-1", "eu-west-1"] {
            assert_eq!(
                emu.service_admins(svc, r).await,
                vec![app.clone()],
                "{svc} {r}"
            );
        }
    }
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn cloudtrail_admins_are_registered_through_cloudtrails_own_api() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let (file, f) = with_delegation(&emu, "cloudtrail: { admins: [sec-ops, app] }");
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let ct = change(&plan, "delegation[\"cloudtrail.amazonaws.com\"]");
    assert_eq!(ct["op"]["via"], "cloudtrail", "{ct}");
    assert!(ct["executor"]["why"]
        .as_str()
        .unwrap()
        .contains("cloudtrail's Register/DeregisterOrganizationDelegatedAdmin"));
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    let org = emu.mgmt();
    let accts = accounts(&org).await;
    let mut both = vec![accts["sec-ops"].0.clone(), accts["app"].0.clone()];
    both.sort();
    let mut got = admins(&org, "cloudtrail.amazonaws.com").await;
    got.sort();
    assert_eq!(got, both);
    std::fs::write(
        &f,
        file.replace(
            "cloudtrail: { admins: [sec-ops, app] }",
            "cloudtrail: { admins: [sec-ops] }",
        ),
    )
    .unwrap();
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(
        changes(&plan),
        vec![(
            "delegation[\"cloudtrail.amazonaws.com\"]".to_string(),
            "replace".to_string()
        )]
    );
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    assert_eq!(
        admins(&org, "cloudtrail.amazonaws.com").await,
        vec![accts["sec-ops"].0.clone()]
    );
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn ipam_is_delegated_through_ec2_never_enable_aws_service_access() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let (file, f) = with_delegation(&emu, "ipam: { admin: app }");
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let ch = changes(&plan);
    assert!(
        !ch.iter()
            .any(|(a, _)| a == "trusted_access[\"ipam.amazonaws.com\"]"),
        "never EnableAWSServiceAccess for IPAM: {ch:?}"
    );
    let ipam = change(&plan, "delegation[\"ipam.amazonaws.com\"]");
    assert_eq!(ipam["op"]["via"], "ipam");
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    let again = emu
        .orgctl(&["plan", "-f", &f, "--format", "json", "--detailed-exitcode"])
        .expect(0)
        .json();
    assert!(
        !again["unmanaged"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["address"] == "trusted_access[\"ipam.amazonaws.com\"]"),
        "IPAM's own trusted access is part of its delegation"
    );
    let org = emu.mgmt();
    let accts = accounts(&org).await;
    assert_eq!(
        admins(&org, "ipam.amazonaws.com").await,
        vec![accts["app"].0.clone()]
    );
    std::fs::write(
        &f,
        file.replace("ipam: { admin: app }", "ipam: { admin: sec-ops }"),
    )
    .unwrap();
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    assert_eq!(
        admins(&org, "ipam.amazonaws.com").await,
        vec![accts["sec-ops"].0.clone()]
    );
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

/// Security Lake goes through its own API (which creates its service-linked role), never
/// through Organizations' generic call or EnableAWSServiceAccess; a new admin is one replace
/// (deregister, then register), and both directions converge to an empty plan.
#[tokio::test]
async fn security_lake_is_delegated_through_its_own_api() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let (file, f) = with_delegation(&emu, "securitylake: { admin: app }");
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let ch = changes(&plan);
    assert!(
        !ch.iter()
            .any(|(a, _)| a == "trusted_access[\"securitylake.amazonaws.com\"]"),
        "its registration enables trusted access itself: {ch:?}"
    );
    let lake = change(&plan, "delegation[\"securitylake.amazonaws.com\"]");
    assert_eq!(lake["op"]["via"], "securitylake", "{lake}");
    assert_eq!(lake["executor"]["account_id"], MGMT, "{lake}");
    assert!(lake["executor"]["why"]
        .as_str()
        .unwrap()
        .contains("DataLakeDelegatedAdministrator"));
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    let org = emu.mgmt();
    let accts = accounts(&org).await;
    assert_eq!(
        admins(&org, "securitylake.amazonaws.com").await,
        vec![accts["app"].0.clone()]
    );
    std::fs::write(
        &f,
        file.replace(
            "securitylake: { admin: app }",
            "securitylake: { admin: sec-ops }",
        ),
    )
    .unwrap();
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(
        changes(&plan),
        vec![(
            "delegation[\"securitylake.amazonaws.com\"]".to_string(),
            "replace".to_string()
        )]
    );
    // A replace is destructive: refused without --allow-destroy, nothing changed.
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(1);
    assert_eq!(
        admins(&org, "securitylake.amazonaws.com").await,
        vec![accts["app"].0.clone()]
    );
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    assert_eq!(
        admins(&org, "securitylake.amazonaws.com").await,
        vec![accts["sec-ops"].0.clone()]
    );
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn detective_is_delegated_per_region_and_moved_with_one_replace() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let (file, f) = with_delegation(
        &emu,
        "detective: { admin: sec-ops, regions: [us-east-1, eu-west-1] }",
    );
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let ch = changes(&plan);
    for r in ["us-east-1", "eu-west-1"] {
        let a = format!("delegation[\"detective.amazonaws.com\"].region[\"{r}\"]");
        assert!(ch.contains(&(a.clone(), "create".into())), "{a} in {ch:?}");
    }
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    let org = emu.mgmt();
    let accts = accounts(&org).await;
    let (sec, app) = (accts["sec-ops"].0.clone(), accts["app"].0.clone());
    for r in ["us-east-1", "eu-west-1"] {
        assert_eq!(emu.service_admins("detective", r).await, vec![sec.clone()]);
    }
    // Detective registered its Organizations delegated administrator as a side effect.
    assert_eq!(admins(&org, "detective.amazonaws.com").await, vec![sec]);
    std::fs::write(
        &f,
        file.replace("detective: { admin: sec-ops", "detective: { admin: app"),
    )
    .unwrap();
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(
        changes(&plan),
        vec![(
            "delegation[\"detective.amazonaws.com\"]".to_string(),
            "replace".to_string()
        )]
    );
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(1);
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    for r in ["us-east-1", "eu-west-1"] {
        assert_eq!(emu.service_admins("detective", r).await, vec![app.clone()]);
    }
    assert_eq!(admins(&org, "detective.amazonaws.com").await, vec![app]);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

/// Audit Manager is designated Region by Region through its own API (the same account in
/// every Region, trusted access enabled first); a new admin is one replace that removes the old
/// one everywhere and from Organizations before designating the new one.
#[tokio::test]
async fn audit_manager_is_delegated_per_region_and_moved_with_one_replace() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let line = "auditmanager: { admin: sec-ops, regions: [us-east-1, eu-west-1] }";
    let (file, f) = with_delegation(&emu, line);
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let ch = changes(&plan);
    assert!(
        ch.contains(&(
            "trusted_access[\"auditmanager.amazonaws.com\"]".to_string(),
            "create".to_string()
        )),
        "Audit Manager needs trusted access first: {ch:?}"
    );
    for r in ["us-east-1", "eu-west-1"] {
        let a = format!("delegation[\"auditmanager.amazonaws.com\"].region[\"{r}\"]");
        assert!(ch.contains(&(a.clone(), "create".into())), "{a} in {ch:?}");
    }
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    let org = emu.mgmt();
    let accts = accounts(&org).await;
    let (sec, app) = (accts["sec-ops"].0.clone(), accts["app"].0.clone());
    for r in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            emu.service_admins("auditmanager", r).await,
            vec![sec.clone()]
        );
    }
    assert_eq!(admins(&org, "auditmanager.amazonaws.com").await, vec![sec]);
    std::fs::write(&f, file.replace(line, &line.replace("sec-ops", "app"))).unwrap();
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(
        changes(&plan),
        vec![(
            "delegation[\"auditmanager.amazonaws.com\"]".to_string(),
            "replace".to_string()
        )]
    );
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    for r in ["us-east-1", "eu-west-1"] {
        assert_eq!(
            emu.service_admins("auditmanager", r).await,
            vec![app.clone()]
        );
    }
    assert_eq!(admins(&org, "auditmanager.amazonaws.com").await, vec![app]);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

/// Firewall Manager's default administrator as the account itself sees it.
async fn fms_admin(emu: &Emulator, creds: &crate::emulator::Creds) -> Option<String> {
    let conf = aws_sdk_fms::Config::builder()
        .behavior_version(aws_sdk_fms::config::BehaviorVersion::latest())
        .region(aws_sdk_fms::config::Region::new("us-east-1"))
        .endpoint_url(&emu.url)
        .credentials_provider(creds.provider())
        .build();
    match aws_sdk_fms::Client::from_conf(conf)
        .get_admin_account()
        .send()
        .await
    {
        Ok(o) => o.admin_account().map(str::to_string),
        Err(e) => {
            assert_eq!(
                e.into_service_error().meta().code(),
                Some("ResourceNotFoundException")
            );
            None
        }
    }
}

#[tokio::test]
async fn firewall_manager_admin_is_associated_by_management_and_disassociated_by_itself() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    new_org(&emu).await;
    let (file, f) = with_delegation(&emu, "fms: { admin: sec-ops }");
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let c = change(&plan, "delegation[\"fms.amazonaws.com\"]");
    assert_eq!(c["op"]["via"], "fms", "{c}");
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    let org = emu.mgmt();
    let accts = accounts(&org).await;
    let (sec, app) = (accts["sec-ops"].0.clone(), accts["app"].0.clone());
    let mgmt = crate::emulator::Creds::management();
    assert_eq!(fms_admin(&emu, &mgmt).await, Some(sec.clone()));
    assert_eq!(admins(&org, "fms.amazonaws.com").await, vec![sec.clone()]);

    // Moving it: sec-ops must disassociate itself, then the management account associates app.
    std::fs::write(
        &f,
        file.replace("fms: { admin: sec-ops }", "fms: { admin: app }"),
    )
    .unwrap();
    let plan = emu
        .orgctl(&["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let ch = changes(&plan);
    let old = format!("delegation[\"fms.amazonaws.com\"].admin[\"{sec}\"]");
    assert_eq!(
        ch,
        vec![
            (old.clone(), "delete".to_string()),
            (
                "delegation[\"fms.amazonaws.com\"]".to_string(),
                "update".to_string()
            )
        ]
    );
    let first = &plan["changes"][0];
    assert_eq!(first["executor"]["account_id"], sec.as_str(), "{first}");
    // The management account cannot run sec-ops' part, so it does neither; waiting for
    // another account is not a failure (exit 0).
    let out = emu
        .orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0)
        .stdout();
    assert!(out.contains("sec-ops"), "{out}");
    assert_eq!(fms_admin(&emu, &mgmt).await, Some(sec.clone()));
    let sec_creds = emu.member(&sec).await;
    emu.orgctl_as(
        &sec_creds,
        &[
            "apply",
            "-f",
            &f,
            "--auto-approve",
            "--allow-destroy",
            "--executor",
            "sec-ops",
        ],
    )
    .expect(0);
    assert_eq!(fms_admin(&emu, &mgmt).await, None);
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    assert_eq!(fms_admin(&emu, &mgmt).await, Some(app.clone()));
    assert_eq!(admins(&org, "fms.amazonaws.com").await, vec![app]);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

/// A GuardDuty client acting as `creds` in `region`.
fn guardduty_as(
    emu: &Emulator,
    creds: &crate::emulator::Creds,
    region: &str,
) -> aws_sdk_guardduty::Client {
    aws_sdk_guardduty::Client::from_conf(
        aws_sdk_guardduty::Config::builder()
            .behavior_version(aws_sdk_guardduty::config::BehaviorVersion::latest())
            .region(aws_sdk_guardduty::config::Region::new(region.to_string()))
            .endpoint_url(&emu.url)
            .credentials_provider(creds.provider())
            .build(),
    )
}

/// [`SMALL`] with one more delegation line (`detective: { admin: sec-ops, … }`), written
/// to the test's org.yaml: (file text, path).
fn with_delegation(emu: &Emulator, line: &str) -> (String, String) {
    let file = SMALL.replace(
        "  sso: { admin: sec-ops }\n",
        &format!("  sso: {{ admin: sec-ops }}\n  {line}\n"),
    );
    let f = emu.write("org.yaml", &file);
    (file, f.to_str().unwrap().to_string())
}

/// Waits until no account creation is in progress.
async fn creations_done(org: &aws_sdk_organizations::Client) {
    for _ in 0..200 {
        let st = org
            .list_create_account_status()
            .states(aws_sdk_organizations::types::CreateAccountState::InProgress)
            .send()
            .await
            .unwrap();
        if st.create_account_statuses().is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("account creations never finished");
}
