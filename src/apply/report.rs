//! The record of an apply run: what happened to each change ([`Outcome`]), the report
//! with its counts (what a pipeline reads from `apply --format json`), and the progress
//! events a front end renders (`apply` never prints).

use std::time::Duration;

use serde::Serialize;

/// What happened to one change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum Outcome {
    /// Applied now.
    Done {
        /// What was done (ids of what was made).
        detail: String,
    },
    /// Already as wanted when applied (a re-run, or another run got there first).
    Converged {
        /// What was found.
        detail: String,
    },
    /// AWS refused it, or a wait ran out: the error and its fix.
    Failed {
        /// The error, with its fix.
        error: String,
    },
    /// The caller is not this change's executor: that account runs it (in `stage`, when
    /// the plan has stages).
    LeftForExecutor {
        account_id: String,
        account_name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        stage: Option<usize>,
    },
    /// The caller's own change, waiting for `on`, which another account runs first.
    Waiting {
        on: String,
        account_id: String,
        account_name: String,
        /// How to proceed, when more than "apply again after that".
        #[serde(default, skip_serializing_if = "String::is_empty")]
        hint: String,
    },
    /// Not run because an earlier change of this run failed.
    NotAttempted {
        /// Which failure, or which unapplied dependency.
        reason: String,
    },
}

impl Outcome {
    pub fn applied(&self) -> bool {
        matches!(self, Outcome::Done { .. } | Outcome::Converged { .. })
    }
    /// The account this change waits for, when another account must act first.
    pub fn waits_for(&self) -> Option<(&str, &str)> {
        match self {
            Outcome::LeftForExecutor {
                account_id,
                account_name,
                ..
            }
            | Outcome::Waiting {
                account_id,
                account_name,
                ..
            } => Some((account_id, account_name)),
            _ => None,
        }
    }
}

/// Counts of a run, by outcome (`apply --format json` carries them).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Counts {
    /// Changes applied by this run.
    pub done: usize,
    /// Changes found already as wanted.
    pub converged: usize,
    /// Changes that failed (the exit code is then 1).
    pub failed: usize,
    /// Other accounts' changes.
    pub left_for_other_accounts: usize,
    /// The caller's changes that wait for another account's change.
    pub waiting: usize,
    /// Changes not run because of a failure.
    pub not_attempted: usize,
    /// Changes of a saved plan found already applied before this run.
    pub already_applied: usize,
}

/// One change and its outcome.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ChangeOutcome {
    /// The change's address in the plan.
    pub address: String,
    /// The change's one-line summary.
    pub summary: String,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// The record of an apply run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApplyReport {
    pub outcomes: Vec<ChangeOutcome>,
    /// Changes of a saved plan that were already applied (by earlier runs or other
    /// accounts), by address.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub already_applied: Vec<String>,
}

impl ApplyReport {
    /// Counts by outcome.
    pub fn counts(&self) -> Counts {
        let mut c = Counts {
            already_applied: self.already_applied.len(),
            ..Counts::default()
        };
        for o in &self.outcomes {
            match o.outcome {
                Outcome::Done { .. } => c.done += 1,
                Outcome::Converged { .. } => c.converged += 1,
                Outcome::Failed { .. } => c.failed += 1,
                Outcome::LeftForExecutor { .. } => c.left_for_other_accounts += 1,
                Outcome::Waiting { .. } => c.waiting += 1,
                Outcome::NotAttempted { .. } => c.not_attempted += 1,
            }
        }
        c
    }
    /// The exit code a pipeline reads: 0 when every change the caller could run now
    /// succeeded (other accounts' changes may remain), 1 when one failed.
    pub fn exit_code(&self) -> u8 {
        u8::from(self.failed())
    }
    pub fn failed(&self) -> bool {
        self.outcomes
            .iter()
            .any(|o| matches!(o.outcome, Outcome::Failed { .. }))
    }
    pub fn left(&self) -> impl Iterator<Item = &ChangeOutcome> {
        self.outcomes
            .iter()
            .filter(|o| matches!(o.outcome, Outcome::LeftForExecutor { .. }))
    }
    pub fn applied_count(&self) -> usize {
        self.outcomes.iter().filter(|o| o.outcome.applied()).count()
    }
    /// Everything planned was applied.
    pub fn complete(&self) -> bool {
        self.outcomes.iter().all(|o| o.outcome.applied())
    }
}

/// Progress of a run, for a terminal indicator. `apply` never prints.
#[derive(Debug)]
pub enum ProgressEvent<'a> {
    Start {
        address: &'a str,
        summary: &'a str,
    },
    Waiting {
        address: &'a str,
        state: &'a str,
        elapsed: Duration,
    },
    End {
        address: &'a str,
        outcome: &'a Outcome,
    },
}

/// Receives progress events.
pub trait Progress {
    fn on(&self, e: ProgressEvent<'_>);
}

/// Ignores progress.
pub struct NoProgress;
impl Progress for NoProgress {
    fn on(&self, _: ProgressEvent<'_>) {}
}
