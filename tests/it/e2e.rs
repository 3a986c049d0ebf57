//! End to end: the real binary and the real SDK against orgctl's emulator. What a user
//! checks: the plan's exact changes, exit codes, the organization after apply, and that a
//! second plan is empty; every refusal leaves the organization untouched.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use aws_sdk_organizations::types::{CreateAccountState, OrganizationFeatureSet};

use crate::emulator::{change, changes, example, Creds, Emulator, MGMT};

/// Plans `f` as the management account into `plan.json` in the emulator's folder: the plan
/// (JSON) and the plan file's path.
pub(crate) fn save_plan(emu: &Emulator, f: &str) -> (serde_json::Value, String) {
    let pf = emu.dir.path().join("plan.json");
    let pf = pf.to_str().unwrap().to_string();
    let plan = emu
        .orgctl(&["plan", "-f", f, "--out", &pf, "--format", "json"])
        .expect(0)
        .json();
    (plan, pf)
}

/// Plans `f` into `plan.json` in the emulator's folder and applies it stage by stage, each
/// stage's account with its own credentials (an account created by an earlier stage included),
/// asserting each exits 0. Returns the plan (JSON) and the plan file's path.
pub(crate) async fn apply_stages(emu: &Emulator, f: &str) -> (serde_json::Value, String) {
    let (plan, pf) = save_plan(emu, f);
    for s in plan["stages"].as_array().unwrap() {
        let name = s["account_name"].as_str().unwrap();
        let n = s["number"].to_string();
        let creds = if name == "master" {
            Creds::management()
        } else {
            let id = accounts(&emu.mgmt()).await[name].0.clone();
            emu.member(&id).await
        };
        let r = emu.orgctl_as(
            &creds,
            &[
                "apply",
                &pf,
                "--executor",
                name,
                "--stage",
                &n,
                "--allow-destroy",
            ],
        );
        assert_eq!(
            r.code(),
            0,
            "stage {n} ({name}):\n{}\n{}",
            r.stdout(),
            r.stderr()
        );
    }
    (plan, pf)
}

/// Accounts by name: (id, email, parent id).
pub(crate) async fn accounts(
    org: &aws_sdk_organizations::Client,
) -> BTreeMap<String, (String, String, String)> {
    let mut out = BTreeMap::new();
    let mut pages = org.list_accounts().into_paginator().page_size(20).send();
    while let Some(p) = pages.next().await {
        for a in p.unwrap().accounts() {
            let id = a.id().unwrap().to_string();
            let parent = org
                .list_parents()
                .child_id(&id)
                .send()
                .await
                .unwrap()
                .parents()[0]
                .id()
                .unwrap()
                .to_string();
            out.insert(
                a.name().unwrap().to_string(),
                (id, a.email().unwrap().to_string(), parent),
            );
        }
    }
    out
}

/// OU path → id.
pub(crate) async fn ous(org: &aws_sdk_organizations::Client) -> BTreeMap<String, String> {
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_string();
    let mut out = BTreeMap::new();
    let mut todo = vec![(root, String::new())];
    while let Some((parent, prefix)) = todo.pop() {
        let mut pages = org
            .list_organizational_units_for_parent()
            .parent_id(&parent)
            .into_paginator()
            .page_size(20)
            .send();
        while let Some(page) = pages.next().await {
            for ou in page.unwrap().organizational_units() {
                let path = format!("{prefix}{}", ou.name().unwrap());
                out.insert(path.clone(), ou.id().unwrap().to_string());
                todo.push((ou.id().unwrap().to_string(), format!("{path}/")));
            }
        }
    }
    out
}

pub(crate) async fn admins(org: &aws_sdk_organizations::Client, principal: &str) -> Vec<String> {
    let out = org
        .list_delegated_administrators()
        .service_principal(principal)
        .send()
        .await
        .unwrap();
    out.delegated_administrators()
        .iter()
        .map(|a| a.id().unwrap().to_string())
        .collect()
}

