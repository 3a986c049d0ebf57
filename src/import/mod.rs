//! `orgctl import`: an `org.yaml` (and its policy documents) from what was read of the live
//! organization, such that `orgctl plan` on it shows no changes. Pure: a function of the
//! [`LiveState`] and the options, no I/O; `ops::import` reads, `cli` writes the files.
//!
//! What is written, and how each part stays exact:
//! - OUs by path and member accounts adopted by id, with their tags (only non-empty tag sets:
//!   an absent `tags` is not managed, an empty one would be);
//! - delegated administrators: the Organizations registry, and for services designated per
//!   Region, the Regions where the admin is `ENABLED` (`regions:` when they differ from the
//!   organization's); trusted access not implied by a delegation;
//! - the delegation policy as grants, checked to rebuild the same document;
//! - customer-managed policies of every enabled type, documents as pretty-printed JSON files,
//!   with their targets and tags;
//! - Identity Center (see `ic.rs`).
//!
//! What cannot be written exactly is left out or kept as the nearest form, and each such case
//! is a note the command prints and the file carries as a comment.

mod ic;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::catalog::{self, AdminScope};
use crate::live::{LivePolicy, LiveState};
use crate::model::desired::DelegationGrant;
use crate::model::vocab::{AccountId, AccountRef, Parent};
use yaml::{list, map, q, Out};

/// What to import, and where its files go.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `organization.regions`: the Regions whose service-side admins were read.
    pub regions: Vec<String>,
    /// Where the Identity Center instance is (written as `identity_center_region`).
    pub identity_center_region: Option<String>,
    /// The folder of policy documents, relative to the written org.yaml (`policies`).
    pub policies_dir: String,
    /// The Regions' service admins could not be read (not the management account).
    pub service_admins_unreadable: bool,
}

/// An imported organization: org.yaml's text, the documents (path relative to org.yaml →
/// content) and what could not be written exactly.
#[derive(Debug, Clone, Default)]
pub struct Imported {
    pub org_yaml: String,
    pub files: BTreeMap<String, String>,
    pub notes: Vec<String>,
    /// How many of each kind of object were written (for the command's summary).
    pub counts: BTreeMap<&'static str, usize>,
}

/// Account handles: the live name, made unique (`name-<id>`) when two accounts share it.
pub(crate) struct Handles {
    by_id: BTreeMap<AccountId, String>,
    mgmt: String,
}

impl Handles {
    fn new(live: &LiveState) -> Self {
        let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
        for a in live.accounts.values() {
            *seen.entry(a.name.as_str()).or_default() += 1;
        }
        let by_id = live
            .accounts
            .values()
            .map(|a| {
                let name = if seen[a.name.as_str()] > 1 || a.name.trim().is_empty() {
                    format!("{}-{}", a.name.trim(), a.id)
                } else {
                    a.name.clone()
                };
                (a.id.clone(), name)
            })
            .collect();
        Handles {
            by_id,
            mgmt: live.organization.management_account_id.clone(),
        }
    }

    /// How the file names an account: its handle if it is a declared member account, else
    /// its id (the management account, an account outside the organization).
    pub(crate) fn name(&self, id: &str) -> String {
        match AccountId::parse(id) {
            Some(a) if id != self.mgmt => self.by_id.get(&a).cloned().unwrap_or_else(|| id.into()),
            _ => id.to_string(),
        }
    }

    /// A policy or assignment target for an account.
    pub(crate) fn target(&self, id: &str) -> String {
        format!("account:{}", self.name(id))
    }
}

