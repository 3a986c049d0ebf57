//! `diff` of `identity_center:` on hand-built live states, without the SDK: executors (the
//! delegated admin, the management account for what AWS reserves to it), OU expansion,
//! exhaustive memberships, permission-set updates and re-provisioning, absence, and the
//! rendered plan (snapshot).

use std::collections::{BTreeMap, BTreeSet};

use crate::live::ic::{LiveAssignment, LiveGroup, LiveIc, LivePermissionSet, LiveUser};
use crate::live::LiveState;
use crate::model::desired_ic::Boundary;
use crate::plan::change::{Action, Op, Plan};
use crate::plan::change_ic::IcOp;
use crate::plan::diff::diff;
use crate::render;
use crate::tests::{add_account, add_ou, desired, empty_org, MGMT};

const SEC: &str = "222222222222";
const APP: &str = "333333333333";
const DEV: &str = "444444444444";

const ORG: &str = "organizational_units:\n  - path: Security\n  - path: Workloads/Prod\naccounts:\n  - { name: sec-ops, email: sec@example.com, ou: Security }\n  - { name: app, email: app@example.com, ou: Workloads }\n  - { name: dev, email: dev@example.com, ou: Workloads/Prod }\ndelegations:\n  sso: { admin: sec-ops }\n";

/// The organization of [`ORG`] with sec-ops registered for Identity Center, and an instance
/// holding `auditors` (SCIM), user `bob` and permission set `ReadOnly`.
fn org() -> LiveState {
    let mut l = empty_org();
    add_ou(&mut l, "ou-sec", "Security", "r-root");
    add_ou(&mut l, "ou-wl", "Workloads", "r-root");
    add_ou(&mut l, "ou-prod", "Prod", "ou-wl");
    add_account(&mut l, SEC, "sec-ops", "sec@example.com", "ou-sec");
    add_account(&mut l, APP, "app", "app@example.com", "ou-wl");
    add_account(&mut l, DEV, "dev", "dev@example.com", "ou-prod");
    l.trusted_access.insert("sso.amazonaws.com".into());
    l.delegated_admins.insert(
        "sso.amazonaws.com".into(),
        [crate::tests::id(SEC)].into_iter().collect(),
    );
    let mut ic = LiveIc {
        instance_arn: "arn:aws:sso:::instance/ssoins-1".into(),
        identity_store_id: "d-1".into(),
        region: "us-east-1".into(),
        ..Default::default()
    };
    ic.users.insert(
        "bob".into(),
        LiveUser {
            id: "u-bob".into(),
            user_name: "bob".into(),
            display_name: "Bob".into(),
            given_name: "Bob".into(),
            family_name: "Idp".into(),
            email: None,
            external: true,
        },
    );
    ic.groups.insert(
        "auditors".into(),
        LiveGroup {
            id: "g-aud".into(),
            name: "auditors".into(),
            description: None,
            members: None,
            external: false,
        },
    );
    ic.permission_sets.insert(
        "ReadOnly".into(),
        LivePermissionSet {
            arn: "arn:ps-ro".into(),
            name: "ReadOnly".into(),
            description: None,
            session_duration: "PT60M".into(),
            relay_state: None,
            managed_policies: ["arn:aws:iam::aws:policy/ReadOnlyAccess".to_string()]
                .into_iter()
                .collect(),
            customer_managed_policies: BTreeSet::new(),
            inline_policy: Some(
                r#"{"Statement":[{"Resource":"*","Action":["b:*","a:*"],"Effect":"Deny"}],"Version":"2012-10-17"}"#.into(),
            ),
            boundary: None,
            tags: None,
            provisioned: [APP.to_string(), DEV.to_string()].into_iter().collect(),
        },
    );
    l.identity_center = Some(ic);
    l
}

const READ_ONLY: &str = "    - name: ReadOnly\n      managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n      inline_policy: { Version: \"2012-10-17\", Statement: [{ Effect: Deny, Action: [\"a:*\", \"b:*\"], Resource: \"*\" }] }\n";

