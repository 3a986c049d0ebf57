//! Reads IAM Identity Center through sso-admin and identitystore, in the instance's Region:
//! ListInstances (the organization instance, as the management account or the Identity
//! Center delegated administrator sees it); ListUsers and ListGroups (pages of 100);
//! ListGroupMemberships of the groups the file declares; ListPermissionSets, then per
//! permission set DescribePermissionSet and, for those in scope, its managed and
//! customer-managed policies, inline policy, permissions boundary, tags (if declared) and
//! ListAccountsForProvisionedPermissionSet. Assignments are read with ListAccountAssignments
//! per (permission set, provisioned account) — the delegated administrator cannot use
//! ListAccountAssignmentsForPrincipal (management account only) — so the cost scales with
//! provisioned pairs, never with accounts × permission sets. Fan-out is bounded by
//! `Aws::concurrency`.

use std::collections::{BTreeMap, BTreeSet};

use aws_config::Region;
use futures::{stream, StreamExt, TryStreamExt};

use super::{map_sdk_error, Aws};
use crate::live::ic::{IcScope, LiveAssignment, LiveGroup, LiveIc, LivePermissionSet, LiveUser};
use crate::live::LiveError;
use crate::model::desired_ic::{Boundary, PolicyRef};
use crate::model::vocab::Tags;

/// AWS's page maximum for sso-admin and identitystore lists.
const PAGE: i32 = 100;

impl Aws {
    fn ic_region(&self, scope_region: Option<&str>) -> Result<Region, LiveError> {
        Ok(match scope_region {
            Some(r) => Region::new(r.to_string()),
            None => self
                .sdk_config()?
                .region()
                .cloned()
                .unwrap_or_else(|| Region::from_static("us-east-1")),
        })
    }

    pub(crate) fn ssoadmin(
        &self,
        region: Option<&str>,
    ) -> Result<aws_sdk_ssoadmin::Client, LiveError> {
        let region = self.ic_region(region)?;
        service_client!(self, aws_sdk_ssoadmin, Some(region))
    }

    pub(crate) fn identitystore(
        &self,
        region: Option<&str>,
    ) -> Result<aws_sdk_identitystore::Client, LiveError> {
        let region = self.ic_region(region)?;
        service_client!(self, aws_sdk_identitystore, Some(region))
    }

