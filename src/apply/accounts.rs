//! Account creation: find an account that already has the email, resume a creation still
//! in progress for the name, or start one; wait for it (asynchronous: polled with the run's
//! [`PollPolicy`]); then move it into its OU.

use super::error::{ApplyError, PollErrorExt};
use super::report::{Progress, ProgressEvent};
use super::resolve::Resolver;
use crate::live::{CreateRequest, ErrorKind, LiveState, LiveWrite};
use crate::model::vocab::{AccountId, Parent, Tags};
use crate::poll::{self, Look, PollPolicy};

/// A created (or found) account: its id, what happened, and whether it already existed.
pub(super) struct Created {
    pub id: AccountId,
    pub detail: String,
    pub existed: bool,
}

/// What a creation needs from the run.
pub(super) struct Run<'a> {
    pub live: &'a LiveState,
    pub in_progress: &'a [CreateRequest],
    pub poll: PollPolicy,
    pub progress: &'a dyn Progress,
}

/// Creates one account (or finds / resumes it), waits for it, moves it into its OU.
pub(super) async fn create<W: LiveWrite>(
    address: &str,
    (name, email, parent, tags): (&str, &str, &Parent, &Tags),
    run: &Run<'_>,
    r: &Resolver,
    w: &W,
) -> Result<Created, ApplyError> {
    let mut notes = Vec::new();
    let (id, existed) = if let Some(a) = run.live.account_by_email(email) {
        notes.push(format!("account {} with this email already exists", a.id));
        (a.id.clone(), true)
    } else {
        let req = match run.in_progress.iter().find(|q| q.account_name == name) {
            Some(q) => {
                notes.push(format!(
                    "resumed creation request {} (started by an earlier run)",
                    q.id
                ));
                q.clone()
            }
            None => start(name, email, tags, w, run).await?,
        };
        let done = wait_created(address, req, w, run).await?;
        notes.push(format!("created {done}"));
        (done, false)
    };
    if *parent != Parent::Root {
        let dst = r.parent(parent)?;
        let src = run
            .live
            .accounts
            .get(&id)
            .map(|a| a.parent_id.clone())
            .unwrap_or_else(|| r.root_id.clone());
        if src != dst {
            match w.move_account(&id, &src, &dst).await {
                Ok(()) => notes.push(format!("moved to {parent}")),
                Err(e) if e.kind() == ErrorKind::AlreadyDone => {}
                Err(e) => {
                    return Err(ApplyError::PartlyDone {
                        done: format!("account {id} was created"),
                        error: Box::new(e),
                        fix: format!("run apply again; the next plan moves it to {parent}"),
                    })
                }
            }
        }
    }
    Ok(Created {
        id,
        detail: notes.join("; "),
        existed,
    })
}

/// `CreateAccount`; while AWS refuses it because five creations are in progress (another
/// tool's, or an earlier run's) or throttles it past the SDK's retries, waits and asks again.
async fn start<W: LiveWrite>(
    name: &str,
    email: &str,
    tags: &Tags,
    w: &W,
    run: &Run<'_>,
) -> Result<CreateRequest, ApplyError> {
    poll::until(
        run.poll,
        |_, _| {},
        || async {
            match w.create_account(email, name, tags).await {
                Ok(req) => Ok(Look::Ready(req)),
                Err(e) if e.kind() == ErrorKind::Throttled => Ok(Look::Pending(format!(
                    "not started ({})",
                    e.reason().or(e.code()).unwrap_or("throttled")
                ))),
                Err(e) => Err(ApplyError::from(e)),
            }
        },
    )
    .await
    .map_err(|e| {
        e.into_apply(
            format!("the creation of account {name}"),
            "; run apply again later",
        )
    })
}

/// Polls `DescribeCreateAccountStatus` until SUCCEEDED or FAILED.
async fn wait_created<W: LiveWrite>(
    address: &str,
    first: CreateRequest,
    w: &W,
    run: &Run<'_>,
) -> Result<AccountId, ApplyError> {
    let id = first.id.clone();
    let mut current = Some(first);
    let done = poll::until(
        run.poll,
        |state, elapsed| {
            run.progress.on(ProgressEvent::Waiting {
                address,
                state,
                elapsed,
            })
        },
        || {
            let known = current.take();
            let id = id.clone();
            async move {
                let req = match known {
                    Some(r) => r,
                    None => w.create_account_status(&id).await?,
                };
                settled(req)
            }
        },
    )
    .await
    .map_err(|e| {
        e.into_apply(
            format!("account creation {id}"),
            "; run apply again later to resume it",
        )
    })?;
    Ok(done)
}

/// A creation request's state: its account once SUCCEEDED, a failure with its fix.
fn settled(req: CreateRequest) -> Result<Look<AccountId>, ApplyError> {
    match req.state.as_str() {
        "SUCCEEDED" => req
            .account_id
            .as_deref()
            .and_then(AccountId::parse)
            .map(Look::Ready)
            .ok_or_else(|| ApplyError::Failed {
                what: format!("creation request {}", req.id),
                reason: "it succeeded without an account id".into(),
                fix: String::new(),
            }),
        "FAILED" => {
            let reason = req.failure_reason.clone().unwrap_or_default();
            let fix = match reason.as_str() {
                "EMAIL_ALREADY_EXISTS" => "\n  fix: the email belongs to another AWS account (outside this organization); use another email, or invite that account and adopt it by `id`",
                "ACCOUNT_LIMIT_EXCEEDED" => "\n  fix: request a higher account quota from the management account (Service Quotas)",
                _ => "",
            };
            Err(ApplyError::Failed {
                what: format!("account creation {}", req.id),
                reason,
                fix: fix.into(),
            })
        }
        other => Ok(Look::Pending(other.to_string())),
    }
}