fn plan(ic: &str, live: &LiveState) -> Plan {
    diff(&desired(&format!("{ORG}identity_center:\n{ic}")), live).unwrap()
}

fn addresses(p: &Plan) -> Vec<(String, Action)> {
    p.changes
        .iter()
        .map(|c| (c.address.clone(), c.action))
        .collect()
}

#[test]
fn an_unchanged_instance_plans_nothing_durations_and_policies_compared_by_meaning() {
    let p = plan(
        &format!("  users:\n    - {{ user_name: bob, external: true }}\n  groups:\n    - {{ name: auditors, external: true }}\n  permission_sets:\n{READ_ONLY}"),
        &org(),
    );
    assert!(p.changes.is_empty(), "{:?}", addresses(&p));
}

#[test]
fn ou_targets_include_nested_ous_unless_told_not_to() {
    let f = |nested: &str| {
        plan(&format!("  groups:\n    - {{ name: auditors, external: true }}\n  permission_sets:\n{READ_ONLY}  assignments:\n    - {{ permission_set: ReadOnly, group: auditors, targets: [\"ou:Workloads\"]{nested} }}\n"), &org())
    };
    let accounts = |p: &Plan| -> BTreeSet<String> {
        p.changes
            .iter()
            .filter_map(|c| match &c.op {
                Op::Ic(op) => match &**op {
                    IcOp::CreateAssignment { account, .. } => Some(account.to_string()),
                    _ => None,
                },
                _ => None,
            })
            .collect()
    };
    assert_eq!(
        accounts(&f("")),
        ["app", "dev"].map(String::from).into_iter().collect()
    );
    assert_eq!(
        accounts(&f(", include_nested_ous: false")),
        ["app"].map(String::from).into_iter().collect()
    );
}

#[test]
fn changes_go_to_the_delegated_admin_except_what_aws_reserves_to_the_management_account() {
    let mut live = org();
    // ReadOnly is already provisioned to the management account.
    if let Some(ic) = live.identity_center.as_mut() {
        ic.permission_sets
            .get_mut("ReadOnly")
            .map(|p| p.provisioned.insert(MGMT.to_string()));
    }
    let p = plan(
        &format!("  groups:\n    - {{ name: auditors, external: true }}\n    - {{ name: admins }}\n  permission_sets:\n{READ_ONLY}      description: changed\n  assignments:\n    - {{ permission_set: ReadOnly, group: admins, targets: [\"account:app\", \"account:{MGMT}\"] }}\n"),
        &live,
    );
    let by: BTreeMap<String, (String, String)> = p
        .changes
        .iter()
        .map(|c| {
            (
                c.address.clone(),
                (c.executor.account_id.clone(), c.executor.why.clone()),
            )
        })
        .collect();
    assert_eq!(by["identity_center.group[\"admins\"]"].0, SEC);
    assert!(by["identity_center.group[\"admins\"]"]
        .1
        .contains("delegated administrator"));
    let a = format!("identity_center.assignment[\"ReadOnly/group:admins/{APP}\"]");
    assert_eq!(by[&a].0, SEC);
    let m = format!("identity_center.assignment[\"ReadOnly/group:admins/{MGMT}\"]");
    assert_eq!(by[&m].0, MGMT);
    assert!(by[&m].1.contains("assignments in the management account"));
    let ps = &by["identity_center.permission_set[\"ReadOnly\"]"];
    assert_eq!(ps.0, MGMT);
    assert!(ps.1.contains("provisioned to the management account"));
    // The assignment waits for the group the same plan creates.
    let c = p.changes.iter().find(|c| c.address == a).unwrap();
    assert!(c
        .depends_on
        .contains(&"identity_center.group[\"admins\"]".to_string()));
}

