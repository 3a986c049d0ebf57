//! Reads the organization through the Organizations API, pipelined: the calls that need only
//! the organization (DescribeOrganization, ListRoots, trusted access, delegated
//! administrators, the delegation policy) at once; then the OU tree, the policies, the
//! Regions' administrators and Identity Center together; the tree without a barrier per level
//! (`ListOrganizationalUnitsForParent` + `ListAccountsForParent` per parent, started as soon as
//! the parent's id arrives, so each account's parent comes with it and no per-account
//! `ListParents` is needed), each OU's and account's tags (when in scope) read as soon as its
//! page has arrived, beside the tree rather than after it. Every List call pages to
//! the end with pages of at most 20 items (empty pages with a NextToken included); fan-out is
//! bounded by `Aws::concurrency`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use aws_sdk_organizations::types::CreateAccountState;
use futures::stream::FuturesUnordered;
use futures::{stream, StreamExt, TryStreamExt};

use super::{map_sdk_error, Aws};
use crate::live::{
    Caller, CreateRequest, LiveAccount, LiveError, LiveOu, LiveRead, LiveState, OrgInfo, ReadScope,
};
use crate::model::vocab::{AccountId, Tags};

/// A parent id, its depth, its child OUs `(id, name)` and its accounts.
type ParentRead = (String, usize, Vec<(String, String)>, Vec<LiveAccount>);

/// AWS caps Organizations list pages at 20 items.
pub const PAGE_SIZE: i32 = 20;

impl LiveRead for Aws {
    async fn caller(&self) -> Result<Caller, LiveError> {
        // Asked once per run (the lock, the plan and the read need it); callers at the same
        // moment share the one call.
        self.caller_account
            .get_or_try_init(|| async {
                let out = self
                    .sts
                    .get_caller_identity()
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("GetCallerIdentity", e))?;
                Ok::<_, LiveError>(Caller {
                    account_id: out.account().unwrap_or_default().to_string(),
                    arn: out.arn().unwrap_or_default().to_string(),
                })
            })
            .await
            .cloned()
    }

    async fn read(&self, scope: &ReadScope) -> Result<LiveState, LiveError> {
        // Three chains at once, each call started as soon as what it needs has arrived:
        // ListRoots → the tree and the policies of the enabled types; DescribeOrganization →
        // the Regions' admins (management account only) and Identity Center; and the calls
        // that need nothing (trusted access, delegated administrators, the delegation policy).
        // Tags of the OUs and accounts in scope, read as the tree names them (ids sent here
        // by the tree; the channel ends with it).
        let (tag_ids, wanted) = futures::channel::mpsc::unbounded::<String>();
        let tag_reads = wanted
            .map(|id| async move { self.tags(&id).await.map(|t| (id, t)) })
            .buffer_unordered(2 * self.concurrency.max(1))
            .try_collect::<Vec<(String, Tags)>>();
        let root_chain = async {
            let (root_id, root_types) = self.root().await?;
            let mut types = scope.policy_types.clone();
            if scope.enabled_policy_types || scope.everything {
                types.extend(
                    root_types
                        .iter()
                        .filter(|(_, s)| s.as_str() == "ENABLED")
                        .map(|(t, _)| t.clone()),
                );
            }
            let (tree, policies) = tokio::join!(
                self.read_tree(&root_id, scope, tag_ids),
                self.read_policies(&types, scope)
            );
            Ok::<_, LiveError>((root_id, root_types, tree?, policies?))
        };
        let org_chain = async {
            let organization = self.describe_org().await?;
            let mgmt = organization.management_account_id.clone();
            // AWS lets only the management account list the Regions' admins (GuardDuty,
            // Security Hub, Detective say so; Inspector and Macie are treated alike).
            let is_management =
                scope.service_regions.is_empty() || self.caller().await?.account_id == mgmt;
            let (admins, ic) = tokio::join!(
                self.read_service_admins(scope, is_management),
                self.read_ic_scoped(scope, &mgmt)
            );
            Ok::<_, LiveError>((organization, is_management, admins?, ic?))
        };
        let (org, root, trusted, admins, policy, tags) = tokio::join!(
            org_chain,
            root_chain,
            self.trusted_access(),
            self.delegated_admins(),
            self.delegation_policy(),
            tag_reads
        );
        // DescribeOrganization's error, if any, wins: it is the clearest (not in an
        // organization, access denied).
        let (organization, is_management, service_admins, ic) = org?;
        let (root_id, root_policy_types, (ous, accounts), policies) = root?;
        let mut st = LiveState {
            organization,
            root_id,
            root_policy_types,
            ous,
            accounts,
            trusted_access: trusted?,
            delegated_admins: admins?,
            delegation_policy: policy?,
            service_admins,
            service_admins_unreadable: !is_management,
            ..Default::default()
        };
        st.compute_paths();
        for p in policies {
            if let Some(t) = &p.tags {
                st.tags.insert(p.id.clone(), t.clone());
            }
            st.policies.insert(p.id.clone(), p);
        }
        match ic {
            Some(Ok(x)) => st.identity_center = Some(x),
            Some(Err(why)) => st.identity_center_unreadable = Some(why),
            None => {}
        }
        st.tags.extend(tags?);
        // The tree sent exactly these; should one have been missed, it is read now.
        let missing: Vec<String> = scope
            .resource_ids(&st)
            .into_iter()
            .filter(|id| !st.tags.contains_key(id))
            .collect();
        let late: Vec<(String, Tags)> = stream::iter(missing)
            .map(|id| async move { self.tags(&id).await.map(|t| (id, t)) })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        st.tags.extend(late);
        Ok(st)
    }

    async fn create_requests_in_progress(&self) -> Result<Vec<CreateRequest>, LiveError> {
        let pages: Vec<_> = self
            .org
            .list_create_account_status()
            .states(CreateAccountState::InProgress)
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send()
            .collect::<Vec<_>>()
            .await;
        let mut out = Vec::new();
        for p in pages {
            let p = p.map_err(|e| map_sdk_error("ListCreateAccountStatus", e))?;
            for s in p.create_account_statuses() {
                out.push(create_request(s));
            }
        }
        Ok(out)
    }
}

