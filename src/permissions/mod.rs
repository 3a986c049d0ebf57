//! `orgctl permissions`: the IAM policy each account's CI role needs to run its share of the
//! file — the reads of a plan, and for `apply` the writes its share can produce — derived from
//! the file (which sections it has, who executes each, `unmanaged: prune` or not), the catalog
//! and, when a saved plan is given, the plan's changes (an outgoing administrator's teardown,
//! which only the live organization reveals). Pure: no I/O.
//!
//! Scoping: policy actions are conditioned on `organizations:PolicyType` (the types the
//! account manages), trusted access and delegated-administrator calls on
//! `organizations:ServicePrincipal` (the principals the file names); the rest is `*`, as the
//! services' List and Describe calls and calls on resources created by the run (an account, an
//! OU) cannot be scoped in advance.

pub mod actions;

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::catalog::{self, AdminScope};
use crate::model::desired::{AccountRef, Desired, PolicyTarget, Unmanaged};
use crate::plan::change::Plan;
use actions::{actions, native_read, write_of, Write, CREATION_READS, IC_FIND, IC_READS};
use actions::{ORG_READS, POLICY_READS, TAG_READS};

/// What the role is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// `orgctl plan` (read-only).
    Plan,
    /// `orgctl apply` (reads and writes).
    Apply,
}

/// One account's share: how the file names it, its id when known, and its policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    pub account: String,
    pub account_id: Option<String>,
    /// Why this account executes part of the file.
    pub why: Vec<String>,
    pub policy: Value,
}

/// What one executor may do, as it is being built.
#[derive(Debug, Default)]
struct Share {
    id: Option<String>,
    why: BTreeSet<String>,
    reads: BTreeSet<&'static str>,
    writes: BTreeSet<Write>,
    /// Policy types it manages (policy writes are conditioned on them).
    policy_types: BTreeSet<String>,
    /// Service principals of its trusted-access and delegated-admin calls.
    principals: BTreeSet<String>,
    /// The management account's id (for the root's ARN).
    management_id: Option<String>,
}

/// The name the management account goes by in the output.
pub const MANAGEMENT: &str = "management";

/// Every executor's role for `purpose`, by account name (`management` for the management
/// account).
pub fn roles(d: &Desired, plan: Option<&Plan>, purpose: Purpose) -> BTreeMap<String, Role> {
    let prune = d.unmanaged == Unmanaged::Prune;
    let mut shares: BTreeMap<String, Share> = BTreeMap::new();
    let mgmt_id = d.management_account_id.as_ref().map(|i| i.to_string());
    {
        let m = shares.entry(MANAGEMENT.into()).or_default();
        m.id = mgmt_id.clone();
        m.why.insert("the management account: accounts, OUs, trusted access and delegated administrators (AWS reserves them to it)".into());
    }
    management_share(d, prune, &mut shares);
    // The management account sees Identity Center whoever administers it, and its plan
    // reads it.
    if d.identity_center.is_some() {
        if let Some(m) = shares.get_mut(MANAGEMENT) {
            m.reads.extend(IC_READS);
        }
    }
    policy_shares(d, prune, &mut shares);
    ic_share(d, prune, &mut shares);
    if let Some(p) = plan {
        for c in &p.changes {
            let name = if Some(&c.executor.account_id) == mgmt_id.as_ref() {
                MANAGEMENT.to_string()
            } else {
                c.executor.account_name.clone()
            };
            let s = shares.entry(name).or_default();
            s.id.get_or_insert_with(|| c.executor.account_id.clone());
            let w = write_of(&c.op);
            if w == Write::Teardown {
                s.why.insert(c.executor.why.clone());
            }
            s.writes.insert(w);
        }
    }
    // Every executor reads the organization and looks for Identity Center.
    for s in shares.values_mut() {
        s.management_id = mgmt_id.clone();
        s.reads.extend(ORG_READS);
        if d.policies.is_some() {
            s.reads.extend(POLICY_READS);
        }
        if has_tags(d) {
            s.reads.extend(TAG_READS);
        }
        if d.identity_center.is_some() {
            s.reads.extend(IC_FIND);
        }
    }
    shares
        .into_iter()
        .map(|(name, s)| {
            let role = Role {
                account: name.clone(),
                account_id: s.id.clone(),
                why: s.why.iter().cloned().collect(),
                policy: document(&s, purpose, prune),
            };
            (name, role)
        })
        .collect()
}

fn has_tags(d: &Desired) -> bool {
    d.ous.values().any(|o| o.tags.is_some())
        || d.accounts.values().any(|a| a.tags.is_some())
        || d.policies
            .iter()
            .flat_map(|p| p.values())
            .any(|p| p.tags.is_some())
}

