//! The grammar of each Organizations policy type, checked offline so that a document AWS
//! would refuse (`MalformedPolicyDocumentException`: "doesn't meet the requirements of the
//! specified policy type") is a `file:line` error before any call. SCPs and RCPs follow the
//! IAM policy language with the type's restrictions (no `Principal` in an SCP; an RCP denies
//! only, for `Principal: "*"`); management policies have the type's top-level key and only the
//! documented inheritance operators. The rules per type are `catalog::policy_types`.

use serde_json::{Map, Value};

use crate::catalog::policy_types::{Family, PolicyType, OPERATORS};

/// One way a document breaks its type's grammar: where (a JSON path), what, and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
    pub fix: String,
}

fn problem(path: &str, message: impl Into<String>, fix: impl Into<String>) -> Problem {
    Problem {
        path: path.to_string(),
        message: message.into(),
        fix: fix.into(),
    }
}

/// A short name for messages: `an SCP`, `an RCP`, `a TAG_POLICY policy`.
fn label(t: &PolicyType) -> String {
    match t.name {
        "SERVICE_CONTROL_POLICY" => "an SCP".into(),
        "RESOURCE_CONTROL_POLICY" => "an RCP".into(),
        n => format!("a {n} policy"),
    }
}

/// Every way `doc` breaks the grammar of `t`, in document order (empty when it is valid).
pub fn problems(doc: &Value, t: &PolicyType) -> Vec<Problem> {
    let Some(top) = doc.as_object() else {
        return vec![problem(
            "",
            "a policy document is a JSON object",
            "write the document as a mapping",
        )];
    };
    if top.is_empty() {
        return vec![problem(
            "",
            "the document is empty ({}); AWS rejects it as malformed",
            "write the policy's statements (or drop the policy)",
        )];
    }
    match t.family {
        Family::Iam => iam(top, t),
        Family::Management => management(top, t),
    }
}

const IAM_TOP: &[&str] = &["Version", "Id", "Statement"];
const IAM_STATEMENT: &[&str] = &[
    "Sid",
    "Effect",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Principal",
    "NotPrincipal",
    "Condition",
];

fn iam(top: &Map<String, Value>, t: &PolicyType) -> Vec<Problem> {
    let mut out = Vec::new();
    let what = label(t);
    for k in top.keys().filter(|k| !IAM_TOP.contains(&k.as_str())) {
        out.push(problem(
            k,
            format!("`{k}` is not an element of {what}"),
            "keep only Version, Id and Statement at the top level",
        ));
    }
    if let Some(v) = top.get("Version") {
        if !matches!(v.as_str(), Some("2012-10-17") | Some("2008-10-17")) {
            out.push(problem(
                "Version",
                format!("the policy language version is {v}"),
                "write \"Version\": \"2012-10-17\"",
            ));
        }
    }
    let statements: Vec<(String, &Value)> = match top.get("Statement") {
        None => {
            out.push(problem(
                "Statement",
                format!("{what} needs a `Statement`"),
                "add \"Statement\": [{\"Effect\": …, \"Action\": …, \"Resource\": \"*\"}]",
            ));
            Vec::new()
        }
        Some(Value::Array(a)) if a.is_empty() => {
            out.push(problem(
                "Statement",
                "`Statement` is an empty list",
                "write at least one statement",
            ));
            Vec::new()
        }
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, s)| (format!("Statement[{i}]"), s))
            .collect(),
        Some(s) => vec![("Statement".to_string(), s)],
    };
    for (path, s) in statements {
        match s.as_object() {
            Some(s) => statement(&path, s, t, &what, &mut out),
            None => out.push(problem(
                &path,
                "a statement is a JSON object",
                "write the statement as a mapping of Effect, Action, Resource…",
            )),
        }
    }
    out
}

fn statement(
    path: &str,
    s: &Map<String, Value>,
    t: &PolicyType,
    what: &str,
    out: &mut Vec<Problem>,
) {
    let at = |k: &str| format!("{path}.{k}");
    for k in s.keys() {
        if !IAM_STATEMENT.contains(&k.as_str()) {
            out.push(problem(
                &at(k),
                format!("`{k}` is not a statement element"),
                format!("use only {}", IAM_STATEMENT.join(", ")),
            ));
        } else if t.statement_forbids.contains(&k.as_str()) {
            let fix = if t.name == "SERVICE_CONTROL_POLICY" {
                "remove it: an SCP applies to the principals of the accounts it is attached to (use a Condition on aws:PrincipalArn to narrow it)".to_string()
            } else {
                format!("remove `{k}`")
            };
            out.push(problem(
                &at(k),
                format!("{what} does not support `{k}`"),
                fix,
            ));
        }
    }
    for k in t.statement_requires {
        if !s.contains_key(*k) {
            out.push(problem(
                &at(k),
                format!("every statement of {what} needs `{k}`"),
                if *k == "Principal" {
                    "add \"Principal\": \"*\"".to_string()
                } else {
                    format!("add `{k}`")
                },
            ));
        }
    }
    if let Some(e) = s.get("Effect") {
        if !e.as_str().is_some_and(|e| t.effects.contains(&e)) {
            out.push(problem(
                &at("Effect"),
                format!("{what} cannot have \"Effect\": {e}"),
                format!("use {}", t.effects.join(" or ")),
            ));
        }
    }
    match (s.contains_key("Action"), s.contains_key("NotAction")) {
        (true, true) => out.push(problem(
            path,
            "a statement has both `Action` and `NotAction`",
            "keep one",
        )),
        (false, false) => out.push(problem(
            path,
            "a statement needs `Action` (or `NotAction`)",
            "add \"Action\": [\"service:Operation\"]",
        )),
        _ => {}
    }
    if s.contains_key("Resource") && s.contains_key("NotResource") {
        out.push(problem(
            path,
            "a statement has both `Resource` and `NotResource`",
            "keep one",
        ));
    }
    if t.name == "RESOURCE_CONTROL_POLICY" {
        if let Some(p) = s.get("Principal") {
            if p.as_str() != Some("*") {
                out.push(problem(
                    &at("Principal"),
                    format!("an RCP's `Principal` must be \"*\", not {p}"),
                    "write \"Principal\": \"*\" and narrow with a Condition (e.g. aws:PrincipalOrgID)",
                ));
            }
        }
    }
}

