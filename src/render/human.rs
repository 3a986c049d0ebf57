//! The terminal rendering: one block per change with its symbol, address, summary,
//! executor and risk, then a line diff of before/after (pretty JSON, via `similar`);
//! unmanaged objects and warnings follow; ANSI colors unless disabled.

use std::fmt::Write;

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use crate::apply::{ApplyReport, Outcome};
use crate::plan::change::{Action, Change, Plan, Risk};

struct Paint(bool);

impl Paint {
    fn c(&self, code: &str, s: &str) -> String {
        if self.0 {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn action(&self, a: Action) -> String {
        match a {
            Action::Create => self.c("32", "+"),
            Action::Update => self.c("33", "~"),
            Action::Delete => self.c("31", "-"),
            Action::Replace => self.c("35", "-/+"),
        }
    }
}

fn pretty(v: &Option<Value>) -> String {
    v.as_ref()
        .map(|v| serde_json::to_string_pretty(v).unwrap_or_default())
        .unwrap_or_default()
}

fn change_block(out: &mut String, c: &Change, p: &Paint) {
    let risk = if c.risk == Risk::High {
        format!("  {}", p.c("1;31", "[high risk]"))
    } else {
        String::new()
    };
    let _ = writeln!(
        out,
        "  {} {}{risk}",
        p.action(c.action),
        p.c("1", &c.address)
    );
    let _ = writeln!(out, "      {}", c.summary);
    let _ = writeln!(
        out,
        "      {} {} ({}): {}",
        p.c("2", "run by"),
        c.executor.account_name,
        super::shown_id(&c.executor.account_id),
        p.c("2", &c.executor.why)
    );
    if c.risk == Risk::High {
        let _ = writeln!(out, "      {} {}", p.c("31", "risk:"), c.risk_reason);
    }
    if !c.depends_on.is_empty() {
        let _ = writeln!(
            out,
            "      {} {}",
            p.c("2", "after:"),
            c.depends_on.join(", ")
        );
    }
    let (before, after) = (pretty(&c.before), pretty(&c.after));
    if before != after {
        let diff = TextDiff::from_lines(&before, &after);
        for ch in diff.iter_all_changes() {
            let line = ch.value().trim_end_matches('\n');
            let s = match ch.tag() {
                ChangeTag::Delete => p.c("31", &format!("- {line}")),
                ChangeTag::Insert => p.c("32", &format!("+ {line}")),
                ChangeTag::Equal => format!("  {line}"),
            };
            let _ = writeln!(out, "        {s}");
        }
    }
    out.push('\n');
}

/// The plan for a terminal.
pub fn plan(plan: &Plan, color: bool) -> String {
    let p = Paint(color);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "orgctl plan for organization {} (management account {})",
        plan.organization_id, plan.management_account_id
    );
    if let Some(x) = &plan.executor_filter {
        let _ = writeln!(out, "only the changes executed by {x}");
    }
    out.push('\n');
    for c in &plan.changes {
        change_block(&mut out, c, &p);
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(
            out,
            "Unmanaged (in the organization, not in the file; left alone):"
        );
        for u in &plan.unmanaged {
            let _ = writeln!(out, "  {} {} — {}", p.c("2", "?"), u.address, u.note);
        }
        out.push('\n');
    }
    if !plan.effective_scps.is_empty() {
        let _ = writeln!(
            out,
            "SCPs in force after this plan (targets whose SCPs change; inherited ones included):"
        );
        for e in &plan.effective_scps {
            let list = super::in_force(e, |p: &str| p.to_string());
            let _ = writeln!(
                out,
                "  {}: {}",
                e.target,
                if list.is_empty() {
                    "none".to_string()
                } else {
                    list.join(", ")
                }
            );
        }
        out.push('\n');
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "{} {w}", p.c("33", "warning:"));
    }
    if !plan.warnings.is_empty() {
        out.push('\n');
    }
    let s = &plan.summary;
    if s.total() == 0 {
        let _ = writeln!(
            out,
            "{}",
            p.c("32", "No changes. The organization matches the file.")
        );
    } else {
        let _ = writeln!(
            out,
            "Plan: {} to create, {} to update, {} to replace, {} to delete.",
            s.create, s.update, s.replace, s.delete
        );
        let destructive = plan
            .changes
            .iter()
            .filter(|c| c.action.is_destructive())
            .count();
        if destructive > 0 {
            let _ = writeln!(
                out,
                "{}",
                p.c(
                    "31",
                    &format!("{destructive} destructive change(s): apply needs --allow-destroy.")
                )
            );
        }
    }
    out
}

/// One line of the apply record: what happened to one change.
pub fn outcome_line(address: &str, outcome: &Outcome, color: bool) -> String {
    let p = Paint(color);
    match outcome {
        Outcome::Done { detail } => format!("{} {address} — {detail}", p.c("32", "done")),
        Outcome::Converged { detail } => format!("{} {address} — {detail}", p.c("32", "ok  ")),
        Outcome::Failed { error } => format!("{} {address} — {error}", p.c("31", "FAIL")),
        Outcome::LeftForExecutor {
            account_id,
            account_name,
        } => {
            format!(
                "{} {address} — run it from {account_name} ({account_id})",
                p.c("33", "left")
            )
        }
        Outcome::NotAttempted { reason } => {
            format!("{} {address} — not attempted: {reason}", p.c("2", "skip"))
        }
    }
}

/// The closing lines of an apply run (the per-change lines are streamed as they happen).
pub fn report_summary(r: &ApplyReport) -> String {
    let count = |f: fn(&Outcome) -> bool| r.outcomes.iter().filter(|o| f(&o.outcome)).count();
    let failed = count(|o| matches!(o, Outcome::Failed { .. }));
    let skipped = count(|o| matches!(o, Outcome::NotAttempted { .. }));
    let mut out = format!(
        "\nApplied {} of {} change(s); {failed} failed, {} left for other accounts, {skipped} not attempted.\n",
        r.applied_count(),
        r.outcomes.len(),
        r.left().count()
    );
    if failed > 0 || skipped > 0 {
        out.push_str("Run `orgctl plan` to see exactly what remains.\n");
    }
    out
}

/// The whole record of an apply run.
pub fn report(r: &ApplyReport, color: bool) -> String {
    let mut out = String::new();
    for o in &r.outcomes {
        out.push_str(&outcome_line(&o.address, &o.outcome, color));
        out.push('\n');
    }
    out + &report_summary(r)
}
