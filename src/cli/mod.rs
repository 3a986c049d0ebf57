//! Command-line parsing and rendering: one file per subcommand, each turning arguments
//! into an `ops::` call, rendering the result and choosing the exit code. No logic about
//! AWS or plans lives here. Exit codes: 0 ok, 1 error or refusal, 2 changes present
//! (`plan --detailed-exitcode`) or findings (`audit`).
//!
//! The composition root: the only module that prints, reads the environment and builds the
//! AWS adapter (the lint policy in Cargo.toml denies both elsewhere).
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::disallowed_methods)]

// Output that never panics: `print!` panics when stdout is a closed pipe (`orgctl plan | head`),
// which would also stop an apply half way. A failed write to a closed pipe is ignored; the
// command goes on and exits with its own code.
macro_rules! out {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($t)*);
    }};
}
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}
macro_rules! err {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stderr(), $($t)*);
    }};
}
macro_rules! errln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod apply;
mod audit;
mod diagnostics;
mod import;
mod permissions;
mod plan;
mod profile;
mod reading;
mod show;
mod validate;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand};

use crate::aws::{Aws, AwsOptions};
use crate::model::LoadError;
use crate::ops::OpsError;

/// Keep an AWS Organization in the shape declared in org.yaml.
#[derive(Debug, Parser)]
#[command(
    name = "orgctl",
    version = concat!(env!("CARGO_PKG_VERSION"), " (", env!("ORGCTL_COMMIT"), ")"),
    about,
    propagate_version = true,
    after_help = "Exit codes: 0 success (apply: every change this account could run succeeded, other accounts' may remain; plan --detailed-exitcode: no changes), 1 error, refusal or failed change, 2 plan --detailed-exitcode: changes present.\n\nOne plan, every account in turn:\n  orgctl plan -f org.yaml --out plan.json          # on the pull request; review it (orgctl show plan.json --format markdown)\n  orgctl apply plan.json                           # then each stage's account, with its own credentials\n  orgctl apply plan.json --executor sec-ops        # (--executor checks the credentials are sec-ops')"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags accepted before or after the subcommand.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// AWS profile (else the standard credential chain: env, web identity, SSO, …).
    #[arg(long, global = true, env = "AWS_PROFILE")]
    pub profile: Option<String>,
    /// AWS Region for signing (Organizations is served from us-east-1).
    #[arg(long, global = true)]
    pub region: Option<String>,
    /// Endpoint URL for every AWS service (`AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` work too).
    #[arg(long, global = true)]
    pub endpoint_url: Option<String>,
    /// More logging (repeat for more); RUST_LOG also works.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Colors in plans and logs: auto (on a terminal, unless NO_COLOR; CLICOLOR_FORCE forces
    /// them), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto)]
    pub color: ColorWhen,
    /// The same as `--color never` (NO_COLOR works too).
    #[arg(long, global = true)]
    pub no_color: bool,
    /// Attempts per AWS call, retries included (throttling is retried with backoff).
    #[arg(long, global = true, env = "AWS_MAX_ATTEMPTS", hide = true)]
    pub max_attempts: Option<u32>,
    /// Reads in flight at once per kind (parents of the OU tree, policies, tags, …).
    #[arg(long, global = true, default_value_t = 8, hide = true)]
    pub concurrency: usize,
    /// Seconds to establish a connection to an AWS endpoint.
    #[arg(long, global = true, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub connect_timeout: u64,
    /// Seconds one attempt of an AWS call may take (request sent, response read).
    #[arg(long, global = true, default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub attempt_timeout: u64,
    /// Seconds one AWS call may take, its retries and their backoff included.
    #[arg(long, global = true, default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..=86400))]
    pub operation_timeout: u64,
    /// Print API calls per operation, wall time and peak memory to stderr as JSON.
    #[arg(long, global = true, hide = true)]
    pub api_stats: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check org.yaml offline (no AWS call, no credentials).
    #[command(
        after_help = "Exit codes: 0 valid (warnings may be printed), 1 invalid.\n\nExamples:\n  orgctl validate -f org.yaml\n  orgctl validate -f org.yaml --format github   # annotations on the pull request's lines\n  orgctl validate -f org.yaml --format json"
    )]
    Validate(validate::ValidateArgs),
    /// Read the organization and show the ordered changes that would make it match org.yaml.
    #[command(
        after_help = "Exit codes: 0 success (no changes with --detailed-exitcode), 1 error, 2 changes present (with --detailed-exitcode).\n\nExamples:\n  orgctl plan -f org.yaml\n  orgctl plan -f org.yaml --out plan.json --detailed-exitcode\n  orgctl plan -f org.yaml --format markdown --max-chars 60000\n  orgctl plan -f org.yaml --executor sec-ops      # only sec-ops' share, with sec-ops' credentials"
    )]
    Plan(plan::PlanArgs),
    /// Carry out a plan (made now, or saved with `plan --out`): this account's share.
    #[command(
        after_help = "Exit codes: 0 every change this account could run now succeeded (other accounts' changes may remain: listed with their stage), 1 error, refusal (another organization, a plan the organization no longer matches, a destructive change without --allow-destroy, the lock held by another plan) or a failed change.\n\nExamples:\n  orgctl apply plan.json                                   # the reviewed plan, this account's share\n  orgctl apply plan.json --executor sec-ops --stage 4      # a pipeline's stage, with sec-ops' credentials\n  orgctl apply plan.json --format json                     # outcomes, counts and the stages still to run\n  orgctl apply -f org.yaml --auto-approve --allow-destroy"
    )]
    Apply(apply::ApplyArgs),
    /// Write an org.yaml (and policy documents) describing the live organization, such that
    /// `orgctl plan` on it shows no changes.
    #[command(
        after_help = "Exit codes: 0 written, 1 error or refusal (the file exists without --force).\n\nExamples:\n  orgctl import                                        # org.yaml and policies/ here\n  orgctl import --out org.yaml --regions us-east-1,eu-west-1\n  orgctl import --out new/org.yaml --policies-dir docs --force"
    )]
    Import(import::ImportArgs),
    /// Report what the management account still does that a delegated account could.
    #[command(
        after_help = "Exit codes: 0 no finding, 1 error, 2 findings (for a scheduled job to alert on).\n\nExamples:\n  orgctl audit\n  orgctl audit -f org.yaml --format markdown     # with the plan's changes: reserved vs movable\n  orgctl audit --format json"
    )]
    Audit(audit::AuditArgs),
    /// Print the IAM policy each account's CI role needs for its share of org.yaml (offline).
    #[command(
        after_help = "Exit codes: 0 printed, 1 invalid file or unknown executor.\n\nExamples:\n  orgctl permissions -f org.yaml                              # every executor's policy, as JSON\n  orgctl permissions -f org.yaml --executor sec-ops > sec-ops.json\n  orgctl permissions -f org.yaml --executor management --for plan\n  orgctl permissions --plan plan.json --executor infra-ops   # with the plan's shares (a teardown)"
    )]
    Permissions(permissions::PermissionsArgs),
    /// Render a saved plan file without AWS access (human, json or markdown).
    #[command(
        after_help = "Exit codes: 0 shown, 1 unreadable or edited plan file.\n\nExamples:\n  orgctl show plan.json\n  orgctl show plan.json --format markdown > comment.md\n  orgctl show plan.json --executor infra-ops"
    )]
    Show(show::ShowArgs),
    /// Print the JSON Schema of org.yaml (for editors: `# yaml-language-server: $schema=…`),
    /// of the plan file or of the apply report.
    #[command(
        after_help = "Exit codes: 0 printed.\n\nExamples:\n  orgctl schema > org.schema.json\n  # then, first line of org.yaml:  # yaml-language-server: $schema=./org.schema.json\n  check-jsonschema --schemafile org.schema.json org.yaml\n  orgctl schema --for plan      # the plan file (plan --out, plan --format json)\n  orgctl schema --for report    # apply --format json"
    )]
    Schema {
        /// Which document: org.yaml, a plan file, or the apply report.
        #[arg(long = "for", value_enum, default_value = "org")]
        of: SchemaOf,
    },
    /// Print shell completions (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Exit codes: 0 printed.\n\nExamples:\n  orgctl completions bash > /etc/bash_completion.d/orgctl\n  orgctl completions zsh > \"${fpath[1]}/_orgctl\"\n  orgctl completions fish > ~/.config/fish/completions/orgctl.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Write the man pages (orgctl.1 and one per command, e.g. orgctl-plan.1) into a folder.
    #[command(
        after_help = "Exit codes: 0 written, 1 the folder cannot be written.\n\nExamples:\n  orgctl man --out-dir man && man ./man/orgctl-plan.1\n  sudo orgctl man --out-dir /usr/local/share/man/man1"
    )]
    Man {
        /// The folder to write into (created if missing).
        #[arg(long, default_value = "man")]
        out_dir: PathBuf,
    },
}

