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
    stages_block(&mut out, plan, &p);
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

/// The order between accounts, when more than one account runs changes.
fn stages_block(out: &mut String, plan: &Plan, p: &Paint) {
    if plan.stages.len() < 2 {
        return;
    }
    let _ = writeln!(
        out,
        "Stages, in this order (each account runs `orgctl apply PLANFILE --executor ACCOUNT --stage N` with its own credentials):"
    );
    for st in &plan.stages {
        let after = if st.after.is_empty() {
            String::new()
        } else {
            format!(
                " {}",
                p.c(
                    "2",
                    &format!(
                        "after stage {}",
                        st.after
                            .iter()
                            .map(|n| n.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                )
            )
        };
        let _ = writeln!(
            out,
            "  {}. {} ({}): {} change(s){after}",
            st.number,
            st.account_name,
            super::shown_id(&st.account_id),
            st.changes.len()
        );
    }
    out.push('\n');
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
            stage,
        } => {
            let stage = stage.map(|n| format!(", stage {n}")).unwrap_or_default();
            format!(
                "{} {address} — run it from {account_name} ({}{stage})",
                p.c("33", "left"),
                super::shown_id(account_id)
            )
        }
        Outcome::Waiting {
            on,
            account_name,
            hint,
            ..
        } => {
            let next = if hint.is_empty() {
                "apply again after that"
            } else {
                hint.as_str()
            };
            format!(
                "{} {address} — waits for {on} ({account_name} runs it first); {next}",
                p.c("33", "wait")
            )
        }
        Outcome::NotAttempted { reason } => {
            format!("{} {address} — not attempted: {reason}", p.c("2", "skip"))
        }
    }
}

/// The closing lines of an apply run (the per-change lines are streamed as they happen):
/// the counts, and which accounts still have to act, stage by stage.
pub fn report_summary(r: &ApplyReport, plan: &Plan) -> String {
    let c = r.counts();
    let mut out = format!(
        "\nApplied {} of {} change(s); {} failed, {} left for other accounts, {} waiting for another account, {} not attempted.\n",
        c.done + c.converged,
        r.outcomes.len(),
        c.failed,
        c.left_for_other_accounts,
        c.waiting,
        c.not_attempted
    );
    if c.already_applied > 0 {
        out.push_str(&format!(
            "{} change(s) of this plan were already applied.\n",
            c.already_applied
        ));
    }
    let next = super::remaining(r, plan);
    if !next.is_empty() {
        out.push_str("Still to run, in this order:\n");
        for n in &next {
            let stage = n.stage;
            let (label, flag) = if stage > 0 {
                (format!("stage {stage}: "), format!(" --stage {stage}"))
            } else {
                (String::new(), String::new())
            };
            out.push_str(&format!(
                "  {label}{} ({}) — {} change(s): orgctl apply PLANFILE --executor {}{flag}\n",
                n.account_name,
                super::shown_id(&n.account_id),
                n.changes,
                n.account_name
            ));
        }
    }
    if c.failed > 0 || c.not_attempted > 0 {
        out.push_str("Run `orgctl plan` to see exactly what remains.\n");
    }
    out
}