    /// Reads Identity Center as `scope` asks; `management` is the organization's management
    /// account, whose instance is the organization instance.
    pub(crate) async fn read_ic(
        &self,
        scope: &IcScope,
        management: &str,
    ) -> Result<LiveIc, LiveError> {
        let region = self.ic_region(scope.region.as_deref())?.to_string();
        let sso = self.ssoadmin(Some(&region))?;
        let ids = self.identitystore(Some(&region))?;
        let mut instance = None;
        let mut pages = sso
            .list_instances()
            .max_results(PAGE)
            .into_paginator()
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("sso:ListInstances", e))?;
            for i in p.instances() {
                let org = i.owner_account_id().is_none_or(|o| o == management);
                if let (true, None, Some(arn), Some(store)) =
                    (org, &instance, i.instance_arn(), i.identity_store_id())
                {
                    instance = Some((arn.to_string(), store.to_string()));
                }
            }
        }
        let Some((instance_arn, store)) = instance else {
            return Err(LiveError::NoIdentityCenter { region });
        };
        let mut ic = LiveIc {
            instance_arn: instance_arn.clone(),
            identity_store_id: store.clone(),
            region,
            ..Default::default()
        };
        // Three independent chains at once: users; groups then their memberships; permission
        // sets then their assignments. identitystore and sso have a quota each (~20 requests/s):
        // one after the other, sso would idle while identitystore is read.
        let (mut users, mut groups, mut sets) =
            (LiveIc::default(), LiveIc::default(), LiveIc::default());
        futures::try_join!(
            self.read_users(&ids, &store, &mut users),
            self.read_groups(&ids, &store, scope, &mut groups),
            self.read_permission_sets(&sso, &instance_arn, scope, &mut sets),
        )?;
        ic.users = users.users;
        ic.groups = groups.groups;
        ic.permission_sets = sets.permission_sets;
        ic.assignments = sets.assignments;
        Ok(ic)
    }

    async fn read_users(
        &self,
        ids: &aws_sdk_identitystore::Client,
        store: &str,
        ic: &mut LiveIc,
    ) -> Result<(), LiveError> {
        let mut pages = ids
            .list_users()
            .identity_store_id(store)
            .max_results(PAGE)
            .into_paginator()
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("identitystore:ListUsers", e))?;
            for u in p.users() {
                let Some(name) = u.user_name() else { continue };
                let email = u
                    .emails()
                    .iter()
                    .find(|e| e.primary())
                    .or_else(|| u.emails().first())
                    .and_then(|e| e.value())
                    .map(str::to_string);
                ic.users.insert(
                    name.to_string(),
                    LiveUser {
                        id: u.user_id().to_string(),
                        user_name: name.to_string(),
                        display_name: u.display_name().unwrap_or_default().to_string(),
                        given_name: u
                            .name()
                            .and_then(|n| n.given_name())
                            .unwrap_or_default()
                            .to_string(),
                        family_name: u
                            .name()
                            .and_then(|n| n.family_name())
                            .unwrap_or_default()
                            .to_string(),
                        email,
                        external: !u.external_ids().is_empty(),
                    },
                );
            }
        }
        Ok(())
    }

    async fn read_groups(
        &self,
        ids: &aws_sdk_identitystore::Client,
        store: &str,
        scope: &IcScope,
        ic: &mut LiveIc,
    ) -> Result<(), LiveError> {
        let mut pages = ids
            .list_groups()
            .identity_store_id(store)
            .max_results(PAGE)
            .into_paginator()
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("identitystore:ListGroups", e))?;
            for g in p.groups() {
                let Some(name) = g.display_name() else {
                    continue;
                };
                ic.groups.insert(
                    name.to_string(),
                    LiveGroup {
                        id: g.group_id().to_string(),
                        name: name.to_string(),
                        description: g.description().map(str::to_string),
                        members: None,
                        external: !g.external_ids().is_empty(),
                    },
                );
            }
        }
        let wanted: Vec<(String, String)> = ic
            .groups
            .values()
            .filter(|g| scope.everything || scope.member_groups.contains(&g.name))
            .map(|g| (g.name.clone(), g.id.clone()))
            .collect();
        let members: Vec<(String, BTreeMap<String, String>)> = stream::iter(wanted)
            .map(|(name, id)| async move {
                let mut m = BTreeMap::new();
                let mut pages = ids
                    .list_group_memberships()
                    .identity_store_id(store)
                    .group_id(&id)
                    .max_results(PAGE)
                    .into_paginator()
                    .send();
                while let Some(p) = pages.next().await {
                    let p =
                        p.map_err(|e| map_sdk_error("identitystore:ListGroupMemberships", e))?;
                    for gm in p.group_memberships() {
                        if let Some(user) = gm.member_id().and_then(|x| x.as_user_id().ok()) {
                            m.insert(user.clone(), gm.membership_id().to_string());
                        }
                    }
                }
                Ok::<_, LiveError>((name, m))
            })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        for (name, m) in members {
            if let Some(g) = ic.groups.get_mut(&name) {
                g.members = Some(m);
            }
        }
        Ok(())
    }

    async fn read_permission_sets(
        &self,
        sso: &aws_sdk_ssoadmin::Client,
        instance: &str,
        scope: &IcScope,
        ic: &mut LiveIc,
    ) -> Result<(), LiveError> {
        let mut arns = Vec::new();
        let mut pages = sso
            .list_permission_sets()
            .instance_arn(instance)
            .max_results(PAGE)
            .into_paginator()
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("sso:ListPermissionSets", e))?;
            arns.extend(p.permission_sets().iter().cloned());
        }
        // Each permission set's assignments are listed as soon as its provisioned accounts
        // are known (no barrier after the descriptions of all of them).
        let sets: Vec<(LivePermissionSet, Vec<LiveAssignment>)> = stream::iter(arns)
            .map(|arn| async move {
                let p = self.permission_set(sso, instance, &arn, scope).await?;
                let in_scope = scope.everything
                    || scope.all_permission_sets
                    || scope.permission_sets.contains(&p.name);
                let assignments = if in_scope {
                    self.assignments_of(sso, instance, &p).await?
                } else {
                    Vec::new()
                };
                Ok::<_, LiveError>((p, assignments))
            })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        for (p, assignments) in sets {
            ic.assignments.extend(assignments);
            ic.permission_sets.insert(p.name.clone(), p);
        }
        Ok(())
    }

    /// The assignments of permission set `p` in each account it is provisioned to.
    async fn assignments_of(
        &self,
        sso: &aws_sdk_ssoadmin::Client,
        instance: &str,
        p: &LivePermissionSet,
    ) -> Result<Vec<LiveAssignment>, LiveError> {
        let arn = p.arn.as_str();
        let lists: Vec<Vec<LiveAssignment>> = stream::iter(p.provisioned.iter())
            .map(|account| async move {
                let mut out = Vec::new();
                let mut pages = sso
                    .list_account_assignments()
                    .instance_arn(instance)
                    .permission_set_arn(arn)
                    .account_id(account)
                    .max_results(PAGE)
                    .into_paginator()
                    .send();
                while let Some(page) = pages.next().await {
                    let page = page.map_err(|e| map_sdk_error("sso:ListAccountAssignments", e))?;
                    for a in page.account_assignments() {
                        out.push(LiveAssignment {
                            permission_set_arn: arn.to_string(),
                            principal_type: a
                                .principal_type()
                                .map(|t| t.as_str().to_string())
                                .unwrap_or_default(),
                            principal_id: a.principal_id().unwrap_or_default().to_string(),
                            account_id: account.clone(),
                        });
                    }
                }
                Ok::<_, LiveError>(out)
            })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        Ok(lists.into_iter().flatten().collect())
    }

    /// One permission set: its attributes always; policies, boundary, tags and provisioned
    /// accounts when it is in scope.
    async fn permission_set(
        &self,
        sso: &aws_sdk_ssoadmin::Client,
        instance: &str,
        arn: &str,
        scope: &IcScope,
    ) -> Result<LivePermissionSet, LiveError> {
        let d = sso
            .describe_permission_set()
            .instance_arn(instance)
            .permission_set_arn(arn)
            .send()
            .await
            .map_err(|e| map_sdk_error("sso:DescribePermissionSet", e))?;
        let ps = d.permission_set();
        let name = ps.and_then(|p| p.name()).unwrap_or_default().to_string();
        let mut out = LivePermissionSet {
            arn: arn.to_string(),
            name: name.clone(),
            description: ps.and_then(|p| p.description()).map(str::to_string),
            session_duration: ps
                .and_then(|p| p.session_duration())
                .unwrap_or("PT1H")
                .to_string(),
            relay_state: ps.and_then(|p| p.relay_state()).map(str::to_string),
            managed_policies: BTreeSet::new(),
            customer_managed_policies: BTreeSet::new(),
            inline_policy: None,
            boundary: None,
            tags: None,
            provisioned: BTreeSet::new(),
        };
        if !(scope.everything || scope.all_permission_sets || scope.permission_sets.contains(&name))
        {
            return Ok(out);
        }
        attached_policies(sso, instance, arn, &mut out).await?;
        if scope.everything || scope.tag_permission_sets.contains(&name) {
            let mut tags = Tags::new();
            let mut pages = sso
                .list_tags_for_resource()
                .instance_arn(instance)
                .resource_arn(arn)
                .into_paginator()
                .send();
            while let Some(p) = pages.next().await {
                let p = p.map_err(|e| map_sdk_error("sso:ListTagsForResource", e))?;
                for t in p.tags() {
                    tags.insert(t.key().to_string(), t.value().to_string());
                }
            }
            out.tags = Some(tags);
        }
        let mut pages = sso
            .list_accounts_for_provisioned_permission_set()
            .instance_arn(instance)
            .permission_set_arn(arn)
            .max_results(PAGE)
            .into_paginator()
            .send();
        while let Some(p) = pages.next().await {
            let p =
                p.map_err(|e| map_sdk_error("sso:ListAccountsForProvisionedPermissionSet", e))?;
            out.provisioned.extend(p.account_ids().iter().cloned());
        }
        Ok(out)
    }
}

