//! `diff` of Organizations policies: creation order, executors from the delegation policy,
//! updates, the SCP limits, tags and the effective-SCP preview.

use std::collections::BTreeMap;

use super::tests::{addresses, with_sec_ops};
use crate::live::LiveState;
use crate::plan::change::{Action, Op, Risk};
use crate::plan::diff::diff;
use crate::plan::order;
use crate::render;
use crate::tests::{add_ou, desired, MGMT};

const SCP_DOC: &str = "{Version: \"2012-10-17\", Statement: [{Effect: Deny, Action: \"organizations:LeaveOrganization\", Resource: \"*\"}]}";

fn policies_file(extra: &str) -> String {
    format!("organizational_units:\n  - path: Workloads\naccounts:\n  - {{ name: sec-ops, email: sec@example.com, ou: root }}\n{extra}policies:\n  - name: deny-leave\n    type: SERVICE_CONTROL_POLICY\n    content: {SCP_DOC}\n    targets: [\"ou:Workloads\"]\n")
}

fn with_policies() -> LiveState {
    let mut l = with_sec_ops();
    add_ou(&mut l, "ou-wl", "Workloads", "r-root");
    l.root_policy_types
        .insert("SERVICE_CONTROL_POLICY".into(), "ENABLED".into());
    l.policies.insert(
        "p-full".into(),
        crate::live::LivePolicy {
            id: "p-full".into(),
            name: "FullAWSAccess".into(),
            policy_type: "SERVICE_CONTROL_POLICY".into(),
            description: String::new(),
            aws_managed: true,
            content: "{}".into(),
            targets: ["r-root", "ou-wl", MGMT, "222222222222"]
                .iter()
                .map(|s| s.to_string())
                .collect(),
            tags: None,
        },
    );
    l
}

#[test]
fn a_new_policy_is_created_then_attached_by_the_management_account() {
    let mut l = with_policies();
    l.root_policy_types.clear();
    let p = diff(&desired(&policies_file("")), &l).unwrap();
    assert_eq!(
        addresses(&p),
        vec![
            (
                "policy_type[\"SERVICE_CONTROL_POLICY\"]".to_string(),
                Action::Create
            ),
            ("policy[\"deny-leave\"]".to_string(), Action::Create),
            (
                "policy[\"deny-leave\"].attachment[\"ou:Workloads\"]".to_string(),
                Action::Create
            ),
        ]
    );
    assert!(order::violations(&p.changes).is_empty());
    assert!(p.changes.iter().all(|c| c.executor.account_id == MGMT));
    assert!(p.changes[1]
        .executor
        .why
        .contains("no organizations_delegation grant covers SERVICE_CONTROL_POLICY"));
}

#[test]
fn policy_changes_go_to_the_account_the_delegation_policy_names() {
    let grant = "organizations_delegation:\n  - account: sec-ops\n    allow: [policies]\n    policy_types: [SERVICE_CONTROL_POLICY]\n";
    let p = diff(&desired(&policies_file(grant)), &with_policies()).unwrap();
    let create = p
        .changes
        .iter()
        .find(|c| c.address == "policy[\"deny-leave\"]")
        .unwrap();
    assert_eq!(
        (
            create.executor.account_id.as_str(),
            create.executor.account_name.as_str()
        ),
        ("222222222222", "sec-ops")
    );
    assert!(create
        .executor
        .why
        .contains("organizations_delegation lets sec-ops manage SERVICE_CONTROL_POLICY"));
    // The delegation policy itself (management account) comes first, and the delegate's changes wait for it.
    assert!(create
        .depends_on
        .contains(&"organizations_delegation".to_string()));
    assert!(order::violations(&p.changes).is_empty());
}

#[test]
fn a_changed_document_is_an_update_and_an_equal_one_is_not() {
    let mut l = with_policies();
    let content = r#"{"Statement":[{"Resource":"*","Action":"organizations:LeaveOrganization","Effect":"Deny"}],"Version":"2012-10-17"}"#;
    l.policies.insert(
        "p-deny".into(),
        crate::live::LivePolicy {
            id: "p-deny".into(),
            name: "deny-leave".into(),
            policy_type: "SERVICE_CONTROL_POLICY".into(),
            description: String::new(),
            aws_managed: false,
            content: content.into(),
            targets: ["ou-wl".to_string()].into(),
            tags: None,
        },
    );
    l.policies
        .get_mut("p-full")
        .unwrap()
        .targets
        .insert("ou-wl".into());
    assert!(
        diff(&desired(&policies_file("")), &l)
            .unwrap()
            .changes
            .is_empty(),
        "reordered keys are not a change"
    );
    let changed = policies_file("").replace(
        "organizations:LeaveOrganization",
        "organizations:CloseAccount",
    );
    let p = diff(&desired(&changed), &l).unwrap();
    assert_eq!(
        addresses(&p),
        vec![("policy[\"deny-leave\"]".to_string(), Action::Update)]
    );
    assert_eq!(
        p.changes[0].risk,
        Risk::High,
        "an attached SCP changes at once"
    );
    let text = render::human::plan(&p, false);
    assert!(
        text.contains("+") && text.contains("organizations:CloseAccount"),
        "{text}"
    );
}