/// Converts an SDK `CreateAccountStatus`.
pub(crate) fn create_request(
    s: &aws_sdk_organizations::types::CreateAccountStatus,
) -> CreateRequest {
    CreateRequest {
        id: s.id().unwrap_or_default().to_string(),
        account_name: s.account_name().unwrap_or_default().to_string(),
        state: s
            .state()
            .map(|x| x.as_str().to_string())
            .unwrap_or_default(),
        account_id: s.account_id().map(str::to_string),
        failure_reason: s.failure_reason().map(|x| x.as_str().to_string()),
    }
}

impl Aws {
    async fn describe_org(&self) -> Result<OrgInfo, LiveError> {
        let out = self
            .org
            .describe_organization()
            .send()
            .await
            .map_err(|e| map_sdk_error("DescribeOrganization", e))?;
        let o = out.organization().ok_or_else(|| {
            LiveError::Inconsistent("DescribeOrganization returned no organization".into())
        })?;
        Ok(OrgInfo {
            id: o.id().unwrap_or_default().to_string(),
            arn: o.arn().unwrap_or_default().to_string(),
            management_account_id: o.master_account_id().unwrap_or_default().to_string(),
            feature_set: o
                .feature_set()
                .map(|f| f.as_str().to_string())
                .unwrap_or_default(),
        })
    }

