//! A permission set as the plan shows it (before/after JSON) and the calls that bring a live
//! one to the file's: attributes, managed and customer managed policies, inline policy,
//! boundary, tags, and whether its accounts must be provisioned again.

use serde_json::{json, Value};

use crate::live::ic::LivePermissionSet;
use crate::model::desired_ic::{duration_iso, duration_secs, IcPermissionSet};
use crate::plan::change_ic::PsUpdate;

/// The live session duration in canonical form (`PT4H` for `PT240M`).
pub(super) fn canonical_duration(s: &str) -> String {
    duration_secs(s)
        .map(duration_iso)
        .unwrap_or_else(|| s.to_string())
}

pub(super) fn ps_json(ps: &IcPermissionSet) -> Value {
    json!({
        "description": ps.description,
        "session_duration": ps.session_duration,
        "relay_state": ps.relay_state,
        "managed_policies": ps.managed_policies,
        "customer_managed_policies": ps.customer_managed_policies.iter().map(|r| format!("{}{}", r.path, r.name)).collect::<Vec<_>>(),
        "inline_policy": ps.inline_policy.as_ref().map(|v| crate::plan::delegation_policy::canonical(v, false)),
        "permissions_boundary": ps.boundary,
        "tags": ps.tags,
    })
}

pub(super) fn live_ps_json(l: &LivePermissionSet) -> Value {
    let inline = l.inline_policy.as_deref().map(|s| {
        serde_json::from_str::<Value>(s)
            .map(|v| crate::plan::delegation_policy::canonical(&v, false))
            .unwrap_or_else(|_| Value::String(s.to_string()))
    });
    json!({
        "description": l.description,
        "session_duration": canonical_duration(&l.session_duration),
        "relay_state": l.relay_state,
        "managed_policies": l.managed_policies,
        "customer_managed_policies": l.customer_managed_policies.iter().map(|r| format!("{}{}", r.path, r.name)).collect::<Vec<_>>(),
        "inline_policy": inline,
        "permissions_boundary": l.boundary,
        "tags": l.tags,
    })
}

/// The calls that bring `l` to `ps`.
pub(super) fn ps_update(ps: &IcPermissionSet, l: &LivePermissionSet) -> PsUpdate {
    let mut u = PsUpdate {
        attributes: ps.description != l.description
            || ps.session_duration != canonical_duration(&l.session_duration)
            || ps.relay_state != l.relay_state,
        attach_managed: ps
            .managed_policies
            .difference(&l.managed_policies)
            .cloned()
            .collect(),
        detach_managed: l
            .managed_policies
            .difference(&ps.managed_policies)
            .cloned()
            .collect(),
        attach_customer: ps
            .customer_managed_policies
            .difference(&l.customer_managed_policies)
            .cloned()
            .collect(),
        detach_customer: l
            .customer_managed_policies
            .difference(&ps.customer_managed_policies)
            .cloned()
            .collect(),
        ..Default::default()
    };
    match (&ps.inline_policy, &l.inline_policy) {
        (Some(want), Some(have)) => {
            let same = serde_json::from_str::<Value>(have)
                .is_ok_and(|h| crate::plan::delegation_policy::same(&h, want));
            if !same {
                u.put_inline = Some(want.clone());
            }
        }
        (Some(want), None) => u.put_inline = Some(want.clone()),
        (None, Some(_)) => u.delete_inline = true,
        (None, None) => {}
    }
    match (&ps.boundary, &l.boundary) {
        (Some(a), Some(b)) if a == b => {}
        (Some(a), _) => u.put_boundary = Some(a.clone()),
        (None, Some(_)) => u.delete_boundary = true,
        (None, None) => {}
    }
    if let Some(want) = &ps.tags {
        let have = l.tags.clone().unwrap_or_default();
        u.tag = want
            .iter()
            .filter(|(k, v)| have.get(*k) != Some(*v))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        u.untag = have
            .keys()
            .filter(|k| !want.contains_key(*k))
            .cloned()
            .collect();
    }
    u
}
