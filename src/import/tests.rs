//! `import` against hand-built live states: the written file loads, and the plan of that file
//! against the same live state has no change (the round trip, without AWS).

use std::collections::{BTreeMap, BTreeSet};

use super::*;
use crate::live::ic::{LiveAssignment, LiveGroup, LiveIc, LivePermissionSet, LiveUser};
use crate::live::LivePolicy;
use crate::model::desired_ic::{Boundary, PolicyRef};
use crate::tests::{add_account, add_ou, empty_org, id, MGMT};

fn brownfield() -> LiveState {
    let mut l = empty_org();
    add_ou(&mut l, "ou-sec", "Security", "r-root");
    add_ou(&mut l, "ou-wl", "Workloads", "r-root");
    add_ou(&mut l, "ou-prod", "Prod", "ou-wl");
    add_ou(&mut l, "ou-empty", "Sandbox", "r-root");
    add_account(
        &mut l,
        "222222222222",
        "sec-ops",
        "sec@example.com",
        "ou-sec",
    );
    add_account(&mut l, "333333333333", "app", "app@example.com", "ou-prod");
    add_account(&mut l, "444444444444", "app", "app2@example.com", "ou-wl");
    add_account(&mut l, "555555555555", "old", "old@example.com", "r-root");
    l.accounts.get_mut(&id("555555555555")).unwrap().status = "SUSPENDED".into();
    l.tags.insert(
        "ou-prod".into(),
        BTreeMap::from([("env".into(), "prod".into())]),
    );
    l.tags.insert(
        "222222222222".into(),
        BTreeMap::from([("team".into(), "security ops".into())]),
    );
    l.tags.insert("333333333333".into(), BTreeMap::new());
    l.trusted_access = [
        "sso.amazonaws.com",
        "ram.amazonaws.com",
        "guardduty.amazonaws.com",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    l.delegated_admins.insert(
        "sso.amazonaws.com".into(),
        BTreeSet::from([id("222222222222")]),
    );
    l.delegated_admins.insert(
        "guardduty.amazonaws.com".into(),
        BTreeSet::from([id("222222222222")]),
    );
    l.service_admins.insert(
        "guardduty.amazonaws.com".into(),
        BTreeMap::from([
            (
                "us-east-1".into(),
                BTreeMap::from([("222222222222".into(), "ENABLED".into())]),
            ),
            ("eu-west-1".into(), BTreeMap::new()),
        ]),
    );
    l.root_policy_types
        .insert("SERVICE_CONTROL_POLICY".into(), "ENABLED".into());
    l.root_policy_types
        .insert("TAG_POLICY".into(), "ENABLED".into());
    l.policies.insert(
        "p-full".into(),
        LivePolicy {
            id: "p-full".into(),
            name: "FullAWSAccess".into(),
            policy_type: "SERVICE_CONTROL_POLICY".into(),
            description: String::new(),
            aws_managed: true,
            content: "{}".into(),
            targets: [
                "r-root",
                "ou-sec",
                "ou-wl",
                "ou-prod",
                "ou-empty",
                MGMT,
                "222222222222",
                "333333333333",
                "444444444444",
            ]
            .iter()
            .map(|s| s.to_string())
            .collect(),
            tags: None,
        },
    );
    l.policies.insert(
        "p-deny".into(),
        LivePolicy {
            id: "p-deny".into(),
            name: "deny leave".into(),
            policy_type: "SERVICE_CONTROL_POLICY".into(),
            description: "no leaving".into(),
            aws_managed: false,
            content: r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#.into(),
            targets: ["ou-wl", "222222222222"].iter().map(|s| s.to_string()).collect(),
            tags: Some(BTreeMap::from([("owner".into(), "platform".into())])),
        },
    );
    // The read keeps a policy's tags in both places.
    l.tags.insert(
        "p-deny".into(),
        BTreeMap::from([("owner".into(), "platform".into())]),
    );
    l.tags.insert("p-tags".into(), BTreeMap::new());
    l.policies.insert(
        "p-tags".into(),
        LivePolicy {
            id: "p-tags".into(),
            name: "tags".into(),
            policy_type: "TAG_POLICY".into(),
            description: String::new(),
            aws_managed: false,
            content: r#"{"tags":{"team":{"tag_key":{"@@assign":"Team"}}}}"#.into(),
            targets: ["r-root".to_string()].into(),
            tags: Some(BTreeMap::new()),
        },
    );
    l.delegation_policy = Some(
        crate::plan::delegation_policy::document(
            &[DelegationGrant {
                account: AccountRef::Id(id("222222222222")),
                actions: crate::catalog::orgs_delegation::READ_ACTIONS
                    .iter()
                    .map(|s| s.to_string())
                    .chain(["TagResource".to_string()])
                    .collect(),
                policy_actions: crate::catalog::orgs_delegation::POLICY_ACTIONS
                    .iter()
                    .map(|s| s.to_string())
                    .collect(),
                policy_types: ["SERVICE_CONTROL_POLICY".to_string()].into(),
            }],
            |r| match r {
                AccountRef::Id(i) => Some(i.clone()),
                AccountRef::Name(_) => None,
            },
        )
        .to_string(),
    );
    l.identity_center = Some(identity_center());
    l
}

fn identity_center() -> LiveIc {
    let mut ic = LiveIc {
        instance_arn: "arn:aws:sso:::instance/ssoins-1".into(),
        identity_store_id: "d-1".into(),
        region: "us-east-1".into(),
        ..Default::default()
    };
    for (uid, name, external) in [("u-alice", "alice", false), ("u-bob", "bob", true)] {
        ic.users.insert(
            name.into(),
            LiveUser {
                id: uid.into(),
                user_name: name.into(),
                display_name: format!("{name} Example"),
                given_name: name.into(),
                family_name: "Example".into(),
                email: (!external).then(|| format!("{name}@example.com")),
                external,
            },
        );
    }
    ic.groups.insert(
        "admins".into(),
        LiveGroup {
            id: "g-adm".into(),
            name: "admins".into(),
            description: Some("Platform".into()),
            members: Some(BTreeMap::from([
                ("u-alice".to_string(), "m-1".to_string()),
                ("u-bob".to_string(), "m-2".to_string()),
            ])),
            external: false,
        },
    );
    ic.groups.insert(
        "auditors".into(),
        LiveGroup {
            id: "g-aud".into(),
            name: "auditors".into(),
            description: None,
            members: Some(BTreeMap::new()),
            external: true,
        },
    );
    ic.permission_sets.insert(
        "Admin".into(),
        LivePermissionSet {
            arn: "arn:ps-admin".into(),
            name: "Admin".into(),
            description: Some("Admin access".into()),
            session_duration: "PT4H".into(),
            relay_state: None,
            managed_policies: ["arn:aws:iam::aws:policy/AdministratorAccess".to_string()].into(),
            customer_managed_policies: [PolicyRef {
                name: "guard".into(),
                path: "/org/".into(),
            }]
            .into(),
            inline_policy: Some(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*"}]}"#.into()),
            boundary: Some(Boundary::Managed("arn:aws:iam::aws:policy/PowerUserAccess".into())),
            tags: Some(BTreeMap::from([("owner".into(), "platform".into())])),
            provisioned: BTreeSet::new(),
        },
    );
    ic.permission_sets.insert(
        "ReadOnly".into(),
        LivePermissionSet {
            arn: "arn:ps-ro".into(),
            name: "ReadOnly".into(),
            description: None,
            session_duration: "PT1H".into(),
            relay_state: None,
            managed_policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()].into(),
            customer_managed_policies: BTreeSet::new(),
            inline_policy: None,
            boundary: None,
            tags: Some(BTreeMap::new()),
            provisioned: BTreeSet::new(),
        },
    );
    let assign = |ps: &str, t: &str, p: &str, a: &str| LiveAssignment {
        permission_set_arn: ps.into(),
        principal_type: t.into(),
        principal_id: p.into(),
        account_id: a.into(),
    };
    // Admin to admins in every account of Workloads (nested Prod included) and sec-ops;
    // ReadOnly to auditors everywhere; ReadOnly to alice in sec-ops only.
    for a in ["333333333333", "444444444444", "222222222222"] {
        ic.assignments
            .insert(assign("arn:ps-admin", "GROUP", "g-adm", a));
    }
    for a in [MGMT, "222222222222", "333333333333", "444444444444"] {
        ic.assignments
            .insert(assign("arn:ps-ro", "GROUP", "g-aud", a));
    }
    ic.assignments
        .insert(assign("arn:ps-ro", "USER", "u-alice", "222222222222"));
    ic
}

fn opts() -> ImportOptions {
    ImportOptions {
        regions: vec!["us-east-1".into(), "eu-west-1".into()],
        identity_center_region: Some("us-east-1".into()),
        policies_dir: "policies".into(),
        service_admins_unreadable: false,
    }
}

/// Writes the import to a temporary folder and loads it as `orgctl plan` would.
fn load(im: &Imported) -> (tempfile::TempDir, crate::model::desired::Desired) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in &im.files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let f = dir.path().join("org.yaml");
    std::fs::write(&f, &im.org_yaml).unwrap();
    let d = crate::model::load(&f)
        .unwrap_or_else(|e| panic!("{e:?}\n{}", im.org_yaml))
        .desired;
    (dir, d)
}

