//! `orgctl audit`: what the management account still does that AWS would let a delegated
//! administrator do — the advice the product is built on. Pure: a function of the live
//! organization (and, with a file, its plan). Findings:
//! - services with trusted access on that support a delegated administrator but have none;
//! - policy types enabled on the root that no delegation-policy grant hands to a member
//!   account (so only the management account manages them);
//! - Identity Center administered from the management account;
//! - the plan's changes the management account runs: those AWS reserves to it (and why), and
//!   those that could move to a delegated account (and how).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::catalog::{self, Mechanism};
use crate::live::LiveState;
use crate::plan::change::{Op, Plan};
use crate::plan::change_ic::IcOp;

/// One thing the management account does that it need not.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `no-delegated-admin`, `policy-type-not-delegated`, `identity-center-in-management`,
    /// `change-could-move`.
    pub kind: &'static str,
    /// What it is about (a service principal, a policy type, a plan address).
    pub subject: String,
    pub detail: String,
    pub fix: String,
}

/// A change only the management account may run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reserved {
    pub address: String,
    pub why: String,
}

/// The audit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Audit {
    pub organization_id: String,
    pub management_account_id: String,
    pub findings: Vec<Finding>,
    /// The plan's changes AWS reserves to the management account (with a file).
    pub management_only: Vec<Reserved>,
}

impl Audit {
    /// Exit code for a scheduled job: 0 nothing to move, 2 findings.
    pub fn exit_code(&self) -> u8 {
        if self.findings.is_empty() {
            0
        } else {
            2
        }
    }
}

/// Audits `live`, and `plan` when a file was given.
pub fn audit(live: &LiveState, plan: Option<&Plan>) -> Audit {
    let mut a = Audit {
        organization_id: live.organization.id.clone(),
        management_account_id: live.organization.management_account_id.clone(),
        ..Audit::default()
    };
    services_without_admin(live, &mut a);
    policy_types_not_delegated(live, &mut a);
    identity_center(live, &mut a);
    if let Some(p) = plan {
        plan_changes(live, p, &mut a);
    }
    a
}

fn services_without_admin(live: &LiveState, a: &mut Audit) {
    for p in &live.trusted_access {
        let Some(found) = catalog::lookup(p) else {
            continue;
        };
        let s = found.service;
        if matches!(s.mechanism, Mechanism::ConsoleOnly | Mechanism::Unconfirmed) {
            continue;
        }
        // The service's own principal or any of its extra principals may hold the admin.
        let principals: BTreeSet<&str> = std::iter::once(s.principal)
            .chain(s.extra_principals.iter().copied())
            .collect();
        let has_admin = principals.iter().any(|x| {
            live.delegated_admins
                .get(*x)
                .is_some_and(|ids| !ids.is_empty())
                || live
                    .service_admins
                    .get(*x)
                    .is_some_and(|r| r.values().any(|m| !m.is_empty()))
        });
        if has_admin {
            continue;
        }
        a.findings.push(Finding {
            kind: "no-delegated-admin",
            subject: p.clone(),
            detail: format!(
                "trusted access for {} is on and AWS lets a member account administer it, but it has no delegated administrator: it is administered from the management account",
                s.name
            ),
            fix: format!(
                "declare `delegations: {{ {}: {{ admin: ACCOUNT }} }}` in org.yaml",
                s.id
            ),
        });
    }
}

fn policy_types_not_delegated(live: &LiveState, a: &mut Audit) {
    let grants = live
        .delegation_policy
        .as_deref()
        .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        .map(|d| crate::plan::delegation_policy::grants(&d))
        .unwrap_or_default();
    for (ty, status) in &live.root_policy_types {
        if status != "ENABLED" && status != "PENDING_ENABLE" {
            continue;
        }
        let delegated = grants
            .values()
            .any(|g| g.policy_types.contains(ty) && g.policy_actions.contains("CreatePolicy"));
        if delegated {
            continue;
        }
        let n = live
            .policies
            .values()
            .filter(|p| &p.policy_type == ty && !p.aws_managed)
            .count();
        a.findings.push(Finding {
            kind: "policy-type-not-delegated",
            subject: ty.clone(),
            detail: format!(
                "{ty} is enabled ({n} polic{} of the type read) and no delegation-policy grant hands it to a member account: only the management account manages these policies",
                if n == 1 { "y" } else { "ies" }
            ),
            fix: format!("add `organizations_delegation: [{{ account: ACCOUNT, allow: [policies], policy_types: [{ty}] }}]` to org.yaml"),
        });
    }
}

fn identity_center(live: &LiveState, a: &mut Audit) {
    let has_admin = live
        .delegated_admins
        .get("sso.amazonaws.com")
        .is_some_and(|ids| !ids.is_empty());
    if live.identity_center.is_some() && !has_admin {
        a.findings.push(Finding {
            kind: "identity-center-in-management",
            subject: "sso.amazonaws.com".into(),
            detail: "IAM Identity Center has no delegated administrator: users, groups, permission sets and assignments are managed from the management account".into(),
            fix: "declare `delegations: { sso: { admin: ACCOUNT } }` in org.yaml (assignments in the management account stay with it)".into(),
        });
    }
}

/// How a change the management account runs could move, if it could: `Some("policy")` for
/// policy changes (a delegation-policy grant), `Some("identity-center")` for Identity Center
/// changes while it has no delegated administrator (assignments in the management account
/// excepted: AWS reserves them).
fn could_move(live: &LiveState, op: &Op) -> Option<&'static str> {
    match op {
        Op::EnablePolicyType { .. }
        | Op::CreatePolicy { .. }
        | Op::UpdatePolicy { .. }
        | Op::AttachPolicy { .. }
        | Op::DetachPolicy { .. }
        | Op::DeletePolicy { .. } => Some("policy"),
        Op::Ic(ic) => {
            let has_admin = live
                .delegated_admins
                .get("sso.amazonaws.com")
                .is_some_and(|ids| !ids.is_empty());
            let in_mgmt = match ic.as_ref() {
                IcOp::CreateAssignment { account, .. } => {
                    account.to_string() == live.organization.management_account_id
                }
                IcOp::DeleteAssignment { account_id, .. } => {
                    *account_id == live.organization.management_account_id
                }
                _ => false,
            };
            (!has_admin && !in_mgmt).then_some("identity-center")
        }
        _ => None,
    }
}

fn plan_changes(live: &LiveState, p: &Plan, a: &mut Audit) {
    let mgmt = &live.organization.management_account_id;
    for c in p.changes.iter().filter(|c| &c.executor.account_id == mgmt) {
        match could_move(live, &c.op) {
            Some("identity-center") => a.findings.push(Finding {
                kind: "change-could-move",
                subject: c.address.clone(),
                detail: format!("{}: run by the management account because Identity Center has no delegated administrator", c.summary),
                fix: "declare `delegations: { sso: { admin: ACCOUNT } }`; its administrator then runs this".into(),
            }),
            Some(_) => a.findings.push(Finding {
                kind: "change-could-move",
                subject: c.address.clone(),
                detail: format!("{}: {}", c.summary, c.executor.why),
                fix: "add an organizations_delegation grant for the policy type; the account it names then runs this".into(),
            }),
            None => a.management_only.push(Reserved {
                address: c.address.clone(),
                why: c.executor.why.clone(),
            }),
        }
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
