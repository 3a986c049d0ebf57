//! Validation of `policies:`: names, types, the document (a JSON file relative to org.yaml,
//! or inline), its size limit and grammar for the type (`policy_grammar`), targets that name
//! declared OUs and accounts, AWS-managed policies referenced by name (never RCPFullAWSAccess,
//! which AWS keeps attached everywhere), and, per type, at most as many policies per target as
//! AWS allows among those the file declares (the plan checks again with the live attachments).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::common::parse_targets;
use crate::catalog::orgs_delegation::POLICY_TYPES;
use crate::catalog::policy_types as policy_type;
use crate::model::desired::{Desired, DesiredPolicy, PolicyTarget, Tags};
use crate::model::diag::{did_you_mean, Diagnostics};
use crate::model::schema::{OrgFile, PolicyEntry};

/// AWS-managed policies a file may attach by name.
pub const AWS_MANAGED: &[(&str, &str)] = &[
    ("FullAWSAccess", "SERVICE_CONTROL_POLICY"),
    ("RCPFullAWSAccess", "RESOURCE_CONTROL_POLICY"),
];

/// Maximum document size in characters, per type (AWS Organizations quotas).
pub fn max_size(policy_type: &str) -> usize {
    policy_type::policy_type(policy_type)
        .map(|t| t.max_size)
        .unwrap_or(10_000)
}

/// How many policies of a type AWS allows on one target, the undetachable default included
/// (`None`: AWS documents no limit for the type).
pub fn attach_limit(policy_type: &str) -> Option<usize> {
    policy_type::policy_type(policy_type).and_then(|t| t.attach_max)
}

pub(super) fn policies(file: &OrgFile, d: &mut Diagnostics, out: &mut Desired, base: &Path) {
    let Some(entries) = &file.policies else {
        return;
    };
    let mut result: BTreeMap<String, DesiredPolicy> = BTreeMap::new();
    let mut per_target: BTreeMap<(String, PolicyTarget), Vec<String>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate() {
        let field = format!("policies[{i}]");
        let name = e.name.value.trim().to_string();
        if name.is_empty() || name.chars().count() > 128 {
            d.error(
                &e.name,
                &format!("{field}.name"),
                "policy names must be 1 to 128 characters",
                "choose a shorter name",
            );
        }
        if result.contains_key(&name) {
            d.error(
                &e.name,
                &format!("{field}.name"),
                format!("policy `{name}` is declared twice"),
                "give each policy a unique name",
            );
            continue;
        }
        let ty = e.policy_type.value.trim().to_string();
        if !POLICY_TYPES.contains(&ty.as_str()) {
            let hint = did_you_mean(&ty, POLICY_TYPES.iter().copied())
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| format!("use one of {}", POLICY_TYPES.join(", ")));
            d.error(
                &e.policy_type,
                &format!("{field}.type"),
                format!("`{ty}` is not an Organizations policy type"),
                hint,
            );
            continue;
        }
        let content = policy_content(e, &field, &name, &ty, base, d);
        let targets = policy_targets(e, &field, out, d);
        for t in &targets {
            per_target
                .entry((ty.clone(), t.clone()))
                .or_default()
                .push(name.clone());
        }
        let (description, tags, id) = policy_attributes(e, &field, &name, d);
        result.insert(
            name.clone(),
            DesiredPolicy {
                name,
                id,
                policy_type: ty,
                description,
                content,
                targets,
                tags,
            },
        );
    }
    attachment_limits(entries, per_target, d);
    out.policies = Some(result);
}

/// At most as many policies of a type on one target as AWS allows, counting the default AWS
/// keeps attached (RCPFullAWSAccess takes one of an RCP target's five places).
fn attachment_limits(
    entries: &[PolicyEntry],
    per_target: BTreeMap<(String, PolicyTarget), Vec<String>>,
    d: &mut Diagnostics,
) {
    for ((ty, t), names) in per_target {
        let Some(limit) = attach_limit(&ty) else {
            continue;
        };
        let fixed = policy_type::policy_type(&ty)
            .and_then(|p| p.default)
            .filter(|(_, detachable)| !detachable)
            .map(|(n, _)| n);
        let room = limit - usize::from(fixed.is_some());
        if names.len() <= room {
            continue;
        }
        let at = entries
            .iter()
            .find(|e| e.name.value.trim() == names[room])
            .map(|e| crate::model::diag::Pos::from(&e.name))
            .unwrap_or_default();
        let plus = fixed
            .map(|n| format!(" plus {n}, which AWS keeps attached"))
            .unwrap_or_default();
        d.error(
            at,
            "policies",
            format!(
                "{} {} are attached to {t} ({}){plus}; AWS allows at most {limit}",
                names.len(),
                if ty == "SERVICE_CONTROL_POLICY" {
                    "SCPs".to_string()
                } else {
                    format!("{ty} policies")
                },
                names.join(", ")
            ),
            "merge policies, or attach some to a parent OU instead",
        );
    }
}

