//! `diff`: a pure function of (desired, live) → ordered [`Plan`]. No I/O; deterministic
//! (sorted maps everywhere). Rules: absence is not deletion (unmanaged objects are listed,
//! and only `unmanaged: prune` turns OUs, tag keys, trusted access and delegated admins
//! into `delete` changes; accounts are never closed); a moved delegated admin is a
//! `replace`; trusted access before the admin that needs it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::change::{
    Action, Change, Executor, Op, Plan, Summary, TagTarget, UnmanagedItem, FORMAT_VERSION,
};
use super::order;
use crate::live::LiveState;
use crate::model::desired::{
    AccountId, AccountRef, Desired, DesiredAccount, Parent, Tags, Unmanaged,
};

/// Why a plan cannot be made (all problems, one per line).
#[derive(Debug, thiserror::Error)]
#[error("cannot plan:\n{}", .0.iter().map(|p| format!("  - {p}")).collect::<Vec<_>>().join("\n"))]
pub struct DiffError(pub Vec<String>);

pub(crate) mod why {
    pub const DELEGATION_POLICY: &str =
        "AWS reserves PutResourcePolicy/DeleteResourcePolicy to the management account";
    pub const OU: &str = "AWS reserves Create/DeleteOrganizationalUnit to the management account";
    pub const CREATE_ACCOUNT: &str =
        "AWS reserves CreateAccount and MoveAccount to the management account";
    pub const MOVE: &str = "AWS reserves MoveAccount to the management account";
    pub const TAGS: &str = "TagResource/UntagResource: the management account (a delegated administrator would also need an Organizations delegation policy, which the file does not declare)";
    pub const TRUSTED: &str =
        "AWS reserves Enable/DisableAWSServiceAccess to the management account";
    pub const DELEGATION: &str =
        "AWS reserves Register/DeregisterDelegatedAdministrator to the management account";
}

/// Everything diff needs to resolve names.
struct Ctx<'a> {
    desired: &'a Desired,
    live: &'a LiveState,
    /// Desired account name → matched live account id (absent: will be created).
    matched: BTreeMap<String, AccountId>,
    changes: Vec<Change>,
    unmanaged: Vec<UnmanagedItem>,
    warnings: Vec<String>,
    errors: Vec<String>,
    effective_scps: Vec<super::change::EffectiveScps>,
}

/// Computes the ordered plan.
pub fn diff(desired: &Desired, live: &LiveState) -> Result<Plan, DiffError> {
    let mut cx = Ctx {
        desired,
        live,
        matched: BTreeMap::new(),
        changes: Vec::new(),
        unmanaged: Vec::new(),
        warnings: Vec::new(),
        errors: Vec::new(),
        effective_scps: Vec::new(),
    };
    cx.match_accounts();
    cx.ous();
    cx.accounts();
    cx.trusted_access();
    cx.delegations();
    cx.delegation_policy();
    cx.policies();
    cx.identity_center();
    cx.unmanaged_ous();
    if !cx.errors.is_empty() {
        return Err(DiffError(cx.errors));
    }
    let changes = order::sort(cx.changes);
    let stages = super::stages::stages(&changes);
    let mut account_ids: BTreeMap<String, String> = live
        .accounts
        .values()
        .map(|a| (a.name.clone(), a.id.to_string()))
        .collect();
    for (name, id) in &cx.matched {
        account_ids.insert(name.clone(), id.to_string());
    }
    cx.unmanaged.sort_by(|a, b| a.address.cmp(&b.address));
    Ok(Plan {
        format_version: FORMAT_VERSION,
        orgctl_version: env!("CARGO_PKG_VERSION").to_string(),
        organization_id: live.organization.id.clone(),
        management_account_id: live.organization.management_account_id.clone(),
        live_fingerprint: live.fingerprint(),
        live_fingerprints: live.fingerprint_parts(),
        read_scope: crate::plan::scope::read_scope(desired),
        summary: Summary::of(&changes),
        changes,
        unmanaged: cx.unmanaged,
        warnings: cx.warnings,
        effective_scps: cx.effective_scps,
        account_ids,
        created_accounts: Default::default(),
        omitted: Vec::new(),
        executor_filter: None,
        stages,
        desired: None,
    })
}

/// Address helpers (the grammar in SPEC §4).
pub mod address {
    pub fn ou(path: &str) -> String {
        format!("ou[{path:?}]")
    }
    pub fn account(name: &str) -> String {
        format!("account[{name:?}]")
    }
    pub fn trusted_access(p: &str) -> String {
        format!("trusted_access[{p:?}]")
    }
    pub fn delegation(p: &str) -> String {
        format!("delegation[{p:?}]")
    }
    pub const ORGANIZATIONS_DELEGATION: &str = "organizations_delegation";
}

