//! `orgctl apply`: plans (or loads a plan file), shows it, asks (unless `--auto-approve`;
//! never in CI), applies, and prints what was done and what was not.

use std::collections::BTreeMap;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use clap::Args;
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{FileArg, Global};
use crate::apply::{ApplyOptions, PollPolicy, Progress, ProgressEvent};
use crate::aws::Aws;
use crate::ops::{self, ApplyRequest};
use crate::render;

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
    /// The account this run is for (name or 12-digit id): refused unless the credentials
    /// are that account's. Every apply runs only the caller's changes.
    #[arg(long)]
    pub executor: Option<String>,
    /// Take over the organization's apply lock even though another run holds it (for a run
    /// that was killed; a re-run of the same command takes its own lock over anyway).
    #[arg(long)]
    pub break_lock: bool,
    /// Milliseconds to let the lock's write settle before checking it is ours.
    #[arg(
        long,
        env = "ORGCTL_LOCK_SETTLE_MS",
        default_value_t = 1000,
        hide = true
    )]
    pub lock_settle_ms: u64,
    /// The plan stage this run is, in a pipeline that runs the stages in order: earlier
    /// stages have run, so an order no account can observe (GuardDuty's outgoing admin's
    /// teardown before the management account moves the admin) counts as satisfied.
    #[arg(long)]
    pub stage: Option<usize>,
    /// Report format: human, or json (each change's outcome and the counts, for pipelines).
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    pub format: ReportFormat,
}

/// Formats of the apply report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ReportFormat {
    Human,
    Json,
}

/// Streams the apply record: one line per finished change as it happens (stdout, or stderr
/// with `--format json`), so a run cut short still leaves a record. Progress goes to
/// stderr: on a terminal a live spinner per running change with its state and elapsed time
/// (indicatif); without one, a heartbeat line naming what is still running whenever
/// nothing was printed for [`HEARTBEAT`], so a CI log is never silent through a long wait
/// (account creation, provisioning, enablement).
struct Printer {
    terminal: bool,
    color: bool,
    json: bool,
    state: Arc<Mutex<Running>>,
    /// The terminal's live display (`None` without a terminal).
    live: Option<Live>,
}

/// Spinners of the running changes, by address.
struct Live {
    multi: MultiProgress,
    bars: Mutex<BTreeMap<String, ProgressBar>>,
}

impl Live {
    fn new() -> Self {
        Live {
            multi: MultiProgress::with_draw_target(ProgressDrawTarget::stderr()),
            bars: Mutex::new(BTreeMap::new()),
        }
    }

    fn start(&self, address: &str, summary: &str) {
        let bar = self.multi.add(ProgressBar::new_spinner());
        if let Ok(style) = ProgressStyle::with_template("  {spinner} {elapsed:>4} {msg}") {
            bar.set_style(style);
        }
        bar.set_message(format!("{address}: {summary}"));
        bar.enable_steady_tick(Duration::from_millis(120));
        if let Ok(mut bars) = self.bars.lock() {
            bars.insert(address.to_string(), bar);
        }
    }

    fn state(&self, address: &str, state: &str) {
        if let Some(bar) = self.bars.lock().ok().and_then(|b| b.get(address).cloned()) {
            bar.set_message(format!("{address}: {state}"));
        }
    }

    /// Removes the change's spinner and prints its record line above the others.
    fn end(&self, address: &str, line: &str, to_stderr: bool) {
        if let Some(bar) = self.bars.lock().ok().and_then(|mut b| b.remove(address)) {
            bar.finish_and_clear();
            self.multi.remove(&bar);
        }
        self.multi.suspend(|| {
            if to_stderr {
                errln!("{line}");
            } else {
                outln!("{line}");
            }
        });
    }
}

/// Changes started and not finished (address → started, last state), and when a line was
/// last printed.
struct Running {
    changes: BTreeMap<String, (Instant, String)>,
    last_line: Instant,
}

const HEARTBEAT: Duration = Duration::from_secs(10);

impl Printer {
    fn new(terminal: bool, color: bool, json: bool) -> Self {
        Printer {
            terminal,
            color,
            json,
            live: terminal.then(Live::new),
            state: Arc::new(Mutex::new(Running {
                changes: BTreeMap::new(),
                last_line: Instant::now(),
            })),
        }
    }

    fn with<T>(&self, f: impl FnOnce(&mut Running) -> T) -> Option<T> {
        self.state.lock().ok().map(|mut s| f(&mut s))
    }

    /// Starts the heartbeat thread (without a terminal); it ends when `stop` is set.
    fn heartbeat(&self, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<()> {
        let state = Arc::clone(&self.state);
        let terminal = self.terminal;
        std::thread::spawn(move || {
            while !terminal && !stop.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(250));
                let Ok(mut s) = state.lock() else { return };
                if s.changes.is_empty() || s.last_line.elapsed() < HEARTBEAT {
                    continue;
                }
                for line in heartbeat_lines(&s.changes) {
                    errln!("{line}");
                }
                s.last_line = Instant::now();
            }
        })
    }
}

