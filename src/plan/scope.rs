//! What a plan needs read: the parts of the live organization a desired state refers to
//! (tags of the OUs, accounts and policies it tags, the policy types it uses, the Regions of
//! regionally delegated services, Identity Center). Planning knowledge, kept out of `live/`,
//! which only carries out the scope it is given.

use crate::catalog::{self, AdminScope};
use crate::live::ic::IcScope;
use crate::live::ReadScope;
use crate::model::desired::{Desired, Unmanaged};

/// Everything readable, for `orgctl import`: the tags of every OU, account, policy and
/// permission set, the policies of every enabled type, every group's members, the
/// regional admins of every per-Region service in `regions`, Identity Center in
/// `identity_center_region` (or the configured Region).
pub fn everything(
    regions: &[String],
    identity_center_region: Option<String>,
    resource_tags: bool,
) -> ReadScope {
    let mut s = ReadScope {
        everything: true,
        skip_resource_tags: !resource_tags,
        enabled_policy_types: true,
        ..ReadScope::default()
    };
    for n in catalog::native::NATIVE
        .iter()
        .filter(|n| n.scope == AdminScope::PerRegion)
    {
        if let Some(service) = n.id.service() {
            s.service_regions.insert(
                service.principal.to_string(),
                regions.iter().cloned().collect(),
            );
        }
    }
    s.identity_center = Some(IcScope {
        region: identity_center_region,
        everything: true,
        all_permission_sets: true,
        ..IcScope::default()
    });
    s
}

/// The scope a desired state needs.
pub fn read_scope(d: &Desired) -> ReadScope {
    let mut s = ReadScope::default();
    for (path, ou) in &d.ous {
        if ou.tags.is_some() {
            s.tag_ou_paths.insert(path.clone());
        }
    }
    if let Some(p) = &d.policies {
        s.policy_types = p.values().map(|x| x.policy_type.clone()).collect();
        s.enabled_policy_types = true;
        s.tag_policy_names = p
            .values()
            .filter(|x| x.tags.is_some())
            .map(|x| x.name.clone())
            .collect();
    }
    for del in d.delegations.values() {
        if del
            .service_id
            .and_then(catalog::native)
            .is_some_and(|n| n.scope == AdminScope::PerRegion)
        {
            s.service_regions
                .insert(del.principal.clone(), del.regions.iter().cloned().collect());
        }
    }
    if let Some(ic) = &d.identity_center {
        s.identity_center = Some(IcScope {
            region: d.identity_center_region.clone(),
            member_groups: ic
                .groups
                .values()
                .filter(|g| g.members.is_some())
                .map(|g| g.name.clone())
                .collect(),
            tag_permission_sets: ic
                .permission_sets
                .values()
                .filter(|p| p.tags.is_some())
                .map(|p| p.name.clone())
                .collect(),
            all_permission_sets: d.unmanaged == Unmanaged::Prune,
            permission_sets: ic.permission_sets.keys().cloned().collect(),
            everything: false,
        });
    }
    for a in d.accounts.values().filter(|a| a.tags.is_some()) {
        match (&a.id, &a.email) {
            (Some(id), _) => {
                s.tag_account_ids.insert(id.clone());
            }
            (None, Some(e)) => {
                s.tag_account_emails.insert(e.to_lowercase());
            }
            (None, None) => {}
        }
    }
    s
}
