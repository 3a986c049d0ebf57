//! What may run now: the caller's own changes whose dependencies are applied; another
//! account's changes are left for it (with their stage), the caller's changes that need
//! them wait (naming the change and the account). A failure stops what depends on it
//! (directly or through another change not applied) and every removal after it (delete,
//! detach, replace: some of their orders are phases, not `depends_on` edges, e.g. an SCP is
//! detached only after its replacement is attached); additions and updates that depend on
//! nothing that failed still run.
//! Orders no account can observe (a GuardDuty teardown before the replace) follow the
//! run's `--stage`. Each finished change is recorded here.

use std::collections::BTreeMap;

use super::{ApplyOptions, ApplyReport, ChangeOutcome, Outcome, Progress, ProgressEvent};
use crate::plan::change::{Change, Op, Plan};

pub(super) fn finish(
    c: &Change,
    o: Outcome,
    report: &mut ApplyReport,
    blocked: &mut Blocked,
    stopped: &mut bool,
    progress: &dyn Progress,
) {
    tracing::info!(address = %c.address, outcome = ?o, "change finished");
    if !o.applied() {
        let who = o
            .waits_for()
            .map(|(id, name)| (id.to_string(), name.to_string()));
        blocked.insert(c.address.clone(), who);
    }
    if matches!(o, Outcome::Failed { .. }) {
        *stopped = true;
    }
    progress.on(ProgressEvent::End {
        address: &c.address,
        outcome: &o,
    });
    report.outcomes.push(ChangeOutcome {
        address: c.address.clone(),
        summary: c.summary.clone(),
        outcome: o,
    });
}

/// Why a change cannot run now, if it cannot.
pub(super) fn precheck(
    c: &Change,
    opts: &ApplyOptions,
    blocked: &Blocked,
    stopped: bool,
) -> Option<Outcome> {
    if stopped && c.action.is_destructive() {
        return Some(Outcome::NotAttempted {
            reason: "an earlier change failed: removals run only after every addition succeeded"
                .into(),
        });
    }
    if c.executor.account_id != opts.caller_account_id {
        return Some(Outcome::LeftForExecutor {
            account_id: c.executor.account_id.clone(),
            account_name: c.executor.account_name.clone(),
            stage: None,
        });
    }
    c.depends_on
        .iter()
        .find_map(|d| blocked.get(d).map(|who| (d, who)))
        .map(|(d, who)| match who {
            Some((account_id, account_name)) => Outcome::Waiting {
                on: d.clone(),
                account_id: account_id.clone(),
                account_name: account_name.clone(),
                hint: String::new(),
            },
            None => Outcome::NotAttempted {
                reason: format!("depends on {d}, which was not applied"),
            },
        })
}

/// Another account's teardown, which no one else can observe done, in a stage the run says
/// has run (`--stage`): counted as run there, not as left (it stays in the plan until the
/// replace that needs it runs).
pub(super) fn ran_in_earlier_stage(
    plan: &Plan,
    c: &Change,
    opts: &ApplyOptions,
) -> Option<Outcome> {
    let now = opts.stage?;
    if !matches!(c.op, Op::ServiceTeardown { .. })
        || c.executor.account_id == opts.caller_account_id
    {
        return None;
    }
    let n = crate::plan::stages::stage_of(&plan.stages, &c.address)?.number;
    (n < now).then(|| Outcome::Converged {
        detail: format!(
            "run by {} in stage {n}, before this one (--stage {now})",
            c.executor.account_name
        ),
    })
}

/// An order the plan cannot observe (see [`crate::plan::stages::unobservable`]) that is
/// not satisfied yet: the predecessor's stage is not before the run's `--stage`.
pub(super) fn unobserved_wait(plan: &Plan, c: &Change, stage: Option<usize>) -> Option<Outcome> {
    use crate::plan::stages::{stage_of, unobservable};
    unobservable(&plan.changes, c).into_iter().find_map(|p| {
        let pn = stage_of(&plan.stages, &p.address).map(|s| s.number);
        let ran = matches!((pn, stage), (Some(pn), Some(now)) if pn < now);
        (!ran).then(|| Outcome::Waiting {
            on: p.address.clone(),
            account_id: p.executor.account_id.clone(),
            account_name: p.executor.account_name.clone(),
            hint: format!(
                "no other account can see it done: after its stage{}, run this one with --stage {}",
                pn.map(|n| format!(" ({n})")).unwrap_or_default(),
                stage_of(&plan.stages, &c.address)
                    .map(|s| s.number.to_string())
                    .unwrap_or_else(|| "N".into())
            ),
        })
    })
}

/// Addresses not applied in this run, with the account (id, name) that must act first
/// when they wait for another account.
pub(super) type Blocked = BTreeMap<String, Option<(String, String)>>;
