//! Renderers: take a [`Plan`] (or an apply report) and produce text. They compute
//! nothing about AWS; sorting and grouping for display is all they do.

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

/// Renders `plan` in `format`.
pub fn plan(plan: &Plan, format: Format, color: bool) -> String {
    match format {
        Format::Human => human::plan(plan, color),
        Format::Json => json(plan),
        Format::Markdown => markdown::plan(plan),
    }
}
