//! What one change's run returns: [`Applied`] (changed, or already as wanted) or an
//! [`ApplyError`], typed so the engine and the report tell an AWS failure, a known fix, an
//! unresolved name, a wait that ran out and an asynchronous failure apart.

use std::time::Duration;

use crate::live::LiveError;
use crate::poll::PollError;

/// A change that ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// The run changed the organization.
    Changed(String),
    /// It was already as wanted (a re-run, or another run got there first).
    AlreadySo(String),
}

impl Applied {
    /// `Changed` unless `already`.
    pub fn new(detail: String, already: bool) -> Self {
        if already {
            Applied::AlreadySo(detail)
        } else {
            Applied::Changed(detail)
        }
    }
}

/// Why a change failed.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error(transparent)]
    Aws(#[from] LiveError),
    /// An AWS failure whose fix is known.
    #[error("{error}\n  fix: {fix}")]
    Fix { error: Box<LiveError>, fix: String },
    /// A name the change refers to has no id: its creation was skipped or failed.
    #[error("{0}")]
    Unresolved(String),
    /// A state waited for did not come in time.
    #[error("{what} is still {state} after {waited:?}{hint}")]
    StillWaiting {
        what: String,
        state: String,
        waited: Duration,
        /// How to go on (`; run apply again later…`), or empty.
        hint: String,
    },
    /// An asynchronous request ended in failure.
    #[error("{what} failed: {reason}{fix}")]
    Failed {
        what: String,
        reason: String,
        /// `\n  fix: …`, or empty.
        fix: String,
    },
    /// A step that ran and left the organization part-way (the account exists, not moved).
    #[error("{done}, but {error}\n  fix: {fix}")]
    PartlyDone {
        done: String,
        error: Box<LiveError>,
        fix: String,
    },
    #[error("cannot encode the document: {0}")]
    Encode(#[from] serde_json::Error),
    #[error("internal: {0}")]
    Internal(&'static str),
}

impl ApplyError {
    /// A failure with its fix.
    pub fn fix(error: LiveError, fix: impl Into<String>) -> Self {
        ApplyError::Fix {
            error: Box::new(error),
            fix: fix.into(),
        }
    }

    /// A wait that ended: its time-out as [`ApplyError::StillWaiting`] on `what`.
    pub fn from_wait(what: impl Into<String>, hint: &str, e: PollError<ApplyError>) -> Self {
        e.into_apply(what, hint)
    }
}

/// A wait's end as an [`ApplyError`].
pub(crate) trait PollErrorExt {
    fn into_apply(self, what: impl Into<String>, hint: &str) -> ApplyError;
}

impl PollErrorExt for PollError<ApplyError> {
    fn into_apply(self, what: impl Into<String>, hint: &str) -> ApplyError {
        match self {
            PollError::Failed(e) => e,
            PollError::TimedOut { state, waited } => ApplyError::StillWaiting {
                what: what.into(),
                state,
                waited,
                hint: hint.to_string(),
            },
        }
    }
}

/// One change's result.
pub type StepResult = Result<Applied, ApplyError>;
