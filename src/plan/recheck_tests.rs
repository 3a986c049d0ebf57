//! Unit tests of `plan::recheck`.

use super::*;
use crate::plan::change::{Executor, Risk, Summary};
use serde_json::json;

fn ch(addr: &str, action: Action, before: Value, after: Value) -> Change {
    Change {
        address: addr.into(),
        action,
        summary: "s".into(),
        before: (!before.is_null()).then_some(before),
        after: (!after.is_null()).then_some(after),
        executor: Executor {
            account_id: "123456789012".into(),
            account_name: "m".into(),
            why: String::new(),
        },
        risk: Risk::Low,
        risk_reason: String::new(),
        depends_on: Vec::new(),
        op: Op::EnableTrustedAccess {
            principal: addr.into(),
        },
    }
}

fn plan(changes: Vec<Change>) -> Plan {
    Plan {
        format_version: crate::plan::change::FORMAT_VERSION,
        orgctl_version: String::new(),
        organization_id: "o-1".into(),
        management_account_id: "123456789012".into(),
        live_fingerprint: String::new(),
        live_fingerprints: BTreeMap::new(),
        read_scope: Default::default(),
        summary: Summary::of(&changes),
        changes,
        unmanaged: Vec::new(),
        warnings: Vec::new(),
        effective_scps: Vec::new(),
        account_ids: BTreeMap::new(),
        created_accounts: Default::default(),
        omitted: Vec::new(),
        executor_filter: None,
        stages: Vec::new(),
        desired: None,
    }
}

fn policy(before: &str, after: &str) -> Change {
    ch(
        "policy[\"p\"]",
        Action::Update,
        json!({"content": {"Effect": before}}),
        json!({"content": {"Effect": after}}),
    )
}

#[test]
fn the_same_remaining_changes_pass_and_the_missing_ones_are_done() {
    let saved = plan(vec![
        ch("a", Action::Create, Value::Null, json!({"x": 1})),
        policy("Allow", "Deny"),
    ]);
    let fresh = plan(vec![policy("Allow", "Deny")]);
    let r = recheck(&saved, &fresh, |_| true).unwrap();
    assert_eq!(r.done, vec!["a".to_string()]);
    assert!(r.unseen.is_empty());
}

#[test]
fn a_document_edited_by_hand_is_a_difference_naming_the_object() {
    let saved = plan(vec![policy("Allow", "Deny")]);
    let fresh = plan(vec![policy("Audit", "Deny")]);
    let e = recheck(&saved, &fresh, |_| true).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].address, "policy[\"p\"]");
    assert!(e[0].what.contains("changed outside this plan"), "{}", e[0]);
    assert!(e[0].what.contains("Audit"), "{}", e[0]);
}

#[test]
fn a_change_nobody_reviewed_and_another_after_state_are_differences() {
    let saved = plan(vec![policy("Allow", "Deny")]);
    let fresh = plan(vec![
        policy("Allow", "Other"),
        ch("ou[\"X\"]", Action::Delete, json!({}), Value::Null),
    ]);
    let e = recheck(&saved, &fresh, |_| true).unwrap_err();
    let addrs: Vec<&str> = e.iter().map(|d| d.address.as_str()).collect();
    assert_eq!(addrs, vec!["policy[\"p\"]", "ou[\"X\"]"]);
    assert!(e[1].what.contains("not in the reviewed plan"));
}

#[test]
fn a_relabelled_action_is_a_difference() {
    let mut saved = plan(vec![ch("d", Action::Delete, json!({"a": 1}), Value::Null)]);
    saved.changes[0].action = Action::Update;
    let fresh = plan(vec![ch("d", Action::Delete, json!({"a": 1}), Value::Null)]);
    let e = recheck(&saved, &fresh, |_| true).unwrap_err();
    assert!(e[0].what.contains("has update here"), "{}", e[0]);
}

#[test]
fn a_half_done_change_is_explained_by_its_own_before_and_after() {
    // A permission set with one of two policies attached, and a creation that became
    // an update: both are this plan's own effects.
    let saved = plan(vec![
        ch(
            "ps",
            Action::Update,
            json!({"policies": ["A"], "d": "PT1H"}),
            json!({"policies": ["A", "B", "C"], "d": "PT4H"}),
        ),
        ch("new", Action::Create, Value::Null, json!({"t": 1})),
    ]);
    let fresh = plan(vec![
        ch(
            "ps",
            Action::Update,
            json!({"policies": ["A", "B"], "d": "PT4H"}),
            json!({"policies": ["A", "B", "C"], "d": "PT4H"}),
        ),
        ch("new", Action::Update, json!({"t": 0}), json!({"t": 1})),
    ]);
    // `new`'s before {"t": 0} is neither null nor its after: a difference.
    let e = recheck(&saved, &fresh, |_| true).unwrap_err();
    assert_eq!(e.len(), 1);
    assert_eq!(e[0].address, "new");
    let fresh = plan(vec![fresh.changes[0].clone()]);
    assert!(recheck(&saved, &fresh, |_| true).is_ok());
}

