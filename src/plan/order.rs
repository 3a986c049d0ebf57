//! Orders changes the way AWS requires: trusted access before the delegated admin that
//! needs it; OUs parents-first before the accounts that go into them; accounts created
//! before they are registered as admins; deregister before register (inside one
//! `replace`); deletions last (admins, then trusted access, then OUs deepest-first), except
//! removed tag keys, which go before added ones (a resource holds at most 50 tags).
//! Ties break on the address, so plans are stable.

use super::change::{Action, Change, Op};
use super::change_ic::IcOp;

/// The execution phase of a change (lower runs first).
fn phase(c: &Change) -> (u8, usize) {
    match (&c.op, c.action) {
        (Op::EnableTrustedAccess { .. }, _) => (10, 0),
        (Op::CreateOu { path, .. }, _) => (20, path.matches('/').count()),
        (Op::CreateAccount { .. }, _) => (30, 0),
        (Op::MoveAccount { .. }, _) => (40, 0),
        // Removed keys before added ones: a resource holds at most 50 tags.
        (Op::Tag { .. }, Action::Delete) => (49, 0),
        (Op::Tag { .. }, _) => (50, 0),
        (Op::DelegatedAdmins { .. }, Action::Delete) => (70, 0),
        (Op::ServiceTeardown { .. }, _) => (59, 0),
        (Op::DelegatedAdmins { .. }, _) | (Op::ServiceAdmins { .. }, _) => (60, 0),
        (Op::PutDelegationPolicy { .. }, _) => (65, 0),
        (Op::DeleteDelegationPolicy, _) => (75, 0),
        (Op::EnablePolicyType { .. }, _) => (66, 0),
        (Op::CreatePolicy { .. }, _) | (Op::UpdatePolicy { .. }, _) => (67, 0),
        // Attach new before detaching old, so no target is ever left without an SCP.
        (Op::AttachPolicy { .. }, _) => (68, 0),
        (Op::DetachPolicy { .. }, _) => (72, 0),
        (Op::DeletePolicy { .. }, _) => (76, 0),
        (Op::Ic(op), _) => (ic_phase(op), 0),
        (Op::DisableTrustedAccess { .. }, _) => (80, 0),
        // Deepest first.
        (Op::DeleteOu { path, .. }, _) => (90, usize::MAX - path.matches('/').count()),
    }
}

/// Identity Center: after the organization (accounts exist, the delegated admin is
/// registered). Users and groups, memberships, permission sets, then assignments; removals
/// after additions and in reverse dependency order, before trusted access could be disabled.
fn ic_phase(op: &IcOp) -> u8 {
    match op {
        IcOp::CreateUser { .. } | IcOp::UpdateUser { .. } => 61,
        IcOp::CreateGroup { .. } | IcOp::UpdateGroup { .. } => 62,
        IcOp::AddMember { .. } => 63,
        IcOp::CreatePermissionSet { .. } | IcOp::UpdatePermissionSet { .. } => 64,
        IcOp::CreateAssignment { .. } => 69,
        IcOp::DeleteAssignment { .. } => 73,
        IcOp::RemoveMember { .. } => 74,
        IcOp::DeletePermissionSet { .. } => 77,
        IcOp::DeleteGroup { .. } | IcOp::DeleteUser { .. } => 78,
    }
}

/// Sorts changes into execution order: by phase and address, then (stably) each change is
/// moved after any change of the plan it depends on that the phases would put later (a
/// deregistration another account runs before the registration that needs it).
pub fn sort(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by(|a, b| (phase(a), &a.address).cmp(&(phase(b), &b.address)));
    let addresses: std::collections::BTreeSet<String> =
        changes.iter().map(|c| c.address.clone()).collect();
    let mut done = std::collections::BTreeSet::new();
    let mut out = Vec::with_capacity(changes.len());
    while !changes.is_empty() {
        let ready = changes
            .iter()
            .position(|c| {
                c.depends_on
                    .iter()
                    .all(|d| !addresses.contains(d) || done.contains(d))
            })
            // A cycle: keep the phase order for what is left.
            .unwrap_or(0);
        let c = changes.remove(ready);
        done.insert(c.address.clone());
        out.push(c);
    }
    out
}

/// Checks that every dependency precedes its dependant (dependencies outside the plan are
/// already satisfied). Returns the offending `(change, dependency)` pairs.
pub fn violations(changes: &[Change]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        for d in &c.depends_on {
            if let Some(j) = changes.iter().position(|x| &x.address == d) {
                if j >= i {
                    out.push((c.address.clone(), d.clone()));
                }
            }
        }
    }
    out
}
