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

/// The apply report as JSON, for pipelines: the counts, each change's outcome, the
/// changes of a saved plan found already applied, and the accounts that still have to act
/// (by stage).
pub fn report_json(report: &crate::apply::ApplyReport, plan: &Plan) -> String {
    let v = serde_json::json!({
        "counts": report.counts(),
        "outcomes": report.outcomes,
        "already_applied": report.already_applied,
        "remaining": remaining(report, plan),
    });
    serde_json::to_string_pretty(&v).unwrap_or_default()
}

/// The stages that still have changes to run after this apply, in order: stage, the
/// account that runs it, and how many of its changes remain.
pub(crate) fn remaining(report: &crate::apply::ApplyReport, plan: &Plan) -> Vec<serde_json::Value> {
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
        .map(|((stage, name, id), n)| {
            serde_json::json!({"stage": stage, "account_name": name, "account_id": id, "changes": n})
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