#[test]
fn an_imported_brownfield_plans_no_change() {
    let live = brownfield();
    let im = import(&live, &opts());
    let (_dir, d) = load(&im);
    let plan =
        crate::plan::diff::diff(&d, &live).unwrap_or_else(|e| panic!("{e}\n{}", im.org_yaml));
    assert!(
        plan.changes.is_empty(),
        "{:#?}\n{}",
        plan.changes
            .iter()
            .map(|c| (&c.address, &c.summary))
            .collect::<Vec<_>>(),
        im.org_yaml
    );
    assert!(
        plan.unmanaged.is_empty(),
        "{:?}\n{}",
        plan.unmanaged,
        im.org_yaml
    );
}

#[test]
fn the_file_reads_as_a_person_would_write_it() {
    let im = import(&brownfield(), &opts());
    let y = &im.org_yaml;
    for want in [
        "  management_account_id: \"111111111111\"\n",
        "  - path: Workloads/Prod\n    tags: { env: prod }\n",
        "  - path: Sandbox\n",
        "  - name: sec-ops\n    id: \"222222222222\"\n    email: sec@example.com\n    ou: Security\n    tags: { team: \"security ops\" }\n",
        "  - name: app-333333333333\n",
        "  sso: { admin: sec-ops }\n",
        // Designated in one of the two Regions read.
        "  guardduty: { admin: sec-ops, regions: [us-east-1] }\n",
        "trusted_access:\n  - ram.amazonaws.com\n",
        "  - account: sec-ops\n    allow: [policies, \"organizations:TagResource\"]\n    policy_types: [SERVICE_CONTROL_POLICY]\n",
        "  - name: \"deny leave\"\n    type: SERVICE_CONTROL_POLICY\n    description: \"no leaving\"\n    file: policies/deny-leave.json\n    targets: [\"account:sec-ops\", \"ou:Workloads\"]\n    tags: { owner: platform }\n",
        "    - { user_name: bob, external: true }\n",
        "    - { name: auditors, external: true }\n",
        "      members: [alice, bob]\n",
        "      inline_policy: policies/permission-set-Admin.json\n",
        "      permissions_boundary:\n        managed_policy_arn: \"arn:aws:iam::aws:policy/PowerUserAccess\"\n",
        // Collapsed exactly: Workloads holds both app accounts (one through Prod), Security
        // holds sec-ops only.
        "    - { permission_set: Admin, group: admins, targets: [\"ou:Security\", \"ou:Workloads\"] }\n",
        // Not root: the suspended account (declared, so in the root's accounts) is not assigned.
        "    - { permission_set: ReadOnly, group: auditors, targets: [\"ou:Security\", \"ou:Workloads\", \"account:111111111111\"] }\n",
        "    - { permission_set: ReadOnly, user: alice, targets: [\"ou:Security\"] }\n",
    ] {
        assert!(y.contains(want), "missing {want:?} in\n{y}");
    }
    assert!(!y.contains("FullAWSAccess\n"), "{y}");
    assert!(y.contains("  # SUSPENDED in AWS: orgctl manages it only as a member\n  - name: old\n    id: \"555555555555\"\n"), "{y}");
    assert_eq!(
        im.files["policies/deny-leave.json"],
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Deny\",\n      \"Action\": \"organizations:LeaveOrganization\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n"
    );
    // Deterministic: the same state gives the same bytes.
    assert_eq!(import(&brownfield(), &opts()).org_yaml, *y);
}

