//! Validation of `identity_center:`: unique names, managed users with the attributes AWS
//! requires, external (SCIM-owned) users and groups referenced only, members that name
//! declared users, permission sets (name pattern, ISO-8601 session duration within AWS's
//! 1–12 hours, inline policy JSON and size, one permissions boundary), and assignments that
//! name declared permission sets, users or groups and targets.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;
use serde_saphyr::Spanned;

use crate::model::desired::Desired;
use crate::model::desired_ic::{
    duration_iso, duration_secs, Boundary, DesiredIc, IcAssignmentRule, IcGroup, IcPermissionSet,
    IcUser, PolicyRef, Principal,
};
use crate::model::diag::{did_you_mean, Diagnostics};
use crate::model::schema_ic::{IcPermissionSetEntry, IcPolicyRef, IdentityCenterSection};

/// AWS: the inline policy of a permission set becomes an IAM role policy, which IAM limits
/// to 10,240 characters without whitespace.
pub const MAX_INLINE_POLICY: usize = 10_240;
/// AWS: session duration between 1 and 12 hours.
pub const SESSION_MIN: u64 = 3_600;
pub const SESSION_MAX: u64 = 43_200;

fn text(s: &Option<Spanned<String>>) -> Option<String> {
    s.as_ref()
        .map(|v| v.value.trim().to_string())
        .filter(|v| !v.is_empty())
}

pub(super) fn identity_center(
    ic: &IdentityCenterSection,
    d: &mut Diagnostics,
    out: &mut Desired,
    base: &Path,
) {
    let mut res = DesiredIc::default();
    users(ic, d, &mut res);
    groups(ic, d, &mut res);
    for (i, e) in ic.permission_sets.iter().enumerate() {
        let field = format!("identity_center.permission_sets[{i}]");
        if let Some(ps) = permission_set(e, &field, base, d) {
            if res.permission_sets.contains_key(&ps.name) {
                d.error(
                    &e.name,
                    &format!("{field}.name"),
                    format!("permission set `{}` is declared twice", ps.name),
                    "give each permission set a unique name",
                );
            } else {
                res.permission_sets.insert(ps.name.clone(), ps);
            }
        }
    }
    assignments(ic, d, out, &mut res);
    out.identity_center = Some(res);
}

fn users(ic: &IdentityCenterSection, d: &mut Diagnostics, res: &mut DesiredIc) {
    for (i, e) in ic.users.iter().enumerate() {
        let field = format!("identity_center.users[{i}]");
        let name = e.user_name.value.trim().to_string();
        if name.is_empty() || name.chars().count() > 128 {
            d.error(
                &e.user_name,
                &format!("{field}.user_name"),
                "user names must be 1 to 128 characters",
                "choose a shorter user name",
            );
        } else if name.chars().any(char::is_control) {
            // identitystore UserName: letters, marks, symbols, numbers and punctuation only.
            d.error(
                &e.user_name,
                &format!("{field}.user_name"),
                "the user name has a control character (a NUL, a newline, a tab…); Identity Store rejects it",
                "remove the control character",
            );
        }
        if res.users.contains_key(&name) {
            d.error(
                &e.user_name,
                &format!("{field}.user_name"),
                format!("user `{name}` is declared twice"),
                "give each user a unique user_name",
            );
            continue;
        }
        let external = e.external.as_ref().is_some_and(|x| x.value);
        let (display, given, family, email) = (
            text(&e.display_name),
            text(&e.given_name),
            text(&e.family_name),
            text(&e.email),
        );
        if external {
            if display.is_some() || given.is_some() || family.is_some() || email.is_some() {
                d.error(&e.user_name, &field, format!("user `{name}` is external: its attributes belong to the identity provider"), "remove display_name, given_name, family_name and email, or drop `external: true` to manage the user here");
            }
        } else {
            for (v, f) in [
                (&display, "display_name"),
                (&given, "given_name"),
                (&family, "family_name"),
            ] {
                if v.is_none() {
                    d.error(
                        &e.user_name,
                        &format!("{field}.{f}"),
                        format!("user `{name}` has no {f}; Identity Center requires it"),
                        format!("add `{f}:`, or mark the user `external: true` if your identity provider owns it"),
                    );
                }
            }
            if let (Some(m), Some(at)) = (&email, &e.email) {
                if !m.contains('@') || m.starts_with('@') || m.ends_with('@') {
                    d.error(
                        at,
                        &format!("{field}.email"),
                        format!("`{m}` is not an email address"),
                        "write a full address like alice@example.com",
                    );
                }
            }
        }
        res.users.insert(
            name.clone(),
            IcUser {
                user_name: name,
                display_name: display.unwrap_or_default(),
                given_name: given.unwrap_or_default(),
                family_name: family.unwrap_or_default(),
                email,
                external,
            },
        );
    }
}