#[test]
fn an_account_created_by_the_plan_is_matched_under_its_new_id() {
    let mut create = ch("account[\"sec\"]", Action::Create, Value::Null, json!({}));
    create.op = Op::CreateAccount {
        name: "sec".into(),
        email: "e".into(),
        parent: crate::model::vocab::Parent::Root,
        tags: Default::default(),
    };
    let saved = plan(vec![
        create,
        ch(
            "assignment[\"A/group:g/sec\"]",
            Action::Create,
            Value::Null,
            json!({"account": "sec (to be created)"}),
        ),
    ]);
    let mut fresh = plan(vec![ch(
        "assignment[\"A/group:g/111122223333\"]",
        Action::Create,
        Value::Null,
        json!({"account": "sec (111122223333)"}),
    )]);
    fresh
        .account_ids
        .insert("sec".into(), "111122223333".into());
    let r = recheck(&saved, &fresh, |_| true).unwrap();
    assert_eq!(r.done, vec!["account[\"sec\"]".to_string()]);
    assert_eq!(
        r.renamed
            .get("assignment[\"A/group:g/sec\"]")
            .map(String::as_str),
        Some("assignment[\"A/group:g/111122223333\"]")
    );
}

#[test]
fn unreadable_parts_are_unseen_and_new_unmanaged_objects_are_reported() {
    let saved = plan(vec![ch("ic", Action::Create, Value::Null, json!(1))]);
    let mut fresh = plan(vec![]);
    fresh.unmanaged.push(UnmanagedItem {
        address: "ou[\"New\"]".into(),
        note: "n".into(),
    });
    let r = recheck(&saved, &fresh, |c| c.address != "ic").unwrap();
    assert_eq!(r.unseen, vec!["ic".to_string()]);
    assert_eq!(r.new_unmanaged.len(), 1);
}

#[test]
fn another_executors_share_of_a_restricted_plan_is_not_a_difference() {
    let mut saved = plan(vec![]);
    saved.omitted.push("theirs".into());
    let fresh = plan(vec![ch("theirs", Action::Create, Value::Null, json!(1))]);
    assert!(recheck(&saved, &fresh, |_| true).is_ok());
}

/// A plan file carries the desired state; read back, it must be the same state, or a
/// re-diff would not be the reviewed diff.
#[test]
fn the_example_desired_state_survives_the_plan_file() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/org.yaml");
    let d = crate::model::load(&path).unwrap().desired;
    let text = serde_json::to_string(&d).unwrap();
    let back: crate::model::Desired = serde_json::from_str(&text).unwrap();
    assert_eq!(back, d);
    assert!(back
        .delegations
        .values()
        .any(|x| x.service_id == Some("guardduty")));
}

#[test]
fn an_account_created_by_a_killed_run_is_left_to_move_into_its_reviewed_ou() {
    // The reviewed creation; a killed run created the account, which AWS left in the root.
    let mut create = ch(
        "account[\"net\"]",
        Action::Create,
        Value::Null,
        json!({"name": "net", "email": "n@example.com", "ou": "Infrastructure"}),
    );
    create.op = Op::CreateAccount {
        name: "net".into(),
        email: "n@example.com".into(),
        parent: crate::model::vocab::Parent::Ou("Infrastructure".into()),
        tags: Default::default(),
    };
    let saved = plan(vec![create]);
    let moved = |ou: &str| {
        let mut f = plan(vec![ch(
            "account[\"net\"]",
            Action::Update,
            json!({"id": "111122223333", "ou": "root"}),
            json!({"id": "111122223333", "ou": ou}),
        )]);
        f.account_ids.insert("net".into(), "111122223333".into());
        f
    };
    let r = recheck(&saved, &moved("Infrastructure"), |_| true).unwrap();
    assert!(r.done.is_empty(), "{r:?}");
    // Not the reviewed OU: a difference.
    let e = recheck(&saved, &moved("Sandbox"), |_| true).unwrap_err();
    assert!(e[0].what.contains("not the reviewed one"), "{e:?}");
}
