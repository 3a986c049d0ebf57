//! The Markdown rendering for pull-request comments and CI job summaries: the counts,
//! high-risk changes called out first, the stages in execution order (which account runs
//! what, after which stage), then each stage's changes with the diff of every change in a
//! collapsible block. A size budget keeps it under GitHub's comment limit: diffs are left
//! out first, then stages' tables, then the risk list, always whole (never a table or a
//! code block cut in half), with a pointer to the full plan artifact.

use std::fmt::Write;

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use crate::plan::change::{Change, Plan, Risk};

/// GitHub refuses comments over 65,536 characters; this leaves room for a bot's header.
pub const DEFAULT_MAX_CHARS: usize = 60_000;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The plan as Markdown, at most `max_chars` characters (as long as the counts and the
/// stage list fit).
pub fn plan(plan: &Plan, max_chars: usize) -> String {
    let owned;
    let plan = if plan.stages.is_empty() && !plan.changes.is_empty() {
        let mut p = plan.clone();
        p.stages = crate::plan::stages::stages(&p.changes);
        owned = p;
        &owned
    } else {
        plan
    };
    let head = head(plan);
    let tail = tail(plan);
    let by_index: std::collections::BTreeMap<&str, &Change> = plan
        .changes
        .iter()
        .map(|c| (c.address.as_str(), c))
        .collect();
    let stages: Vec<(String, Vec<&Change>)> = plan
        .stages
        .iter()
        .map(|s| {
            let title = format!(
                "#### Stage {} — run from `{}` ({}) — {} change(s)\n\n",
                s.number,
                cell(&s.account_name),
                super::shown_id(&s.account_id),
                s.changes.len()
            );
            let changes = s
                .changes
                .iter()
                .filter_map(|a| by_index.get(a.as_str()).copied())
                .collect();
            (title, changes)
        })
        .collect();
    // Room for the notes about what was left out.
    let reserve = 400;
    let mut budget = max_chars.saturating_sub(head.len() + tail.len() + reserve);
    // Stage tables, whole, in order, while they fit.
    let tables: Vec<String> = stages
        .iter()
        .map(|(title, changes)| title.clone() + &table(changes))
        .collect();
    let mut shown_tables = 0;
    for t in &tables {
        if t.len() > budget {
            break;
        }
        budget -= t.len();
        shown_tables += 1;
    }
    // Then diffs, whole, in plan order, within the stages shown.
    let mut diffs: Vec<Vec<String>> = vec![Vec::new(); stages.len()];
    let (mut shown_diffs, mut all_diffs) = (0, 0);
    for (i, (_, changes)) in stages.iter().enumerate() {
        for c in changes {
            let Some(d) = diff_block(c) else { continue };
            all_diffs += 1;
            if i < shown_tables && d.len() + 60 <= budget {
                budget -= d.len() + 60;
                diffs[i].push(d);
                shown_diffs += 1;
            } else {
                budget = 0;
            }
        }
    }
    let mut out = head;
    for (i, t) in tables.iter().take(shown_tables).enumerate() {
        out.push_str(t);
        if !diffs[i].is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>Diffs of stage {} ({})</summary>\n",
                i + 1,
                diffs[i].len()
            );
            for d in &diffs[i] {
                out.push_str(d);
            }
            out.push_str("</details>\n\n");
        }
    }
    if shown_tables < tables.len() {
        let left: usize = stages[shown_tables..].iter().map(|(_, c)| c.len()).sum();
        let _ = writeln!(out, "_Stages {}–{} ({left} change(s)) are not shown, to keep this comment under {max_chars} characters: see the full plan (`orgctl show plan.json`, or the plan artifact)._\n", shown_tables + 1, tables.len());
    }
    if shown_diffs < all_diffs && shown_tables > 0 {
        let _ = writeln!(out, "_{} of {all_diffs} diff(s) are not shown, to keep this comment under {max_chars} characters: see the full plan (`orgctl show plan.json`, or the plan artifact)._\n", all_diffs - shown_diffs);
    }
    out.push_str(&tail);
    if out.len() > max_chars {
        // Even the lists do not fit: counts and stages only.
        let mut short = counts(plan);
        short.push_str(&stage_list(plan));
        let _ = writeln!(short, "_The plan is too large to show here ({} change(s)); see the full plan (`orgctl show plan.json`, or the plan artifact)._", plan.changes.len());
        return short;
    }
    out
}

/// Title, counts, the high-risk call-out and the stage list.
fn head(plan: &Plan) -> String {
    let mut out = counts(plan);
    let risky: Vec<&Change> = plan
        .changes
        .iter()
        .filter(|c| c.risk == Risk::High)
        .collect();
    if !risky.is_empty() {
        let destructive = plan
            .changes
            .iter()
            .filter(|c| c.action.is_destructive())
            .count();
        let note = if destructive > 0 {
            format!("; {destructive} destructive (delete/replace: `apply` needs `--allow-destroy`)")
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "> [!WARNING]\n> **{} high-risk change(s)**{note}",
            risky.len()
        );
        const MAX_RISKY: usize = 50;
        for c in risky.iter().take(MAX_RISKY) {
            let _ = writeln!(
                out,
                "> - `{}` ({}): {}",
                c.address,
                c.action.as_str(),
                cell(&c.risk_reason)
            );
        }
        if risky.len() > MAX_RISKY {
            let _ = writeln!(out, "> - … and {} more", risky.len() - MAX_RISKY);
        }
        out.push('\n');
    }
    out.push_str(&stage_list(plan));
    out
}