/// The `-f` flag shared by the commands.
#[derive(Debug, Args, Clone)]
pub struct FileArg {
    /// The organization file.
    #[arg(short = 'f', long = "file", default_value = "org.yaml")]
    pub file: PathBuf,
}

/// Parses arguments, runs the command, returns the exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.global.verbose, !log_plain(&cli.global));
    let started = Instant::now();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            errln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let g = cli.global.clone();
    let (code, aws) = rt.block_on(async move {
        match cli.command {
            Command::Validate(a) => (validate::run(&a, &g), None),
            Command::Show(a) => (show::run(&a, &g), None),
            Command::Permissions(a) => (permissions::run(&a, &g), None),
            Command::Schema { of } => {
                match of {
                    SchemaOf::Org => out!("{}", crate::model::schema::json_schema()),
                    SchemaOf::Plan => out!("{}", crate::plan::format::plan_schema()),
                    SchemaOf::Report => out!("{}", crate::render::report_schema()),
                }
                (0, None)
            }
            Command::Completions { shell } => {
                use clap::CommandFactory;
                clap_complete::generate(
                    shell,
                    &mut Cli::command(),
                    "orgctl",
                    &mut std::io::stdout(),
                );
                (0, None)
            }
            Command::Man { out_dir } => {
                use clap::CommandFactory;
                let res = std::fs::create_dir_all(&out_dir)
                    .and_then(|()| clap_mangen::generate_to(Cli::command(), &out_dir));
                match res {
                    Ok(()) => (0, None),
                    Err(e) => {
                        errln!("error: cannot write the man pages into {}: {e}\n  fix: give a writable folder with --out-dir", out_dir.display());
                        (1, None)
                    }
                }
            }
            Command::Plan(a) => match connect(&g).await {
                Ok(aws) => (plan::run(&a, &g, &aws).await, Some(aws)),
                Err(e) => (e, None),
            },
            Command::Audit(a) => match connect(&g).await {
                Ok(aws) => (audit::run(&a, &g, &aws).await, Some(aws)),
                Err(e) => (e, None),
            },
            Command::Import(a) => match connect(&g).await {
                Ok(aws) => (import::run(&a, &g, &aws).await, Some(aws)),
                Err(e) => (e, None),
            },
            Command::Apply(a) => match connect(&g).await {
                Ok(aws) => (apply::run(&a, &g, &aws).await, Some(aws)),
                Err(e) => (e, None),
            },
        }
    });
    if cli.global.api_stats {
        print_stats(aws.as_ref(), started);
    }
    ExitCode::from(code)
}