/// Waits (30 s at most) until `n` account creations are in progress.
pub(crate) async fn creations_in_progress(org: &aws_sdk_organizations::Client, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let st = org
            .list_create_account_status()
            .states(CreateAccountState::InProgress)
            .send()
            .await
            .unwrap();
        if st.create_account_statuses().len() >= n {
            return;
        }
        assert!(Instant::now() < deadline, "the creations never started");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

pub(crate) async fn new_org(emu: &Emulator) {
    emu.mgmt()
        .create_organization()
        .feature_set(OrganizationFeatureSet::All)
        .send()
        .await
        .unwrap();
}

pub(crate) const SMALL: &str = r#"version: 1
organization:
  management_account_id: "123456789012"
organizational_units:
  - path: Security
  - path: Workloads/Prod
    tags: { env: prod }
accounts:
  - { name: sec-ops, email: aws+sec-ops@example.com, ou: Security, tags: { team: security } }
  - { name: app, email: aws+app@example.com, ou: Workloads/Prod }
delegations:
  sso: { admin: sec-ops }
trusted_access:
  - ram.amazonaws.com
"#;

#[tokio::test]
async fn greenfield_apply_then_plan_shows_no_changes() {
    let emu = Emulator::start(&["--create-delay", "0.3"]);
    new_org(&emu).await;
    let f = emu.write("org.yaml", SMALL);
    let f = f.to_str().unwrap();
    let plan = emu
        .orgctl(&["plan", "-f", f, "--format", "json", "--detailed-exitcode"])
        .expect(2)
        .json();
    assert_eq!(plan["summary"]["create"], 8, "{plan}");
    emu.orgctl(&["apply", "-f", f, "--auto-approve"]).expect(0);
    let again = emu
        .orgctl(&["plan", "-f", f, "--detailed-exitcode"])
        .expect(0);
    assert!(again.stdout().contains("No changes."), "{}", again.stdout());

    let org = emu.mgmt();
    let (ous, accts) = (ous(&org).await, accounts(&org).await);
    assert_eq!(
        ous.keys().collect::<Vec<_>>(),
        ["Security", "Workloads", "Workloads/Prod"]
    );
    assert_eq!(accts["sec-ops"].2, ous["Security"]);
    assert_eq!(accts["app"].2, ous["Workloads/Prod"]);
    assert_eq!(
        admins(&org, "sso.amazonaws.com").await,
        vec![accts["sec-ops"].0.clone()]
    );
    let tags = org
        .list_tags_for_resource()
        .resource_id(&accts["sec-ops"].0)
        .send()
        .await
        .unwrap();
    assert_eq!(tags.tags()[0].key(), "team");
}

/// The seed of `make demo`, plus a wrong Identity Center admin (infra-ops instead of sec-ops).
async fn brownfield(emu: &Emulator) -> serde_json::Value {
    let seeded = emu.seed(&["demo"]);
    let org = emu.mgmt();
    org.enable_aws_service_access()
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    let infra = seeded["accounts"]["infra-ops"].as_str().unwrap();
    org.register_delegated_administrator()
        .account_id(infra)
        .service_principal("sso.amazonaws.com")
        .send()
        .await
        .unwrap();
    seeded
}

#[tokio::test]
async fn brownfield_plan_is_exactly_the_difference() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    let seeded = brownfield(&emu).await;
    let plan = emu
        .orgctl(&[
            "plan",
            "-f",
            example().to_str().unwrap(),
            "--format",
            "json",
        ])
        .expect(0)
        .json();
    let want: Vec<(String, String)> = [
        ("trusted_access[\"backup.amazonaws.com\"]", "create"),
        (
            "trusted_access[\"cost-optimization-hub.bcm.amazonaws.com\"]",
            "create",
        ),
        ("trusted_access[\"guardduty.amazonaws.com\"]", "create"),
        ("trusted_access[\"inspector2.amazonaws.com\"]", "create"),
        (
            "trusted_access[\"tagpolicies.tag.amazonaws.com\"]",
            "create",
        ),
        ("ou[\"Workloads\"]", "create"),
        ("ou[\"Workloads/Dev\"]", "create"),
        ("ou[\"Workloads/Prod\"]", "create"),
        ("account[\"networking\"]", "create"),
        ("account[\"backup\"]", "update"),
        ("account[\"sec-ops\"]", "update"),
        ("account[\"sec-ops\"].tags", "update"),
        ("ou[\"Infrastructure\"].tags", "update"),
        ("ou[\"Security\"].tags", "update"),
        ("delegation[\"backup.amazonaws.com\"]", "create"),
        (
            "delegation[\"cost-optimization-hub.bcm.amazonaws.com\"]",
            "create",
        ),
        (
            "delegation[\"guardduty.amazonaws.com\"].region[\"eu-west-1\"]",
            "create",
        ),
        (
            "delegation[\"guardduty.amazonaws.com\"].region[\"us-east-1\"]",
            "create",
        ),
        (
            "delegation[\"inspector2.amazonaws.com\"].region[\"eu-west-1\"]",
            "create",
        ),
        (
            "delegation[\"inspector2.amazonaws.com\"].region[\"us-east-1\"]",
            "create",
        ),
        ("delegation[\"ipam.amazonaws.com\"]", "create"),
        ("delegation[\"sso.amazonaws.com\"]", "replace"),
        ("organizations_delegation", "create"),
        ("policy_type[\"BACKUP_POLICY\"]", "create"),
        ("policy_type[\"SERVICE_CONTROL_POLICY\"]", "create"),
        ("policy_type[\"TAG_POLICY\"]", "create"),
        ("policy[\"cost-center-tags\"]", "create"),
        ("policy[\"daily-backups\"]", "create"),
        ("policy[\"deny-leave-organization\"]", "create"),
        (
            "policy[\"cost-center-tags\"].attachment[\"root\"]",
            "create",
        ),
        (
            "policy[\"daily-backups\"].attachment[\"ou:Workloads/Prod\"]",
            "create",
        ),
        (
            "policy[\"deny-leave-organization\"].attachment[\"ou:Workloads\"]",
            "create",
        ),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .to_vec();
    let (ic, org): (Vec<_>, Vec<_>) = changes(&plan)
        .into_iter()
        .partition(|(a, _)| a.starts_with("identity_center."));
    assert_eq!(org, want);
    // Identity Center, on the seeded instance (SCIM user bob and group auditors, a ReadOnly
    // permission set with another session duration); OUs expand to the accounts the plan
    // leaves in them (networking is created by it).
    let mut want_ic: BTreeSet<(String, String)> = [
        ("identity_center.user[\"alice\"]", "create"),
        ("identity_center.group[\"platform-admins\"]", "create"),
        (
            "identity_center.group[\"platform-admins\"].member[\"alice\"]",
            "create",
        ),
        (
            "identity_center.group[\"platform-admins\"].member[\"bob\"]",
            "create",
        ),
        ("identity_center.permission_set[\"Admin\"]", "create"),
        ("identity_center.permission_set[\"ReadOnly\"]", "update"),
    ]
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .into_iter()
    .collect();
    let acct = |n: &str| seeded["accounts"][n].as_str().unwrap().to_string();
    for (ps, g) in [("Admin", "platform-admins"), ("ReadOnly", "auditors")] {
        for a in [
            acct("sec-ops"),
            acct("infra-ops"),
            acct("backup"),
            "networking".into(),
        ] {
            want_ic.insert((
                format!("identity_center.assignment[\"{ps}/group:{g}/{a}\"]"),
                "create".into(),
            ));
        }
    }
    assert_eq!(ic.into_iter().collect::<BTreeSet<_>>(), want_ic);
    let unmanaged: Vec<&str> = plan["unmanaged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        unmanaged,
        [
            "identity_center.user[\"*\"]",
            "ou[\"Sandbox\"]",
            "trusted_access[\"ram.amazonaws.com\"]"
        ]
    );
    let sso = change(&plan, "delegation[\"sso.amazonaws.com\"]");
    assert_eq!(
        change(&plan, "organizations_delegation")["executor"]["why"],
        "AWS reserves PutResourcePolicy/DeleteResourcePolicy to the management account"
    );
    assert_eq!(sso["risk"], "high");
    assert_eq!(sso["executor"]["account_id"], MGMT);
    assert!(
        sso["summary"].as_str().unwrap().starts_with(
            "replace delegated administrator of sso.amazonaws.com: deregister infra-ops"
        ),
        "{sso}"
    );
}

#[tokio::test]
async fn destructive_changes_need_allow_destroy_and_nothing_runs_without_it() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    let seeded = brownfield(&emu).await;
    let f = example();
    let f = f.to_str().unwrap();
    let refused = emu.orgctl(&["apply", "-f", f, "--auto-approve"]).expect(1);
    assert!(
        refused
            .stderr()
            .contains("--allow-destroy was not given; nothing was applied"),
        "{}",
        refused.stderr()
    );
    assert!(
        refused
            .stderr()
            .contains("delegation[\"sso.amazonaws.com\"] (replace)"),
        "{}",
        refused.stderr()
    );
    let org = emu.mgmt();
    assert!(
        !accounts(&org).await.contains_key("networking"),
        "nothing was created"
    );
    assert_eq!(
        admins(&org, "sso.amazonaws.com").await,
        vec![seeded["accounts"]["infra-ops"]
            .as_str()
            .unwrap()
            .to_string()]
    );

    emu.orgctl(&[
        "apply",
        "-f",
        f,
        "--executor",
        MGMT,
        "--auto-approve",
        "--allow-destroy",
    ])
    .expect(0);
    emu.orgctl(&["plan", "-f", f, "--executor", MGMT, "--detailed-exitcode"])
        .expect(0);
    assert_eq!(
        admins(&org, "sso.amazonaws.com").await,
        vec![seeded["accounts"]["sec-ops"].as_str().unwrap().to_string()]
    );
}

