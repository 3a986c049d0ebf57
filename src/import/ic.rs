//! The `identity_center:` section of an import: users and groups (`external: true` for those
//! an external identity provider owns, which orgctl then only references), memberships,
//! permission sets with all their parts (inline policies as files), and assignments collapsed
//! to `root` or `ou:` targets only where that names exactly the accounts assigned.

use std::collections::{BTreeMap, BTreeSet};

use super::yaml::{list, map, q, Out};
use super::{file_name, pretty, Handles, ImportOptions, Imported};
use crate::live::ic::LiveIc;
use crate::live::LiveState;
use crate::model::desired_ic::Boundary;
use crate::model::vocab::Parent;

pub(super) fn section(
    live: &LiveState,
    ic: &LiveIc,
    h: &Handles,
    opts: &ImportOptions,
    out: &mut Out,
    im: &mut Imported,
) {
    out.blank();
    out.line(0, "identity_center:");
    users(ic, out);
    groups(ic, out);
    permission_sets(ic, opts, out, im);
    assignments(live, ic, h, out, im);
    im.counts.insert("Identity Center users", ic.users.len());
    im.counts.insert("Identity Center groups", ic.groups.len());
    im.counts
        .insert("permission sets", ic.permission_sets.len());
}

fn users(ic: &LiveIc, out: &mut Out) {
    if ic.users.is_empty() {
        out.field(1, "users", "[]");
        return;
    }
    out.line(1, "users:");
    for u in ic.users.values() {
        if u.external {
            out.line(
                2,
                &format!("- {{ user_name: {}, external: true }}", q(&u.user_name)),
            );
            continue;
        }
        let mut parts = vec![format!("user_name: {}", q(&u.user_name))];
        for (k, v) in [
            ("display_name", &u.display_name),
            ("given_name", &u.given_name),
            ("family_name", &u.family_name),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}: {}", q(v)));
            }
        }
        if let Some(e) = &u.email {
            parts.push(format!("email: {}", q(e)));
        }
        out.line(2, &format!("- {{ {} }}", parts.join(", ")));
    }
}

fn groups(ic: &LiveIc, out: &mut Out) {
    if ic.groups.is_empty() {
        out.field(1, "groups", "[]");
        return;
    }
    let names = ic.names();
    out.line(1, "groups:");
    for g in ic.groups.values() {
        if g.external {
            out.line(2, &format!("- {{ name: {}, external: true }}", q(&g.name)));
            continue;
        }
        out.line(2, &format!("- name: {}", q(&g.name)));
        if let Some(d) = &g.description {
            out.field(3, "description", &q(d));
        }
        let mut members: Vec<&str> = g
            .members
            .iter()
            .flatten()
            .filter_map(|(user_id, _)| names.user(user_id))
            .collect();
        members.sort();
        out.field(3, "members", &list(members));
    }
}

fn permission_sets(ic: &LiveIc, opts: &ImportOptions, out: &mut Out, im: &mut Imported) {
    if ic.permission_sets.is_empty() {
        out.field(1, "permission_sets", "[]");
        return;
    }
    out.line(1, "permission_sets:");
    for p in ic.permission_sets.values() {
        out.line(2, &format!("- name: {}", q(&p.name)));
        if let Some(d) = &p.description {
            out.field(3, "description", &q(d));
        }
        out.field(3, "session_duration", &q(&p.session_duration));
        if let Some(r) = &p.relay_state {
            out.field(3, "relay_state", &q(r));
        }
        if !p.managed_policies.is_empty() {
            out.field(
                3,
                "managed_policies",
                &list(p.managed_policies.iter().map(String::as_str)),
            );
        }
        if !p.customer_managed_policies.is_empty() {
            out.line(3, "customer_managed_policies:");
            for c in &p.customer_managed_policies {
                out.line(
                    4,
                    &format!("- {{ name: {}, path: {} }}", q(&c.name), q(&c.path)),
                );
            }
        }
        if let Some(doc) = &p.inline_policy {
            let file = format!(
                "{}/permission-set-{}.json",
                opts.policies_dir,
                file_name(&p.name)
            );
            im.files.insert(file.clone(), pretty(doc));
            out.field(3, "inline_policy", &q(&file));
        }
        match &p.boundary {
            Some(Boundary::Managed(arn)) => {
                out.line(3, "permissions_boundary:");
                out.field(4, "managed_policy_arn", &q(arn));
            }
            Some(Boundary::Customer(c)) => {
                out.line(3, "permissions_boundary:");
                out.field(
                    4,
                    "customer_managed_policy",
                    &format!("{{ name: {}, path: {} }}", q(&c.name), q(&c.path)),
                );
            }
            None => {}
        }
        if let Some(t) = p.tags.as_ref().filter(|t| !t.is_empty()) {
            out.field(3, "tags", &map(t));
        }
    }
}