fn management(top: &Map<String, Value>, t: &PolicyType) -> Vec<Problem> {
    let mut out = Vec::new();
    let what = label(t);
    let keys = t
        .top_level
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    for k in top.keys() {
        if t.top_level.contains(&k.as_str()) {
            continue;
        }
        let fix = if k == "Statement" || k == "Version" {
            format!("{what} uses the management-policy syntax, not IAM's: start from {keys}")
        } else {
            format!("the top level of {what} is {keys}")
        };
        out.push(problem(
            k,
            format!("`{k}` is not a top-level key of {what}"),
            fix,
        ));
    }
    operators(top, "", &mut out);
    match t.name {
        "AISERVICES_OPT_OUT_POLICY" => ai_opt_out(top, &mut out),
        "TAG_POLICY" => tag_keys(top, &mut out),
        _ => {}
    }
    out
}

/// The non-operator entries of the object at `key` (a service, a policy key).
fn entries<'a>(top: &'a Map<String, Value>, key: &str) -> Vec<(&'a String, &'a Value)> {
    match top.get(key) {
        Some(Value::Object(m)) => m.iter().filter(|(k, _)| !k.starts_with("@@")).collect(),
        _ => Vec::new(),
    }
}

/// AI services opt-out (the AI opt-out policy syntax guide): each service (or `default`)
/// holds only `opt_out_policy`, whose value is `optOut` or `optIn`.
fn ai_opt_out(top: &Map<String, Value>, out: &mut Vec<Problem>) {
    for (service, v) in entries(top, "services") {
        let here = format!("services.{service}");
        let Value::Object(m) = v else {
            out.push(problem(
                &here,
                "a service's entry must be an object",
                "write `{\"opt_out_policy\": {\"@@assign\": \"optOut\"}}`",
            ));
            continue;
        };
        for (k, child) in m.iter().filter(|(k, _)| !k.starts_with("@@")) {
            if k != "opt_out_policy" {
                out.push(problem(
                    &format!("{here}.{k}"),
                    format!("`{k}` is not a key of an AI opt-out policy's service"),
                    "a service holds only `opt_out_policy`",
                ));
                continue;
            }
            let Value::Object(ops) = child else {
                out.push(problem(
                    &format!("{here}.{k}"),
                    "`opt_out_policy` must be an object of operators",
                    "write `{\"@@assign\": \"optOut\"}`",
                ));
                continue;
            };
            for (op, value) in ops {
                if op == "@@assign" && !matches!(value.as_str(), Some("optOut" | "optIn")) {
                    out.push(problem(
                        &format!("{here}.{k}.{op}"),
                        format!("{value} is not a setting"),
                        "use \"optOut\" or \"optIn\"",
                    ));
                }
            }
        }
    }
}

/// Tag policies (the tag policy syntax guide): a policy key must match its `tag_key`'s value
/// except for case.
fn tag_keys(top: &Map<String, Value>, out: &mut Vec<Problem>) {
    for (policy_key, v) in entries(top, "tags") {
        let tag_key = v.get("tag_key");
        if tag_key.is_some_and(|t| !t.is_object()) {
            out.push(problem(
                &format!("tags.{policy_key}.tag_key"),
                "`tag_key` must be an object of operators",
                format!(
                    "write `{{\"@@assign\": \"{policy_key}\"}}` with the capitalization you want"
                ),
            ));
            continue;
        }
        let assigned = tag_key
            .and_then(|t| t.get("@@assign"))
            .and_then(Value::as_str);
        if let Some(tag_key) = assigned {
            if tag_key.to_lowercase() != policy_key.to_lowercase() {
                out.push(problem(
                    &format!("tags.{policy_key}.tag_key.@@assign"),
                    format!("tag key `{tag_key}` does not match its policy key `{policy_key}`"),
                    format!("the policy key is the tag key in any case: write `{}` as the policy key, or `{policy_key}` in another case as the tag key", tag_key.to_lowercase()),
                ));
            }
        }
    }
}

/// Every `@@` key below `v` must be a documented inheritance operator.
fn operators(v: &Map<String, Value>, path: &str, out: &mut Vec<Problem>) {
    for (k, child) in v {
        let here = if path.is_empty() {
            k.clone()
        } else {
            format!("{path}.{k}")
        };
        if k.starts_with("@@") && !OPERATORS.contains(&k.as_str()) {
            let hint = crate::model::diag::did_you_mean(k, OPERATORS.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("use one of {}", OPERATORS.join(", ")));
            out.push(problem(
                &here,
                format!("`{k}` is not an inheritance operator"),
                hint,
            ));
        }
        match child {
            Value::Object(m) => operators(m, &here, out),
            Value::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    if let Value::Object(m) = item {
                        operators(m, &format!("{here}[{i}]"), out);
                    }
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
#[path = "policy_grammar_tests.rs"]
mod tests;
