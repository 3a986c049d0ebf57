//! `orgctl plan`: reads the organization, prints the plan, optionally writes the plan file.

use std::path::PathBuf;

use clap::Args;

use super::{FileArg, Global};
use crate::aws::Aws;
use crate::ops::{self, PlanRequest};
use crate::plan::planfile;
use crate::render::{self, Format};

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub file: FileArg,
    /// Write the versioned JSON plan file here (for `orgctl apply FILE`).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 2 when there are changes, 0 when none.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Only the changes this account (name or 12-digit id) executes.
    #[arg(long)]
    pub executor: Option<String>,
    /// Markdown: the most characters to print (diffs, then tables are left out to fit;
    /// GitHub's comment limit is 65,536).
    #[arg(long, default_value_t = crate::render::markdown::DEFAULT_MAX_CHARS, value_parser = clap::value_parser!(usize))]
    pub max_chars: usize,
}

pub async fn run(a: &PlanArgs, g: &Global, aws: &Aws) -> u8 {
    let req = PlanRequest {
        file: a.file.file.clone(),
        executor: a.executor.clone(),
        restrict: true,
    };
    let out = match ops::plan(&req, aws).await {
        Ok(o) => o,
        Err(e) => {
            super::report_error(&e);
            return 1;
        }
    };
    for w in &out.warnings {
        errln!("{w}");
    }
    out!(
        "{}",
        render::plan(&out.plan, a.format, super::use_color(g), a.max_chars)
    );
    if let Some(path) = &a.out {
        if let Err(e) = planfile::write(path, &out.plan) {
            errln!("error: {e}");
            return 1;
        }
        if out.plan.stages.len() > 1 {
            errln!(
                "Plan saved to {}; each stage's account applies it in turn: `orgctl apply {} --executor ACCOUNT --stage N`.",
                path.display(),
                path.display()
            );
        } else {
            errln!(
                "Plan saved to {}; apply it with `orgctl apply {}`.",
                path.display(),
                path.display()
            );
        }
    }
    if a.detailed_exitcode && out.plan.summary.total() > 0 {
        2
    } else {
        0
    }
}
