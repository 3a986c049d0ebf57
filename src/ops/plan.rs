//! `plan`: load the file, find out who we run as, read the live organization (only what
//! the file needs), refuse another organization, diff, and optionally keep one executor's
//! share of the plan.

use std::path::PathBuf;

use crate::live::{Caller, LiveRead, LiveState};
use crate::model::Desired;
use crate::model::{self, Diagnostic};
use crate::plan::change::{Plan, Summary};
use crate::plan::diff;

use super::OpsError;

/// Inputs of `plan`.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub file: PathBuf,
    /// The account planning its own share (account name or id): parts of the organization
    /// it may not read are left to their owners instead of refused.
    pub executor: Option<String>,
    /// Keep only the executor's changes (`plan --executor`); `apply` keeps every change,
    /// to list other accounts' with their stage.
    pub restrict: bool,
}

/// A plan and what came with it.
#[derive(Debug)]
pub struct PlanOutcome {
    pub plan: Plan,
    pub live: LiveState,
    pub caller: Caller,
    pub warnings: Vec<Diagnostic>,
}

/// Makes the plan.
pub async fn plan<R: LiveRead>(req: &PlanRequest, reader: &R) -> Result<PlanOutcome, OpsError> {
    let loaded = model::load(&req.file)?;
    let desired = loaded.desired;
    // Who we are and what the organization is, at once (one round trip less).
    let scope = crate::plan::scope::read_scope(&desired);
    let (caller, live) = futures::join!(reader.caller(), reader.read(&scope));
    let (caller, live) = (caller?, live?);
    tracing::info!(account = %caller.account_id, arn = %caller.arn, "running as");
    tracing::info!(
        organization = %live.organization.id,
        ous = live.ous.len(),
        accounts = live.accounts.len(),
        fingerprint = %live.fingerprint(),
        "read the organization"
    );
    if let Some(want) = &desired.management_account_id {
        same_organization(&req.file.display().to_string(), want.as_str(), &live)?;
    }
    let mut plan = diff_visible(&desired, &live, req.executor.as_deref())?;
    plan.desired = Some(desired);
    if let (Some(x), true) = (&req.executor, req.restrict) {
        restrict_to_executor(&mut plan, x)?;
    }
    Ok(PlanOutcome {
        plan,
        live,
        caller,
        warnings: loaded.warnings,
    })
}

/// Refuses another organization than the one `file` names.
pub(crate) fn same_organization(
    file: &str,
    wanted: &str,
    live: &LiveState,
) -> Result<(), OpsError> {
    if wanted != live.organization.management_account_id {
        return Err(OpsError::WrongOrganization {
            file: file.to_string(),
            wanted: wanted.to_string(),
            live: live.organization.management_account_id.clone(),
            org_id: live.organization.id.clone(),
        });
    }
    Ok(())
}

/// Diffs what these credentials could read. Identity Center is visible only to the
/// management account and its delegated admin, and the Regions' administrators of
/// GuardDuty & co. only to the management account: an account planning its own `share`
/// leaves those parts to their owners (with a note); without a share it is an error that
/// names the fix.
pub(crate) fn diff_visible(
    desired: &Desired,
    live: &LiveState,
    share: Option<&str>,
) -> Result<Plan, OpsError> {
    let mut notes: Vec<String> = Vec::new();
    let mut visible = None;
    if let (Some(_), Some(why)) = (&desired.identity_center, &live.identity_center_unreadable) {
        match share {
            Some(x) => {
                let mut d = desired.clone();
                d.identity_center = None;
                visible = Some(d);
                notes.push(format!("identity_center was not read with these credentials, so its changes are not part of {x}'s share (they belong to the Identity Center delegated administrator or the management account)"));
            }
            None => {
                return Err(OpsError::Live(crate::live::LiveError::Inconsistent(
                    format!("{why}\n  or: plan only this account's share with --executor"),
                )))
            }
        }
    }
    let regional: Vec<String> = desired
        .delegations
        .values()
        .filter(|d| {
            d.service_id
                .and_then(crate::catalog::native)
                .is_some_and(|n| n.scope == crate::catalog::AdminScope::PerRegion)
        })
        .map(|d| d.key.clone())
        .collect();
    if live.service_admins_unreadable && !regional.is_empty() {
        match share {
            Some(x) => notes.push(format!("{} : only the management account may list their Regions' administrators, so their changes (except an outgoing GuardDuty admin's own teardown) are not part of {x}'s share", regional.join(", "))),
            None => {
                return Err(OpsError::Live(crate::live::LiveError::Inconsistent(format!(
                    "delegations {}: only the management account may list their Regions' administrators (ListOrganizationAdminAccounts)\n  fix: plan as the management account, or plan only this account's share with --executor",
                    regional.join(", ")
                ))))
            }
        }
    }
    let mut plan = diff::diff(visible.as_ref().unwrap_or(desired), live)?;
    plan.warnings.extend(notes);
    Ok(plan)
}

/// Resolves `--executor NAME|ID|management` to an account id.
pub fn executor_id(plan: &Plan, wanted: &str) -> Result<String, OpsError> {
    if wanted.len() == 12 && wanted.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(wanted.to_string());
    }
    match plan.account_ids.get(wanted) {
        Some(id) => Ok(id.clone()),
        // `management` names the management account whatever its own name (as
        // `orgctl permissions` does), unless an account is called that.
        None if wanted == crate::permissions::MANAGEMENT => Ok(plan.management_account_id.clone()),
        None => Err(OpsError::UnknownExecutor(wanted.to_string())),
    }
}

/// Keeps only the changes `wanted` executes; notes how many were left out.
pub fn restrict_to_executor(plan: &mut Plan, wanted: &str) -> Result<(), OpsError> {
    let id = executor_id(plan, wanted)?;
    let before = plan.changes.len();
    let omitted: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.executor.account_id != id)
        .map(|c| c.address.clone())
        .collect();
    plan.omitted.extend(omitted);
    plan.changes.retain(|c| c.executor.account_id == id);
    let omitted = before - plan.changes.len();
    if omitted > 0 {
        plan.warnings.push(format!("--executor {wanted}: {omitted} change(s) for other executors are not part of this plan"));
    }
    plan.summary = Summary::of(&plan.changes);
    plan.stages = crate::plan::stages::stages(&plan.changes);
    plan.executor_filter = Some(format!("{wanted} ({id})"));
    Ok(())
}