/// The org.yaml for `live`.
pub fn import(live: &LiveState, opts: &ImportOptions) -> Imported {
    let h = Handles::new(live);
    let mut out = Out::default();
    let mut im = Imported::default();
    out.comment(&format!(
        "Imported by `orgctl import` from organization {} (management account {}).\n`orgctl plan` on this file shows no changes; review it, then manage the organization from it.",
        live.organization.id, live.organization.management_account_id
    ));
    out.line(0, "version: 1");
    out.line(0, "organization:");
    out.field(
        1,
        "management_account_id",
        &q(&live.organization.management_account_id),
    );
    if !opts.regions.is_empty() {
        out.field(1, "regions", &list(opts.regions.iter().map(String::as_str)));
    }
    if live.identity_center.is_some() {
        if let Some(r) = live.identity_center.as_ref().map(|i| i.region.as_str()) {
            out.field(1, "identity_center_region", &q(r));
        }
    }
    out.field(1, "unmanaged", "report");
    ous(live, &mut out, &mut im);
    accounts(live, &h, &mut out, &mut im);
    let declared = delegations(live, &h, opts, &mut out, &mut im);
    trusted_access(live, &declared, &mut out, &mut im);
    delegation_policy(live, &h, &mut out, &mut im);
    policies(live, &h, opts, &mut out, &mut im);
    if let Some(ic) = &live.identity_center {
        ic::section(live, ic, &h, opts, &mut out, &mut im);
    }
    if !im.notes.is_empty() {
        out.blank();
        out.comment("Not imported exactly (orgctl import printed these too):");
        let notes: Vec<String> = im.notes.iter().map(|n| format!("- {n}")).collect();
        out.comment(&notes.join("\n"));
    }
    im.org_yaml = out.text;
    im
}

fn ous(live: &LiveState, out: &mut Out, im: &mut Imported) {
    let mut paths: Vec<(&str, &str)> = live
        .ous
        .values()
        .map(|o| (o.path.as_str(), o.id.as_str()))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return;
    }
    out.blank();
    out.line(0, "organizational_units:");
    for (path, id) in &paths {
        out.line(1, &format!("- path: {}", q(path)));
        if let Some(t) = live.tags.get(*id).filter(|t| !t.is_empty()) {
            out.field(2, "tags", &map(t));
        }
    }
    im.counts.insert("OUs", paths.len());
}

fn accounts(live: &LiveState, h: &Handles, out: &mut Out, im: &mut Imported) {
    let mgmt = &live.organization.management_account_id;
    let members: Vec<_> = live
        .accounts
        .values()
        .filter(|a| a.id.as_str() != mgmt)
        .collect();
    let mut n = 0;
    if members.is_empty() {
        return;
    }
    out.blank();
    out.line(0, "accounts:");
    for a in members {
        let handle = h.name(a.id.as_str());
        if a.status != "ACTIVE" && !a.status.is_empty() {
            // Kept, so the file accounts for it; the plan warns about its state.
            out.line(
                1,
                &format!("# {} in AWS: orgctl manages it only as a member", a.status),
            );
        }
        if handle != a.name {
            im.notes.push(format!(
                "accounts {} and another share the name `{}`: this one is `{handle}` in the file",
                a.id, a.name
            ));
        }
        let parent = live
            .parent_of_id(&a.parent_id)
            .unwrap_or(Parent::Root)
            .to_string();
        out.line(1, &format!("- name: {}", q(&handle)));
        out.field(2, "id", &q(a.id.as_str()));
        out.field(2, "email", &q(&a.email));
        out.field(2, "ou", &q(&parent));
        if let Some(t) = live.tags.get(a.id.as_str()).filter(|t| !t.is_empty()) {
            out.field(2, "tags", &map(t));
        }
        n += 1;
    }
    im.counts.insert("accounts", n);
}