/// The SDK clients, once the endpoint settings are known to be usable (else exit code 1).
async fn connect(g: &Global) -> Result<Aws, u8> {
    // vars_os: a variable that is not UTF-8 must not panic here.
    let env = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())));
    if let Err(e) = crate::aws::check_endpoints(g.endpoint_url.as_deref(), env) {
        errln!("error: {e}");
        return Err(1);
    }
    if let Some(p) = &g.profile {
        let var = |k: &str| std::env::var_os(k).map(|v| v.to_string_lossy().into_owned());
        if let Err(e) = profile::check(p, &profile::files(var)) {
            errln!("error: {e}");
            return Err(1);
        }
    }
    Ok(Aws::connect(&AwsOptions {
        profile: g.profile.clone(),
        region: g.region.clone(),
        endpoint_url: g.endpoint_url.clone(),
        max_attempts: g.max_attempts,
        concurrency: g.concurrency,
        timeouts: crate::aws::Timeouts {
            connect: Duration::from_secs(g.connect_timeout),
            attempt: Duration::from_secs(g.attempt_timeout),
            operation: Duration::from_secs(g.operation_timeout),
        },
    })
    .await)
}

/// The documents `orgctl schema` describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaOf {
    /// org.yaml.
    Org,
    /// A plan file (`plan --out`, `plan --format json`).
    Plan,
    /// `apply --format json`.
    Report,
}