/// Accounts (ids) under each target that `root` and `ou:PATH` name, as the plan expands
/// them: every declared account (the import declares every member, whatever its state) and
/// the management account when active, for the root; an OU's accounts and those of nested OUs.
struct Tree {
    all: BTreeSet<String>,
    /// OU path → accounts in it or below, in path order (parents before children).
    ous: Vec<(String, BTreeSet<String>)>,
}

impl Tree {
    fn of(live: &LiveState) -> Tree {
        let active: Vec<(String, Parent)> = live
            .accounts
            .values()
            .filter(|a| {
                a.id.as_str() != live.organization.management_account_id
                    || a.status == "ACTIVE"
                    || a.status.is_empty()
            })
            .filter_map(|a| {
                live.parent_of_id(&a.parent_id)
                    .map(|p| (a.id.to_string(), p))
            })
            .collect();
        let mut paths: Vec<String> = live.ous.values().map(|o| o.path.clone()).collect();
        paths.sort();
        let ous = paths
            .into_iter()
            .map(|path| {
                let under = format!("{path}/");
                let accts = active
                    .iter()
                    .filter(
                        |(_, p)| matches!(p, Parent::Ou(q) if *q == path || q.starts_with(&under)),
                    )
                    .map(|(id, _)| id.clone())
                    .collect();
                (path, accts)
            })
            .collect();
        Tree {
            all: active.into_iter().map(|(id, _)| id).collect(),
            ous,
        }
    }

    /// The fewest exact targets for `accounts`: `root` when it is every account; else the
    /// highest OUs whose accounts are all assigned, then the remaining accounts one by one.
    fn targets(&self, accounts: &BTreeSet<String>, h: &Handles) -> Vec<String> {
        if !self.all.is_empty() && *accounts == self.all {
            return vec!["root".into()];
        }
        let mut left = accounts.clone();
        let mut out = Vec::new();
        for (path, under) in &self.ous {
            if !under.is_empty() && under.iter().all(|a| left.contains(a)) {
                out.push(format!("ou:{path}"));
                for a in under {
                    left.remove(a);
                }
            }
        }
        out.extend(left.iter().map(|a| h.target(a)));
        out
    }
}

fn assignments(live: &LiveState, ic: &LiveIc, h: &Handles, out: &mut Out, im: &mut Imported) {
    let names = ic.names();
    let tree = Tree::of(live);
    // (permission set, "user"/"group", principal name) → accounts.
    let mut rules: BTreeMap<(String, &'static str, String), BTreeSet<String>> = BTreeMap::new();
    for a in &ic.assignments {
        let Some(ps) = names.permission_set(&a.permission_set_arn) else {
            continue;
        };
        let principal = match a.principal_type.as_str() {
            "USER" => names.user(&a.principal_id).map(|n| ("user", n)),
            "GROUP" => names.group(&a.principal_id).map(|n| ("group", n)),
            _ => None,
        };
        let Some((kind, who)) = principal else {
            im.notes.push(format!(
                "an assignment of {ps} to {} {} (not in the identity store) is left out",
                a.principal_type.to_lowercase(),
                a.principal_id
            ));
            continue;
        };
        if !tree.all.contains(&a.account_id) {
            im.notes.push(format!(
                "the assignment of {ps} to {kind} {who} in account {} (not in the organization) is left out",
                a.account_id
            ));
            continue;
        }
        rules
            .entry((ps.to_string(), kind, who.to_string()))
            .or_default()
            .insert(a.account_id.clone());
    }
    if rules.is_empty() {
        out.field(1, "assignments", "[]");
        return;
    }
    out.line(1, "assignments:");
    for ((ps, kind, who), accounts) in &rules {
        let targets = tree.targets(accounts, h);
        out.line(
            2,
            &format!(
                "- {{ permission_set: {}, {kind}: {}, targets: {} }}",
                q(ps),
                q(who),
                list(targets.iter().map(String::as_str))
            ),
        );
    }
    im.counts.insert("assignment rules", rules.len());
}
