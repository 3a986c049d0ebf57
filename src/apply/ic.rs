//! Applying Identity Center changes through the [`IcWrite`] port (`live/ic_write.rs`): names resolved to ids as the run creates them, and the
//! asynchronous operations polled with backoff. Assignments run as a batch of at most
//! [`MAX_ASSIGNMENT_OPS`] outstanding operations (AWS's limit). A permission-set update
//! re-provisions it to each account it is provisioned to, never two provisionings of one
//! account at once (AWS updates one permission-set role per account at a time); a
//! provisioning that meets another one in progress is retried.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::{stream, StreamExt, TryStreamExt};

use super::Resolver;
use crate::live::ic::LiveIc;
pub use crate::live::ic_write::{IcCtx, IcStatus, IcWrite};
use crate::live::LiveError;
use crate::model::desired_ic::{IcPermissionSet, Principal};
use crate::plan::change_ic::{IcOp, PsUpdate};

/// AWS allows at most 10 account-assignment operations in progress per instance.
pub const MAX_ASSIGNMENT_OPS: usize = 10;
/// Accounts provisioned at once by one permission-set update (each account once).
const PROVISION_CONCURRENCY: usize = 4;
const WAIT: Duration = Duration::from_secs(30 * 60);

/// Identity Center ids known during a run: live ones plus what the run creates.
#[derive(Debug, Clone)]
pub(super) struct IcIds {
    pub ctx: IcCtx,
    pub users: BTreeMap<String, String>,
    pub groups: BTreeMap<String, String>,
    pub permission_sets: BTreeMap<String, String>,
}

impl IcIds {
    pub(super) fn of(live: &LiveIc) -> Self {
        IcIds {
            ctx: IcCtx {
                region: live.region.clone(),
                instance_arn: live.instance_arn.clone(),
                identity_store_id: live.identity_store_id.clone(),
            },
            users: live
                .users
                .values()
                .map(|u| (u.user_name.clone(), u.id.clone()))
                .collect(),
            groups: live
                .groups
                .values()
                .map(|g| (g.name.clone(), g.id.clone()))
                .collect(),
            permission_sets: live
                .permission_sets
                .values()
                .map(|p| (p.name.clone(), p.arn.clone()))
                .collect(),
        }
    }

    fn user(&self, n: &str) -> Result<String, String> {
        self.users
            .get(n)
            .cloned()
            .ok_or_else(|| format!("user {n} has no id yet (was its creation skipped?)"))
    }
    fn group(&self, n: &str) -> Result<String, String> {
        self.groups
            .get(n)
            .cloned()
            .ok_or_else(|| format!("group {n} has no id yet (was its creation skipped?)"))
    }
    fn principal(&self, p: &Principal) -> Result<String, String> {
        match p {
            Principal::User(n) => self.user(n),
            Principal::Group(n) => self.group(n),
        }
    }
    fn permission_set(&self, n: &str) -> Result<String, String> {
        self.permission_sets
            .get(n)
            .cloned()
            .ok_or_else(|| format!("permission set {n} has no ARN yet (was its creation skipped?)"))
    }
}

fn code_of(e: &LiveError) -> &str {
    match e {
        LiveError::Service { code, .. } => code,
        _ => "",
    }
}

fn ids(r: &Resolver) -> Result<&IcIds, String> {
    r.ic.as_ref()
        .ok_or_else(|| "Identity Center was not read before this change (internal)".to_string())
}