#[test]
fn an_assignment_in_every_account_is_written_as_root() {
    let mut live = brownfield();
    live.accounts.remove(&id("555555555555"));
    let im = import(&live, &opts());
    assert!(
        im.org_yaml
            .contains("    - { permission_set: ReadOnly, group: auditors, targets: [root] }\n"),
        "{}",
        im.org_yaml
    );
    let (_dir, d) = load(&im);
    assert!(crate::plan::diff::diff(&d, &live)
        .unwrap()
        .changes
        .is_empty());
}

#[test]
fn different_admins_per_region_and_an_unreadable_part_are_notes_not_guesses() {
    let mut live = brownfield();
    live.service_admins.insert(
        "guardduty.amazonaws.com".into(),
        BTreeMap::from([
            (
                "us-east-1".into(),
                BTreeMap::from([("222222222222".into(), "ENABLED".into())]),
            ),
            (
                "eu-west-1".into(),
                BTreeMap::from([("333333333333".into(), "ENABLED".into())]),
            ),
        ]),
    );
    let im = import(&live, &opts());
    assert!(!im.org_yaml.contains("  guardduty:"), "{}", im.org_yaml);
    assert!(im
        .notes
        .iter()
        .any(|n| n.contains("different administrators in different Regions")));
    let unread = import(
        &live,
        &ImportOptions {
            service_admins_unreadable: true,
            ..opts()
        },
    );
    assert!(unread
        .notes
        .iter()
        .any(|n| n.starts_with("guardduty: its administrators per Region were not read")));
    assert!(
        unread.org_yaml.contains("# Not imported exactly"),
        "{}",
        unread.org_yaml
    );
}

#[test]
fn the_import_scope_reads_every_tag_unless_told_not_to() {
    let live = brownfield();
    let all = crate::plan::scope::everything(&["us-east-1".into()], None, true);
    let ids = all.resource_ids(&live);
    assert!(ids.contains("ou-prod") && ids.contains("222222222222") && ids.contains(MGMT));
    let none = crate::plan::scope::everything(&["us-east-1".into()], None, false);
    assert!(none.resource_ids(&live).is_empty());
    assert!(none.service_regions.contains_key("guardduty.amazonaws.com"));
}