#[test]
fn detaching_the_last_scp_is_refused_at_plan_time() {
    let mut l = with_policies();
    l.policies.get_mut("p-full").unwrap().targets =
        ["r-root".to_string(), "ou-wl".to_string()].into();
    let f = "organizational_units:\n  - path: Workloads\npolicies:\n  - name: FullAWSAccess\n    type: SERVICE_CONTROL_POLICY\n    targets: [root]\n";
    // Reported only: the ou:Workloads attachment is unmanaged.
    let p = diff(&desired(f), &l).unwrap();
    assert!(p.changes.is_empty());
    assert!(p
        .unmanaged
        .iter()
        .any(|u| u.address == "policy[\"FullAWSAccess\"].attachment[\"ou:Workloads\"]"));
    let mut d = desired(f);
    d.unmanaged = crate::model::desired::Unmanaged::Prune;
    let e = diff(&d, &l).unwrap_err().to_string();
    assert!(
        e.contains("ou:Workloads: the plan would leave it with no SCP"),
        "{e}"
    );
}

#[test]
fn more_than_five_scps_on_a_target_is_refused_at_plan_time() {
    let mut l = with_policies();
    for i in 0..4 {
        l.policies.insert(
            format!("p-{i}"),
            crate::live::LivePolicy {
                id: format!("p-{i}"),
                name: format!("live-{i}"),
                policy_type: "SERVICE_CONTROL_POLICY".into(),
                description: String::new(),
                aws_managed: false,
                content: "{}".into(),
                targets: ["ou-wl".to_string()].into(),
                tags: None,
            },
        );
    }
    let e = diff(&desired(&policies_file("")), &l)
        .unwrap_err()
        .to_string();
    assert!(e.contains("ou:Workloads: 6 SCPs would be attached"), "{e}");
}

#[test]
fn policy_tags_travel_with_creation_and_are_updated_later() {
    let f = policies_file("").replace(
        "    targets: [\"ou:Workloads\"]\n",
        "    targets: [\"ou:Workloads\"]\n    tags: { owner: security }\n",
    );
    let p = diff(&desired(&f), &with_policies()).unwrap();
    match &p
        .changes
        .iter()
        .find(|c| c.address == "policy[\"deny-leave\"]")
        .unwrap()
        .op
    {
        Op::CreatePolicy { tags, .. } => {
            assert_eq!(tags.get("owner").map(String::as_str), Some("security"))
        }
        other => panic!("{other:?}"),
    }
    let mut l = with_policies();
    l.policies.insert(
        "p-deny".into(),
        crate::live::LivePolicy { id: "p-deny".into(), name: "deny-leave".into(), policy_type: "SERVICE_CONTROL_POLICY".into(), description: String::new(), aws_managed: false, content: serde_json::to_string(&serde_json::json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]})).unwrap(), targets: ["ou-wl".to_string()].into(), tags: None },
    );
    l.tags.insert(
        "p-deny".into(),
        BTreeMap::from([("owner".to_string(), "platform".to_string())]),
    );
    let p = diff(&desired(&f), &l).unwrap();
    assert_eq!(
        addresses(&p),
        vec![("policy[\"deny-leave\"].tags".to_string(), Action::Update)]
    );
}

#[test]
fn a_delegate_without_tag_resource_cannot_manage_tagged_policies() {
    let grant = "organizations_delegation:\n  - account: sec-ops\n    allow: [policies]\n    policy_types: [SERVICE_CONTROL_POLICY]\n";
    let f = policies_file(grant).replace(
        "    targets: [\"ou:Workloads\"]\n",
        "    targets: [\"ou:Workloads\"]\n    tags: { owner: security }\n",
    );
    let e = diff(&desired(&f), &with_policies())
        .unwrap_err()
        .to_string();
    assert!(e.contains("lacks organizations:TagResource"), "{e}");
    assert!(diff(
        &desired(&f.replace(
            "allow: [policies]",
            "allow: [policies, organizations:TagResource]"
        )),
        &with_policies()
    )
    .is_ok());
}

