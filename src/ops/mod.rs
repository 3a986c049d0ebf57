//! One library function per command (`validate`, `plan`, `apply`, `import`, `audit`). Never prints, never
//! reads the environment: the CLI passes everything in and renders what comes back.

pub mod apply;
pub mod audit;
pub mod import;
pub mod lock;
pub mod plan;

use crate::live::LiveError;
use crate::model::LoadError;
use crate::plan::diff::DiffError;
use crate::plan::planfile::PlanFileError;

pub use apply::{apply_prepared, prepare_apply, ApplyRequest, Prepared};
pub use audit::{audit, AuditRequest};
pub use import::{import, ImportOutcome, ImportRequest};
pub use plan::{plan, PlanOutcome, PlanRequest};

/// Why a command could not do its work.
#[derive(Debug, thiserror::Error)]
pub enum OpsError {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Live(#[from] LiveError),
    #[error(transparent)]
    Diff(#[from] DiffError),
    #[error(transparent)]
    PlanFile(#[from] PlanFileError),
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    #[error("{file} describes the organization whose management account is {wanted}, but these credentials reach organization {org_id} (management account {live})\n  fix: use credentials for the right organization (--profile), or correct organization.management_account_id")]
    WrongOrganization {
        file: String,
        wanted: String,
        live: String,
        org_id: String,
    },
    #[error("the organization changed since the plan was reviewed, in ways the plan's own changes do not explain; nothing was applied:\n{}\n  fix: run `orgctl plan --out …` again, review it, and apply the new plan", .0.iter().map(|d| format!("  - {d}")).collect::<Vec<_>>().join("\n"))]
    StalePlan(Vec<crate::plan::recheck::Difference>),
    #[error("the plan has destructive changes and --allow-destroy was not given; nothing was applied:\n{}\n  fix: review them, then re-run with --allow-destroy", .0.iter().map(|a| format!("  - {a}")).collect::<Vec<_>>().join("\n"))]
    DestroyNotAllowed(Vec<String>),
    #[error("--executor {0}: no account with that name or id in the organization\n  fix: give an account name from org.yaml, `management` (the management account), or a 12-digit account id")]
    UnknownExecutor(String),
    #[error("--executor {wanted} asks for account {wanted_id}'s share, but the credentials belong to account {caller}\n  fix: run with {wanted}'s credentials (--profile), or drop --executor")]
    ExecutorMismatch {
        wanted: String,
        wanted_id: String,
        caller: String,
    },
}