fn groups(ic: &IdentityCenterSection, d: &mut Diagnostics, res: &mut DesiredIc) {
    for (i, e) in ic.groups.iter().enumerate() {
        let field = format!("identity_center.groups[{i}]");
        let name = e.name.value.trim().to_string();
        if name.is_empty() || name.chars().count() > 1024 {
            d.error(
                &e.name,
                &format!("{field}.name"),
                "group names must be 1 to 1024 characters",
                "choose a shorter name",
            );
        }
        if res.groups.contains_key(&name) {
            d.error(
                &e.name,
                &format!("{field}.name"),
                format!("group `{name}` is declared twice"),
                "give each group a unique name",
            );
            continue;
        }
        let external = e.external.as_ref().is_some_and(|x| x.value);
        if external && (e.members.is_some() || e.description.is_some()) {
            d.error(&e.name, &field, format!("group `{name}` is external: its description and members belong to the identity provider"), "remove `members` and `description`, or drop `external: true`");
        }
        let members = e.members.as_ref().map(|m| {
            let mut set = BTreeSet::new();
            for u in &m.value {
                let u = u.trim().to_string();
                if !res.users.contains_key(&u) {
                    let hint = did_you_mean(&u, res.users.keys().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| "declare the user under identity_center.users (with `external: true` if your identity provider owns it)".into());
                    d.error(
                        m,
                        &format!("{field}.members"),
                        format!("unknown user `{u}`"),
                        hint,
                    );
                } else if !set.insert(u.clone()) {
                    d.error(
                        m,
                        &format!("{field}.members"),
                        format!("`{u}` is listed twice"),
                        "remove the duplicate",
                    );
                }
            }
            set
        });
        res.groups.insert(
            name.clone(),
            IcGroup {
                name,
                description: text(&e.description),
                members: if external { None } else { members },
                external,
            },
        );
    }
}

fn policy_ref(r: &IcPolicyRef, field: &str, d: &mut Diagnostics) -> PolicyRef {
    let path = text(&r.path).unwrap_or_else(|| "/".into());
    if !path.starts_with('/') || !path.ends_with('/') {
        if let Some(p) = &r.path {
            d.error(
                p,
                &format!("{field}.path"),
                format!("`{path}` is not an IAM path"),
                "IAM paths start and end with `/`, e.g. /engineering/",
            );
        }
    }
    PolicyRef {
        name: r.name.value.trim().to_string(),
        path,
    }
}

