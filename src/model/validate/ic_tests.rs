//! `identity_center:` validation, one test per rule: the diagnostic a user sees (field,
//! line, fix), and what the validated section holds.

use crate::model::desired::{AccountRef, PolicyTarget};
use crate::model::desired_ic::{Boundary, Principal};
use crate::model::load_str;
use crate::model::validate::tests::{assert_error, errors, HEAD};

const ACCTS: &str = "organizational_units:\n  - path: Workloads\naccounts:\n  - { name: app, email: app@example.com, ou: Workloads }\n";

fn ic(body: &str) -> String {
    format!("{HEAD}{ACCTS}identity_center:\n{body}")
}

const GOOD: &str = "  users:
    - { user_name: alice, display_name: Alice Example, given_name: Alice, family_name: Example, email: alice@example.com }
    - { user_name: bob, external: true }
  groups:
    - { name: admins, description: Platform admins, members: [alice, bob] }
    - { name: okta-auditors, external: true }
  permission_sets:
    - name: Admin
      session_duration: PT240M
      managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess]
      customer_managed_policies: [{ name: team-boundary, path: /platform/ }]
      inline_policy: { Version: \"2012-10-17\", Statement: [{ Effect: Deny, Action: \"organizations:LeaveOrganization\", Resource: \"*\" }] }
      permissions_boundary: { managed_policy_arn: arn:aws:iam::aws:policy/PowerUserAccess }
      tags: { owner: platform }
  assignments:
    - { permission_set: Admin, group: admins, targets: [\"ou:Workloads\", \"account:app\"] }
    - { permission_set: Admin, user: bob, targets: [root], include_nested_ous: false }
";

#[test]
fn a_full_section_validates_with_defaults_applied() {
    let l = load_str("org.yaml", &ic(GOOD)).unwrap();
    let d = l.desired.identity_center.unwrap();
    assert!(d.users["bob"].external && !d.users["alice"].external);
    assert_eq!(
        d.groups["admins"].members.as_ref().unwrap().len(),
        2,
        "external users may be members of managed groups"
    );
    assert_eq!(d.groups["okta-auditors"].members, None);
    let ps = &d.permission_sets["Admin"];
    assert_eq!(
        ps.session_duration, "PT4H",
        "normalised like AWS returns it"
    );
    assert_eq!(
        ps.boundary,
        Some(Boundary::Managed(
            "arn:aws:iam::aws:policy/PowerUserAccess".into()
        ))
    );
    assert_eq!(
        ps.customer_managed_policies.iter().next().unwrap().path,
        "/platform/"
    );
    assert!(ps.inline_policy.as_ref().unwrap()["Statement"].is_array());
    assert_eq!(d.assignments.len(), 2);
    assert_eq!(
        d.assignments[0].principal,
        Principal::Group("admins".into())
    );
    assert!(d.assignments[0]
        .targets
        .contains(&PolicyTarget::Account(AccountRef::Name("app".into()))));
    assert!(
        d.assignments[0].include_nested_ous,
        "default: nested OUs included"
    );
    assert!(!d.assignments[1].include_nested_ous);
}

#[test]
fn unknown_references_name_their_line_and_suggest() {
    let y = ic("  users:\n    - { user_name: alice, display_name: A, given_name: A, family_name: B }\n  groups:\n    - { name: admins, members: [alicia] }\n  permission_sets:\n    - { name: Admin }\n  assignments:\n    - { permission_set: Admn, group: admin, targets: [\"account:ap\"] }\n");
    assert_error(
        &y,
        "identity_center.groups[0].members",
        12,
        "unknown user `alicia`",
    );
    let e = errors(&y);
    let ps = e
        .iter()
        .find(|d| d.field == "identity_center.assignments[0].permission_set")
        .unwrap();
    assert!(ps.fix.contains("did you mean `Admin`"), "{ps}");
    let g = e
        .iter()
        .find(|d| d.field == "identity_center.assignments[0].group")
        .unwrap();
    assert!(g.fix.contains("`admins`"), "{g}");
    assert_error(
        &y,
        "identity_center.assignments[0].targets",
        16,
        "unknown account `ap`",
    );
}

#[test]
fn session_duration_must_be_iso_8601_within_one_to_twelve_hours() {
    for (bad, msg) in [
        ("4h", "not an ISO-8601 duration"),
        ("PT13H", "outside AWS's 1 to 12 hours"),
        ("PT30M", "outside"),
        ("PT1M1H", "not an ISO-8601"),
    ] {
        let y = ic(&format!(
            "  permission_sets:\n    - {{ name: Admin, session_duration: {bad} }}\n"
        ));
        assert_error(
            &y,
            "identity_center.permission_sets[0].session_duration",
            10,
            msg,
        );
    }
}

#[test]
fn inline_policy_json_and_size_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.json"), "{ not json").unwrap();
    let y = ic("  permission_sets:\n    - { name: Admin, inline_policy: bad.json }\n");
    let path = dir.path().join("org.yaml");
    std::fs::write(&path, &y).unwrap();
    match crate::model::load(&path) {
        Err(crate::model::LoadError::Invalid { diagnostics, .. }) => {
            let d = &diagnostics[0];
            assert_eq!(d.field, "identity_center.permission_sets[0].inline_policy");
            assert!(d.message.contains("not valid JSON"), "{d}");
            assert_eq!(d.line, 10);
        }
        other => panic!("{other:?}"),
    }
    let big = "x".repeat(10_300);
    let y = ic(&format!("  permission_sets:\n    - name: Admin\n      inline_policy: {{ Version: \"2012-10-17\", Statement: [{{ Effect: Allow, Action: \"s3:*\", Resource: \"{big}\" }}] }}\n"));
    assert_error(
        &y,
        "identity_center.permission_sets[0].inline_policy",
        11,
        "AWS allows 10240",
    );
}

#[test]
fn external_users_and_groups_cannot_carry_managed_attributes() {
    let y = ic("  users:\n    - { user_name: bob, external: true, display_name: Bob }\n  groups:\n    - { name: idp, external: true, members: [bob] }\n");
    assert_error(&y, "identity_center.users[0]", 10, "is external");
    assert_error(&y, "identity_center.groups[0]", 12, "is external");
}

#[test]
fn managed_users_need_the_attributes_identity_center_requires() {
    let y = ic("  users:\n    - { user_name: carol, display_name: Carol }\n");
    assert_error(
        &y,
        "identity_center.users[0].given_name",
        10,
        "Identity Center requires it",
    );
    assert_error(
        &y,
        "identity_center.users[0].family_name",
        10,
        "requires it",
    );
}

#[test]
fn permission_set_names_policies_and_boundaries_follow_aws_rules() {
    let y = ic("  permission_sets:\n    - name: Admin Access\n      managed_policies: [arn:aws:iam::123456789012:policy/mine]\n      permissions_boundary: {}\n    - { name: Admin }\n    - { name: Admin }\n");
    assert_error(
        &y,
        "identity_center.permission_sets[0].name",
        10,
        "not a permission set name",
    );
    assert_error(
        &y,
        "identity_center.permission_sets[0].managed_policies",
        11,
        "not an AWS-managed policy ARN",
    );
    assert_error(
        &y,
        "identity_center.permission_sets[0].permissions_boundary",
        10,
        "one policy",
    );
    assert_error(
        &y,
        "identity_center.permission_sets[2].name",
        14,
        "declared twice",
    );
}

#[test]
fn an_assignment_names_one_principal_and_some_targets() {
    let y = ic("  users:\n    - { user_name: bob, external: true }\n  groups:\n    - { name: g, external: true }\n  permission_sets:\n    - { name: Admin }\n  assignments:\n    - { permission_set: Admin, user: bob, group: g, targets: [root] }\n    - { permission_set: Admin, user: bob, targets: [] }\n");
    assert_error(
        &y,
        "identity_center.assignments[0]",
        16,
        "exactly one of `user` or `group`",
    );
    assert_error(
        &y,
        "identity_center.assignments[1].targets",
        17,
        "no targets",
    );
}