/// Executes one Identity Center op other than assignments: `(detail, already_converged)`.
pub(super) async fn run<W: IcWrite>(
    op: &IcOp,
    r: &mut Resolver,
    w: &W,
) -> Result<(String, bool), String> {
    let err = |e: LiveError| e.to_string();
    // Only the context is copied: ids are looked up where needed, and the run records what
    // it creates.
    let ctx = ids(r)?.ctx.clone();
    let c = &ctx;
    let out = match op {
        IcOp::CreateUser { user } => match w.ic_create_user(c, user).await {
            Ok(id) => {
                set(r, |i| i.users.insert(user.user_name.clone(), id.clone()));
                (format!("created user {id}"), false)
            }
            Err(e) if code_of(&e) == "ConflictException" => {
                return Err(format!(
                    "{e}\n  fix: a user named {} appeared since the plan was made; run plan again",
                    user.user_name
                ))
            }
            Err(e) => return Err(err(e)),
        },
        IcOp::UpdateUser { id, user } => {
            w.ic_update_user(c, id, user).await.map_err(err)?;
            (format!("updated user {id}"), false)
        }
        IcOp::DeleteUser { id, .. } => {
            w.ic_delete_user(c, id).await.map_err(err)?;
            (format!("deleted user {id}"), false)
        }
        IcOp::CreateGroup { name, description } => {
            let id = w
                .ic_create_group(c, name, description.as_deref())
                .await
                .map_err(err)?;
            set(r, |i| i.groups.insert(name.clone(), id.clone()));
            (format!("created group {id}"), false)
        }
        IcOp::UpdateGroup {
            id, description, ..
        } => {
            w.ic_update_group(c, id, description.as_deref())
                .await
                .map_err(err)?;
            (format!("updated group {id}"), false)
        }
        IcOp::DeleteGroup { id, .. } => {
            w.ic_delete_group(c, id).await.map_err(err)?;
            (format!("deleted group {id}"), false)
        }
        IcOp::AddMember { group, user } => {
            let (g, u) = (ids(r)?.group(group)?, ids(r)?.user(user)?);
            match w.ic_add_member(c, &g, &u).await {
                Ok(()) => (format!("added {u} to {g}"), false),
                Err(e) if code_of(&e) == "ConflictException" => {
                    (format!("{user} was already a member of {group}"), true)
                }
                Err(e) => return Err(err(e)),
            }
        }
        IcOp::RemoveMember { membership_id, .. } => {
            match w.ic_remove_member(c, membership_id).await {
                Ok(()) => (format!("deleted membership {membership_id}"), false),
                Err(e) if code_of(&e) == "ResourceNotFoundException" => {
                    (format!("membership {membership_id} was already gone"), true)
                }
                Err(e) => return Err(err(e)),
            }
        }
        IcOp::CreatePermissionSet { permission_set } => {
            let arn = w
                .ic_create_permission_set(c, permission_set)
                .await
                .map_err(|e| match code_of(&e) {
                    "ConflictException" => format!("{e}\n  fix: a permission set named {} appeared since the plan was made; run plan again", permission_set.name),
                    _ => err(e),
                })?;
            set(r, |i| {
                i.permission_sets
                    .insert(permission_set.name.clone(), arn.clone())
            });
            let update = PsUpdate {
                attach_managed: permission_set.managed_policies.iter().cloned().collect(),
                attach_customer: permission_set
                    .customer_managed_policies
                    .iter()
                    .cloned()
                    .collect(),
                put_inline: permission_set.inline_policy.clone(),
                put_boundary: permission_set.boundary.clone(),
                ..Default::default()
            };
            apply_update(c, &arn, permission_set, &update, false, w).await?;
            (format!("created {arn}"), false)
        }
        IcOp::UpdatePermissionSet {
            arn,
            permission_set,
            update,
            reprovision,
        } => {
            apply_update(c, arn, permission_set, update, update.attributes, w).await?;
            let n = provision_all(c, arn, reprovision, w).await?;
            if n == 0 {
                (format!("updated {arn}"), false)
            } else {
                (
                    format!("updated {arn}; re-provisioned to {n} account(s)"),
                    false,
                )
            }
        }
        IcOp::DeletePermissionSet { arn, .. } => match w.ic_delete_permission_set(c, arn).await {
            Ok(()) => (format!("deleted {arn}"), false),
            Err(e) if code_of(&e) == "ResourceNotFoundException" => {
                (format!("{arn} was already deleted"), true)
            }
            Err(e) => return Err(err(e)),
        },
        IcOp::CreateAssignment { .. } | IcOp::DeleteAssignment { .. } => {
            return Err("internal: assignments run in a batch".into())
        }
    };
    Ok(out)
}

fn set(r: &mut Resolver, f: impl FnOnce(&mut IcIds) -> Option<String>) {
    if let Some(i) = r.ic.as_mut() {
        f(i);
    }
}

/// The calls of a permission-set update, in AWS's order: attributes, policies, boundary,
/// tags (detaching after attaching, so the role is never briefly without a policy).
async fn apply_update<W: IcWrite>(
    c: &IcCtx,
    arn: &str,
    ps: &IcPermissionSet,
    u: &PsUpdate,
    attributes: bool,
    w: &W,
) -> Result<(), String> {
    let err = |e: LiveError| e.to_string();
    if attributes {
        w.ic_update_permission_set(c, arn, ps).await.map_err(err)?;
    }
    for m in &u.attach_managed {
        match w.ic_managed_policy(c, arn, m, true).await {
            Ok(()) => {}
            Err(e) if code_of(&e) == "ConflictException" => {}
            Err(e) => return Err(err(e)),
        }
    }
    for p in &u.attach_customer {
        match w.ic_customer_policy(c, arn, p, true).await {
            Ok(()) => {}
            Err(e) if code_of(&e) == "ConflictException" => {}
            Err(e) => return Err(err(e)),
        }
    }
    if let Some(doc) = &u.put_inline {
        let body = serde_json::to_string(doc).map_err(|e| e.to_string())?;
        w.ic_inline_policy(c, arn, Some(&body)).await.map_err(err)?;
    }
    if let Some(b) = &u.put_boundary {
        w.ic_boundary(c, arn, Some(b)).await.map_err(err)?;
    }
    for m in &u.detach_managed {
        w.ic_managed_policy(c, arn, m, false).await.map_err(err)?;
    }
    for p in &u.detach_customer {
        w.ic_customer_policy(c, arn, p, false).await.map_err(err)?;
    }
    if u.delete_inline {
        w.ic_inline_policy(c, arn, None).await.map_err(err)?;
    }
    if u.delete_boundary {
        w.ic_boundary(c, arn, None).await.map_err(err)?;
    }
    if !u.tag.is_empty() || !u.untag.is_empty() {
        w.ic_tag(c, arn, &u.tag, &u.untag).await.map_err(err)?;
    }
    Ok(())
}

