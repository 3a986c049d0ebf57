//! `plan`: load the file, find out who we run as, read the live organization (only what
//! the file needs), refuse another organization, diff, and optionally keep one executor's
//! share of the plan.

use std::path::PathBuf;

use crate::live::{Caller, LiveRead, LiveState, ReadScope};
use crate::model::{self, Diagnostic};
use crate::plan::change::{Plan, Summary};
use crate::plan::diff;

use super::OpsError;

/// Inputs of `plan`.
#[derive(Debug, Clone)]
pub struct PlanRequest {
    pub file: PathBuf,
    /// Keep only this executor's changes (account name or id).
    pub executor: Option<String>,
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
    let mut desired = loaded.desired;
    let caller = reader.caller().await?;
    tracing::info!(account = %caller.account_id, arn = %caller.arn, "running as");
    let live = reader.read(&ReadScope::for_desired(&desired)).await?;
    tracing::info!(
        organization = %live.organization.id,
        ous = live.ous.len(),
        accounts = live.accounts.len(),
        fingerprint = %live.fingerprint(),
        "read the organization"
    );
    if let Some(want) = &desired.management_account_id {
        if want.as_str() != live.organization.management_account_id {
            return Err(OpsError::WrongOrganization {
                file: req.file.display().to_string(),
                wanted: want.to_string(),
                live: live.organization.management_account_id.clone(),
                org_id: live.organization.id.clone(),
            });
        }
    }
    // Identity Center is visible only to the management account and its delegated admin.
    // Another account planning its own share leaves that section to them.
    let mut notes: Vec<String> = Vec::new();
    if let (Some(_), Some(why)) = (&desired.identity_center, &live.identity_center_unreadable) {
        match &req.executor {
            Some(x) => {
                desired.identity_center = None;
                notes.push(format!("identity_center was not read with these credentials, so its changes are not part of --executor {x}'s plan (they belong to the Identity Center delegated administrator or the management account)"));
            }
            None => {
                return Err(OpsError::Live(crate::live::LiveError::Inconsistent(
                    format!("{why}\n  or: plan only this account's share with --executor"),
                )))
            }
        }
    }
    // Likewise the Regions' administrators of GuardDuty & co., which only the management
    // account may list: another account plans its own share (a GuardDuty teardown) only.
    let regional: Vec<String> = desired
        .delegations
        .values()
        .filter(|d| {
            d.service_id
                .is_some_and(|s| crate::catalog::NATIVE.contains(&s))
        })
        .map(|d| d.key.clone())
        .collect();
    if live.service_admins_unreadable && !regional.is_empty() {
        match &req.executor {
            Some(x) => notes.push(format!("{} : only the management account may list their Regions' administrators, so their changes (except an outgoing GuardDuty admin's own teardown) are not part of --executor {x}'s plan", regional.join(", "))),
            None => {
                return Err(OpsError::Live(crate::live::LiveError::Inconsistent(format!(
                    "delegations {}: only the management account may list their Regions' administrators (ListOrganizationAdminAccounts)\n  fix: plan as the management account, or plan only this account's share with --executor",
                    regional.join(", ")
                ))))
            }
        }
    }
    let mut plan = diff::diff(&desired, &live)?;
    plan.warnings.extend(notes);
    if let Some(x) = &req.executor {
        restrict_to_executor(&mut plan, x)?;
    }
    Ok(PlanOutcome {
        plan,
        live,
        caller,
        warnings: loaded.warnings,
    })
}

/// Resolves `--executor NAME|ID` to an account id.
pub fn executor_id(plan: &Plan, wanted: &str) -> Result<String, OpsError> {
    if wanted.len() == 12 && wanted.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(wanted.to_string());
    }
    plan.account_ids
        .get(wanted)
        .cloned()
        .ok_or_else(|| OpsError::UnknownExecutor(wanted.to_string()))
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
    plan.executor_filter = Some(format!("{wanted} ({id})"));
    Ok(())
}
