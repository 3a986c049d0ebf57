//! `apply`: with a plan file, re-read the organization, re-diff it against the plan's own
//! desired state and refuse unless what remains is exactly the reviewed plan's
//! not-yet-done changes (so one plan is applied by every account in turn, and an
//! interrupted apply resumes from it); without one, plan afresh. Then refuse destructive
//! changes without `--allow-destroy`, and execute through [`LiveWrite`]: the caller's
//! changes run, other accounts' are listed with their stage.

use std::path::PathBuf;

use crate::apply::{self, ApplyOptions, ApplyReport, Progress};
use crate::live::{Caller, CreateRequest, LiveRead, LiveState};
use crate::live::{IcWrite, LiveWrite};
use crate::plan::change::{Op, Plan};
use crate::plan::planfile;
use crate::plan::recheck::{self, Recheck};

use super::plan::{plan, PlanRequest};
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
    /// For a saved plan: what of it was already applied, or cannot be seen from here.
    pub recheck: Option<Recheck>,
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
                    restrict: false,
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
                recheck: None,
            }
        }
        Some(path) => {
            let saved = planfile::read(path)?;
            let caller = reader.caller().await?;
            let (plan, recheck, live) =
                recheck_saved(&saved, &path.display().to_string(), &caller, reader).await?;
            Prepared {
                plan,
                live,
                caller,
                warnings: Vec::new(),
                in_progress,
                recheck: Some(recheck),
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

/// Re-reads the organization, re-diffs it against the saved plan's own desired state and
/// checks that what remains is exactly the reviewed plan's not-yet-done changes
/// ([`crate::plan::recheck`]). Returns the plan to execute (the re-diff, whose ids are
/// current, with the reviewed plan's stages), what was found done, and the live state.
async fn recheck_saved<R: LiveRead>(
    saved: &Plan,
    file: &str,
    caller: &Caller,
    reader: &R,
) -> Result<(Plan, Recheck, LiveState), OpsError> {
    let desired = saved.desired.as_ref().ok_or_else(|| {
        OpsError::PlanFile(planfile::PlanFileError::Incomplete {
            path: file.to_string(),
            missing: "desired",
        })
    })?;
    let live = reader
        .read(&crate::plan::scope::read_scope(desired))
        .await?;
    super::plan::same_organization(file, &saved.management_account_id, &live)?;
    let mut fresh = super::plan::diff_visible(desired, &live, Some(&caller.account_id))?;
    let check = recheck::recheck(saved, &fresh, |c| match &c.op {
        Op::Ic(_) => live.identity_center_unreadable.is_none(),
        Op::ServiceAdmins { .. } => !live.service_admins_unreadable,
        _ => true,
    })
    .map_err(OpsError::StalePlan)?;
    for u in &check.new_unmanaged {
        fresh.warnings.push(format!(
            "{} is new since the plan was made and not in the file (unmanaged, left alone): {}",
            u.address, u.note
        ));
    }
    if !check.unseen.is_empty() {
        fresh.warnings.push(format!(
            "{} change(s) of this plan are in parts of the organization these credentials cannot read; their own accounts check and run them",
            check.unseen.len()
        ));
    }
    fresh.created_accounts = recheck::created_accounts(saved, &fresh)
        .into_iter()
        .map(|(_, id)| id)
        .collect();
    // The reviewed stages, written with today's addresses.
    fresh.stages = saved.stages.clone();
    for st in &mut fresh.stages {
        for a in &mut st.changes {
            if let Some(now) = check.renamed.get(a) {
                *a = now.clone();
            }
        }
    }
    Ok((fresh, check, live))
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
pub async fn apply_prepared<W: LiveWrite + IcWrite>(
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
    let mut report = apply::execute(&p.plan, &p.live, &p.in_progress, writer, opts, progress).await;
    if let Some(r) = &p.recheck {
        report.already_applied = r.done.clone();
    }
    Ok(report)
}
