//! The Organizations delegation policy (`organizations_delegation`): builds the resource-based
//! policy document from the file's grants, and compares documents as normalised JSON
//! (order-insensitive: statement order, key order, action/resource/principal lists, a bare
//! account id vs. its `:root` ARN, action case). Document shape as in AWS's examples
//! (orgs_delegate_policies_example_consolidate_permissions): one read statement per account,
//! one policy-management statement conditioned on `organizations:PolicyType`.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::model::desired::{AccountId, AccountRef, DelegationGrant};

/// A Sid-safe form of an account handle (`sec-ops` → `SecOps`).
fn sid_part(r: &AccountRef) -> String {
    let s = r.to_string();
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The principal ARN of an account; a placeholder when its id is not known yet (an account
/// created by the same plan; apply builds the document again with the real id).
fn principal(r: &AccountRef, id: Option<&AccountId>) -> String {
    match id {
        Some(id) => format!("arn:aws:iam::{id}:root"),
        None => format!("arn:aws:iam::<id of {r}, known after apply>:root"),
    }
}

fn actions(names: &std::collections::BTreeSet<String>) -> Value {
    Value::Array(
        names
            .iter()
            .map(|a| Value::String(format!("organizations:{a}")))
            .collect(),
    )
}

/// The policy document for `grants`; `resolve` gives account ids.
pub fn document(
    grants: &[DelegationGrant],
    resolve: impl Fn(&AccountRef) -> Option<AccountId>,
) -> Value {
    let mut statements = Vec::new();
    for g in grants {
        let p = principal(&g.account, resolve(&g.account).as_ref());
        let part = sid_part(&g.account);
        statements.push(json!({
            "Sid": format!("OrgctlRead{part}"),
            "Effect": "Allow",
            "Principal": { "AWS": p },
            "Action": actions(&g.actions),
            "Resource": "*",
        }));
        if !g.policy_actions.is_empty() {
            statements.push(json!({
                "Sid": format!("OrgctlPolicies{part}"),
                "Effect": "Allow",
                "Principal": { "AWS": p },
                "Action": actions(&g.policy_actions),
                "Resource": "*",
                "Condition": { "StringLikeIfExists": { "organizations:PolicyType": g.policy_types.iter().collect::<Vec<_>>() } },
            }));
        }
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// Keys whose string-or-list values are sets.
const LISTS: &[&str] = &[
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "AWS",
    "Service",
];

/// A canonical form: keys sorted, set-valued fields as sorted lists, statements sorted,
/// account-id principals as `:root` ARNs. With `fold_case`, actions are lower-cased (IAM
/// action names are case-insensitive) — for comparison, not for display.
pub fn canonical(v: &Value, fold_case: bool) -> Value {
    canon(v, None, fold_case)
}

fn canon(v: &Value, key: Option<&str>, fold: bool) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), canon(&m[k], Some(k), fold));
            }
            Value::Object(out)
        }
        Value::Array(items) if key == Some("Statement") => {
            let mut s: Vec<Value> = items.iter().map(|i| canon(i, None, fold)).collect();
            s.sort_by_key(|x| x.to_string());
            Value::Array(s)
        }
        Value::Array(_) | Value::String(_)
            if key.is_some_and(|k| LISTS.contains(&k)) || in_condition(key) =>
        {
            let items: Vec<Value> = match v {
                Value::Array(a) => a.clone(),
                other => vec![other.clone()],
            };
            let mut s: Vec<String> = items
                .iter()
                .map(|i| {
                    let s = i
                        .as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string());
                    match key {
                        Some("AWS") if AccountId::parse(&s).is_some() => {
                            format!("arn:aws:iam::{s}:root")
                        }
                        Some("Action") | Some("NotAction") if fold => s.to_ascii_lowercase(),
                        _ => s,
                    }
                })
                .collect();
            s.sort();
            s.dedup();
            Value::Array(s.into_iter().map(Value::String).collect())
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| canon(i, None, fold)).collect()),
        other => other.clone(),
    }
}

/// Condition values (`organizations:PolicyType`) are sets too.
fn in_condition(key: Option<&str>) -> bool {
    key.is_some_and(|k| k.contains(':'))
}

/// Whether two documents are the same (order- and format-insensitive; a `Sid` is part of
/// the document the user wrote, so it counts).
pub fn same(a: &Value, b: &Value) -> bool {
    canonical(&wrap_statement(a, false), true) == canonical(&wrap_statement(b, false), true)
}

/// Whether two delegation policies grant the same: as [`same`], but statement ids are left
/// out. orgctl writes its own Sids; a hand-written policy granting what the file says is not
/// replaced for its labels.
pub fn same_grants(a: &Value, b: &Value) -> bool {
    canonical(&wrap_statement(a, true), true) == canonical(&wrap_statement(b, true), true)
}

/// A single statement object is the same as a one-element list; `drop_sid` leaves statement
/// ids out.
fn wrap_statement(v: &Value, drop_sid: bool) -> Value {
    let mut v = v.clone();
    if let Some(s) = v.get_mut("Statement") {
        if s.is_object() {
            *s = Value::Array(vec![s.clone()]);
        }
        if let (true, Some(items)) = (drop_sid, s.as_array_mut()) {
            for i in items.iter_mut().filter_map(Value::as_object_mut) {
                i.remove("Sid");
            }
        }
    }
    v
}

/// What a delegation policy grants, per account: plain actions, policy actions and the
/// policy types they are conditioned on.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Granted {
    pub actions: BTreeSet<String>,
    pub policy_actions: BTreeSet<String>,
    pub policy_types: BTreeSet<String>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// What a live delegation policy grants, per account (Allow statements; principals as
/// account ids or `:root` ARNs; `organizations:PolicyType` conditions mark policy actions).
pub fn grants(doc: &Value) -> BTreeMap<AccountId, Granted> {
    let mut out: BTreeMap<AccountId, Granted> = BTreeMap::new();
    let statements = match doc.get("Statement") {
        Some(Value::Array(a)) => a.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => Vec::new(),
    };
    for s in statements.iter().filter(|s| s["Effect"] == "Allow") {
        let accounts: Vec<AccountId> = strings(s.get("Principal").and_then(|p| p.get("AWS")))
            .iter()
            .filter_map(|p| {
                let id = p
                    .trim_start_matches("arn:aws:iam::")
                    .trim_end_matches(":root");
                AccountId::parse(id)
            })
            .collect();
        let actions: Vec<String> = strings(s.get("Action"))
            .iter()
            .map(|a| a.trim_start_matches("organizations:").to_string())
            .collect();
        let types: Vec<String> = s
            .get("Condition")
            .and_then(|c| c.as_object())
            .into_iter()
            .flat_map(|c| c.values())
            .flat_map(|op| strings(op.get("organizations:PolicyType")))
            .collect();
        for id in accounts {
            let g = out.entry(id).or_default();
            if types.is_empty() {
                g.actions.extend(actions.iter().cloned());
            } else {
                g.policy_actions.extend(actions.iter().cloned());
                g.policy_types.extend(types.iter().cloned());
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "delegation_policy_tests.rs"]
mod tests;