/// `delegations:`; returns the principals declared.
fn delegations(
    live: &LiveState,
    h: &Handles,
    opts: &ImportOptions,
    out: &mut Out,
    im: &mut Imported,
) -> BTreeSet<String> {
    let mut declared = BTreeSet::new();
    let mut lines: Vec<String> = Vec::new();
    let principals: BTreeSet<&String> = live
        .delegated_admins
        .iter()
        .filter(|(_, a)| !a.is_empty())
        .map(|(p, _)| p)
        .chain(
            live.service_admins
                .iter()
                .filter(|(_, by_region)| by_region.values().any(|m| !m.is_empty()))
                .map(|(p, _)| p),
        )
        .collect();
    for p in principals {
        let found = catalog::lookup(p);
        let key = match &found {
            Some(r) if r.principal == p.as_str() => r.service.id.to_string(),
            _ => p.clone(),
        };
        let native = found.as_ref().and_then(|r| catalog::native(r.service.id));
        let per_region = native.is_some_and(|n| n.scope == AdminScope::PerRegion);
        let registered: Vec<String> = live
            .delegated_admins
            .get(p)
            .into_iter()
            .flatten()
            .map(|a| a.to_string())
            .collect();
        if !per_region {
            let admins: Vec<String> = registered.iter().map(|a| h.name(a)).collect();
            lines.push(admin_line(&key, &admins, None));
            declared.insert(p.clone());
            continue;
        }
        if opts.service_admins_unreadable {
            im.notes.push(format!("{key}: its administrators per Region were not read (only the management account may list them): left out"));
            continue;
        }
        // Per Region: the account ENABLED in each Region read.
        let mut by_admin: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (region, admins) in live.service_admins.get(p).into_iter().flatten() {
            for (acct, status) in admins {
                if status == "ENABLED" {
                    by_admin
                        .entry(acct.clone())
                        .or_default()
                        .push(region.clone());
                }
            }
        }
        match by_admin.len() {
            0 => im.notes.push(format!(
                "{key}: registered in Organizations ({}) but designated in none of the Regions read: left out",
                registered.join(", ")
            )),
            1 => {
                let Some((acct, regions)) = by_admin.into_iter().next() else {
                    continue;
                };
                let same = {
                    let mut a = regions.clone();
                    let mut b = opts.regions.clone();
                    a.sort();
                    b.sort();
                    a == b
                };
                lines.push(admin_line(
                    &key,
                    &[h.name(&acct)],
                    (!same).then_some(regions.as_slice()),
                ));
                declared.insert(p.clone());
            }
            _ => im.notes.push(format!(
                "{key}: different administrators in different Regions ({}): orgctl manages one; left out",
                by_admin
                    .iter()
                    .map(|(a, r)| format!("{} in {}", h.name(a), r.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            )),
        }
    }
    if !lines.is_empty() {
        out.blank();
        out.line(0, "delegations:");
        for l in &lines {
            out.line(1, l);
        }
        im.counts.insert("delegations", lines.len());
    }
    declared
}

fn admin_line(key: &str, admins: &[String], regions: Option<&[String]>) -> String {
    let who = match admins {
        [one] => format!("admin: {}", q(one)),
        many => format!("admins: {}", list(many.iter().map(String::as_str))),
    };
    let regions = regions
        .map(|r| format!(", regions: {}", list(r.iter().map(String::as_str))))
        .unwrap_or_default();
    format!("{}: {{ {who}{regions} }}", q(key))
}

fn trusted_access(live: &LiveState, declared: &BTreeSet<String>, out: &mut Out, im: &mut Imported) {
    let rest: Vec<&str> = live
        .trusted_access
        .iter()
        .filter(|p| !declared.contains(*p))
        .map(String::as_str)
        .collect();
    if rest.is_empty() {
        return;
    }
    out.blank();
    out.line(0, "trusted_access:");
    for p in &rest {
        out.line(1, &format!("- {}", q(p)));
    }
    im.counts.insert("trusted access", rest.len());
}

/// The delegation policy as grants, or a note when the grants would not rebuild it.
fn delegation_policy(live: &LiveState, h: &Handles, out: &mut Out, im: &mut Imported) {
    use crate::catalog::orgs_delegation::{POLICY_ACTIONS, READ_ACTIONS};
    let Some(text) = &live.delegation_policy else {
        return;
    };
    let Ok(doc) = serde_json::from_str::<Value>(text) else {
        im.notes
            .push("the delegation policy is not JSON: left out".into());
        return;
    };
    let grants = crate::plan::delegation_policy::grants(&doc);
    let refs: BTreeMap<AccountId, AccountRef> = grants
        .keys()
        .map(|id| {
            let n = h.name(id.as_str());
            let r = if n == id.as_str() {
                AccountRef::Id(id.clone())
            } else {
                AccountRef::Name(n)
            };
            (id.clone(), r)
        })
        .collect();
    let mut entries = Vec::new();
    let mut rebuilt = Vec::new();
    for (id, g) in &grants {
        let r = refs[id].clone();
        let mut allow: Vec<String> = Vec::new();
        let all_policy = POLICY_ACTIONS.iter().all(|a| g.policy_actions.contains(*a));
        if all_policy {
            allow.push("policies".into());
        }
        allow.extend(
            g.actions
                .iter()
                .filter(|a| !READ_ACTIONS.contains(&a.as_str()))
                .map(|a| format!("organizations:{a}")),
        );
        entries.push((r.clone(), allow, g.policy_types.clone()));
        let mut actions: BTreeSet<String> = READ_ACTIONS.iter().map(|s| s.to_string()).collect();
        actions.extend(g.actions.iter().cloned());
        rebuilt.push(DelegationGrant {
            account: r,
            actions,
            policy_actions: if all_policy {
                POLICY_ACTIONS.iter().map(|s| s.to_string()).collect()
            } else {
                BTreeSet::new()
            },
            policy_types: if all_policy {
                g.policy_types.clone()
            } else {
                BTreeSet::new()
            },
        });
    }
    let again = crate::plan::delegation_policy::document(&rebuilt, |r| match r {
        AccountRef::Id(i) => Some(i.clone()),
        AccountRef::Name(n) => refs
            .iter()
            .find(|(_, v)| matches!(v, AccountRef::Name(x) if x == n))
            .map(|(k, _)| k.clone()),
    });
    if !crate::plan::delegation_policy::same_grants(&doc, &again) {
        im.notes.push("the delegation policy grants more than orgctl's grants express (conditions, denies or partial policy actions): the nearest grants are written, and the first plan shows the difference".into());
    }
    out.blank();
    out.line(0, "organizations_delegation:");
    for (r, allow, types) in &entries {
        out.line(1, &format!("- account: {}", q(&r.to_string())));
        out.field(2, "allow", &list(allow.iter().map(String::as_str)));
        if allow.iter().any(|a| a == "policies") {
            out.field(2, "policy_types", &list(types.iter().map(String::as_str)));
        }
    }
    im.counts.insert("delegation policy grants", entries.len());
}

/// A file name for a policy document: the name with anything but `[A-Za-z0-9._-]` as `-`.
pub(crate) fn file_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .collect();
    if s.is_empty() {
        "policy".into()
    } else {
        s
    }
}

/// A document as a pretty-printed JSON file (the live text when it is not JSON).
pub(crate) fn pretty(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string()) + "\n",
        Err(_) => text.to_string(),
    }
}

