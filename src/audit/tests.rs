//! The audit against hand-built live states and plans.

use std::collections::BTreeSet;

use super::*;
use crate::live::ic::LiveIc;
use crate::tests::{add_account, desired, empty_org, id};

fn brownfield() -> LiveState {
    let mut l = empty_org();
    add_account(
        &mut l,
        "222222222222",
        "sec-ops",
        "sec@example.com",
        "r-root",
    );
    l.trusted_access = [
        "guardduty.amazonaws.com",
        "sso.amazonaws.com",
        "ram.amazonaws.com",
        "reporting.trustedadvisor.amazonaws.com",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    l.delegated_admins.insert(
        "reporting.trustedadvisor.amazonaws.com".into(),
        BTreeSet::from([id("222222222222")]),
    );
    l.root_policy_types
        .insert("SERVICE_CONTROL_POLICY".into(), "ENABLED".into());
    l.root_policy_types
        .insert("TAG_POLICY".into(), "ENABLED".into());
    l.root_policy_types
        .insert("BACKUP_POLICY".into(), "PENDING_DISABLE".into());
    l.delegation_policy = Some(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["organizations:CreatePolicy","organizations:AttachPolicy"],"Resource":"*","Condition":{"StringLikeIfExists":{"organizations:PolicyType":["TAG_POLICY"]}}}]}"#.into(),
    );
    l.identity_center = Some(LiveIc::default());
    l
}

#[test]
fn what_the_management_account_still_does() {
    let a = audit(&brownfield(), None);
    let got: Vec<(&str, &str)> = a
        .findings
        .iter()
        .map(|f| (f.kind, f.subject.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            // GuardDuty and Identity Center support an admin and have none; RAM supports
            // none (trusted access only); Trusted Advisor has one.
            ("no-delegated-admin", "guardduty.amazonaws.com"),
            ("no-delegated-admin", "sso.amazonaws.com"),
            // SCPs are not granted; tag policies are; backup policies are being disabled.
            ("policy-type-not-delegated", "SERVICE_CONTROL_POLICY"),
            ("identity-center-in-management", "sso.amazonaws.com"),
        ]
    );
    assert_eq!(a.exit_code(), 2);
    assert!(
        a.findings[0].fix.contains("guardduty: { admin: ACCOUNT }"),
        "{}",
        a.findings[0].fix
    );
}

#[test]
fn a_fully_delegated_organization_has_no_findings() {
    let mut l = brownfield();
    l.trusted_access.remove("guardduty.amazonaws.com");
    l.delegated_admins.insert(
        "sso.amazonaws.com".into(),
        BTreeSet::from([id("222222222222")]),
    );
    l.root_policy_types.remove("SERVICE_CONTROL_POLICY");
    let a = audit(&l, None);
    assert!(a.findings.is_empty(), "{:?}", a.findings);
    assert_eq!(a.exit_code(), 0);
}

#[test]
fn plan_changes_are_split_into_reserved_and_movable() {
    let l = empty_org();
    let f = "accounts:\n  - { name: sec-ops, email: sec@example.com, ou: root }\npolicies:\n  - name: deny\n    type: SERVICE_CONTROL_POLICY\n    content: {Statement: [{Effect: Deny, Action: \"s3:*\", Resource: \"*\"}]}\n    targets: [root]\n";
    let plan = crate::plan::diff::diff(&desired(f), &l).unwrap();
    let a = audit(&l, Some(&plan));
    let reserved: Vec<&str> = a
        .management_only
        .iter()
        .map(|r| r.address.as_str())
        .collect();
    assert_eq!(reserved, ["account[\"sec-ops\"]"]);
    assert!(
        a.management_only[0].why.contains("management"),
        "{}",
        a.management_only[0].why
    );
    let movable: Vec<&str> = a
        .findings
        .iter()
        .filter(|f| f.kind == "change-could-move")
        .map(|f| f.subject.as_str())
        .collect();
    assert_eq!(
        movable,
        [
            "policy_type[\"SERVICE_CONTROL_POLICY\"]",
            "policy[\"deny\"]",
            "policy[\"deny\"].attachment[\"root\"]"
        ]
    );
}