/// When to color output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// Whether `stream` gets ANSI colors: the flags first, then anstream's reading of the
/// environment for `auto` (NO_COLOR, CLICOLOR_FORCE, CLICOLOR, TERM=dumb) and of the stream
/// (a terminal or not).
pub(crate) fn colors_on<S: anstream::stream::RawStream>(g: &Global, stream: &S) -> bool {
    let choice = match (g.no_color, g.color) {
        (true, _) | (_, ColorWhen::Never) => anstream::ColorChoice::Never,
        (_, ColorWhen::Always) => anstream::ColorChoice::Always,
        (_, ColorWhen::Auto) => anstream::ColorChoice::Auto,
    };
    choice.write_global();
    anstream::AutoStream::choice(stream) != anstream::ColorChoice::Never
}

/// Logs without ANSI codes unless colors are on for stderr.
fn log_plain(g: &Global) -> bool {
    !colors_on(g, &std::io::stderr())
}

fn init_tracing(verbose: u8, ansi: bool) {
    // Quiet by default: the SDK's own warnings (a Region looked up on instance metadata,
    // each credential provider that had nothing) are noise when orgctl reports the cause.
    let default = match verbose {
        0 => "orgctl=warn,error",
        1 => "orgctl=info,warn",
        2 => "orgctl=debug,info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// Whether the plan on stdout is colored (see [`colors_on`]).
pub(crate) fn use_color(g: &Global) -> bool {
    colors_on(g, &std::io::stdout())
}

/// Prints an error; file diagnostics one per line.
pub(crate) fn report_error(e: &OpsError) {
    match e {
        OpsError::Load(LoadError::Invalid { diagnostics, .. }) => {
            let mut view = diagnostics::SourceView::default();
            // The choice `--color` made at start-up (`colors_on` wrote it globally).
            let color =
                anstream::AutoStream::choice(&std::io::stderr()) != anstream::ColorChoice::Never;
            for d in diagnostics {
                errln!("{}", view.render(d, color));
            }
            errln!("error: {e}");
        }
        _ => errln!("error: {e}"),
    }
}

/// Peak resident memory of this process in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    s.lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn print_stats(aws: Option<&Aws>, started: Instant) {
    let calls = aws.map(|a| a.stats.snapshot()).unwrap_or_default();
    let total: u64 = calls.values().map(|c| c.calls).sum();
    let attempts: u64 = calls.values().map(|c| c.attempts).sum();
    let v = serde_json::json!({
        "api_calls": calls,
        "total_calls": total,
        "total_attempts": attempts,
        // Throttled answers the pacer sent again before the SDK saw them (not in attempts).
        "throttled_resends": aws.and_then(|a| a.pacer.as_ref()).map_or(0, |p| p.resent()),
        "wall_ms": started.elapsed().as_millis() as u64,
        "peak_rss_kib": peak_rss_kib(),
    });
    errln!("orgctl-api-stats {v}");
}