#[test]
fn the_plan_previews_the_scps_in_force_on_changed_targets() {
    let p = diff(&desired(&policies_file("")), &with_policies()).unwrap();
    assert_eq!(p.effective_scps.len(), 1, "{:?}", p.effective_scps);
    let e = &p.effective_scps[0];
    assert_eq!(e.target, "ou:Workloads");
    let got: Vec<(&str, &str)> = e
        .in_force
        .iter()
        .map(|s| (s.policy.as_str(), s.attached_to.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("FullAWSAccess", "ou:Workloads"),
            ("deny-leave", "ou:Workloads"),
            ("FullAWSAccess", "root")
        ]
    );
    let text = render::human::plan(&p, false);
    assert!(
        text.contains("ou:Workloads: FullAWSAccess, deny-leave, FullAWSAccess (from root)"),
        "{text}"
    );
    // A new OU starts with the FullAWSAccess AWS attaches at creation, under its parent's.
    let f = policies_file("")
        .replace(
            "  - path: Workloads\n",
            "  - path: Workloads\n  - path: Workloads/Prod\n",
        )
        .replace(
            "targets: [\"ou:Workloads\"]",
            "targets: [\"ou:Workloads/Prod\"]",
        );
    let p = diff(&desired(&f), &with_policies()).unwrap();
    let e = p
        .effective_scps
        .iter()
        .find(|e| e.target == "ou:Workloads/Prod")
        .unwrap();
    let got: Vec<(&str, &str)> = e
        .in_force
        .iter()
        .map(|s| (s.policy.as_str(), s.attached_to.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("FullAWSAccess", "ou:Workloads/Prod"),
            ("deny-leave", "ou:Workloads/Prod"),
            ("FullAWSAccess", "ou:Workloads"),
            ("FullAWSAccess", "root")
        ]
    );
}

#[test]
fn moving_an_scp_attaches_the_new_target_before_detaching_the_old() {
    let mut l = with_policies();
    add_ou(&mut l, "ou-sb", "Sandbox", "r-root");
    l.policies
        .get_mut("p-full")
        .unwrap()
        .targets
        .insert("ou-sb".into());
    let content = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#;
    l.policies.insert(
        "p-deny".into(),
        crate::live::LivePolicy {
            id: "p-deny".into(),
            name: "deny-leave".into(),
            policy_type: "SERVICE_CONTROL_POLICY".into(),
            description: String::new(),
            aws_managed: false,
            content: content.into(),
            targets: ["ou-sb".to_string()].into(),
            tags: None,
        },
    );
    let f = policies_file("").replace(
        "  - path: Workloads\n",
        "  - path: Workloads\n  - path: Sandbox\n",
    );
    let mut d = desired(&f);
    d.unmanaged = crate::model::desired::Unmanaged::Prune;
    let p = diff(&d, &l).unwrap();
    assert_eq!(
        addresses(&p),
        vec![
            (
                "policy[\"deny-leave\"].attachment[\"ou:Workloads\"]".to_string(),
                Action::Create
            ),
            (
                "policy[\"deny-leave\"].attachment[\"ou:Sandbox\"]".to_string(),
                Action::Delete
            ),
        ]
    );
    let targets: Vec<&str> = p.effective_scps.iter().map(|e| e.target.as_str()).collect();
    assert_eq!(targets, ["ou:Sandbox", "ou:Workloads"]);
}

#[test]
fn a_policy_adopted_by_id_is_renamed_in_place() {
    let mut l = with_policies();
    let content = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:LeaveOrganization","Resource":"*"}]}"#;
    l.policies.insert(
        "p-deny".into(),
        crate::live::LivePolicy {
            id: "p-deny".into(),
            name: "old-name".into(),
            policy_type: "SERVICE_CONTROL_POLICY".into(),
            description: String::new(),
            aws_managed: false,
            content: content.into(),
            targets: ["ou-wl".to_string()].into(),
            tags: None,
        },
    );
    let f = policies_file("").replace(
        "    type: SERVICE_CONTROL_POLICY\n    content:",
        "    type: SERVICE_CONTROL_POLICY\n    id: p-deny\n    content:",
    );
    let p = diff(&desired(&f), &l).unwrap();
    assert_eq!(
        addresses(&p),
        vec![("policy[\"deny-leave\"]".to_string(), Action::Update)]
    );
    assert_eq!(p.changes[0].before.as_ref().unwrap()["name"], "old-name");
    assert!(
        p.unmanaged.iter().all(|u| !u.address.contains("old-name")),
        "the adopted policy is not unmanaged"
    );
    let e = diff(&desired(&f.replace("p-deny", "p-nothere")), &l)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("there is no SERVICE_CONTROL_POLICY policy with id p-nothere"),
        "{e}"
    );
}
