//! End to end, IAM Identity Center as code, run as `sec-ops`, the Identity Center delegated
//! administrator: the real binary and SDK against the emulator, which serves the management
//! account's instance to the delegated admin and refuses it what AWS refuses (R19–R24).
//! What a user checks: the plan's changes and executors, the instance after apply, and an
//! empty second plan.

use std::collections::BTreeSet;

use crate::e2e::{accounts, new_org, SMALL};
use crate::emulator::{changes, Creds, Emulator, MGMT};

const IC: &str = r#"identity_center:
  users:
    - { user_name: alice, display_name: Alice Example, given_name: Alice, family_name: Example, email: alice@example.com }
    - { user_name: bob, external: true }
  groups:
    - { name: platform-admins, description: Platform team, members: [alice, bob] }
    - { name: okta-auditors, external: true }
  permission_sets:
    - name: Admin
      session_duration: PT4H
      managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
      inline_policy: { Version: "2012-10-17", Statement: [{ Effect: Deny, Action: "organizations:LeaveOrganization", Resource: "*" }] }
      permissions_boundary: { managed_policy_arn: arn:aws:iam::aws:policy/PowerUserAccess }
      tags: { owner: platform }
    - name: ReadOnly
      description: Read everything
      managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]
  assignments:
    - { permission_set: Admin, group: platform-admins, targets: ["ou:Workloads"] }
    - { permission_set: ReadOnly, group: okta-auditors, targets: ["ou:Workloads"], include_nested_ous: false }
    - { permission_set: ReadOnly, user: alice, targets: ["account:sec-ops"] }
    - { permission_set: ReadOnly, group: okta-auditors, targets: ["account:123456789012"] }
"#;