/// A policy's description (at most 512 characters), tags (never on an AWS-managed policy)
/// and id (`p-…`).
fn policy_attributes(
    e: &PolicyEntry,
    field: &str,
    name: &str,
    d: &mut Diagnostics,
) -> (String, Option<Tags>, Option<String>) {
    let description = e
        .description
        .as_ref()
        .map(|s| s.value.clone())
        .unwrap_or_default();
    if let Some(desc) = &e.description {
        // Organizations CreatePolicy/UpdatePolicy: Description is at most 512 characters.
        let n = desc.value.chars().count();
        if n > 512 {
            d.error(
                desc,
                &format!("{field}.description"),
                format!("the description is {n} characters; AWS allows at most 512"),
                "shorten the description",
            );
        }
    }
    if let Some(t) = &e.tags {
        super::common::check_tags(t, &format!("{field}.tags"), d);
        if AWS_MANAGED.iter().any(|(n, _)| *n == name) {
            d.error(
                t,
                &format!("{field}.tags"),
                format!("`{name}` is AWS-managed: it cannot be tagged"),
                "remove `tags`",
            );
        }
    }
    let tags = e.tags.as_ref().map(|t| t.value.clone());
    let id = e.id.as_ref().map(|i| i.value.trim().to_string());
    if let (Some(i), Some(s)) = (&id, &e.id) {
        let ok = i.starts_with("p-")
            && i.len() > 2
            && i[2..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok {
            d.error(
                s,
                &format!("{field}.id"),
                format!("`{i}` is not a policy id"),
                "policy ids look like p-examplepolicyid111 (see `aws organizations list-policies`)",
            );
        }
    }
    (description, tags, id)
}

fn policy_content(
    e: &PolicyEntry,
    field: &str,
    name: &str,
    ty: &str,
    base: &Path,
    d: &mut Diagnostics,
) -> Option<Value> {
    let managed = AWS_MANAGED.iter().find(|(n, _)| *n == name);
    if let Some(t) =
        policy_type::default_policy(name).filter(|t| t.default.is_some_and(|(_, d)| !d))
    {
        d.error(
            &e.name,
            &format!("{field}.name"),
            format!("AWS attaches `{name}` to every root, OU and account while {} is enabled, and it cannot be detached: orgctl leaves it as AWS keeps it", t.name),
            "remove this entry (to restrict resources, declare your own RCP with Deny statements)",
        );
        return None;
    }
    match (&e.file, &e.content, managed) {
        (None, None, Some((_, t))) => {
            if *t != ty {
                d.error(
                    &e.policy_type,
                    &format!("{field}.type"),
                    format!("`{name}` is the AWS-managed {t}"),
                    format!("set `type: {t}`"),
                );
            }
            None
        }
        (Some(_), _, Some(_)) | (_, Some(_), Some(_)) => {
            d.error(
                &e.name,
                field,
                format!("`{name}` is AWS-managed: its content cannot be set"),
                "remove `file`/`content` (only its targets are managed), or rename your policy",
            );
            None
        }
        (Some(f), Some(_), None) => {
            d.error(f, field, "both `file` and `content` are set", "keep one");
            None
        }
        (None, None, None) => {
            d.error(
                &e.name,
                field,
                format!("policy `{name}` has no document"),
                "add `file: policies/NAME.json` or inline `content:`",
            );
            None
        }
        (Some(f), None, None) => {
            let path = base.join(f.value.trim());
            let text = match crate::model::files::read_confined(base, &f.value) {
                Ok(t) => t,
                Err(r) => {
                    d.error(f, &format!("{field}.file"), r.message, r.fix);
                    return None;
                }
            };
            match serde_json::from_str::<Value>(&text) {
                Ok(v) => {
                    let in_file = format!("{}: ", f.value.trim());
                    check_document(v, f, &format!("{field}.file"), (ty, &in_file), d)
                }
                Err(err) => {
                    d.error(
                        f,
                        &format!("{field}.file"),
                        format!("{} is not valid JSON: {err}", path.display()),
                        "fix the JSON (AWS would reject it with MalformedPolicyDocumentException)",
                    );
                    None
                }
            }
        }
        (None, Some(c), None) => {
            let v = match &c.value {
                Value::String(s) => match serde_json::from_str::<Value>(s) {
                    Ok(v) => v,
                    Err(err) => {
                        d.error(
                            c,
                            &format!("{field}.content"),
                            format!("not valid JSON: {err}"),
                            "write the document as a YAML mapping or a valid JSON string",
                        );
                        return None;
                    }
                },
                v => v.clone(),
            };
            check_document(v, c, &format!("{field}.content"), (ty, ""), d)
        }
    }
}

/// The document's size and grammar for its type; `where_` names the JSON file, if any.
fn check_document<T>(
    v: Value,
    at: &serde_saphyr::Spanned<T>,
    field: &str,
    (ty, where_): (&str, &str),
    d: &mut Diagnostics,
) -> Option<Value> {
    let size = serde_json::to_string(&v)
        .map(|s| s.chars().count())
        .unwrap_or(0);
    if size > max_size(ty) {
        d.error(
            at,
            field,
            format!(
                "the document is {size} characters (minified); AWS allows {} for {ty}",
                max_size(ty)
            ),
            "split it into several policies",
        );
    }
    // Organizations: MalformedPolicyDocumentException for a document that does not meet the
    // requirements of its type.
    if let Some(t) = policy_type::policy_type(ty) {
        for p in super::policy_grammar::problems(&v, t) {
            let message = if p.path.is_empty() {
                p.message
            } else {
                format!("{}: {}", p.path, p.message)
            };
            d.error(at, field, format!("{where_}{message}"), p.fix);
        }
    }
    Some(v)
}

fn policy_targets(
    e: &PolicyEntry,
    field: &str,
    out: &Desired,
    d: &mut Diagnostics,
) -> BTreeSet<PolicyTarget> {
    match &e.targets {
        Some(ts) => parse_targets(ts, &format!("{field}.targets"), out, d),
        None => BTreeSet::new(),
    }
}