fn counts(plan: &Plan) -> String {
    let mut out = String::new();
    let s = &plan.summary;
    let _ = writeln!(out, "### orgctl plan — `{}`\n", plan.organization_id);
    if let Some(x) = &plan.executor_filter {
        let _ = writeln!(out, "Only the changes executed by **{}**.\n", cell(x));
    }
    if s.total() == 0 {
        let _ = writeln!(out, "**No changes.** The organization matches the file.\n");
    } else {
        let _ = writeln!(out, "| create | update | replace | delete |\n|---:|---:|---:|---:|\n| {} | {} | {} | {} |\n", s.create, s.update, s.replace, s.delete);
    }
    out
}

/// The stages in execution order, with the command each account runs.
fn stage_list(plan: &Plan) -> String {
    let mut out = String::new();
    if plan.stages.is_empty() {
        return out;
    }
    let _ = writeln!(out, "**Stages**, in order: each account applies this plan with its own credentials (`orgctl apply plan.json --executor ACCOUNT`).\n");
    let _ = writeln!(
        out,
        "| stage | run from | changes | after |\n|---:|---|---:|---|"
    );
    for s in &plan.stages {
        let after = if s.after.is_empty() {
            "—".to_string()
        } else {
            s.after
                .iter()
                .map(|n| format!("stage {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            out,
            "| {} | `{}` ({}) | {} | {after} |",
            s.number,
            cell(&s.account_name),
            super::shown_id(&s.account_id),
            s.changes.len()
        );
    }
    out.push('\n');
    out
}

/// One stage's changes (risky first) and why this account runs them.
fn table(changes: &[&Change]) -> String {
    let mut out = String::new();
    let mut changes = changes.to_vec();
    changes.sort_by_key(|c| c.risk != Risk::High);
    let _ = writeln!(out, "| address | action | what | risk |\n|---|---|---|---|");
    for c in &changes {
        let risk = if c.risk == Risk::High {
            "**high**"
        } else {
            "low"
        };
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {risk} |",
            cell(&c.address),
            c.action.as_str(),
            cell(&c.summary)
        );
    }
    let mut whys: Vec<&str> = changes.iter().map(|c| c.executor.why.as_str()).collect();
    whys.sort_unstable();
    whys.dedup();
    let _ = writeln!(
        out,
        "\n<sub>Why this account: {}</sub>\n",
        whys.iter().map(|w| cell(w)).collect::<Vec<_>>().join("; ")
    );
    out
}

fn pretty(v: &Option<Value>) -> String {
    v.as_ref()
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_default() + "\n")
        .unwrap_or_default()
}

/// A change's before → after as a collapsible `diff` block (documents, inline policies,
/// the delegation policy, every attribute); `None` when there is nothing to show.
fn diff_block(c: &Change) -> Option<String> {
    let (before, after) = (pretty(&c.before), pretty(&c.after));
    if before == after {
        return None;
    }
    let mut body = String::new();
    for ch in TextDiff::from_lines(&before, &after).iter_all_changes() {
        let sign = match ch.tag() {
            ChangeTag::Delete => '-',
            ChangeTag::Insert => '+',
            ChangeTag::Equal => ' ',
        };
        let _ = writeln!(body, "{sign}{}", ch.value().trim_end_matches('\n'));
    }
    // A fence longer than any run of backticks inside, so no document can close it.
    let longest = body.split(|ch| ch != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    Some(format!(
        "<details><summary><code>{}</code> ({})</summary>\n\n{fence}diff\n{body}{fence}\n\n</details>\n\n",
        html(&c.address),
        c.action.as_str()
    ))
}

/// Text inside HTML (`<summary>`).
fn html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Unmanaged objects, SCPs in force and warnings.
fn tail(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(out, "<details><summary>Unmanaged: {} object(s) in the organization, not in the file (left alone)</summary>\n", plan.unmanaged.len());
        const MAX_UNMANAGED: usize = 100;
        for u in plan.unmanaged.iter().take(MAX_UNMANAGED) {
            let _ = writeln!(out, "- `{}` — {}", u.address, cell(&u.note));
        }
        if plan.unmanaged.len() > MAX_UNMANAGED {
            let _ = writeln!(
                out,
                "- … and {} more (see the full plan)",
                plan.unmanaged.len() - MAX_UNMANAGED
            );
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    if !plan.effective_scps.is_empty() {
        let _ = writeln!(out, "<details><summary>SCPs in force after this plan: {} target(s) whose SCPs change</summary>\n", plan.effective_scps.len());
        let _ = writeln!(
            out,
            "| target | SCPs in force (inherited from) |\n|---|---|"
        );
        for e in plan.effective_scps.iter().take(100) {
            let list = super::in_force(e, |p: &str| format!("`{p}`"));
            let _ = writeln!(out, "| `{}` | {} |", e.target, list.join(", "));
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    for w in plan.warnings.iter().take(20) {
        let _ = writeln!(out, "- ⚠️ {}", cell(w));
    }
    out
}

#[cfg(test)]
#[path = "markdown_tests.rs"]
mod tests;
