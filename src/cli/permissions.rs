//! `orgctl permissions`: prints the IAM policy each account's CI role needs for its share of
//! the file (offline: no AWS call), or one account's policy alone (`--executor`), ready for
//! `aws iam put-role-policy --policy-document file://…`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde_json::json;

use super::{FileArg, Global};
use crate::model;
use crate::ops::OpsError;
use crate::permissions::{self, Purpose};
use crate::plan::planfile;

/// What the role runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ForArg {
    /// `orgctl plan`: reads only.
    Plan,
    /// `orgctl apply`: reads and the writes its share can make.
    Apply,
}

#[derive(Debug, Args)]
pub struct PermissionsArgs {
    #[command(flatten)]
    pub file: FileArg,
    /// A saved plan (`plan --out`): its desired state and changes are used instead of -f, so
    /// shares only the live organization reveals (an outgoing administrator's teardown) are
    /// included.
    #[arg(long)]
    pub plan: Option<PathBuf>,
    /// Print only this account's policy (a name from org.yaml, or `management`).
    #[arg(long)]
    pub executor: Option<String>,
    /// The command the role runs.
    #[arg(long = "for", value_enum, default_value_t = ForArg::Apply)]
    pub purpose: ForArg,
}

pub fn run(a: &PermissionsArgs, _g: &Global) -> u8 {
    let (desired, plan) = match &a.plan {
        Some(p) => match planfile::read(p) {
            Ok(plan) => match plan.desired.clone() {
                Some(d) => (d, Some(plan)),
                None => {
                    errln!("error: {} carries no desired state (made by an older orgctl)\n  fix: make the plan again with `orgctl plan --out`", p.display());
                    return 1;
                }
            },
            Err(e) => {
                errln!("error: {e}");
                return 1;
            }
        },
        None => match model::load(&a.file.file) {
            Ok(l) => (l.desired, None),
            Err(e) => {
                super::report_error(&OpsError::Load(e));
                return 1;
            }
        },
    };
    let purpose = match a.purpose {
        ForArg::Plan => Purpose::Plan,
        ForArg::Apply => Purpose::Apply,
    };
    let roles = permissions::roles(&desired, plan.as_ref(), purpose);
    let out = match &a.executor {
        Some(x) => match roles.get(x.as_str()).or_else(|| {
            roles
                .values()
                .find(|r| r.account_id.as_deref() == Some(x.as_str()))
        }) {
            Some(r) => r.policy.clone(),
            None => {
                errln!(
                    "error: --executor {x}: this file gives it nothing to run\n  fix: use one of {}",
                    roles.keys().cloned().collect::<Vec<_>>().join(", ")
                );
                return 1;
            }
        },
        None => json!(roles
            .values()
            .map(|r| (
                r.account.clone(),
                json!({ "account_id": r.account_id, "why": r.why, "policy": r.policy })
            ))
            .collect::<serde_json::Map<_, _>>()),
    };
    outln!("{}", serde_json::to_string_pretty(&out).unwrap_or_default());
    0
}