    /// The root's id and its policy types with their status (ListRoots has both).
    pub(super) async fn root(
        &self,
    ) -> Result<(String, std::collections::BTreeMap<String, String>), LiveError> {
        let mut pages = self
            .org
            .list_roots()
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("ListRoots", e))?;
            if let Some(r) = p.roots().first() {
                let types = r
                    .policy_types()
                    .iter()
                    .filter_map(|t| {
                        Some((
                            t.r#type()?.as_str().to_string(),
                            t.status()?.as_str().to_string(),
                        ))
                    })
                    .collect();
                return Ok((r.id().unwrap_or_default().to_string(), types));
            }
        }
        Err(LiveError::Inconsistent("ListRoots returned no root".into()))
    }

    /// The policies of `types` (their tags too when the scope asks).
    async fn read_policies(
        &self,
        types: &BTreeSet<String>,
        scope: &ReadScope,
    ) -> Result<Vec<crate::live::LivePolicy>, LiveError> {
        let per_type: Vec<Vec<crate::live::LivePolicy>> = stream::iter(types.iter())
            .map(|ty| self.policies_of_type(ty))
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        stream::iter(per_type.into_iter().flatten())
            .map(|mut p| async move {
                if (scope.everything && !p.aws_managed) || scope.tag_policy_names.contains(&p.name)
                {
                    p.tags = Some(self.tags(&p.id).await?);
                }
                Ok::<_, LiveError>(p)
            })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await
    }

    /// The Regions' service-side administrators the scope names (none unless the caller is
    /// the management account).
    async fn read_service_admins(
        &self,
        scope: &ReadScope,
        is_management: bool,
    ) -> Result<BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>, LiveError> {
        let pairs: Vec<(String, String)> = scope
            .service_regions
            .iter()
            .flat_map(|(p, rs)| rs.iter().map(move |r| (p.clone(), r.clone())))
            .filter(|_| is_management)
            .collect();
        let admins: Vec<(String, String, BTreeMap<String, String>)> = stream::iter(pairs)
            .map(|(p, r)| async move {
                let native =
                    crate::catalog::lookup(&p).and_then(|s| crate::catalog::native(s.service.id));
                let m = match native {
                    Some(n) => super::delegation::regional(n.id)?.list(self, &r).await?,
                    None => Default::default(),
                };
                Ok::<_, LiveError>((p, r, m))
            })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        let mut out: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>> = BTreeMap::new();
        for (p, r, m) in admins {
            out.entry(p).or_default().insert(r, m);
        }
        Ok(out)
    }

    /// Identity Center when the scope asks: `Some(Err(why))` when no instance is visible.
    async fn read_ic_scoped(
        &self,
        scope: &ReadScope,
        mgmt: &str,
    ) -> Result<Option<Result<crate::live::ic::LiveIc, String>>, LiveError> {
        let Some(ic) = &scope.identity_center else {
            return Ok(None);
        };
        match self.read_ic(ic, mgmt).await {
            Ok(x) => Ok(Some(Ok(x))),
            Err(e @ LiveError::NoIdentityCenter { .. }) => Ok(Some(Err(e.to_string()))),
            Err(e) => Err(e),
        }
    }

    /// Policies of one type: ListPolicies, then DescribePolicy (content) and
    /// ListTargetsForPolicy for each, concurrently.
    async fn policies_of_type(&self, ty: &str) -> Result<Vec<crate::live::LivePolicy>, LiveError> {
        use aws_sdk_organizations::types::PolicyType;
        let mut summaries = Vec::new();
        let mut pages = self
            .org
            .list_policies()
            .filter(PolicyType::from(ty))
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("ListPolicies", e))?;
            summaries.extend(p.policies().iter().cloned());
        }
        stream::iter(summaries)
            .map(|s| async move {
                let id = s.id().unwrap_or_default().to_string();
                let (content, targets) =
                    tokio::try_join!(self.policy_content(&id), self.policy_targets(&id))?;
                Ok::<_, LiveError>(crate::live::LivePolicy {
                    id,
                    name: s.name().unwrap_or_default().to_string(),
                    policy_type: ty.to_string(),
                    description: s.description().unwrap_or_default().to_string(),
                    aws_managed: s.aws_managed(),
                    content,
                    targets,
                    tags: None,
                })
            })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await
    }

    async fn policy_content(&self, id: &str) -> Result<String, LiveError> {
        let out = self
            .org
            .describe_policy()
            .policy_id(id)
            .send()
            .await
            .map_err(|e| map_sdk_error("DescribePolicy", e))?;
        Ok(out
            .policy()
            .and_then(|p| p.content())
            .unwrap_or_default()
            .to_string())
    }

    async fn policy_targets(&self, id: &str) -> Result<BTreeSet<String>, LiveError> {
        let mut out = BTreeSet::new();
        let mut pages = self
            .org
            .list_targets_for_policy()
            .policy_id(id)
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("ListTargetsForPolicy", e))?;
            out.extend(
                p.targets()
                    .iter()
                    .filter_map(|t| t.target_id().map(str::to_string)),
            );
        }
        Ok(out)
    }

    /// The OU tree, pipelined: a parent's child OUs are queued as soon as they arrive (no
    /// barrier per level), at most `concurrency` parents in flight (each reads its OUs and its
    /// accounts at once). AWS allows 5 levels below the root; more than 16 is refused as a loop.
    async fn read_tree(
        &self,
        root: &str,
        scope: &ReadScope,
        tag_ids: futures::channel::mpsc::UnboundedSender<String>,
    ) -> Result<(BTreeMap<String, LiveOu>, BTreeMap<AccountId, LiveAccount>), LiveError> {
        // Paths as the tree goes (a parent is read before its children), for the tag scope.
        let mut paths: BTreeMap<String, String> = BTreeMap::new();
        let mut ous = BTreeMap::new();
        let mut accounts = BTreeMap::new();
        let mut queue: VecDeque<(String, usize)> = VecDeque::from([(root.to_string(), 0)]);
        let mut in_flight = FuturesUnordered::new();
        loop {
            while in_flight.len() < self.concurrency {
                let Some((pid, depth)) = queue.pop_front() else {
                    break;
                };
                if depth > 16 {
                    return Err(LiveError::Inconsistent(
                        "the OU tree is more than 16 levels deep (a loop?)".into(),
                    ));
                }
                in_flight.push(async move {
                    let (children, accts) =
                        tokio::try_join!(self.child_ous(&pid), self.child_accounts(&pid))?;
                    Ok::<ParentRead, LiveError>((pid, depth, children, accts))
                });
            }
            let Some(done) = in_flight.next().await else {
                break;
            };
            let (pid, depth, children, accts) = done?;
            for (id, name) in children {
                let path = match paths.get(&pid) {
                    Some(parent) => format!("{parent}/{name}"),
                    None => name.clone(),
                };
                if scope.wants_ou_tags(&path) {
                    // The receiver ends only when this function has returned.
                    let _ = tag_ids.unbounded_send(id.clone());
                }
                paths.insert(id.clone(), path);
                queue.push_back((id.clone(), depth + 1));
                ous.insert(
                    id.clone(),
                    LiveOu {
                        id,
                        name,
                        parent_id: pid.clone(),
                        path: String::new(),
                    },
                );
            }
            for a in accts {
                if scope.wants_account_tags(&a) {
                    let _ = tag_ids.unbounded_send(a.id.to_string());
                }
                accounts.insert(a.id.clone(), a);
            }
        }
        Ok((ous, accounts))
    }

    async fn child_ous(&self, parent: &str) -> Result<Vec<(String, String)>, LiveError> {
        let mut out = Vec::new();
        let mut pages = self
            .org
            .list_organizational_units_for_parent()
            .parent_id(parent)
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("ListOrganizationalUnitsForParent", e))?;
            for ou in p.organizational_units() {
                out.push((
                    ou.id().unwrap_or_default().to_string(),
                    ou.name().unwrap_or_default().to_string(),
                ));
            }
        }
        Ok(out)
    }

    async fn child_accounts(&self, parent: &str) -> Result<Vec<LiveAccount>, LiveError> {
        let mut out = Vec::new();
        let mut pages = self
            .org
            .list_accounts_for_parent()
            .parent_id(parent)
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("ListAccountsForParent", e))?;
            for a in p.accounts() {
                let Some(id) = a.id().and_then(AccountId::parse) else {
                    continue;
                };
                #[allow(deprecated)]
                let status = a
                    .state()
                    .map(|s| s.as_str().to_string())
                    .or_else(|| a.status().map(|s| s.as_str().to_string()))
                    .unwrap_or_default();
                out.push(LiveAccount {
                    id,
                    name: a.name().unwrap_or_default().to_string(),
                    email: a.email().unwrap_or_default().to_string(),
                    status,
                    parent_id: parent.to_string(),
                });
            }
        }
        Ok(out)
    }

    async fn trusted_access(&self) -> Result<BTreeSet<String>, LiveError> {
        let mut out = BTreeSet::new();
        let mut pages = self
            .org
            .list_aws_service_access_for_organization()
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("ListAWSServiceAccessForOrganization", e))?;
            out.extend(
                p.enabled_service_principals()
                    .iter()
                    .filter_map(|s| s.service_principal().map(str::to_string)),
            );
        }
        Ok(out)
    }

    /// Delegated administrators by service principal: one ListDelegatedAdministrators, then
    /// one ListDelegatedServicesForAccount per admin account.
    async fn delegated_admins(&self) -> Result<BTreeMap<String, BTreeSet<AccountId>>, LiveError> {
        let mut out: BTreeMap<String, BTreeSet<AccountId>> = BTreeMap::new();
        let mut admins = Vec::new();
        let mut pages = self
            .org
            .list_delegated_administrators()
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("ListDelegatedAdministrators", e))?;
            admins.extend(
                p.delegated_administrators()
                    .iter()
                    .filter_map(|a| a.id().and_then(AccountId::parse)),
            );
        }
        let per_account: Vec<(AccountId, Vec<String>)> = stream::iter(admins)
            .map(|id| async move { self.delegated_services(&id).await.map(|s| (id, s)) })
            .buffer_unordered(self.concurrency)
            .try_collect()
            .await?;
        for (id, services) in per_account {
            for s in services {
                out.entry(s).or_default().insert(id.clone());
            }
        }
        Ok(out)
    }

    async fn delegated_services(&self, id: &AccountId) -> Result<Vec<String>, LiveError> {
        let mut out = Vec::new();
        let mut pages = self
            .org
            .list_delegated_services_for_account()
            .account_id(id.as_str())
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("ListDelegatedServicesForAccount", e))?;
            out.extend(
                p.delegated_services()
                    .iter()
                    .filter_map(|s| s.service_principal().map(str::to_string)),
            );
        }
        Ok(out)
    }

    /// `DescribeResourcePolicy`; `ResourcePolicyNotFoundException` means there is none.
    async fn delegation_policy(&self) -> Result<Option<String>, LiveError> {
        match self.org.describe_resource_policy().send().await {
            Ok(out) => Ok(out
                .resource_policy()
                .and_then(|p| p.content())
                .map(str::to_string)),
            Err(e) => match map_sdk_error("DescribeResourcePolicy", e) {
                LiveError::Service { code, .. } if code == "ResourcePolicyNotFoundException" => {
                    Ok(None)
                }
                other => Err(other),
            },
        }
    }

    pub(super) async fn tags(&self, resource: &str) -> Result<Tags, LiveError> {
        let mut out = Tags::new();
        let mut pages = self
            .org
            .list_tags_for_resource()
            .resource_id(resource)
            .into_paginator()
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("ListTagsForResource", e))?;
            for t in p.tags() {
                out.insert(t.key().to_string(), t.value().to_string());
            }
        }
        Ok(out)
    }
}
