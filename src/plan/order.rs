//! Orders changes the way AWS requires: trusted access before the delegated admin that
//! needs it; OUs parents-first before the accounts that go into them; accounts created
//! before they are registered as admins; deregister before register (inside one
//! `replace`); deletions last (admins, then trusted access, then OUs deepest-first).
//! Ties break on the address, so plans are stable.

use super::change::{Action, Change, Op};

/// The execution phase of a change (lower runs first).
fn phase(c: &Change) -> (u8, usize) {
    match (&c.op, c.action) {
        (Op::EnableTrustedAccess { .. }, _) => (10, 0),
        (Op::CreateOu { path, .. }, _) => (20, path.matches('/').count()),
        (Op::CreateAccount { .. }, _) => (30, 0),
        (Op::MoveAccount { .. }, _) => (40, 0),
        (Op::Tag { .. }, Action::Delete) => (55, 0),
        (Op::Tag { .. }, _) => (50, 0),
        (Op::DelegatedAdmins { .. }, Action::Delete) => (70, 0),
        (Op::DelegatedAdmins { .. }, _) | (Op::ServiceAdmins { .. }, _) => (60, 0),
        (Op::PutDelegationPolicy { .. }, _) => (65, 0),
        (Op::DeleteDelegationPolicy, _) => (75, 0),
        (Op::EnablePolicyType { .. }, _) => (66, 0),
        (Op::CreatePolicy { .. }, _) | (Op::UpdatePolicy { .. }, _) => (67, 0),
        // Attach new before detaching old, so no target is ever left without an SCP.
        (Op::AttachPolicy { .. }, _) => (68, 0),
        (Op::DetachPolicy { .. }, _) => (72, 0),
        (Op::DeletePolicy { .. }, _) => (76, 0),
        (Op::DisableTrustedAccess { .. }, _) => (80, 0),
        // Deepest first.
        (Op::DeleteOu { path, .. }, _) => (90, usize::MAX - path.matches('/').count()),
    }
}

/// Sorts changes into execution order.
pub fn sort(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by(|a, b| (phase(a), &a.address).cmp(&(phase(b), &b.address)));
    changes
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
