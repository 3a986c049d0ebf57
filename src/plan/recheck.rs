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
        if !after_follows(s.after.as_ref(), after.as_ref(), s.action != f.action) {
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
        ) && !created_in_the_root(s, before.as_ref())
        {
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

/// Whether the state a change now leaves is the reviewed one. After a transition (a creation
/// finished in part, now an update) what is left may be a part of it: every field the change
/// now sets has its reviewed value (an account created meanwhile is named by its id where the
/// reviewed creation had its name).
fn after_follows(reviewed: Option<&Value>, now: Option<&Value>, transition: bool) -> bool {
    if reviewed == now {
        return true;
    }
    match (reviewed, now) {
        (Some(Value::Object(r)), Some(Value::Object(n))) if transition => n
            .iter()
            .all(|(k, v)| r.get(k) == Some(v) || (k == "id" && r.get("name") == Some(v))),
        _ => false,
    }
}

/// An account the reviewed plan creates in an OU, found in the root: AWS creates every account
/// there and the plan's own creation moves it next, so a run stopped in between leaves this
/// state (`{"id": its name, "ou": "root"}` once normalised).
fn created_in_the_root(reviewed: &Change, now: Option<&Value>) -> bool {
    let Op::CreateAccount { name, .. } = &reviewed.op else {
        return false;
    };
    let Some(Value::Object(n)) = now else {
        return false;
    };
    n.iter().all(|(k, v)| match k.as_str() {
        "id" => v.as_str() == Some(name.as_str()),
        "ou" => v.as_str() == Some("root"),
        _ => false,
    })
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
pub fn created_accounts(saved: &Plan, fresh: &Plan) -> Vec<(String, String)> {
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
#[path = "recheck_tests.rs"]
mod tests;