#[tokio::test]
async fn another_organization_is_refused_before_any_write() {
    let emu = Emulator::start(&[]);
    new_org(&emu).await;
    let f = emu.write("org.yaml", &SMALL.replace("123456789012", "999999999999"));
    let f = f.to_str().unwrap();
    let r = emu.orgctl(&["plan", "-f", f]).expect(1);
    assert!(
        r.stderr().contains("management account is 999999999999")
            && r.stderr().contains("management account 123456789012"),
        "{}",
        r.stderr()
    );
    emu.orgctl(&["apply", "-f", f, "--auto-approve"]).expect(1);
    assert!(ous(&emu.mgmt()).await.is_empty());
}

#[tokio::test]
async fn a_saved_plan_applies_exactly_and_a_stale_one_is_refused() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    new_org(&emu).await;
    // Prune: an OU that appears after the plan would be deleted by a re-plan.
    let f = emu.write(
        "org.yaml",
        &SMALL.replace(
            "  management_account_id: \"123456789012\"\n",
            "  management_account_id: \"123456789012\"\n  unmanaged: prune\n",
        ),
    );
    let (f, pf) = (
        f.to_str().unwrap().to_string(),
        emu.dir.path().join("plan.json"),
    );
    let pf = pf.to_str().unwrap();
    emu.orgctl(&["plan", "-f", &f, "--out", pf]).expect(0);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pf).unwrap()).unwrap();
    assert_eq!(saved["format_version"], 2);
    assert!(
        saved["desired"]["accounts"]["sec-ops"].is_object(),
        "{saved}"
    );

    // Someone changes the organization after the plan was made, in a way the plan does
    // not account for: a re-plan would delete the new OU.
    let org = emu.mgmt();
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_string();
    let surprise = org
        .create_organizational_unit()
        .parent_id(&root)
        .name("Surprise")
        .send()
        .await
        .unwrap();
    let r = emu.orgctl(&["apply", pf]).expect(1);
    assert!(
        r.stderr()
            .contains("the organization changed since the plan was reviewed")
            && r.stderr()
                .contains("ou[\"Surprise\"]: not in the reviewed plan: delete"),
        "{}",
        r.stderr()
    );
    assert_eq!(
        ous(&org).await.keys().collect::<Vec<_>>(),
        ["Surprise"],
        "nothing applied"
    );

    // Once it is gone again, the same plan file applies exactly, without a prompt.
    org.delete_organizational_unit()
        .organizational_unit_id(surprise.organizational_unit().unwrap().id().unwrap())
        .send()
        .await
        .unwrap();
    let r = emu.orgctl(&["apply", pf]).expect(0);
    assert!(
        r.stdout().contains("Applied 8 of 8 change(s)"),
        "{}",
        r.stdout()
    );
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    // The finished plan again: nothing runs twice.
    let r = emu.orgctl(&["apply", pf]).expect(0);
    assert!(r.stdout().contains("No changes left"), "{}", r.stdout());
    // An edited plan file (a zeroed summary) is refused as edited.
    let mut lying = saved.clone();
    lying["summary"] = serde_json::json!({"create": 0, "update": 0, "delete": 0, "replace": 0});
    std::fs::write(pf, lying.to_string()).unwrap();
    let r = emu.orgctl(&["apply", pf]).expect(1);
    assert!(r.stderr().contains("was edited after"), "{}", r.stderr());
}

