//! Renderers: take a [`Plan`] (or an apply report) and produce text. They compute
//! nothing about AWS; sorting and grouping for display is all they do.

pub mod audit;
pub mod human;
pub mod markdown;

use crate::plan::change::Plan;

/// Output formats of `plan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

/// An executor's account id for display; empty while the account is still to be created.
pub(crate) fn shown_id(id: &str) -> &str {
    if id.is_empty() {
        "to be created"
    } else {
        id
    }
}

/// The SCPs in force on a target, each named with `name` and, when inherited, with where
/// it is attached.
pub(crate) fn in_force(
    e: &crate::plan::change::EffectiveScps,
    name: impl Fn(&str) -> String,
) -> Vec<String> {
    e.in_force
        .iter()
        .map(|s| {
            if s.attached_to == e.target {
                name(&s.policy)
            } else {
                format!("{} (from {})", name(&s.policy), s.attached_to)
            }
        })
        .collect()
}

/// The plan as pretty JSON (the same document `--out` writes).
pub fn json(plan: &Plan) -> String {
    serde_json::to_string_pretty(plan).unwrap_or_default() + "\n"
}

/// The version of `apply --format json`'s document (docs/plan-format.md has the promise).
pub const REPORT_FORMAT_VERSION: u32 = 1;

/// `apply --format json`, for pipelines: the counts, each change's outcome, the changes of a
/// saved plan found already applied, and the accounts that still have to act (by stage).
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
#[schemars(title = "orgctl apply report")]
pub struct ReportDoc {
    /// This document's version: raised only when a field is removed, renamed or changes
    /// meaning.
    pub format_version: u32,
    /// Changes by outcome.
    pub counts: crate::apply::report::Counts,
    /// Every change of the plan this run considered, in plan order, with its outcome
    /// (`status`: done, converged, failed, left_for_executor, waiting, not_attempted).
    pub outcomes: Vec<crate::apply::ChangeOutcome>,
    /// Changes of a saved plan found already applied before this run, by address.
    pub already_applied: Vec<String>,
    /// The stages that still have changes to run, in order: the next pipeline jobs.
    pub remaining: Vec<Remaining>,
}

/// A stage with changes still to run after this apply.
#[derive(Debug, serde::Serialize, schemars::JsonSchema)]
pub struct Remaining {
    /// The stage's number in the plan (0 for a plan without stages).
    pub stage: usize,
    /// The account that runs it.
    pub account_name: String,
    /// Its id (empty when created by this plan and not known yet).
    pub account_id: String,
    /// How many of its changes remain.
    pub changes: usize,
}

/// The apply report as JSON ([`ReportDoc`]).
pub fn report_json(report: &crate::apply::ApplyReport, plan: &Plan) -> String {
    let doc = ReportDoc {
        format_version: REPORT_FORMAT_VERSION,
        counts: report.counts(),
        outcomes: report.outcomes.clone(),
        already_applied: report.already_applied.clone(),
        remaining: remaining(report, plan),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default()
}

/// The JSON Schema of [`ReportDoc`] (`orgctl schema --for report`).
pub fn report_schema() -> String {
    let mut s = serde_json::to_value(schemars::schema_for!(ReportDoc)).unwrap_or_default();
    s["$id"] = serde_json::json!(
        "https://raw.githubusercontent.com/orgctl/orgctl/main/schemas/apply-report.schema.json"
    );
    s["properties"]["format_version"]["const"] = serde_json::json!(REPORT_FORMAT_VERSION);
    serde_json::to_string_pretty(&s).unwrap_or_default() + "\n"
}

/// The stages that still have changes to run after this apply, in order: stage, the
/// account that runs it, and how many of its changes remain.
pub(crate) fn remaining(report: &crate::apply::ApplyReport, plan: &Plan) -> Vec<Remaining> {
    let mut by: std::collections::BTreeMap<(usize, String, String), usize> = Default::default();
    for o in &report.outcomes {
        if let Some((id, name)) = o.outcome.waits_for() {
            // The account that runs the change, in its stage (a waiting change is the
            // caller's own, in a later stage).
            let key = match crate::plan::stages::stage_of(&plan.stages, &o.address) {
                Some(s) => (s.number, s.account_name.clone(), s.account_id.clone()),
                None => (0, name.to_string(), id.to_string()),
            };
            *by.entry(key).or_default() += 1;
        }
    }
    by.into_iter()
        .map(|((stage, account_name, account_id), changes)| Remaining {
            stage,
            account_name,
            account_id,
            changes,
        })
        .collect()
}

/// Renders `plan` in `format` (Markdown within `max_chars`).
pub fn plan(plan: &Plan, format: Format, color: bool, max_chars: usize) -> String {
    match format {
        Format::Human => human::plan(plan, color),
        Format::Json => json(plan),
        Format::Markdown => markdown::plan(plan, max_chars),
    }
}
