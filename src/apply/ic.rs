//! Applying Identity Center changes through the [`IcWrite`] port (`live/ic_write.rs`): names resolved to ids as the run creates them, and the
//! asynchronous operations polled with backoff. Assignments run as a batch of at most
//! [`MAX_ASSIGNMENT_OPS`] outstanding operations (AWS's limit). A permission-set update
//! re-provisions it to each account it is provisioned to, never two provisionings of one
//! account at once (AWS updates one permission-set role per account at a time); a
//! provisioning that meets another one in progress is retried.

use std::collections::BTreeMap;

use futures::{stream, StreamExt, TryStreamExt};

use super::delegation::SETTLE;
use super::error::{Applied, ApplyError, PollErrorExt, StepResult};
use super::Resolver;
use crate::live::ic::LiveIc;
pub use crate::live::ic_write::{IcCtx, IcStatus, IcWrite};
use crate::live::ErrorKind;
use crate::model::desired_ic::{IcPermissionSet, Principal};
use crate::model::vocab::AccountId;
use crate::plan::change_ic::{IcOp, PsUpdate};
use crate::poll::{self, Look, PollPolicy};

/// AWS allows at most 10 account-assignment operations in progress per instance.
pub const MAX_ASSIGNMENT_OPS: usize = 10;
/// Accounts provisioned at once by one permission-set update (each account once).
const PROVISION_CONCURRENCY: usize = 4;

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

    fn user(&self, n: &str) -> Result<String, ApplyError> {
        self.users.get(n).cloned().ok_or_else(|| {
            ApplyError::Unresolved(format!(
                "user {n} has no id yet (was its creation skipped?)"
            ))
        })
    }
    fn group(&self, n: &str) -> Result<String, ApplyError> {
        self.groups.get(n).cloned().ok_or_else(|| {
            ApplyError::Unresolved(format!(
                "group {n} has no id yet (was its creation skipped?)"
            ))
        })
    }
    fn principal(&self, p: &Principal) -> Result<String, ApplyError> {
        match p {
            Principal::User(n) => self.user(n),
            Principal::Group(n) => self.group(n),
        }
    }
    fn permission_set(&self, n: &str) -> Result<String, ApplyError> {
        self.permission_sets.get(n).cloned().ok_or_else(|| {
            ApplyError::Unresolved(format!(
                "permission set {n} has no ARN yet (was its creation skipped?)"
            ))
        })
    }
}

fn ids(r: &Resolver) -> Result<&IcIds, ApplyError> {
    r.ic.as_ref().ok_or(ApplyError::Internal(
        "Identity Center was not read before this change",
    ))
}

/// Executes one Identity Center op other than assignments.
pub(super) async fn run<W: IcWrite>(
    op: &IcOp,
    r: &mut Resolver,
    w: &W,
    poll: PollPolicy,
) -> StepResult {
    // Only the context is copied: ids are looked up where needed, and the run records what
    // it creates.
    let ctx = ids(r)?.ctx.clone();
    match op {
        IcOp::CreatePermissionSet { .. }
        | IcOp::UpdatePermissionSet { .. }
        | IcOp::DeletePermissionSet { .. } => permission_set(op, &ctx, r, w, poll).await,
        IcOp::CreateAssignment { .. } | IcOp::DeleteAssignment { .. } => {
            Err(ApplyError::Internal("assignments run in a batch"))
        }
        _ => identity(op, &ctx, r, w).await,
    }
}

/// Users, groups and memberships (identitystore).
async fn identity<W: IcWrite>(op: &IcOp, c: &IcCtx, r: &mut Resolver, w: &W) -> StepResult {
    Ok(match op {
        IcOp::CreateUser { user } => match w.ic_create_user(c, user).await {
            Ok(id) => {
                set(r, |i| i.users.insert(user.user_name.clone(), id.clone()));
                Applied::Changed(format!("created user {id}"))
            }
            Err(e) if e.kind() == ErrorKind::Conflict => {
                return Err(ApplyError::fix(
                    e,
                    format!(
                        "a user named {} appeared since the plan was made; run plan again",
                        user.user_name
                    ),
                ))
            }
            Err(e) => return Err(e.into()),
        },
        IcOp::UpdateUser { id, user } => {
            w.ic_update_user(c, id, user).await?;
            Applied::Changed(format!("updated user {id}"))
        }
        IcOp::DeleteUser { id, .. } => {
            w.ic_delete_user(c, id).await?;
            Applied::Changed(format!("deleted user {id}"))
        }
        IcOp::CreateGroup { name, description } => {
            let id = w.ic_create_group(c, name, description.as_deref()).await?;
            set(r, |i| i.groups.insert(name.clone(), id.clone()));
            Applied::Changed(format!("created group {id}"))
        }
        IcOp::UpdateGroup {
            id, description, ..
        } => {
            w.ic_update_group(c, id, description.as_deref()).await?;
            Applied::Changed(format!("updated group {id}"))
        }
        IcOp::DeleteGroup { id, .. } => {
            w.ic_delete_group(c, id).await?;
            Applied::Changed(format!("deleted group {id}"))
        }
        IcOp::AddMember { group, user } => {
            let (g, u) = (ids(r)?.group(group)?, ids(r)?.user(user)?);
            match w.ic_add_member(c, &g, &u).await {
                Ok(()) => Applied::Changed(format!("added {u} to {g}")),
                Err(e) if e.kind() == ErrorKind::Conflict => {
                    Applied::AlreadySo(format!("{user} was already a member of {group}"))
                }
                Err(e) => return Err(e.into()),
            }
        }
        IcOp::RemoveMember { membership_id, .. } => {
            match w.ic_remove_member(c, membership_id).await {
                Ok(()) => Applied::Changed(format!("deleted membership {membership_id}")),
                Err(e) if e.kind() == ErrorKind::Gone => {
                    Applied::AlreadySo(format!("membership {membership_id} was already gone"))
                }
                Err(e) => return Err(e.into()),
            }
        }
        _ => {
            return Err(ApplyError::Internal(
                "not a user, group or membership change",
            ))
        }
    })
}