fn policies(live: &LiveState, h: &Handles, opts: &ImportOptions, out: &mut Out, im: &mut Imported) {
    let customer: Vec<&LivePolicy> = live.policies.values().filter(|p| !p.aws_managed).collect();
    let mut name_count: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &customer {
        *name_count.entry(p.name.as_str()).or_default() += 1;
    }
    let mut sorted = customer.clone();
    sorted.sort_by(|a, b| (&a.policy_type, &a.name).cmp(&(&b.policy_type, &b.name)));
    let mut used_files = BTreeSet::new();
    if sorted.is_empty() {
        return;
    }
    out.blank();
    out.line(0, "policies:");
    for p in &sorted {
        let dup = name_count[p.name.as_str()] > 1;
        let name = if dup {
            format!("{}-{}", p.name, p.id)
        } else {
            p.name.clone()
        };
        let mut file = format!("{}/{}.json", opts.policies_dir, file_name(&name));
        if !used_files.insert(file.clone()) {
            file = format!("{}/{}-{}.json", opts.policies_dir, file_name(&name), p.id);
            used_files.insert(file.clone());
        }
        im.files.insert(file.clone(), pretty(&p.content));
        out.line(1, &format!("- name: {}", q(&name)));
        out.field(2, "type", &p.policy_type);
        if dup {
            // The handle differs from the live name: adopting by id keeps it this policy (the
            // first plan renames it to the handle, so the note says so).
            out.field(2, "id", &q(&p.id));
            im.notes.push(format!(
                "policies of different types share the name `{}`: {} is `{name}` in the file (applying renames it)",
                p.name, p.id
            ));
        }
        if !p.description.is_empty() {
            out.field(2, "description", &q(&p.description));
        }
        out.field(2, "file", &q(&file));
        let mut targets: Vec<String> = p
            .targets
            .iter()
            .map(|t| {
                if *t == live.root_id {
                    "root".to_string()
                } else if let Some(o) = live.ous.get(t) {
                    format!("ou:{}", o.path)
                } else {
                    h.target(t)
                }
            })
            .collect();
        targets.sort();
        out.field(2, "targets", &list(targets.iter().map(String::as_str)));
        if let Some(t) = p.tags.as_ref().filter(|t| !t.is_empty()) {
            out.field(2, "tags", &map(t));
        }
    }
    let managed: Vec<String> = live
        .policies
        .values()
        .filter(|p| p.aws_managed)
        .map(|p| format!("{} ({} targets)", p.name, p.targets.len()))
        .collect();
    if !managed.is_empty() {
        out.line(
            0,
            &format!(
                "# AWS-managed policies are not listed (their attachments are AWS's defaults): {}",
                managed.join(", ")
            ),
        );
    }
    im.counts.insert("policies", sorted.len());
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
