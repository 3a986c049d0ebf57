//! `apply`: with a plan file, re-read exactly what the plan read and refuse if the
//! organization changed (stale plan); without one, plan afresh. Then refuse destructive
//! changes without `--allow-destroy`, and execute through [`LiveWrite`].

use std::path::PathBuf;

use crate::apply::{self, ApplyOptions, ApplyReport, LiveWrite, Progress};
use crate::live::{Caller, CreateRequest, LiveRead, LiveState};
use crate::plan::change::Plan;
use crate::plan::planfile;

use super::plan::{plan, restrict_to_executor, PlanRequest};
use super::OpsError;

/// Inputs of `apply`.
#[derive(Debug, Clone)]
pub struct ApplyRequest {
    /// org.yaml (used when there is no plan file).
    pub file: PathBuf,
    pub plan_file: Option<PathBuf>,
    pub executor: Option<String>,
}

/// A plan checked against the live organization, ready to execute.
#[derive(Debug)]
pub struct Prepared {
    pub plan: Plan,
    pub live: LiveState,
    pub caller: Caller,
    pub warnings: Vec<crate::model::Diagnostic>,
    /// Account creations in progress, listed *before* the live read: a creation that
    /// finishes in between then shows up in `live` (so it is not planned again), and one
    /// still running is resumed, never sent twice.
    pub in_progress: Vec<CreateRequest>,
}

/// Produces the plan to apply (fresh, or from a plan file checked for staleness).
pub async fn prepare_apply<R: LiveRead>(
    req: &ApplyRequest,
    reader: &R,
) -> Result<Prepared, OpsError> {
    let in_progress = reader.create_requests_in_progress().await?;
    let prepared = match &req.plan_file {
        None => {
            let out = plan(
                &PlanRequest {
                    file: req.file.clone(),
                    executor: req.executor.clone(),
                },
                reader,
            )
            .await?;
            Prepared {
                plan: out.plan,
                live: out.live,
                caller: out.caller,
                warnings: out.warnings,
                in_progress,
            }
        }
        Some(path) => {
            let mut p = planfile::read(path)?;
            let caller = reader.caller().await?;
            let live = reader.read(&p.read_scope).await?;
            if live.organization.management_account_id != p.management_account_id {
                return Err(OpsError::WrongOrganization {
                    file: path.display().to_string(),
                    wanted: p.management_account_id.clone(),
                    live: live.organization.management_account_id.clone(),
                    org_id: live.organization.id.clone(),
                });
            }
            let now = live.fingerprint();
            // A plan file with parts: compare what this account can read (a delegated team
            // cannot list GuardDuty's Regions or see Identity Center, say); without: all.
            let unchanged = if p.live_fingerprints.is_empty() {
                now == p.live_fingerprint
            } else {
                live.same_as_planned(&p.live_fingerprints)
            };
            if !unchanged {
                return Err(OpsError::StalePlan {
                    planned: p.live_fingerprint.clone(),
                    now,
                });
            }
            if let Some(x) = &req.executor {
                restrict_to_executor(&mut p, x)?;
            }
            Prepared {
                plan: p,
                live,
                caller,
                warnings: Vec::new(),
                in_progress,
            }
        }
    };
    if let Some(x) = &req.executor {
        let id = super::plan::executor_id(&prepared.plan, x)?;
        if id != prepared.caller.account_id {
            return Err(OpsError::ExecutorMismatch {
                wanted: x.clone(),
                wanted_id: id,
                caller: prepared.caller.account_id.clone(),
            });
        }
    }
    Ok(prepared)
}

/// Destructive changes the caller would run, by address.
pub fn destructive(p: &Prepared) -> Vec<String> {
    p.plan
        .changes
        .iter()
        .filter(|c| c.action.is_destructive() && c.executor.account_id == p.caller.account_id)
        .map(|c| format!("{} ({}): {}", c.address, c.action.as_str(), c.summary))
        .collect()
}

/// Executes a prepared plan.
pub async fn apply_prepared<W: LiveWrite + apply::IcWrite>(
    p: &Prepared,
    allow_destroy: bool,
    writer: &W,
    opts: &ApplyOptions,
    progress: &dyn Progress,
) -> Result<ApplyReport, OpsError> {
    let d = destructive(p);
    if !d.is_empty() && !allow_destroy {
        return Err(OpsError::DestroyNotAllowed(d));
    }
    Ok(apply::execute(&p.plan, &p.live, &p.in_progress, writer, opts, progress).await)
}
