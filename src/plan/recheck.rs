//! Is a saved plan still the plan? `apply plan.json` re-reads the organization, diffs it
//! against the desired state the plan carries, and compares the changes that remain with
//! the reviewed ones. The plan is still good when the organization differs from the state
//! it was made from only by the effects of its own changes (run by any account, in any
//! earlier run, an interrupted one included): every remaining change is a reviewed change
//! with the same address, the same after-state, and a before-state made of the reviewed
//! before and after. Anything else (a policy edited by hand, an account moved by someone
//! else, a new object `unmanaged: prune` would delete) is a difference, and `apply`
//! refuses. Pure: no I/O, unit-tested without the SDK.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::change::{Action, Change, Op, Plan, UnmanagedItem};

/// What the comparison found.
#[derive(Debug, Clone, PartialEq)]
pub struct Recheck {
    /// Reviewed changes no longer needed: done (by this plan's applies, or by anyone).
    pub done: Vec<String>,
    /// Reviewed changes in parts these credentials cannot read: not checked here (their
    /// own executor checks them).
    pub unseen: Vec<String>,
    /// Objects the plan did not list as unmanaged and the re-read finds (report mode).
    pub new_unmanaged: Vec<UnmanagedItem>,
    /// Reviewed addresses the re-diff writes differently (an account the plan created is
    /// named by its id now): reviewed → now.
    pub renamed: BTreeMap<String, String>,
}

/// One way the organization now differs from what the plan was reviewed against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub address: String,
    pub what: String,
}

impl std::fmt::Display for Difference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.address, self.what)
    }
}

/// Compares the re-diff `fresh` with the `saved` plan. `visible` says whether these
/// credentials could read a saved change's part of the organization.
pub fn recheck(
    saved: &Plan,
    fresh: &Plan,
    visible: impl Fn(&Change) -> bool,
) -> Result<Recheck, Vec<Difference>> {
    let created = created_accounts(saved, fresh);
    let by_addr: BTreeMap<&str, &Change> = saved
        .changes
        .iter()
        .map(|c| (c.address.as_str(), c))
        .collect();
    let omitted: BTreeSet<&str> = saved.omitted.iter().map(String::as_str).collect();
    let mut diffs = Vec::new();
    let mut remaining = BTreeSet::new();
    let mut renamed = BTreeMap::new();
    for f in &fresh.changes {
        let address = normalize_str(&f.address, &created);
        if omitted.contains(address.as_str()) {
            continue;
        }
        let Some(s) = by_addr.get(address.as_str()) else {
            diffs.push(Difference {
                address: f.address.clone(),
                what: format!(
                    "not in the reviewed plan: {} ({})",
                    f.action.as_str(),
                    f.summary
                ),
            });
            continue;
        };
        remaining.insert(s.address.as_str());
        if s.address != f.address {
            renamed.insert(s.address.clone(), f.address.clone());
        }
        if !action_follows(s.action, f.action) {
            diffs.push(Difference {
                address: f.address.clone(),
                what: format!(
                    "the reviewed plan has {} here, the organization now needs {}",
                    s.action.as_str(),
                    f.action.as_str()
                ),
            });
            continue;
        }
        let after = f.after.as_ref().map(|v| normalize(v, &created));
        if after != s.after {
            diffs.push(Difference {
                address: f.address.clone(),
                what: "the state it would leave is not the reviewed one (the desired state resolves differently now)".into(),
            });
            continue;
        }
        let before = f.before.as_ref().map(|v| normalize(v, &created));
        let null = Value::Null;
        if !explained(
            before.as_ref().unwrap_or(&null),
            s.before.as_ref(),
            s.after.as_ref(),
        ) {
            diffs.push(Difference {
                address: f.address.clone(),
                what: format!(
                    "changed outside this plan: it was reviewed against {}, it is now {}",
                    compact(s.before.as_ref().unwrap_or(&null)),
                    compact(before.as_ref().unwrap_or(&null))
                ),
            });
        }
    }
    if !diffs.is_empty() {
        return Err(diffs);
    }
    let (mut done, mut unseen) = (Vec::new(), Vec::new());
    for s in &saved.changes {
        if remaining.contains(s.address.as_str()) {
            continue;
        }
        if visible(s) {
            done.push(s.address.clone());
        } else {
            unseen.push(s.address.clone());
        }
    }
    let known: BTreeSet<&str> = saved.unmanaged.iter().map(|u| u.address.as_str()).collect();
    let new_unmanaged = fresh
        .unmanaged
        .iter()
        .filter(|u| !known.contains(u.address.as_str()))
        .cloned()
        .collect();
    Ok(Recheck {
        done,
        unseen,
        new_unmanaged,
        renamed,
    })
}

/// Whether `now` is what remains of a reviewed `planned` action after part of it ran: the
/// same action, a creation finished in part (now an update), or a replacement whose
/// removal is done (now a creation or an update).
fn action_follows(planned: Action, now: Action) -> bool {
    planned == now
        || matches!(
            (planned, now),
            (Action::Create, Action::Update)
                | (Action::Replace, Action::Create)
                | (Action::Replace, Action::Update)
        )
}

/// Whether a re-read before-state is made only of the reviewed before- and after-states:
/// equal to one of them, or (objects, arrays) each part of it is.
fn explained(now: &Value, before: Option<&Value>, after: Option<&Value>) -> bool {
    if before == Some(now) || after == Some(now) || (before.is_none() && now.is_null()) {
        return true;
    }
    match now {
        Value::Object(m) => m.iter().all(|(k, v)| {
            explained(
                v,
                before.and_then(|b| b.get(k)),
                after.and_then(|a| a.get(k)),
            )
        }),
        Value::Array(xs) => {
            let pool: Vec<&Value> = [before, after]
                .into_iter()
                .flatten()
                .filter_map(Value::as_array)
                .flatten()
                .collect();
            xs.iter().all(|x| pool.contains(&x))
        }
        _ => false,
    }
}

/// Accounts the saved plan creates that exist now: (name, id).
fn created_accounts(saved: &Plan, fresh: &Plan) -> Vec<(String, String)> {
    saved
        .changes
        .iter()
        .filter_map(|c| match &c.op {
            Op::CreateAccount { name, .. } => fresh
                .account_ids
                .get(name)
                .map(|id| (name.clone(), id.clone())),
            _ => None,
        })
        .collect()
}

/// Writes an account the plan created the way the plan wrote it before it existed
/// (`sec-ops (to be created)`, and its name where its id now stands).
fn normalize_str(s: &str, created: &[(String, String)]) -> String {
    let mut out = s.to_string();
    for (name, id) in created {
        if out.contains(id.as_str()) {
            out = out
                .replace(
                    &format!("{name} ({id})"),
                    &format!("{name} (to be created)"),
                )
                .replace(id.as_str(), name);
        }
    }
    out
}

fn normalize(v: &Value, created: &[(String, String)]) -> Value {
    if created.is_empty() {
        return v.clone();
    }
    match v {
        Value::String(s) => Value::String(normalize_str(s, created)),
        Value::Array(xs) => Value::Array(xs.iter().map(|x| normalize(x, created)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| (normalize_str(k, created), normalize(x, created)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A value on one line, cut to a readable length.
fn compact(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 160 {
        format!("{}…", s.chars().take(160).collect::<String>())
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
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
            parent: crate::model::desired::Parent::Root,
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
}

#[cfg(test)]
mod round_trip {
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
}