fn tags_json(t: &Tags) -> Value {
    json!(t)
}

impl Ctx<'_> {
    fn management(&self, why: &str) -> Executor {
        let id = &self.live.organization.management_account_id;
        let name = AccountId::parse(id)
            .and_then(|i| self.live.accounts.get(&i))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| "management".into());
        Executor {
            account_id: id.clone(),
            account_name: name,
            why: why.to_string(),
        }
    }

    /// A member account as the executor of a change, with why.
    fn account_executor(&self, id: &AccountId, why: &str) -> Executor {
        Executor {
            account_id: id.to_string(),
            account_name: self
                .live
                .accounts
                .get(id)
                .map(|a| a.name.clone())
                .unwrap_or_else(|| id.to_string()),
            why: why.to_string(),
        }
    }

    /// Display form of an account: `name (id)`.
    fn show_account(&self, r: &AccountRef) -> String {
        match r {
            AccountRef::Name(n) => match self.matched.get(n) {
                Some(id) => format!("{n} ({id})"),
                None => format!("{n} (to be created)"),
            },
            AccountRef::Id(id) => match self.live.accounts.get(id) {
                Some(a) => format!("{} ({id})", a.name),
                None => id.to_string(),
            },
        }
    }

    fn show_id(&self, id: &AccountId) -> String {
        let name = self
            .desired
            .accounts
            .iter()
            .find(|(n, _)| self.matched.get(*n) == Some(id))
            .map(|(n, _)| n.clone());
        match (name, self.live.accounts.get(id)) {
            (Some(n), _) => format!("{n} ({id})"),
            (None, Some(a)) => format!("{} ({id})", a.name),
            (None, None) => id.to_string(),
        }
    }

    /// Pairs each desired account with its live account (by id, else by email).
    fn match_accounts(&mut self) {
        // One index, not a scan per account (quadratic at thousands of accounts).
        let by_email: BTreeMap<String, &crate::live::LiveAccount> = self
            .live
            .accounts
            .values()
            .map(|a| (a.email.to_ascii_lowercase(), a))
            .collect();
        for (name, a) in &self.desired.accounts {
            let found = match (&a.id, &a.email) {
                (Some(id), _) => match self.live.accounts.get(id) {
                    Some(l) => Some(l),
                    None => {
                        self.errors.push(format!(
                            "{}: account id {id} is not a member of organization {} (fix: invite it to the organization first, or remove `id` so orgctl creates the account)",
                            address::account(name),
                            self.live.organization.id
                        ));
                        None
                    }
                },
                (None, Some(email)) => by_email.get(&email.to_ascii_lowercase()).copied(),
                (None, None) => None,
            };
            if let Some(l) = found {
                if let (Some(_), Some(email)) = (&a.id, &a.email) {
                    if !l.email.eq_ignore_ascii_case(email) {
                        self.warnings.push(format!(
                            "{}: the file says email {email}, the live account {} has {}",
                            address::account(name),
                            l.id,
                            l.email
                        ));
                    }
                }
                if &l.name != name {
                    self.warnings.push(format!(
                        "{}: the live account {} is named `{}`; orgctl does not rename accounts",
                        address::account(name),
                        l.id,
                        l.name
                    ));
                }
                if l.status != "ACTIVE" && !l.status.is_empty() {
                    self.warnings.push(format!(
                        "{}: account {} is {}",
                        address::account(name),
                        l.id,
                        l.status
                    ));
                }
                self.matched.insert(name.clone(), l.id.clone());
            }
        }
    }

    fn ous(&mut self) {
        // Parents sort before children (path order is depth-first, which keeps that).
        for (path, ou) in &self.desired.ous {
            match self.live.ou_id(path) {
                Some(id) => {
                    if let Some(want) = &ou.tags {
                        let id = id.to_string();
                        self.tag_change(&address::ou(path), &id, TagTarget::Ou(path.clone()), want);
                    }
                }
                None => {
                    let parent = Parent::of_path(path);
                    let name = path.rsplit('/').next().unwrap_or(path).to_string();
                    let mut deps = Vec::new();
                    if let Parent::Ou(pp) = &parent {
                        if self.live.ou_id(pp).is_none() {
                            deps.push(address::ou(pp));
                        }
                    }
                    let tags = ou.tags.clone().unwrap_or_default();
                    let mut after = json!({ "name": name, "parent": parent.to_string() });
                    if !tags.is_empty() {
                        after["tags"] = tags_json(&tags);
                    }
                    self.changes.push(
                        Change::draft(
                            address::ou(path),
                            Action::Create,
                            format!("create OU {name} under {parent}"),
                            self.management(why::OU),
                        )
                        .after(after)
                        .depends_on(deps)
                        .op(Op::CreateOu {
                            path: path.clone(),
                            parent,
                            name,
                            tags,
                        }),
                    );
                }
            }
        }
    }

    /// Tag update (set/change keys) plus, under prune, one delete per unmanaged key.
    fn tag_change(&mut self, addr: &str, resource_id: &str, target: TagTarget, want: &Tags) {
        let executor = self.management(why::TAGS);
        self.tag_change_by(addr, resource_id, target, want, executor);
    }

    /// As `tag_change`, run by `executor`.
    pub(super) fn tag_change_by(
        &mut self,
        addr: &str,
        resource_id: &str,
        target: TagTarget,
        want: &Tags,
        executor: Executor,
    ) {
        let have = self.live.tags.get(resource_id).cloned().unwrap_or_default();
        let set: Tags = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let extra: Vec<String> = have
            .keys()
            .filter(|k| !want.contains_key(*k))
            .cloned()
            .collect();
        let tags_addr = format!("{addr}.tags");
        let added = set.keys().filter(|k| !have.contains_key(*k)).count();
        if self.desired.unmanaged != Unmanaged::Prune
            && have.len() + added > crate::model::validate::MAX_TAGS
        {
            let mut kept: Vec<&str> = extra.iter().map(String::as_str).take(5).collect();
            if extra.len() > 5 {
                kept.push("…");
            }
            self.errors.push(format!(
                "{tags_addr}: it would hold {} tags ({} the file does not list are kept: {}); AWS allows at most {} per resource (fix: remove tags from the resource by hand, or set `organization.unmanaged: prune`, which removes everything the file does not list, in the whole organization)",
                have.len() + added,
                extra.len(),
                kept.join(", "),
                crate::model::validate::MAX_TAGS
            ));
        }
        if !set.is_empty() {
            let mut after = have.clone();
            after.extend(set.clone());
            self.changes.push(
                Change::draft(
                    tags_addr.clone(),
                    Action::Update,
                    format!("set {} tag(s)", set.len()),
                    executor.clone(),
                )
                .before(tags_json(&have))
                .after(tags_json(&after))
                .op(Op::Tag {
                    target: target.clone(),
                    set,
                    remove: Vec::new(),
                }),
            );
        }
        for k in extra {
            let key_addr = format!("{tags_addr}[{k:?}]");
            if self.desired.unmanaged == Unmanaged::Prune {
                let v = have.get(&k).cloned().unwrap_or_default();
                self.changes.push(Change::draft(key_addr, Action::Delete, format!("remove tag {k}"), executor.clone())
                    .before(json!({ k.clone(): v }))
                    .high_risk("tag-based access control (ABAC) and cost allocation may depend on this tag"
                            ).op(Op::Tag {
                        target: target.clone(),
                        set: Tags::new(),
                        remove: vec![k],
                    }));
            } else {
                self.unmanaged.push(UnmanagedItem {
                    address: key_addr,
                    note: "tag not in the file; kept".into(),
                });
            }
        }
    }

    fn accounts(&mut self) {
        let desired_ids: BTreeSet<AccountId> = self.matched.values().cloned().collect();
        for (name, a) in &self.desired.accounts {
            match self.matched.get(name).cloned() {
                Some(id) => self.existing_account(name, a, &id),
                None if a.id.is_none() => self.new_account(name, a),
                None => {} // error already recorded
            }
        }
        let mgmt = &self.live.organization.management_account_id;
        for acc in self.live.accounts.values() {
            if !desired_ids.contains(&acc.id) && acc.id.as_str() != mgmt {
                let place = self
                    .live
                    .parent_of_id(&acc.parent_id)
                    .map(|p| p.to_string())
                    .unwrap_or_default();
                self.unmanaged.push(UnmanagedItem {
                    address: address::account(&acc.name),
                    note: format!("{} <{}> in {place}; not in the file (orgctl never closes or removes accounts)", acc.id, acc.email),
                });
            }
        }
    }

    fn existing_account(&mut self, name: &str, a: &DesiredAccount, id: &AccountId) {
        let Some(live) = self.live.accounts.get(id) else {
            return;
        };
        let from = self.live.parent_of_id(&live.parent_id);
        if from.as_ref() != Some(&a.parent)
            && id.as_str() != self.live.organization.management_account_id
        {
            let from = from.unwrap_or(Parent::Root);
            let mut deps = Vec::new();
            if let Parent::Ou(p) = &a.parent {
                if self.live.ou_id(p).is_none() {
                    deps.push(address::ou(p));
                }
            }
            self.changes.push(Change::draft(address::account(name), Action::Update, format!("move account {id} from {from} to {}", a.parent), self.management(why::MOVE))
                .before(json!({ "id": id, "ou": from.to_string() }))
                .after(json!({ "id": id, "ou": a.parent.to_string() }))
                .high_risk(format!("the policies the account inherits change: those attached to {from} stop applying, those of {} start", a.parent))
                .depends_on(deps)
                .op(Op::MoveAccount { id: id.clone(), from, to: a.parent.clone() }));
        }
        if let Some(want) = &a.tags {
            self.tag_change(
                &address::account(name),
                id.as_str(),
                TagTarget::Account(AccountRef::Name(name.to_string())),
                want,
            );
        }
    }

    fn new_account(&mut self, name: &str, a: &DesiredAccount) {
        let Some(email) = a.email.clone() else { return };
        let mut deps = Vec::new();
        if let Parent::Ou(p) = &a.parent {
            if self.live.ou_id(p).is_none() {
                deps.push(address::ou(p));
            }
        }
        let tags = a.tags.clone().unwrap_or_default();
        let mut after = json!({ "name": name, "email": email, "ou": a.parent.to_string() });
        if !tags.is_empty() {
            after["tags"] = tags_json(&tags);
        }
        self.changes.push(
            Change::draft(
                address::account(name),
                Action::Create,
                format!("create account {name} <{email}> in {}", a.parent),
                self.management(why::CREATE_ACCOUNT),
            )
            .after(after)
            .depends_on(deps)
            .op(Op::CreateAccount {
                name: name.to_string(),
                email,
                parent: a.parent.clone(),
                tags,
            }),
        );
    }

    /// Live OUs absent from the file: listed, or (prune) deleted deepest-first when they
    /// will be empty after the planned moves.
    fn unmanaged_ous(&mut self) {
        let mut stay_ids: BTreeSet<String> = BTreeSet::new();
        // Accounts that end up in (or stay in) each live OU after the plan.
        let moved_out: BTreeSet<&AccountId> = self
            .changes
            .iter()
            .filter_map(|c| match &c.op {
                Op::MoveAccount { id, .. } => Some(id),
                _ => None,
            })
            .collect();
        for a in self.live.accounts.values() {
            if !moved_out.contains(&a.id) {
                stay_ids.insert(a.parent_id.clone());
            }
        }
        let mut extra: Vec<&crate::live::LiveOu> = self
            .live
            .ous
            .values()
            .filter(|o| !self.desired.ous.contains_key(&o.path))
            .collect();
        extra.sort_by(|a, b| b.path.cmp(&a.path));
        for ou in extra {
            if self.desired.unmanaged != Unmanaged::Prune {
                self.unmanaged.push(UnmanagedItem {
                    address: address::ou(&ou.path),
                    note: format!("{}; not in the file, left in place", ou.id),
                });
                continue;
            }
            let has_accounts = self
                .live
                .ous
                .values()
                .filter(|o| o.path == ou.path || o.path.starts_with(&format!("{}/", ou.path)))
                .any(|o| stay_ids.contains(&o.id));
            if has_accounts {
                self.warnings.push(format!("{}: not deleted although `unmanaged: prune`: it still holds accounts the file does not move out", address::ou(&ou.path)));
                continue;
            }
            let children: Vec<String> = self
                .live
                .ous
                .values()
                .filter(|o| o.parent_id == ou.id)
                .map(|o| address::ou(&o.path))
                .collect();
            let mut deps = children;
            deps.extend(self.changes.iter().filter(|c| matches!(&c.op, Op::MoveAccount { from: Parent::Ou(p), .. } if *p == ou.path)).map(|c| c.address.clone()));
            self.changes.push(
                Change::draft(
                    address::ou(&ou.path),
                    Action::Delete,
                    format!("delete OU {}", ou.path),
                    self.management(why::OU),
                )
                .before(json!({ "id": ou.id, "name": ou.name }))
                .high_risk("policies attached to the OU are detached with it")
                .depends_on(deps)
                .op(Op::DeleteOu {
                    path: ou.path.clone(),
                    id: ou.id.clone(),
                }),
            );
        }
    }
}

mod ic;
mod ic_ps;
#[cfg(test)]
mod ic_tests;
mod policies;
#[cfg(test)]
#[path = "policy_rules_tests.rs"]
mod policy_rules_tests;
#[cfg(test)]
mod policy_tests;
mod services;
#[cfg(test)]
mod tests;