fn sso(emu: &Emulator, creds: &Creds) -> aws_sdk_ssoadmin::Client {
    aws_sdk_ssoadmin::Client::from_conf(
        aws_sdk_ssoadmin::Config::builder()
            .behavior_version(aws_sdk_ssoadmin::config::BehaviorVersion::latest())
            .region(aws_sdk_ssoadmin::config::Region::new("us-east-1"))
            .endpoint_url(&emu.url)
            .credentials_provider(creds.provider())
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

/// The organization instance: (instance ARN, identity store id).
async fn instance(emu: &Emulator) -> (String, String) {
    let out = sso(emu, &Creds::management())
        .list_instances()
        .send()
        .await
        .unwrap();
    let i = &out.instances()[0];
    (
        i.instance_arn().unwrap().to_string(),
        i.identity_store_id().unwrap().to_string(),
    )
}

/// What an IdP would have provisioned by SCIM: users and groups orgctl must only reference.
async fn scim(emu: &Emulator, users: &[&str], groups: &[&str]) -> Vec<String> {
    let (_, id) = instance(emu).await;
    let s = store(emu, &Creds::management());
    let mut ids = Vec::new();
    for u in users {
        let out = s
            .create_user()
            .identity_store_id(&id)
            .user_name(*u)
            .display_name(format!("{u} (IdP)"))
            .name(
                aws_sdk_identitystore::types::Name::builder()
                    .given_name(*u)
                    .family_name("Idp")
                    .build(),
            )
            .send()
            .await
            .unwrap();
        ids.push(out.user_id().to_string());
    }
    for g in groups {
        s.create_group()
            .identity_store_id(&id)
            .display_name(*g)
            .send()
            .await
            .unwrap();
    }
    ids
}

/// Every assignment as `permission set/principal type/account`.
async fn assignments(emu: &Emulator) -> BTreeSet<String> {
    let (arn, _) = instance(emu).await;
    let c = sso(emu, &Creds::management());
    let mut out = BTreeSet::new();
    for ps in c
        .list_permission_sets()
        .instance_arn(&arn)
        .send()
        .await
        .unwrap()
        .permission_sets()
    {
        let name = c
            .describe_permission_set()
            .instance_arn(&arn)
            .permission_set_arn(ps)
            .send()
            .await
            .unwrap()
            .permission_set()
            .unwrap()
            .name()
            .unwrap()
            .to_string();
        for acct in c
            .list_accounts_for_provisioned_permission_set()
            .instance_arn(&arn)
            .permission_set_arn(ps)
            .send()
            .await
            .unwrap()
            .account_ids()
        {
            for a in c
                .list_account_assignments()
                .instance_arn(&arn)
                .permission_set_arn(ps)
                .account_id(acct)
                .send()
                .await
                .unwrap()
                .account_assignments()
            {
                out.insert(format!(
                    "{name}/{}/{acct}",
                    a.principal_type().unwrap().as_str()
                ));
            }
        }
    }
    out
}

/// An org with sec-ops registered as Identity Center's delegated admin, the IdP's users and
/// groups, and the file with the Identity Center section. Returns (file, sec-ops creds,
/// sec-ops id, app id).
async fn setup(emu: &Emulator) -> (String, Creds, String, String) {
    new_org(emu).await;
    let f = emu.write("org.yaml", SMALL);
    let f = f.to_str().unwrap().to_string();
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    scim(emu, &["bob"], &["okta-auditors"]).await;
    std::fs::write(&f, format!("{SMALL}{IC}")).unwrap();
    let accts = accounts(&emu.mgmt()).await;
    let (sec, app) = (accts["sec-ops"].0.clone(), accts["app"].0.clone());
    (f, emu.member(&sec).await, sec, app)
}

#[tokio::test]
async fn identity_center_applies_from_the_delegated_admin_and_replans_empty() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    let (f, sec_ops, sec, app) = setup(&emu).await;
    let plan = emu
        .orgctl_as(
            &sec_ops,
            &[
                "plan",
                "-f",
                &f,
                "--executor",
                "sec-ops",
                "--format",
                "json",
            ],
        )
        .expect(0)
        .json();
    let ch = changes(&plan);
    let want: Vec<(String, String)> = [
        "identity_center.user[\"alice\"]",
        "identity_center.group[\"platform-admins\"]",
        "identity_center.group[\"platform-admins\"].member[\"alice\"]",
        "identity_center.group[\"platform-admins\"].member[\"bob\"]",
        "identity_center.permission_set[\"Admin\"]",
        "identity_center.permission_set[\"ReadOnly\"]",
    ]
    .iter()
    .map(|a| (a.to_string(), "create".to_string()))
    .chain(
        [
            format!("Admin/group:platform-admins/{app}"),
            format!("ReadOnly/user:alice/{sec}"),
        ]
        .iter()
        .map(|a| {
            (
                format!("identity_center.assignment[{a:?}]"),
                "create".to_string(),
            )
        }),
    )
    .collect();
    let got: BTreeSet<_> = ch.iter().cloned().collect();
    assert_eq!(got, want.iter().cloned().collect(), "{ch:?}");
    for c in plan["changes"].as_array().unwrap() {
        assert_eq!(c["executor"]["account_id"], sec.as_str(), "{c}");
    }
    // The assignment in the management account is the management account's (AWS rule).
    let omitted = plan["omitted"].to_string();
    assert!(
        omitted.contains(&format!("ReadOnly/group:okta-auditors/{MGMT}")),
        "{omitted}"
    );
    // `include_nested_ous: false`: app sits in Workloads/Prod, not directly in Workloads.
    assert!(!ch
        .iter()
        .any(|(a, _)| a.contains(&format!("ReadOnly/group:okta-auditors/{app}"))));

    emu.orgctl_as(
        &sec_ops,
        &["apply", "-f", &f, "--executor", "sec-ops", "--auto-approve"],
    )
    .expect(0);
    // sec-ops' share is done; what is left is the management account's.
    let left = emu
        .orgctl_as(&sec_ops, &["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    let left: Vec<_> = left["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["address"].as_str().unwrap().to_string(),
                c["executor"]["account_id"].as_str().unwrap().to_string(),
                c["executor"]["why"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(left[0].0.contains(MGMT) && left[0].1 == MGMT, "{left:?}");
    assert!(left[0].2.contains("management account"), "{left:?}");
    // sec-ops cannot run it: apply leaves it with the account to run it from.
    let out = emu
        .orgctl_as(&sec_ops, &["apply", "-f", &f, "--auto-approve"])
        .expect(0)
        .stdout();
    assert!(out.contains(MGMT), "{out}");
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl_as(&sec_ops, &["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);

    assert_eq!(
        assignments(&emu).await,
        [
            format!("Admin/GROUP/{app}"),
            format!("ReadOnly/USER/{sec}"),
            format!("ReadOnly/GROUP/{MGMT}"),
        ]
        .into_iter()
        .collect()
    );
    let (arn, store_id) = instance(&emu).await;
    let c = sso(&emu, &Creds::management());
    let sets = c
        .list_permission_sets()
        .instance_arn(&arn)
        .send()
        .await
        .unwrap();
    let mut durations = BTreeSet::new();
    for ps in sets.permission_sets() {
        let d = c
            .describe_permission_set()
            .instance_arn(&arn)
            .permission_set_arn(ps)
            .send()
            .await
            .unwrap();
        let p = d.permission_set().unwrap();
        durations.insert(format!(
            "{}={}",
            p.name().unwrap(),
            p.session_duration().unwrap()
        ));
    }
    assert_eq!(
        durations,
        ["Admin=PT4H", "ReadOnly=PT1H"]
            .map(String::from)
            .into_iter()
            .collect()
    );
    let groups = store(&emu, &Creds::management())
        .list_groups()
        .identity_store_id(&store_id)
        .send()
        .await
        .unwrap();
    let admins = groups
        .groups()
        .iter()
        .find(|g| g.display_name() == Some("platform-admins"))
        .unwrap();
    let members = store(&emu, &Creds::management())
        .list_group_memberships()
        .identity_store_id(&store_id)
        .group_id(admins.group_id())
        .send()
        .await
        .unwrap();
    assert_eq!(members.group_memberships().len(), 2);

    // Attribute updates: a user's name and email, a group's description (UpdateUser/UpdateGroup).
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(
        &f,
        text.replace(
            "display_name: Alice Example",
            "display_name: Alice Q. Example",
        )
        .replace("alice@example.com", "alice@corp.example.com")
        .replace(
            "description: Platform team",
            "description: Platform engineering",
        ),
    )
    .unwrap();
    let plan = emu
        .orgctl_as(&sec_ops, &["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(
        changes(&plan),
        vec![
            (
                "identity_center.user[\"alice\"]".to_string(),
                "update".to_string()
            ),
            (
                "identity_center.group[\"platform-admins\"]".to_string(),
                "update".to_string()
            ),
        ]
    );
    emu.orgctl_as(&sec_ops, &["apply", "-f", &f, "--auto-approve"])
        .expect(0);
    emu.orgctl_as(&sec_ops, &["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);

    // Removing attributes (issue 11, item 1): the file drops the group's description and
    // alice's email. AWS refuses "" (strings are at least one character; R33): the removal is
    // an AttributeOperation without a value, and the next plan is empty.
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(
        &f,
        text.replace(", description: Platform engineering", "")
            .replace(", email: alice@corp.example.com", ""),
    )
    .unwrap();
    let plan = emu
        .orgctl_as(&sec_ops, &["plan", "-f", &f, "--format", "json"])
        .expect(0)
        .json();
    assert_eq!(
        changes(&plan),
        vec![
            (
                "identity_center.user[\"alice\"]".to_string(),
                "update".to_string()
            ),
            (
                "identity_center.group[\"platform-admins\"]".to_string(),
                "update".to_string()
            ),
        ]
    );
    emu.orgctl_as(&sec_ops, &["apply", "-f", &f, "--auto-approve"])
        .expect(0);
    emu.orgctl_as(&sec_ops, &["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    let groups = store(&emu, &Creds::management())
        .list_groups()
        .identity_store_id(&store_id)
        .send()
        .await
        .unwrap();
    let admins = groups
        .groups()
        .iter()
        .find(|g| g.display_name() == Some("platform-admins"))
        .unwrap();
    assert_eq!(admins.description(), None, "{admins:?}");
}

#[tokio::test]
async fn drift_is_planned_exactly_and_a_policy_change_reprovisions() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    let (f, sec_ops, sec, app) = setup(&emu).await;
    emu.orgctl_as(
        &sec_ops,
        &["apply", "-f", &f, "--executor", "sec-ops", "--auto-approve"],
    )
    .expect(0);
    // Drift made by hand: the Admin inline policy edited, carol added to the group, alice's
    // ReadOnly assignment removed.
    let (arn, store_id) = instance(&emu).await;
    let c = sso(&emu, &Creds::management());
    let ps_arn = |name: &'static str| {
        let c = c.clone();
        let arn = arn.clone();
        async move {
            for ps in c
                .list_permission_sets()
                .instance_arn(&arn)
                .send()
                .await
                .unwrap()
                .permission_sets()
            {
                let d = c
                    .describe_permission_set()
                    .instance_arn(&arn)
                    .permission_set_arn(ps)
                    .send()
                    .await
                    .unwrap();
                if d.permission_set().unwrap().name() == Some(name) {
                    return ps.clone();
                }
            }
            panic!("no {name}")
        }
    };
    let admin = ps_arn("Admin").await;
    c.put_inline_policy_to_permission_set()
        .instance_arn(&arn)
        .permission_set_arn(&admin)
        .inline_policy(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send()
        .await
        .unwrap();
    let carol = scim(&emu, &["carol"], &[]).await.remove(0);
    let s = store(&emu, &Creds::management());
    let groups = s
        .list_groups()
        .identity_store_id(&store_id)
        .send()
        .await
        .unwrap();
    let gid = groups
        .groups()
        .iter()
        .find(|g| g.display_name() == Some("platform-admins"))
        .unwrap()
        .group_id()
        .to_string();
    s.create_group_membership()
        .identity_store_id(&store_id)
        .group_id(&gid)
        .member_id(aws_sdk_identitystore::types::MemberId::UserId(carol))
        .send()
        .await
        .unwrap();
    let alice = s
        .get_user_id()
        .identity_store_id(&store_id)
        .alternate_identifier(
            aws_sdk_identitystore::types::AlternateIdentifier::UniqueAttribute(
                aws_sdk_identitystore::types::UniqueAttribute::builder()
                    .attribute_path("userName")
                    .attribute_value(aws_smithy_types::Document::from("alice"))
                    .build()
                    .unwrap(),
            ),
        )
        .send()
        .await
        .unwrap()
        .user_id()
        .to_string();
    let read_only = ps_arn("ReadOnly").await;
    c.delete_account_assignment()
        .instance_arn(&arn)
        .permission_set_arn(&read_only)
        .principal_type(aws_sdk_ssoadmin::types::PrincipalType::User)
        .principal_id(&alice)
        .target_type(aws_sdk_ssoadmin::types::TargetType::AwsAccount)
        .target_id(&sec)
        .send()
        .await
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));

    let plan = emu
        .orgctl_as(
            &sec_ops,
            &[
                "plan",
                "-f",
                &f,
                "--executor",
                "sec-ops",
                "--format",
                "json",
            ],
        )
        .expect(0)
        .json();
    assert_eq!(
        changes(&plan),
        vec![
            (
                "identity_center.permission_set[\"Admin\"]".to_string(),
                "update".to_string()
            ),
            (
                format!("identity_center.assignment[\"ReadOnly/user:alice/{sec}\"]"),
                "create".to_string()
            ),
            (
                "identity_center.group[\"platform-admins\"].member[\"carol\"]".to_string(),
                "delete".to_string()
            ),
        ]
    );
    let update = &plan["changes"][0];
    assert_eq!(
        update["op"]["reprovision"],
        serde_json::json!([app.as_str()]),
        "{update}"
    );
    assert!(update["summary"]
        .as_str()
        .unwrap()
        .contains("re-provision it to 1 account(s)"));
    // Removing carol needs --allow-destroy.
    emu.orgctl_as(
        &sec_ops,
        &["apply", "-f", &f, "--executor", "sec-ops", "--auto-approve"],
    )
    .expect(1);
    let out = emu
        .orgctl_as(
            &sec_ops,
            &[
                "apply",
                "-f",
                &f,
                "--executor",
                "sec-ops",
                "--auto-approve",
                "--allow-destroy",
            ],
        )
        .expect(0)
        .stdout();
    assert!(out.contains("re-provisioned to 1 account(s)"), "{out}");
    emu.orgctl_as(
        &sec_ops,
        &[
            "plan",
            "-f",
            &f,
            "--executor",
            "sec-ops",
            "--detailed-exitcode",
        ],
    )
    .expect(0);
    // Every account Admin is provisioned to runs its latest version.
    let stale = c
        .list_accounts_for_provisioned_permission_set()
        .instance_arn(&arn)
        .permission_set_arn(&admin)
        .provisioning_status(
            aws_sdk_ssoadmin::types::ProvisioningStatus::LatestPermissionSetNotProvisioned,
        )
        .send()
        .await
        .unwrap();
    assert!(stale.account_ids().is_empty(), "{stale:?}");
}

#[tokio::test]
async fn external_users_must_exist_and_are_never_created() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let f = emu.write("org.yaml", SMALL);
    let f = f.to_str().unwrap().to_string();
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    // bob and okta-auditors were never provisioned by the IdP.
    std::fs::write(&f, format!("{SMALL}{IC}")).unwrap();
    let accts = accounts(&emu.mgmt()).await;
    let sec_ops = emu.member(&accts["sec-ops"].0).await;
    let err = emu
        .orgctl_as(&sec_ops, &["plan", "-f", &f])
        .expect(1)
        .stderr();
    assert!(
        err.contains(
            "identity_center.user[\"bob\"]: external user bob is not in the identity store"
        ),
        "{err}"
    );
    assert!(
        err.contains("identity_center.group[\"okta-auditors\"]"),
        "{err}"
    );
}

#[tokio::test]
async fn assignments_run_at_most_ten_at_a_time_and_are_polled_to_completion() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let mut file = String::from("version: 1\norganization:\n  management_account_id: \"123456789012\"\norganizational_units:\n  - path: Fleet\naccounts:\n  - { name: sec-ops, email: sec@example.com, ou: root }\n");
    for k in 0..24 {
        file.push_str(&format!(
            "  - {{ name: fleet-{k:02}, email: fleet-{k:02}@example.com, ou: Fleet }}\n"
        ));
    }
    file.push_str("delegations:\n  sso: { admin: sec-ops }\n");
    let f = emu.write("org.yaml", &file);
    let f = f.to_str().unwrap().to_string();
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    // fleet-ops gets Fleet in each of the 24 accounts, and four audit groups get it in
    // fleet-00 and fleet-01: five operations on each of those two accounts' Fleet role, next
    // to each other in the plan. AWS runs one at a time per role (R42 fails the later ones).
    let mut ic = format!("{file}identity_center:\n  groups:\n    - {{ name: fleet-ops }}\n");
    for a in 1..=4 {
        ic.push_str(&format!("    - {{ name: audit-{a} }}\n"));
    }
    ic.push_str("  permission_sets:\n    - { name: Fleet }\n  assignments:\n    - { permission_set: Fleet, group: fleet-ops, targets: [\"ou:Fleet\"] }\n");
    for a in 1..=4 {
        ic.push_str(&format!("    - {{ permission_set: Fleet, group: audit-{a}, targets: [\"account:fleet-00\", \"account:fleet-01\"] }}\n"));
    }
    std::fs::write(&f, &ic).unwrap();
    let sec = accounts(&emu.mgmt()).await["sec-ops"].0.clone();
    let sec_ops = emu.member(&sec).await;
    // Each assignment stays IN_PROGRESS for half a second, so concurrent ones overlap.
    emu.configure(r#"{"create_delay": 0.5}"#);
    emu.orgctl_as(&sec_ops, &["apply", "-f", &f, "--auto-approve"])
        .expect(0);
    let sso_stats = &emu.stats()["sso"];
    let peak = sso_stats["peak_outstanding_assignment_ops"]
        .as_u64()
        .unwrap();
    assert!(
        (8..=10).contains(&peak),
        "AWS allows 10 outstanding assignment operations; orgctl reached {peak}"
    );
    assert_eq!(
        sso_stats["role_conflicts"], 0,
        "orgctl ran two operations on one role at once"
    );
    let (arn, store_id) = instance(&emu).await;
    let c = sso(&emu, &Creds::management());
    let fleet = c
        .list_permission_sets()
        .instance_arn(&arn)
        .send()
        .await
        .unwrap()
        .permission_sets()[0]
        .to_string();
    let count = || async {
        let mut n = 0;
        for (name, (id, ..)) in accounts(&emu.mgmt()).await {
            if name.starts_with("fleet-") {
                n += c
                    .list_account_assignments()
                    .instance_arn(&arn)
                    .account_id(id)
                    .permission_set_arn(&fleet)
                    .send()
                    .await
                    .unwrap()
                    .account_assignments()
                    .len();
            }
        }
        n
    };
    assert_eq!(count().await, 32);
    emu.orgctl_as(&sec_ops, &["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);

    // Someone else's operation on fleet-00's Fleet role is in progress (2 s) when orgctl
    // starts the same assignment: AWS fails orgctl's ("try again"); orgctl starts it again
    // and converges.
    let text = ic.replace("  groups:\n", "  groups:\n    - { name: fleet-extra }\n");
    std::fs::write(&f, &text).unwrap();
    emu.orgctl_as(&sec_ops, &["apply", "-f", &f, "--auto-approve"])
        .expect(0);
    let extra = store(&emu, &Creds::management())
        .list_groups()
        .identity_store_id(&store_id)
        .send()
        .await
        .unwrap()
        .groups()
        .iter()
        .find(|g| g.display_name() == Some("fleet-extra"))
        .unwrap()
        .group_id()
        .to_string();
    let fleet_00 = accounts(&emu.mgmt()).await["fleet-00"].0.clone();
    std::fs::write(&f, format!("{text}    - {{ permission_set: Fleet, group: fleet-extra, targets: [\"account:fleet-00\"] }}\n")).unwrap();
    emu.configure(r#"{"create_delay": 2}"#);
    c.create_account_assignment()
        .instance_arn(&arn)
        .permission_set_arn(&fleet)
        .principal_type(aws_sdk_ssoadmin::types::PrincipalType::Group)
        .principal_id(&extra)
        .target_type(aws_sdk_ssoadmin::types::TargetType::AwsAccount)
        .target_id(&fleet_00)
        .send()
        .await
        .unwrap();
    emu.orgctl_as(&sec_ops, &["apply", "-f", &f, "--auto-approve"])
        .expect(0);
    assert!(
        emu.stats()["sso"]["role_conflicts"].as_u64() >= Some(1),
        "orgctl's assignment never met the other operation"
    );
    assert_eq!(count().await, 33);
    emu.orgctl_as(&sec_ops, &["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

/// An assignment Identity Center accepts and then fails (R34: the permission set references a
/// customer managed policy the target account does not have) is reported as failed with AWS's
/// reason, the next plan still shows exactly that assignment to make, and once the cause is
/// gone the same file converges.
#[tokio::test]
async fn an_assignment_that_ends_failed_is_reported_with_its_reason_and_planned_again() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    let (f, sec_ops, _sec, app) = setup(&emu).await;
    emu.orgctl_as(
        &sec_ops,
        &["apply", "-f", &f, "--executor", "sec-ops", "--auto-approve"],
    )
    .expect(0);
    let text = std::fs::read_to_string(&f).unwrap();
    std::fs::write(
        &f,
        text.replace(
            "  assignments:\n",
            "    - name: Auditor\n      customer_managed_policies: [{ name: audit-read, path: / }]\n  assignments:\n    - { permission_set: Auditor, user: alice, targets: [\"account:app\"] }\n",
        ),
    )
    .unwrap();
    let r = emu
        .orgctl_as(
            &sec_ops,
            &["apply", "-f", &f, "--executor", "sec-ops", "--auto-approve"],
        )
        .expect(1);
    let out = r.stdout();
    let line = out
        .lines()
        .find(|l| l.starts_with("FAIL") && l.contains("Auditor"))
        .unwrap_or_else(|| panic!("no failed Auditor assignment:\n{out}"));
    assert!(
        line.contains("audit-read") && line.contains(&app),
        "the failure names the missing policy and the account: {line}"
    );
    // The permission set was made; the assignment is exactly what is left.
    let again = emu
        .orgctl_as(
            &sec_ops,
            &[
                "plan",
                "-f",
                &f,
                "--executor",
                "sec-ops",
                "--format",
                "json",
            ],
        )
        .expect(0)
        .json();
    let left: Vec<(String, String)> = changes(&again);
    assert_eq!(left.len(), 1, "{left:?}");
    assert!(
        left[0]
            .0
            .starts_with("identity_center.assignment[\"Auditor/user:alice/")
            && left[0].1 == "create",
        "{left:?}"
    );
    // The policy exists now (the check is switched off): the same file converges.
    emu.configure(r#"{"ic_check_customer_policies": false}"#);
    emu.orgctl_as(
        &sec_ops,
        &["apply", "-f", &f, "--executor", "sec-ops", "--auto-approve"],
    )
    .expect(0);
    emu.orgctl_as(
        &sec_ops,
        &[
            "plan",
            "-f",
            &f,
            "--executor",
            "sec-ops",
            "--detailed-exitcode",
        ],
    )
    .expect(0);
}