/// Permission sets: create (with its policies), update (then re-provision), delete.
async fn permission_set<W: IcWrite>(
    op: &IcOp,
    c: &IcCtx,
    r: &mut Resolver,
    w: &W,
    poll: PollPolicy,
) -> StepResult {
    Ok(match op {
        IcOp::CreatePermissionSet { permission_set } => {
            let arn = w
                .ic_create_permission_set(c, permission_set)
                .await
                .map_err(|e| match e.kind() {
                    ErrorKind::Conflict => ApplyError::fix(e, format!("a permission set named {} appeared since the plan was made; run plan again", permission_set.name)),
                    _ => e.into(),
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
            Applied::Changed(format!("created {arn}"))
        }
        IcOp::UpdatePermissionSet {
            arn,
            permission_set,
            update,
            reprovision,
        } => {
            apply_update(c, arn, permission_set, update, update.attributes, w).await?;
            let n = provision_all(c, arn, reprovision, w, poll).await?;
            if n == 0 {
                Applied::Changed(format!("updated {arn}"))
            } else {
                Applied::Changed(format!("updated {arn}; re-provisioned to {n} account(s)"))
            }
        }
        IcOp::DeletePermissionSet { arn, .. } => match w.ic_delete_permission_set(c, arn).await {
            Ok(()) => Applied::Changed(format!("deleted {arn}")),
            Err(e) if e.kind() == ErrorKind::Gone => {
                Applied::AlreadySo(format!("{arn} was already deleted"))
            }
            Err(e) => return Err(e.into()),
        },
        _ => return Err(ApplyError::Internal("not a permission-set change")),
    })
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
) -> Result<(), ApplyError> {
    if attributes {
        w.ic_update_permission_set(c, arn, ps).await?;
    }
    for m in &u.attach_managed {
        match w.ic_managed_policy(c, arn, m, true).await {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Conflict => {}
            Err(e) => return Err(e.into()),
        }
    }
    for p in &u.attach_customer {
        match w.ic_customer_policy(c, arn, p, true).await {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Conflict => {}
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(doc) = &u.put_inline {
        let body = serde_json::to_string(doc)?;
        w.ic_inline_policy(c, arn, Some(&body)).await?;
    }
    if let Some(b) = &u.put_boundary {
        w.ic_boundary(c, arn, Some(b)).await?;
    }
    for m in &u.detach_managed {
        w.ic_managed_policy(c, arn, m, false).await?;
    }
    for p in &u.detach_customer {
        w.ic_customer_policy(c, arn, p, false).await?;
    }
    if u.delete_inline {
        w.ic_inline_policy(c, arn, None).await?;
    }
    if u.delete_boundary {
        w.ic_boundary(c, arn, None).await?;
    }
    if !u.tag.is_empty() || !u.untag.is_empty() {
        w.ic_tag(c, arn, &u.tag, &u.untag).await?;
    }
    Ok(())
}

/// Re-provisions `arn` to each account (each once; several accounts at once).
async fn provision_all<W: IcWrite>(
    c: &IcCtx,
    arn: &str,
    accounts: &[String],
    w: &W,
    poll: PollPolicy,
) -> Result<usize, ApplyError> {
    let done: Vec<()> = stream::iter(accounts.iter())
        .map(|a| async move { provision_one(c, arn, a, w, poll).await })
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
    poll: PollPolicy,
) -> Result<(), ApplyError> {
    // Another provisioning of this account in progress (ConflictException): AWS updates one
    // permission-set role per account at a time. Wait for it, then provision.
    let started = poll::until(
        poll,
        |_, _| {},
        || async {
            match w.ic_provision(c, arn, account).await {
                Ok(s) => Ok(Look::Ready(s)),
                Err(e) if e.kind() == ErrorKind::Conflict => {
                    Ok(Look::Pending("busy with another provisioning".into()))
                }
                Err(e) => Err(ApplyError::from(e)),
            }
        },
    )
    .await
    .map_err(|e| e.into_apply(format!("provisioning to {account}"), ""))?;
    let s = wait(c, started, Req::Provision, w, poll).await?;
    match s.status.as_str() {
        "SUCCEEDED" => Ok(()),
        _ => Err(ApplyError::Failed {
            what: format!("provisioning to {account}"),
            reason: s.failure_reason.unwrap_or_else(|| s.status.clone()),
            fix: String::new(),
        }),
    }
}

/// The permission-set role an assignment operation updates, as (permission set, account):
/// two operations on one role at once make AWS fail the later one, so a batch runs them one
/// after the other. `None` when a name does not resolve (the operation will say why).
pub(super) fn role_of(op: &IcOp, r: &Resolver) -> Option<(String, String)> {
    let ic = ids(r).ok()?;
    match op {
        IcOp::CreateAssignment {
            permission_set,
            account,
            ..
        } => Some((
            ic.permission_set(permission_set).ok()?,
            r.account(account).ok()?.to_string(),
        )),
        IcOp::DeleteAssignment {
            permission_set_arn,
            account_id,
            ..
        } => Some((permission_set_arn.clone(), account_id.to_string())),
        _ => None,
    }
}

/// Whether a FailureReason asks to try again: AWS's transient failures say so ("Please try
/// again in a few minutes").
pub(super) fn says_try_again(reason: &str) -> bool {
    reason.to_ascii_lowercase().contains("try again")
}

/// Which status call polls a request.
#[derive(Debug, Clone, Copy)]
enum Req {
    Provision,
    /// `true`: a creation.
    Assignment(bool),
}

/// Polls an asynchronous request until it is no longer IN_PROGRESS.
async fn wait<W: IcWrite>(
    c: &IcCtx,
    first: IcStatus,
    req: Req,
    w: &W,
    poll: PollPolicy,
) -> Result<IcStatus, ApplyError> {
    let id = first.request_id.clone();
    let mut known = Some(first);
    poll::until(
        poll,
        |_, _| {},
        || {
            let seen = known.take();
            let id = id.clone();
            async move {
                let s = match seen {
                    Some(s) => s,
                    None => match req {
                        Req::Provision => w.ic_provision_status(c, &id).await?,
                        Req::Assignment(create) => w.ic_assignment_status(c, create, &id).await?,
                    },
                };
                Ok::<_, ApplyError>(if s.status == "IN_PROGRESS" {
                    Look::Pending(s.status)
                } else {
                    Look::Ready(s)
                })
            }
        },
    )
    .await
    .map_err(|e| e.into_apply(format!("request {id}"), ""))
}

/// Creates or deletes one assignment and waits for it.
pub(super) async fn assignment<W: IcWrite>(
    op: &IcOp,
    r: &Resolver,
    w: &W,
    poll: PollPolicy,
) -> StepResult {
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
        _ => return Err(ApplyError::Internal("not an assignment")),
    };
    // `None`: refused at the start because another operation holds the role
    // (ConflictException, which sso-admin says to retry with backoff); nothing started.
    let once = || async {
        let started = match w.ic_assignment(c, create, &arn, kind, &pid, &account).await {
            Ok(s) => s,
            Err(e) if e.kind() == ErrorKind::Conflict => return Ok(None),
            Err(e) => return Err(ApplyError::from(e)),
        };
        wait(c, started, Req::Assignment(create), w, poll)
            .await
            .map(Some)
    };
    let fresh = create && AccountId::parse(&account).is_some_and(|id| r.fresh.contains(&id));
    // A FAILED operation changed nothing. It is started again while AWS says to try again (it
    // could not manage the account yet; another operation was updating the same role), and,
    // for an account this plan created, whatever the reason (its role may need a moment, a
    // customer managed policy may be on its way from a StackSet): until it succeeds or for
    // the time AWS gives a new account ([`SETTLE`]).
    let again = |st: &IcStatus| {
        st.status == "FAILED" && (fresh || st.failure_reason.as_deref().is_some_and(says_try_again))
    };
    let s = match poll::until(
        poll.within(SETTLE),
        |_, _| {},
        || async {
            let Some(st) = once().await? else {
                return Ok(Look::Pending(
                    "another operation on this permission set's role is in progress".into(),
                ));
            };
            Ok::<_, ApplyError>(if again(&st) {
                Look::Pending(st.failure_reason.unwrap_or(st.status))
            } else {
                Look::Ready(st)
            })
        },
    )
    .await
    {
        Ok(s) => s,
        Err(poll::PollError::Failed(e)) => return Err(e),
        Err(poll::PollError::TimedOut { state, waited }) => {
            return Err(ApplyError::Failed {
                what: (if create { "assignment" } else { "removal" }).to_string(),
                reason: format!("{state} (started again for {waited:?})"),
                fix: String::new(),
            })
        }
    };
    match s.status.as_str() {
        "SUCCEEDED" => Ok(Applied::Changed(format!(
            "{} in {account} (request {})",
            if create { "assigned" } else { "removed" },
            s.request_id
        ))),
        _ => Err(ApplyError::Failed {
            what: (if create { "assignment" } else { "removal" }).to_string(),
            reason: s.failure_reason.unwrap_or(s.status),
            fix: String::new(),
        }),
    }
}