/// A permission set's policies: AWS-managed, customer-managed references, the inline
/// policy and the permissions boundary.
async fn attached_policies(
    sso: &aws_sdk_ssoadmin::Client,
    instance: &str,
    arn: &str,
    out: &mut LivePermissionSet,
) -> Result<(), LiveError> {
    let mut pages = sso
        .list_managed_policies_in_permission_set()
        .instance_arn(instance)
        .permission_set_arn(arn)
        .max_results(PAGE)
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(|e| map_sdk_error("sso:ListManagedPoliciesInPermissionSet", e))?;
        for m in p.attached_managed_policies() {
            if let Some(a) = m.arn() {
                out.managed_policies.insert(a.to_string());
            }
        }
    }
    let mut pages = sso
        .list_customer_managed_policy_references_in_permission_set()
        .instance_arn(instance)
        .permission_set_arn(arn)
        .max_results(PAGE)
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(|e| {
            map_sdk_error("sso:ListCustomerManagedPolicyReferencesInPermissionSet", e)
        })?;
        for r in p.customer_managed_policy_references() {
            out.customer_managed_policies.insert(PolicyRef {
                name: r.name().to_string(),
                path: r.path().unwrap_or("/").to_string(),
            });
        }
    }
    let inline = sso
        .get_inline_policy_for_permission_set()
        .instance_arn(instance)
        .permission_set_arn(arn)
        .send()
        .await
        .map_err(|e| map_sdk_error("sso:GetInlinePolicyForPermissionSet", e))?;
    out.inline_policy = inline
        .inline_policy()
        .filter(|s| !s.trim().is_empty())
        .map(str::to_string);
    out.boundary = match sso
        .get_permissions_boundary_for_permission_set()
        .instance_arn(instance)
        .permission_set_arn(arn)
        .send()
        .await
    {
        Ok(b) => b.permissions_boundary().and_then(|b| {
            b.managed_policy_arn()
                .map(|a| Boundary::Managed(a.to_string()))
                .or_else(|| {
                    b.customer_managed_policy_reference().map(|r| {
                        Boundary::Customer(PolicyRef {
                            name: r.name().to_string(),
                            path: r.path().unwrap_or("/").to_string(),
                        })
                    })
                })
        }),
        Err(e) => match map_sdk_error("sso:GetPermissionsBoundaryForPermissionSet", e) {
            LiveError::Service { code, .. } if code == "ResourceNotFoundException" => None,
            other => return Err(other),
        },
    };
    Ok(())
}