#[test]
fn without_a_delegated_admin_the_management_account_manages_identity_center() {
    let mut live = org();
    live.delegated_admins.clear();
    let f = ORG.replace("delegations:\n  sso: { admin: sec-ops }\n", "");
    let p = diff(
        &desired(&format!(
            "{f}identity_center:\n  groups:\n    - {{ name: admins }}\n"
        )),
        &live,
    )
    .unwrap();
    assert_eq!(p.changes[0].executor.account_id, MGMT);
    assert!(p.changes[0]
        .executor
        .why
        .contains("no Identity Center delegated administrator"));
}

#[test]
fn a_policy_change_reprovisions_where_the_permission_set_is_provisioned_tags_do_not() {
    let p = plan(
        "  permission_sets:\n    - name: ReadOnly\n      managed_policies: [arn:aws:iam::aws:policy/ViewOnlyAccess]\n      permissions_boundary: { managed_policy_arn: arn:aws:iam::aws:policy/PowerUserAccess }\n",
        &org(),
    );
    let Op::Ic(op) = &p.changes[0].op else {
        panic!("{:?}", p.changes[0].op)
    };
    let IcOp::UpdatePermissionSet {
        update,
        reprovision,
        ..
    } = &**op
    else {
        panic!("{op:?}")
    };
    assert_eq!(
        update.attach_managed,
        ["arn:aws:iam::aws:policy/ViewOnlyAccess"]
    );
    assert_eq!(
        update.detach_managed,
        ["arn:aws:iam::aws:policy/ReadOnlyAccess"]
    );
    assert!(update.delete_inline);
    assert_eq!(
        update.put_boundary,
        Some(Boundary::Managed(
            "arn:aws:iam::aws:policy/PowerUserAccess".into()
        ))
    );
    assert_eq!(reprovision, &[APP.to_string(), DEV.to_string()]);
    assert!(p.changes[0]
        .summary
        .contains("re-provision it to 2 account(s)"));

    let mut live = org();
    if let Some(ps) = live
        .identity_center
        .as_mut()
        .and_then(|i| i.permission_sets.get_mut("ReadOnly"))
    {
        ps.tags = Some(BTreeMap::new());
    }
    let p = plan(
        &format!(
            "  permission_sets:\n{}",
            READ_ONLY.replace(
                "    - name: ReadOnly\n",
                "    - name: ReadOnly\n      tags: { owner: audit }\n",
            )
        ),
        &live,
    );
    let Op::Ic(op) = &p.changes[0].op else {
        panic!()
    };
    let IcOp::UpdatePermissionSet { reprovision, .. } = &**op else {
        panic!()
    };
    assert!(reprovision.is_empty(), "tags do not change the roles");
}

#[test]
fn members_are_the_whole_membership_and_removals_are_destructive() {
    let mut live = org();
    if let Some(ic) = live.identity_center.as_mut() {
        ic.groups.insert(
            "admins".into(),
            LiveGroup {
                id: "g-adm".into(),
                name: "admins".into(),
                description: None,
                members: Some(
                    [("u-bob".to_string(), "m-1".to_string())]
                        .into_iter()
                        .collect(),
                ),
                external: false,
            },
        );
    }
    let p = plan("  users:\n    - { user_name: bob, external: true }\n    - { user_name: alice, display_name: A, given_name: A, family_name: B }\n  groups:\n    - { name: admins, members: [alice] }\n", &live);
    assert_eq!(
        addresses(&p),
        vec![
            (
                "identity_center.user[\"alice\"]".to_string(),
                Action::Create
            ),
            (
                "identity_center.group[\"admins\"].member[\"alice\"]".to_string(),
                Action::Create
            ),
            (
                "identity_center.group[\"admins\"].member[\"bob\"]".to_string(),
                Action::Delete
            ),
        ]
    );
    assert!(p.changes[2].action.is_destructive());
}