/// The management account: the tree, tags, the apply lock, trusted access, delegations,
/// the delegation policy, the regional admins' reads.
fn management_share(d: &Desired, prune: bool, shares: &mut BTreeMap<String, Share>) {
    let Some(m) = shares.get_mut(MANAGEMENT) else {
        return;
    };
    // The apply lock is a tag on the root: its own statement (`document`), narrowed to the
    // root and the lock's key. Tagging anything else is granted only for the tags the file
    // manages on OUs and accounts (policies' tags go to each policy's executor).
    m.reads.extend(TAG_READS);
    if d.ous.values().any(|o| o.tags.is_some()) || d.accounts.values().any(|a| a.tags.is_some()) {
        m.writes.insert(Write::Tag);
    }
    m.reads.extend(CREATION_READS);
    if !d.ous.is_empty() {
        m.writes.insert(Write::CreateOu);
    }
    if prune {
        m.writes.insert(Write::DeleteOu);
        m.writes.insert(Write::DisableTrustedAccess);
        m.writes.insert(Write::DeleteDelegationPolicy);
    }
    if d.accounts.values().any(|a| a.id.is_none()) {
        m.writes.insert(Write::CreateAccount);
    }
    if !d.accounts.is_empty() {
        m.writes.insert(Write::MoveAccount);
    }
    let mut principals: BTreeSet<String> = d.trusted_access.clone();
    for del in d.delegations.values() {
        principals.insert(del.principal.clone());
        let native = del.service_id.and_then(catalog::native);
        match native {
            Some(n) => {
                m.writes.insert(Write::Native(n.id));
                if n.scope == AdminScope::PerRegion {
                    m.reads.insert(native_read(n.id));
                }
            }
            None => {
                m.writes.insert(Write::DeregisterAdmin);
            }
        }
    }
    for p in d.policies.iter().flat_map(|m| m.values()) {
        if let Some(sp) = crate::catalog::policy_types::policy_type(&p.policy_type)
            .and_then(|t| t.service_principal)
        {
            principals.insert(sp.to_string());
        }
    }
    if !principals.is_empty() {
        m.writes.insert(Write::EnableTrustedAccess);
    }
    m.principals = principals;
    if d.organizations_delegation.is_some() {
        m.writes.insert(Write::PutDelegationPolicy);
    }
}

/// Policies: each type is managed by the account the delegation policy names, else by the
/// management account.
fn policy_shares(d: &Desired, prune: bool, shares: &mut BTreeMap<String, Share>) {
    let Some(policies) = &d.policies else { return };
    let grants = d.organizations_delegation.clone().unwrap_or_default();
    for p in policies.values() {
        let owner = grants
            .iter()
            .find(|g| !g.policy_actions.is_empty() && g.policy_types.contains(&p.policy_type));
        let (name, id, why) = match owner {
            Some(g) => (
                g.account.to_string(),
                match &g.account {
                    AccountRef::Id(i) => Some(i.to_string()),
                    AccountRef::Name(n) => d
                        .accounts
                        .get(n)
                        .and_then(|a| a.id.as_ref().map(|i| i.to_string())),
                },
                format!(
                    "organizations_delegation lets it manage {} policies",
                    p.policy_type
                ),
            ),
            None => (
                MANAGEMENT.to_string(),
                None,
                format!("no organizations_delegation grant covers {}", p.policy_type),
            ),
        };
        let s = shares.entry(name).or_default();
        if s.id.is_none() {
            s.id = id;
        }
        s.why.insert(why);
        s.policy_types.insert(p.policy_type.clone());
        s.writes.extend([
            Write::EnablePolicyType,
            Write::UpdatePolicy,
            Write::AttachPolicy,
        ]);
        if p.content.is_some() {
            s.writes.insert(Write::CreatePolicy);
        }
        if prune {
            s.writes.extend([Write::DetachPolicy, Write::DeletePolicy]);
        }
        if p.tags.is_some() {
            s.writes.insert(Write::Tag);
        }
    }
}

/// Identity Center: its delegated administrator (else the management account); assignments
/// in the management account stay with the management account (AWS reserves them).
fn ic_share(d: &Desired, prune: bool, shares: &mut BTreeMap<String, Share>) {
    let Some(ic) = &d.identity_center else { return };
    let admin = d
        .delegations
        .get("sso.amazonaws.com")
        .and_then(|del| del.admins.iter().next().cloned());
    let (name, id) = match &admin {
        Some(AccountRef::Name(n)) => (
            n.clone(),
            d.accounts
                .get(n)
                .and_then(|a| a.id.as_ref().map(|i| i.to_string())),
        ),
        Some(AccountRef::Id(i)) => (i.to_string(), Some(i.to_string())),
        None => (MANAGEMENT.to_string(), None),
    };
    let s = shares.entry(name).or_default();
    if s.id.is_none() {
        s.id = id;
    }
    s.why.insert(
        "Identity Center's delegated administrator: users, groups, permission sets, assignments"
            .into(),
    );
    s.reads.extend(IC_READS);
    if !ic.users.is_empty() || prune {
        s.writes.insert(Write::IcUsers);
    }
    if !ic.groups.is_empty() || prune {
        s.writes.insert(Write::IcGroups);
    }
    if !ic.permission_sets.is_empty() || prune {
        s.writes.insert(Write::IcPermissionSets);
    }
    if !ic.assignments.is_empty() || prune {
        s.writes.insert(Write::IcAssignments);
    }
    // Assignments in the management account: `root` or the account itself.
    let mgmt = d.management_account_id.as_ref().map(|i| i.to_string());
    let in_mgmt = ic.assignments.iter().any(|r| {
        r.targets.iter().any(|t| match t {
            PolicyTarget::Root => true,
            PolicyTarget::Account(AccountRef::Id(i)) => Some(i.to_string()) == mgmt,
            _ => false,
        })
    });
    if in_mgmt && admin.is_some() {
        if let Some(m) = shares.get_mut(MANAGEMENT) {
            m.reads.extend(IC_READS);
            m.writes.insert(Write::IcAssignments);
            m.why
                .insert("assignments in the management account (AWS reserves them to it)".into());
        }
    }
}