fn permission_set(
    e: &IcPermissionSetEntry,
    field: &str,
    base: &Path,
    d: &mut Diagnostics,
) -> Option<IcPermissionSet> {
    let name = e.name.value.trim().to_string();
    let ok = !name.is_empty()
        && name.chars().count() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
    if !ok {
        d.error(
            &e.name,
            &format!("{field}.name"),
            format!("`{name}` is not a permission set name"),
            "use 1 to 32 letters, digits and + = , . @ - _",
        );
    }
    let session_duration = session_duration(e, field, d);
    if let Some(desc) = &e.description {
        if desc.value.chars().count() > 700 {
            d.error(
                desc,
                &format!("{field}.description"),
                "AWS allows at most 700 characters",
                "shorten the description",
            );
        }
    }
    if let Some(r) = &e.relay_state {
        if r.value.chars().count() > 240 {
            d.error(
                r,
                &format!("{field}.relay_state"),
                "AWS allows at most 240 characters",
                "shorten the URL",
            );
        }
    }
    let managed = managed_policies(e, field, d);
    let mut customer = BTreeSet::new();
    for (j, r) in e.customer_managed_policies.iter().enumerate() {
        customer.insert(policy_ref(
            r,
            &format!("{field}.customer_managed_policies[{j}]"),
            d,
        ));
    }
    let inline_policy = e
        .inline_policy
        .as_ref()
        .and_then(|p| inline_policy(p, &format!("{field}.inline_policy"), base, d));
    let boundary = e.permissions_boundary.as_ref().and_then(|b| {
        match (&b.managed_policy_arn, &b.customer_managed_policy) {
            (Some(a), None) => Some(Boundary::Managed(a.value.trim().to_string())),
            (None, Some(r)) => Some(Boundary::Customer(policy_ref(
                r,
                &format!("{field}.permissions_boundary.customer_managed_policy"),
                d,
            ))),
            _ => {
                d.error(
                    &e.name,
                    &format!("{field}.permissions_boundary"),
                    "a permissions boundary is one policy",
                    "set exactly one of `managed_policy_arn` or `customer_managed_policy`",
                );
                None
            }
        }
    });
    if let Some(t) = &e.tags {
        super::common::check_tags(t, &format!("{field}.tags"), d);
    }
    Some(IcPermissionSet {
        name,
        description: text(&e.description),
        session_duration,
        relay_state: text(&e.relay_state),
        managed_policies: managed,
        customer_managed_policies: customer,
        inline_policy,
        boundary,
        tags: e.tags.as_ref().map(|t| t.value.clone()),
    })
}

/// The session duration as AWS stores it (ISO-8601, 1 to 12 hours; PT1H by default).
fn session_duration(e: &IcPermissionSetEntry, field: &str, d: &mut Diagnostics) -> String {
    match &e.session_duration {
        None => "PT1H".to_string(),
        Some(s) => match duration_secs(s.value.trim()) {
            Some(secs) if (SESSION_MIN..=SESSION_MAX).contains(&secs) => duration_iso(secs),
            Some(_) => {
                d.error(
                    s,
                    &format!("{field}.session_duration"),
                    format!("`{}` is outside AWS's 1 to 12 hours", s.value),
                    "use a duration from PT1H to PT12H",
                );
                "PT1H".into()
            }
            None => {
                d.error(
                    s,
                    &format!("{field}.session_duration"),
                    format!("`{}` is not an ISO-8601 duration", s.value),
                    "write it like PT4H or PT1H30M",
                );
                "PT1H".into()
            }
        },
    }
}

/// AWS-managed policy ARNs, each once.
fn managed_policies(
    e: &IcPermissionSetEntry,
    field: &str,
    d: &mut Diagnostics,
) -> BTreeSet<String> {
    let mut managed = BTreeSet::new();
    for m in &e.managed_policies {
        let arn = m.value.trim().to_string();
        let aws_managed = arn.starts_with("arn:aws")
            && arn
                .split_once(":iam::aws:policy/")
                .is_some_and(|(p, n)| !n.is_empty() && p.starts_with("arn:aws"));
        if !aws_managed {
            d.error(m, &format!("{field}.managed_policies"), format!("`{arn}` is not an AWS-managed policy ARN"), "use arn:aws:iam::aws:policy/NAME; list your own policies under customer_managed_policies");
        } else if !managed.insert(arn.clone()) {
            d.error(
                m,
                &format!("{field}.managed_policies"),
                format!("`{arn}` is listed twice"),
                "remove the duplicate",
            );
        }
    }
    managed
}