/// Re-provisions `arn` to each account (each once; several accounts at once).
async fn provision_all<W: IcWrite>(
    c: &IcCtx,
    arn: &str,
    accounts: &[String],
    w: &W,
) -> Result<usize, String> {
    let done: Vec<()> = stream::iter(accounts.iter())
        .map(|a| async move { provision_one(c, arn, a, w).await })
        .buffer_unordered(PROVISION_CONCURRENCY)
        .try_collect()
        .await?;
    Ok(done.len())
}

async fn provision_one<W: IcWrite>(
    c: &IcCtx,
    arn: &str,
    account: &str,
    w: &W,
) -> Result<(), String> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(200);
    let status = loop {
        match w.ic_provision(c, arn, account).await {
            Ok(s) => break s,
            // Another provisioning of this account is in progress: AWS updates one
            // permission-set role per account at a time. Wait for it.
            Err(e) if code_of(&e) == "ConflictException" && start.elapsed() < WAIT => {
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_secs(5));
            }
            Err(e) => return Err(format!("provisioning to {account}: {e}")),
        }
    };
    let s = wait(c, status, Req::Provision, w).await?;
    match s.status.as_str() {
        "SUCCEEDED" => Ok(()),
        _ => Err(format!(
            "provisioning to {account} failed: {}",
            s.failure_reason.unwrap_or_else(|| s.status.clone())
        )),
    }
}

/// Which status call polls a request.
#[derive(Debug, Clone, Copy)]
enum Req {
    Provision,
    /// `true`: a creation.
    Assignment(bool),
}

/// Polls an asynchronous request until it is no longer IN_PROGRESS.
async fn wait<W: IcWrite>(c: &IcCtx, mut s: IcStatus, req: Req, w: &W) -> Result<IcStatus, String> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(200);
    while s.status == "IN_PROGRESS" {
        if start.elapsed() > WAIT {
            return Err(format!(
                "request {} still IN_PROGRESS after {} s",
                s.request_id,
                WAIT.as_secs()
            ));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
        s = match req {
            Req::Provision => w.ic_provision_status(c, &s.request_id).await,
            Req::Assignment(create) => w.ic_assignment_status(c, create, &s.request_id).await,
        }
        .map_err(|e| e.to_string())?;
    }
    Ok(s)
}

/// Creates or deletes one assignment and waits for it: `(detail, already_converged)`.
pub(super) async fn assignment<W: IcWrite>(
    op: &IcOp,
    r: &Resolver,
    w: &W,
) -> Result<(String, bool), String> {
    let ic = ids(r)?;
    let c = &ic.ctx;
    let (create, arn, kind, pid, account) = match op {
        IcOp::CreateAssignment {
            permission_set,
            principal,
            account,
        } => (
            true,
            ic.permission_set(permission_set)?,
            principal.kind(),
            ic.principal(principal)?,
            r.account(account)?.to_string(),
        ),
        IcOp::DeleteAssignment {
            permission_set_arn,
            principal,
            principal_id,
            account_id,
            ..
        } => (
            false,
            permission_set_arn.clone(),
            principal.kind(),
            principal_id.clone(),
            account_id.clone(),
        ),
        _ => return Err("internal: not an assignment".into()),
    };
    let started = w
        .ic_assignment(c, create, &arn, kind, &pid, &account)
        .await
        .map_err(|e| e.to_string())?;
    let s = wait(c, started, Req::Assignment(create), w).await?;
    match s.status.as_str() {
        "SUCCEEDED" => Ok((
            format!(
                "{} in {account} (request {})",
                if create { "assigned" } else { "removed" },
                s.request_id
            ),
            false,
        )),
        _ => Err(format!(
            "{} failed: {}",
            if create { "assignment" } else { "removal" },
            s.failure_reason.unwrap_or(s.status)
        )),
    }
}