#[tokio::test]
async fn changes_for_another_executor_are_left_with_the_account_to_run_them_from() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    let seeded = emu.seed(&["demo"]);
    let f = example();
    let f = f.to_str().unwrap();
    // infra-ops is a delegated administrator (Trusted Advisor): it may read the organization,
    // but not Identity Center nor the Regions' GuardDuty/Inspector admins (AWS), so a whole
    // plan of the example is refused with the fix.
    let infra = emu
        .member(seeded["accounts"]["infra-ops"].as_str().unwrap())
        .await;
    let refused = emu.orgctl_as(&infra, &["plan", "-f", f]).expect(1).stderr();
    assert!(refused.contains("--executor"), "{refused}");
    // Without those sections, infra-ops plans the whole file; apply leaves what is not its own.
    let text = std::fs::read_to_string(f).unwrap();
    let mut lines = Vec::new();
    let mut skip = false;
    for l in text.split("\nidentity_center:").next().unwrap().lines() {
        if l.starts_with("  guardduty:") || l.starts_with("  inspector2:") {
            skip = true;
            continue;
        }
        if !skip {
            lines.push(l);
        }
        skip = false;
    }
    let trimmed = emu.write("trimmed.yaml", &(lines.join("\n") + "\n"));
    let trimmed = trimmed.to_str().unwrap();
    // The example's policy files, next to the trimmed copy.
    copy_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/policies"),
        &emu.dir.path().join("policies"),
    );
    let plan = emu
        .orgctl_as(&infra, &["plan", "-f", trimmed, "--format", "json"])
        .expect(0)
        .json();
    assert!(!changes(&plan).is_empty());
    // Nothing failed: every change infra-ops could run now ran (none), so exit 0.
    let r = emu
        .orgctl_as(&infra, &["apply", "-f", trimmed, "--auto-approve"])
        .expect(0);
    assert!(
        r.stdout()
            .contains("run it from master (123456789012, stage 1)"),
        "{}",
        r.stdout()
    );
    assert!(r.stdout().contains("Applied 0 of"), "{}", r.stdout());
    assert!(!accounts(&emu.mgmt()).await.contains_key("networking"));

    // --executor: infra-ops' own share is the backup policy (organizations_delegation names it).
    let own = emu
        .orgctl_as(
            &infra,
            &[
                "plan",
                "-f",
                f,
                "--executor",
                "infra-ops",
                "--format",
                "json",
                "--detailed-exitcode",
            ],
        )
        .expect(2)
        .json();
    assert_eq!(
        changes(&own),
        [
            ("policy_type[\"BACKUP_POLICY\"]", "create"),
            ("policy[\"daily-backups\"]", "create"),
            (
                "policy[\"daily-backups\"].attachment[\"ou:Workloads/Prod\"]",
                "create"
            )
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .to_vec()
    );
    let warnings = own["warnings"].to_string();
    assert!(
        warnings.contains("for other executors are not part of this plan"),
        "{warnings}"
    );
    assert!(
        warnings.contains("identity_center was not read"),
        "{warnings}"
    );
    // Before the management account has put the delegation policy, infra-ops' share waits
    // for it; that is not a failure.
    let early = emu
        .orgctl_as(
            &infra,
            &[
                "apply",
                "-f",
                f,
                "--executor",
                "infra-ops",
                "--auto-approve",
            ],
        )
        .expect(0);
    assert!(
        early
            .stdout()
            .contains("waits for organizations_delegation (master runs it first)"),
        "{}",
        early.stdout()
    );
    // Asking for another's share with infra-ops' credentials is refused.
    let r = emu
        .orgctl_as(
            &infra,
            &["apply", "-f", f, "--executor", MGMT, "--auto-approve"],
        )
        .expect(1);
    assert!(
        r.stderr().contains("but the credentials belong to account"),
        "{}",
        r.stderr()
    );

    // Each share, run by its own account, converges: management, then the delegated teams.
    emu.orgctl(&["apply", "-f", f, "--executor", MGMT, "--auto-approve"])
        .expect(0);
    // infra-ops applies the plan file the management account's pipeline made. It cannot read
    // Identity Center or GuardDuty's Regions (AWS), so it checks the rest of the fingerprint.
    let planfile = emu.dir.path().join("plan.json");
    let planfile = planfile.to_str().unwrap();
    emu.orgctl(&["plan", "-f", f, "--out", planfile]).expect(0);
    emu.orgctl_as(&infra, &["apply", planfile, "--executor", "infra-ops"])
        .expect(0);
    // The same file again: its changes are found applied, nothing runs twice.
    let again = emu
        .orgctl_as(&infra, &["apply", planfile, "--executor", "infra-ops"])
        .expect(0);
    assert!(
        again.stdout().contains("of this plan were already applied")
            || again.stdout().contains("No changes left"),
        "{}",
        again.stdout()
    );
    let sec = emu
        .member(seeded["accounts"]["sec-ops"].as_str().unwrap())
        .await;
    emu.orgctl_as(
        &sec,
        &["apply", "-f", f, "--executor", "sec-ops", "--auto-approve"],
    )
    .expect(0);
    emu.orgctl(&["plan", "-f", f, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn a_member_that_is_not_a_delegated_admin_cannot_read_the_organization() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    let seeded = emu.seed(&["demo"]);
    let backup = emu
        .member(seeded["accounts"]["backup"].as_str().unwrap())
        .await;
    let r = emu
        .orgctl_as(&backup, &["plan", "-f", example().to_str().unwrap()])
        .expect(1);
    assert!(
        r.stderr().contains("access denied")
            && r.stderr()
                .contains("management account or a delegated administrator"),
        "{}",
        r.stderr()
    );
}

#[tokio::test]
async fn an_interrupted_apply_resumes_and_never_duplicates_an_account() {
    let emu = Emulator::start(&["--create-delay", "4"]);
    new_org(&emu).await;
    let f = emu.write("org.yaml", SMALL);
    let f = f.to_str().unwrap();
    let mut child = emu
        .orgctl_cmd(&Creds::management(), &["apply", "-f", f, "--auto-approve"])
        .spawn()
        .unwrap();
    // Wait until both creations are in progress, then kill the run.
    let org = emu.mgmt();
    creations_in_progress(&org, 2).await;
    child.kill().unwrap();
    let _ = child.wait();
    assert!(
        !accounts(&org).await.contains_key("app"),
        "killed before the creations finished"
    );

    let r = emu.orgctl(&["apply", "-f", f, "--auto-approve"]).expect(0);
    assert!(
        r.stdout().contains("resumed creation request"),
        "{}",
        r.stdout()
    );
    emu.orgctl(&["plan", "-f", f, "--detailed-exitcode"])
        .expect(0);
    let all = org.list_create_account_status().send().await.unwrap();
    assert_eq!(
        all.create_account_statuses().len(),
        2,
        "no second CreateAccount was sent"
    );
    assert!(all
        .create_account_statuses()
        .iter()
        .all(|s| s.state() == Some(&CreateAccountState::Succeeded)));
    let accts = accounts(&org).await;
    assert_eq!(
        accts
            .values()
            .filter(|a| a.1 == "aws+app@example.com")
            .count(),
        1
    );
}

#[tokio::test]
async fn throttling_and_empty_pages_do_not_change_the_result() {
    let emu = Emulator::start(&[
        "--create-delay",
        "0.1",
        "--throttle-every",
        "4",
        "--empty-pages",
    ]);
    emu.configure(r#"{"throttle_every": 0}"#);
    emu.seed(&["demo"]);
    emu.configure(r#"{"throttle_every": 4}"#);
    let f = example();
    let f = f.to_str().unwrap();
    let r = emu
        .orgctl(&[
            "--api-stats",
            // Every 4th request is throttled: with 16 reads in flight, one call's attempts
            // can keep landing on those; more attempts than the tests' default 4.
            "--max-attempts",
            "12",
            "apply",
            "-f",
            f,
            "--executor",
            MGMT,
            "--auto-approve",
        ])
        .expect(0);
    let stats: serde_json::Value = serde_json::from_str(
        r.stderr()
            .lines()
            .find_map(|l| l.strip_prefix("orgctl-api-stats "))
            .unwrap(),
    )
    .unwrap();
    // Every throttled answer was sent again: by the pacer, or as an SDK attempt.
    let throttled = emu.stats()["throttled"]["organizations"]
        .as_u64()
        .unwrap_or(0);
    let n = |k: &str| stats[k].as_u64().unwrap();
    assert!(throttled > 0, "nothing was throttled: {stats}");
    // The pacer (aws/pace.rs) sends throttled answers again itself: none resent means it
    // is not in the HTTP path (it once was not, unnoticed).
    assert!(
        n("throttled_resends") > 0,
        "the pacer resent nothing: {stats}"
    );
    assert_eq!(
        n("throttled_resends") + n("total_attempts") - n("total_calls"),
        throttled,
        "{stats}"
    );
    emu.orgctl(&["plan", "-f", f, "--executor", MGMT, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn plan_renders_markdown_for_pull_requests() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    brownfield(&emu).await;
    let md = emu
        .orgctl(&[
            "plan",
            "-f",
            example().to_str().unwrap(),
            "--format",
            "markdown",
        ])
        .expect(0)
        .stdout();
    assert!(
        md.contains("| create | update | replace | delete |"),
        "{md}"
    );
    // Stages in execution order: the management account first, sec-ops' Identity Center
    // and policies after it; every change's diff in a collapsible block.
    assert!(
        md.contains("#### Stage 1 — run from `master` (123456789012)"),
        "{md}"
    );
    let first_sec = md.find("— run from `sec-ops`").expect("a sec-ops stage");
    assert!(md.find("#### Stage 1").unwrap() < first_sec, "{md}");
    assert!(md.contains("```diff"), "{md}");
    assert!(
        md.contains("**1 high-risk change(s)**") || md.contains("high-risk change(s)**"),
        "{md}"
    );
}

#[test]
fn validate_needs_no_credentials_and_points_at_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("org.yaml");
    std::fs::write(&f, SMALL.replace("ou: Security,", "ou: Securty,")).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .env_clear()
        .args(["validate", "-f", f.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("{}:9:", f.display()))
            && err.contains("accounts[0].ou: unknown OU `Securty`"),
        "{err}"
    );
    assert!(err.contains("did you mean `Security`"), "{err}");
    let ok = std::process::Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .env_clear()
        .args(["validate", "-f", example().to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}

pub(crate) const DELEGATION: &str = "organizations_delegation:\n  - account: sec-ops\n    allow: [policies]\n    policy_types: [SERVICE_CONTROL_POLICY]\n";

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}