/// A file path (a string) or the document (a mapping); checked for JSON and size.
fn inline_policy(
    p: &Spanned<Value>,
    field: &str,
    base: &Path,
    d: &mut Diagnostics,
) -> Option<Value> {
    let doc = match &p.value {
        Value::String(f) => {
            let path = base.join(f.trim());
            let body = match crate::model::files::read_confined(base, f) {
                Ok(t) => t,
                Err(r) => {
                    d.error(p, field, r.message, r.fix);
                    return None;
                }
            };
            match serde_json::from_str::<Value>(&body) {
                Ok(v) => v,
                Err(err) => {
                    d.error(
                        p,
                        field,
                        format!("{} is not valid JSON: {err}", path.display()),
                        "fix the JSON (AWS would reject it)",
                    );
                    return None;
                }
            }
        }
        Value::Object(_) => p.value.clone(),
        _ => {
            d.error(
                p,
                field,
                "expected a file path or a policy document",
                "write `inline_policy: policies/NAME.json` or the document as a mapping",
            );
            return None;
        }
    };
    let size = serde_json::to_string(&doc)
        .map(|s| s.chars().filter(|c| !c.is_whitespace()).count())
        .unwrap_or(0);
    if size > MAX_INLINE_POLICY {
        d.error(
            p,
            field,
            format!("the inline policy is {size} characters without whitespace; AWS allows {MAX_INLINE_POLICY}"),
            "move statements into customer-managed policies",
        );
    }
    if !doc.is_object() {
        d.error(
            p,
            field,
            "a policy document is a JSON object",
            "write {\"Version\": \"2012-10-17\", \"Statement\": [...]}",
        );
        return None;
    }
    Some(doc)
}

fn assignments(
    ic: &IdentityCenterSection,
    d: &mut Diagnostics,
    out: &Desired,
    res: &mut DesiredIc,
) {
    let mut seen: BTreeMap<(String, Principal), usize> = BTreeMap::new();
    for (i, e) in ic.assignments.iter().enumerate() {
        let field = format!("identity_center.assignments[{i}]");
        let ps = e.permission_set.value.trim().to_string();
        if !res.permission_sets.contains_key(&ps) {
            let hint = did_you_mean(&ps, res.permission_sets.keys().map(String::as_str))
                .map(|s| format!("did you mean `{s}`?"))
                .unwrap_or_else(|| "declare it under identity_center.permission_sets".into());
            d.error(
                &e.permission_set,
                &format!("{field}.permission_set"),
                format!("unknown permission set `{ps}`"),
                hint,
            );
        }
        let principal = match (&e.user, &e.group) {
            (Some(u), None) => {
                let n = u.value.trim().to_string();
                if !res.users.contains_key(&n) {
                    let hint = did_you_mean(&n, res.users.keys().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| "declare the user under identity_center.users (with `external: true` if your identity provider owns it)".into());
                    d.error(
                        u,
                        &format!("{field}.user"),
                        format!("unknown user `{n}`"),
                        hint,
                    );
                }
                Principal::User(n)
            }
            (None, Some(g)) => {
                let n = g.value.trim().to_string();
                if !res.groups.contains_key(&n) {
                    let hint = did_you_mean(&n, res.groups.keys().map(String::as_str))
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| "declare the group under identity_center.groups (with `external: true` if your identity provider owns it)".into());
                    d.error(
                        g,
                        &format!("{field}.group"),
                        format!("unknown group `{n}`"),
                        hint,
                    );
                }
                Principal::Group(n)
            }
            _ => {
                d.error(
                    &e.permission_set,
                    &field,
                    "an assignment names exactly one of `user` or `group`",
                    "set `user: NAME` or `group: NAME`",
                );
                continue;
            }
        };
        if let Some(prev) = seen.insert((ps.clone(), principal.clone()), i) {
            d.warning(
                &e.permission_set,
                &field,
                format!(
                    "{} already gets {ps} in assignments[{prev}]; the targets are merged",
                    principal.label()
                ),
                "merge the two entries",
            );
        }
        if e.targets.value.is_empty() {
            d.error(
                &e.targets,
                &format!("{field}.targets"),
                "no targets",
                "add `account:NAME`, `ou:PATH` or `root`",
            );
        }
        let targets = super::common::parse_targets(&e.targets, &format!("{field}.targets"), out, d);
        res.assignments.push(IcAssignmentRule {
            permission_set: ps,
            principal,
            targets,
            include_nested_ous: e.include_nested_ous.as_ref().is_none_or(|b| b.value),
        });
    }
}

#[cfg(test)]
#[path = "ic_tests.rs"]
mod tests;
