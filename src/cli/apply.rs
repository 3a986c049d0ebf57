//! `orgctl apply`: plans (or loads a plan file), shows it, asks (unless `--auto-approve`;
//! never in CI), applies, and prints what was done and what was not.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;

use clap::Args;

use super::{FileArg, Global};
use crate::apply::{ApplyOptions, PollPolicy, Progress, ProgressEvent};
use crate::live::aws::Aws;
use crate::ops::{self, ApplyRequest};
use crate::render::{self, Format};

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub file: FileArg,
    /// A plan file written by `orgctl plan --out`; applied exactly, or refused if stale.
    pub planfile: Option<PathBuf>,
    /// Do not ask for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Allow `delete` and `replace` changes.
    #[arg(long)]
    pub allow_destroy: bool,
    /// Only the changes this account (name or 12-digit id) executes; must be the caller.
    #[arg(long)]
    pub executor: Option<String>,
    /// Report format (human or json).
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

/// Streams the apply record: one line per finished change as it happens (stdout, or stderr
/// with `--format json`), so a run cut short still leaves a record; waiting progress on a
/// terminal (stderr).
struct Printer {
    terminal: bool,
    color: bool,
    json: bool,
}

impl Progress for Printer {
    fn on(&self, e: ProgressEvent<'_>) {
        match e {
            ProgressEvent::Start { address, summary } if self.terminal => {
                eprintln!("  … {address}: {summary}")
            }
            ProgressEvent::Waiting {
                address,
                state,
                elapsed,
            } if self.terminal => {
                eprintln!("  … {address}: {state} ({}s)", elapsed.as_secs())
            }
            ProgressEvent::End { address, outcome } => {
                let line = render::human::outcome_line(address, outcome, self.color);
                if self.json {
                    eprintln!("{line}");
                } else {
                    println!("{line}");
                }
            }
            _ => {}
        }
    }
}

fn confirm(n: usize) -> bool {
    eprint!("Apply these {n} change(s)? Only 'yes' is accepted: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).is_ok() && line.trim() == "yes"
}

pub async fn run(a: &ApplyArgs, g: &Global, aws: &Aws) -> u8 {
    let req = ApplyRequest {
        file: a.file.file.clone(),
        plan_file: a.planfile.clone(),
        executor: a.executor.clone(),
    };
    let prepared = match ops::prepare_apply(&req, aws).await {
        Ok(p) => p,
        Err(e) => {
            super::report_error(&e);
            return 1;
        }
    };
    for w in &prepared.warnings {
        eprintln!("{w}");
    }
    let color = super::use_color(g);
    if prepared.plan.summary.total() == 0 {
        println!("No changes. The organization matches the file.");
        return 0;
    }
    if a.planfile.is_none() && !a.auto_approve {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        if ci || !std::io::stdin().is_terminal() {
            eprintln!("error: refusing to apply without confirmation in a non-interactive run\n  fix: review `orgctl plan`, then pass --auto-approve (or apply a saved plan file)");
            return 1;
        }
        print!("{}", render::plan(&prepared.plan, Format::Human, color));
        if !confirm(prepared.plan.summary.total()) {
            eprintln!("Apply cancelled; nothing was changed.");
            return 1;
        }
    }
    let opts = ApplyOptions {
        caller_account_id: prepared.caller.account_id.clone(),
        poll: PollPolicy::default(),
        max_creates_in_flight: 5,
    };
    let printer = Printer {
        terminal: std::io::stderr().is_terminal(),
        color,
        json: a.format == Format::Json,
    };
    let report = match ops::apply_prepared(&prepared, a.allow_destroy, aws, &opts, &printer).await {
        Ok(r) => r,
        Err(e) => {
            super::report_error(&e);
            return 1;
        }
    };
    match a.format {
        Format::Json => println!(
            "{}",
            serde_json::to_string_pretty(&report).unwrap_or_default()
        ),
        _ => print!("{}", render::human::report_summary(&report)),
    }
    u8::from(!report.complete())
}