#[test]
fn absent_objects_are_summarised_or_pruned_and_external_ones_must_exist() {
    let mut live = org();
    if let Some(ic) = live.identity_center.as_mut() {
        ic.assignments.insert(LiveAssignment {
            permission_set_arn: "arn:ps-ro".into(),
            principal_type: "GROUP".into(),
            principal_id: "g-aud".into(),
            account_id: APP.into(),
        });
    }
    let p = plan(&format!("  permission_sets:\n{READ_ONLY}"), &live);
    let notes: Vec<String> = p
        .unmanaged
        .iter()
        .map(|u| format!("{} {}", u.address, u.note))
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("1 user(s) not in the file") && n.contains("bob")),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains(&format!("ReadOnly/group:auditors/{APP}"))),
        "{notes:?}"
    );

    let pruned = diff(
        &desired(&format!(
            "  unmanaged: prune\n{ORG}identity_center:\n  permission_sets:\n{READ_ONLY}"
        )),
        &live,
    )
    .unwrap();
    let deletes: Vec<String> = pruned
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .map(|c| c.address.clone())
        .collect();
    assert_eq!(
        deletes,
        vec![
            format!("identity_center.assignment[\"ReadOnly/group:auditors/{APP}\"]"),
            "identity_center.group[\"auditors\"]".to_string(),
            "identity_center.user[\"bob\"]".to_string(),
        ]
    );

    let e = diff(
        &desired(&format!(
            "{ORG}identity_center:\n  users:\n    - {{ user_name: carol, external: true }}\n"
        )),
        &org(),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("external user carol is not in the identity store"),
        "{e}"
    );
}

#[test]
fn snapshot_human() {
    let p = plan(&format!("  users:\n    - {{ user_name: alice, display_name: Alice, given_name: Alice, family_name: Example }}\n  groups:\n    - {{ name: auditors, external: true }}\n    - {{ name: admins, members: [alice] }}\n  permission_sets:\n{READ_ONLY}      session_duration: PT4H\n  assignments:\n    - {{ permission_set: ReadOnly, group: admins, targets: [\"ou:Workloads\"] }}\n"), &org());
    insta::assert_snapshot!(render::human::plan(&p, false));
}

#[test]
fn a_description_or_relay_state_the_file_leaves_out_is_kept_with_a_warning() {
    // AWS refuses "" for both and has no way to remove them: the plan keeps the live values.
    let mut live = org();
    let ro = live
        .identity_center
        .as_mut()
        .unwrap()
        .permission_sets
        .get_mut("ReadOnly")
        .unwrap();
    ro.description = Some("from the console".into());
    ro.relay_state = Some("https://console.aws.amazon.com/".into());
    let base = "  groups:\n    - { name: auditors, external: true }\n  permission_sets:\n";
    let p = plan(&format!("{base}{READ_ONLY}"), &live);
    assert!(p.changes.is_empty(), "{:?}", addresses(&p));
    let kept: Vec<&String> = p
        .warnings
        .iter()
        .filter(|w| w.contains("permission_set[\"ReadOnly\"]") && w.contains("not remove it"))
        .collect();
    assert_eq!(kept.len(), 2, "{:?}", p.warnings);
    assert!(kept[0].contains("description stays \"from the console\""));
    assert!(kept[1].contains("relay_state stays"));
    // Another change still updates: the update carries the kept values, never an empty one.
    let p = plan(
        &format!("{base}{READ_ONLY}      session_duration: PT2H\n"),
        &live,
    );
    let update = p
        .changes
        .iter()
        .find_map(|c| match &c.op {
            Op::Ic(op) => match &**op {
                IcOp::UpdatePermissionSet { permission_set, .. } => Some(permission_set.clone()),
                _ => None,
            },
            _ => None,
        })
        .expect("an update");
    assert_eq!(update.description.as_deref(), Some("from the console"));
    assert_eq!(
        update.relay_state.as_deref(),
        Some("https://console.aws.amazon.com/")
    );
    assert_eq!(update.session_duration, "PT2H");
    // A value in the file replaces the live one.
    let p = plan(
        &format!("{base}{READ_ONLY}      description: mine\n"),
        &live,
    );
    assert_eq!(addresses(&p).len(), 1, "{:?}", addresses(&p));
    assert!(p.warnings.iter().all(|w| !w.contains("description stays")));
}
