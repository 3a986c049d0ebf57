//! `orgctl show PLANFILE`: renders a saved plan without AWS access (what a CI job posts on
//! a pull request, what a reviewer downloads), optionally one account's share.

use std::path::PathBuf;

use clap::Args;

use super::Global;
use crate::ops::plan::restrict_to_executor;
use crate::plan::planfile;
use crate::render::{self, Format};

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan file written by `orgctl plan --out`.
    pub planfile: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Only the changes this account (name or 12-digit id) executes.
    #[arg(long)]
    pub executor: Option<String>,
    /// Markdown: the most characters to print (diffs, then tables are left out to fit).
    #[arg(long, default_value_t = crate::render::markdown::DEFAULT_MAX_CHARS)]
    pub max_chars: usize,
}

pub fn run(a: &ShowArgs, g: &Global) -> u8 {
    let mut plan = match planfile::read(&a.planfile) {
        Ok(p) => p,
        Err(e) => {
            errln!("error: {e}");
            return 1;
        }
    };
    if let Some(x) = &a.executor {
        if let Err(e) = restrict_to_executor(&mut plan, x) {
            errln!("error: {e}");
            return 1;
        }
    }
    out!(
        "{}",
        render::plan(&plan, a.format, super::use_color(g), a.max_chars)
    );
    0
}