/// One line per running change: what it waits on and for how long.
fn heartbeat_lines(running: &BTreeMap<String, (Instant, String)>) -> Vec<String> {
    let mut lines: Vec<String> = running
        .iter()
        .take(5)
        .map(|(a, (t, state))| {
            format!(
                "  … still running {a}: {state} ({}s)",
                t.elapsed().as_secs()
            )
        })
        .collect();
    if running.len() > 5 {
        lines.push(format!(
            "  … and {} more change(s) running",
            running.len() - 5
        ));
    }
    lines
}

impl Progress for Printer {
    fn on(&self, e: ProgressEvent<'_>) {
        match e {
            ProgressEvent::Start { address, summary } => {
                self.with(|s| {
                    s.changes
                        .insert(address.to_string(), (Instant::now(), "started".into()));
                });
                if let Some(live) = &self.live {
                    live.start(address, summary);
                }
            }
            ProgressEvent::Waiting { address, state, .. } => {
                self.with(|s| {
                    if let Some(entry) = s.changes.get_mut(address) {
                        entry.1 = state.to_string();
                    }
                });
                if let Some(live) = &self.live {
                    live.state(address, state);
                }
            }
            ProgressEvent::End { address, outcome } => {
                let line = render::human::outcome_line(address, outcome, self.color);
                self.with(|s| {
                    s.changes.remove(address);
                    s.last_line = Instant::now();
                });
                match &self.live {
                    Some(live) => live.end(address, &line, self.json),
                    None if self.json => errln!("{line}"),
                    None => outln!("{line}"),
                }
            }
        }
    }
}

fn confirm(n: usize) -> bool {
    err!("Apply these {n} change(s)? Only 'yes' is accepted: ");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).is_ok() && line.trim() == "yes"
}

pub async fn run(a: &ApplyArgs, g: &Global, aws: &Aws) -> u8 {
    // One writer at a time: the lock is taken before the organization is read for this
    // run, and released whatever happens next.
    let source = a.planfile.as_ref().unwrap_or(&a.file.file);
    let what = match std::fs::read(source) {
        Ok(bytes) => digest(&bytes),
        Err(e) => {
            errln!("error: cannot read {}: {e}", source.display());
            return 1;
        }
    };
    let settle = Duration::from_millis(a.lock_settle_ms);
    let held = match ops::lock::take(aws, &what, settle, a.break_lock).await {
        Ok((held, warning)) => {
            if let Some(w) = warning {
                errln!("{w}");
            }
            held
        }
        Err(e) => {
            super::report_error(&e);
            return 1;
        }
    };
    let code = run_locked(a, g, aws).await;
    if let Some(h) = &held {
        if let Err(e) = ops::lock::release(aws, h).await {
            errln!("warning: could not release the organization's apply lock ({e}); it expires by itself, or the next apply of this plan takes it over");
        }
    }
    code
}

/// Hex SHA-256 of `bytes`.
fn digest(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn run_locked(a: &ApplyArgs, g: &Global, aws: &Aws) -> u8 {
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
        errln!("{w}");
    }
    let color = super::use_color(g);
    if prepared.plan.summary.total() == 0 {
        let msg = match prepared.recheck.as_ref().map(|r| r.done.len()) {
            Some(n) if n > 0 => {
                format!("No changes left: the {n} change(s) of this plan are applied.")
            }
            _ => "No changes. The organization matches the file.".to_string(),
        };
        if a.format == ReportFormat::Json {
            errln!("{msg}");
            let mut report = crate::apply::ApplyReport::default();
            if let Some(r) = &prepared.recheck {
                report.already_applied = r.done.clone();
            }
            outln!("{}", render::report_json(&report, &prepared.plan));
        } else {
            outln!("{msg}");
        }
        return 0;
    }
    if a.planfile.is_none() && !a.auto_approve {
        let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
        if ci || !std::io::stdin().is_terminal() {
            errln!("error: refusing to apply without confirmation in a non-interactive run\n  fix: review `orgctl plan`, then pass --auto-approve (or apply a saved plan file)");
            return 1;
        }
        out!("{}", render::human::plan(&prepared.plan, color));
        if !confirm(prepared.plan.summary.total()) {
            errln!("Apply cancelled; nothing was changed.");
            return 1;
        }
    }
    let opts = ApplyOptions {
        caller_account_id: prepared.caller.account_id.clone(),
        poll: PollPolicy::default(),
        max_creates_in_flight: 5,
        stage: a.stage,
    };
    let printer = Printer::new(
        std::io::stderr().is_terminal(),
        color,
        a.format == ReportFormat::Json,
    );
    let stop = Arc::new(AtomicBool::new(false));
    let beat = printer.heartbeat(Arc::clone(&stop));
    let result = ops::apply_prepared(&prepared, a.allow_destroy, aws, &opts, &printer).await;
    stop.store(true, Ordering::Relaxed);
    let _ = beat.join();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            super::report_error(&e);
            return 1;
        }
    };
    match a.format {
        ReportFormat::Json => outln!("{}", render::report_json(&report, &prepared.plan)),
        _ => out!("{}", render::human::report_summary(&report, &prepared.plan)),
    }
    report.exit_code()
}
