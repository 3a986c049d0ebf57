//! `orgctl audit`: what the management account still does that a delegated account could;
//! exit 2 when there is something, for a scheduled job to alert on.

use std::path::PathBuf;

use clap::Args;

use super::Global;
use crate::aws::Aws;
use crate::ops::{self, AuditRequest};
use crate::render::{self, Format};

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// org.yaml: also sort the plan's changes into those AWS reserves to the management
    /// account and those that could move.
    #[arg(short = 'f', long = "file")]
    pub file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Identity Center's home Region (default: the configured Region).
    #[arg(long)]
    pub identity_center_region: Option<String>,
}

pub async fn run(a: &AuditArgs, _g: &Global, aws: &Aws) -> u8 {
    let req = AuditRequest {
        file: a.file.clone(),
        identity_center_region: a.identity_center_region.clone(),
    };
    let report = match ops::audit(&req, aws).await {
        Ok(r) => r,
        Err(e) => {
            super::report_error(&e);
            return 1;
        }
    };
    match a.format {
        Format::Json => outln!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        Format::Markdown => out!("{}", render::audit::markdown(&report)),
        Format::Human => out!("{}", render::audit::human(&report)),
    }
    report.exit_code()
}