/// Organizations calls that name a service principal (`organizations:ServicePrincipal`).
const PRINCIPAL_CONDITIONED: [&str; 4] = [
    "organizations:EnableAWSServiceAccess",
    "organizations:DisableAWSServiceAccess",
    "organizations:RegisterDelegatedAdministrator",
    "organizations:DeregisterDelegatedAdministrator",
];

/// The IAM policy document of a share.
fn document(s: &Share, purpose: Purpose, prune: bool) -> Value {
    let mut statements = vec![json!({
        "Sid": "OrgctlRead",
        "Effect": "Allow",
        "Action": s.reads.iter().collect::<Vec<_>>(),
        "Resource": "*",
    })];
    if purpose == Purpose::Apply {
        // Every apply looks for account creations in progress and takes the lock: a tag on
        // the root (a delegated administrator also needs the delegation policy to allow
        // organizations:TagResource; without it, it applies unlocked, with a warning).
        statements[0]["Action"] = json!(s
            .reads
            .iter()
            .copied()
            .chain(["organizations:ListCreateAccountStatus"])
            .collect::<BTreeSet<_>>());
        statements.push(json!({
            "Sid": "OrgctlLock",
            "Effect": "Allow",
            "Action": ["organizations:TagResource", "organizations:UntagResource"],
            "Resource": format!("arn:aws:organizations::{}:root/o-*/r-*", s.management_id.as_deref().unwrap_or("*")),
            "Condition": { "ForAllValues:StringEquals": { "aws:TagKeys": [crate::live::write::LOCK_TAG] } },
        }));
        let mut plain: BTreeSet<&str> = BTreeSet::new();
        let mut by_type: BTreeSet<&str> = BTreeSet::new();
        let mut by_principal: BTreeSet<&str> = BTreeSet::new();
        for w in &s.writes {
            for a in actions(*w, prune) {
                if s.reads.contains(a) {
                    continue;
                }
                match w {
                    Write::EnablePolicyType
                    | Write::CreatePolicy
                    | Write::UpdatePolicy
                    | Write::AttachPolicy
                    | Write::DetachPolicy
                    | Write::DeletePolicy
                        if a != "organizations:ListRoots" =>
                    {
                        by_type.insert(a);
                    }
                    // By action, not by write: a per-Region service's own write also
                    // deregisters its admin from Organizations, and that is conditioned too.
                    _ if PRINCIPAL_CONDITIONED.contains(&a) => {
                        by_principal.insert(a);
                    }
                    _ => {
                        plain.insert(a);
                    }
                }
            }
        }
        // A read made while changing (ListRoots for EnablePolicyType) joins the reads.
        if s.writes.contains(&Write::EnablePolicyType) {
            plain.insert("organizations:ListRoots");
        }
        plain.retain(|a| !s.reads.contains(a));
        if !plain.is_empty() {
            statements.push(json!({
                "Sid": "OrgctlWrite",
                "Effect": "Allow",
                "Action": plain.iter().collect::<Vec<_>>(),
                "Resource": "*",
            }));
        }
        if !by_type.is_empty() && !s.policy_types.is_empty() {
            statements.push(json!({
                "Sid": "OrgctlPolicies",
                "Effect": "Allow",
                "Action": by_type.iter().collect::<Vec<_>>(),
                "Resource": "*",
                "Condition": { "StringEquals": { "organizations:PolicyType": s.policy_types.iter().collect::<Vec<_>>() } },
            }));
        }
        if !by_principal.is_empty() && !s.principals.is_empty() {
            statements.push(json!({
                "Sid": "OrgctlServices",
                "Effect": "Allow",
                "Action": by_principal.iter().collect::<Vec<_>>(),
                "Resource": "*",
                "Condition": { "StringEquals": { "organizations:ServicePrincipal": s.principals.iter().collect::<Vec<_>>() } },
            }));
        }
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

/// Whether `policy` allows `action` (exact names, as orgctl writes them; conditions are not
/// evaluated).
pub fn allows(policy: &Value, action: &str) -> bool {
    policy["Statement"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|s| s["Effect"] == "Allow")
        .any(|s| {
            s["Action"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|a| a.as_str() == Some(action))
        })
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
