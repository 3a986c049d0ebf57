//! The Markdown rendering for pull-request comments and CI job summaries: summary
//! table, high-risk changes called out first, then changes grouped by the account that
//! must execute them (risky first within a group), unmanaged objects folded away.

use std::collections::BTreeMap;
use std::fmt::Write;

use crate::plan::change::{Change, Plan, Risk};

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The plan as Markdown.
pub fn plan(plan: &Plan) -> String {
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
        for c in &risky {
            let _ = writeln!(
                out,
                "> - `{}` ({}): {}",
                c.address,
                c.action.as_str(),
                cell(&c.risk_reason)
            );
        }
        out.push('\n');
    }
    let mut groups: BTreeMap<(String, String), Vec<&Change>> = BTreeMap::new();
    for c in &plan.changes {
        groups
            .entry((
                c.executor.account_name.clone(),
                super::shown_id(&c.executor.account_id).to_string(),
            ))
            .or_default()
            .push(c);
    }
    for ((name, id), mut changes) in groups {
        changes.sort_by_key(|c| c.risk != Risk::High);
        let _ = writeln!(
            out,
            "#### Run from `{name}` ({id}) — {} change(s)\n",
            changes.len()
        );
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
    }
    if !plan.unmanaged.is_empty() {
        let _ = writeln!(out, "<details><summary>Unmanaged: {} object(s) in the organization, not in the file (left alone)</summary>\n", plan.unmanaged.len());
        for u in &plan.unmanaged {
            let _ = writeln!(out, "- `{}` — {}", u.address, cell(&u.note));
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    if !plan.effective_scps.is_empty() {
        let _ = writeln!(out, "<details><summary>SCPs in force after this plan: {} target(s) whose SCPs change</summary>\n", plan.effective_scps.len());
        let _ = writeln!(
            out,
            "| target | SCPs in force (inherited from) |\n|---|---|"
        );
        for e in &plan.effective_scps {
            let list = super::in_force(e, |p: &str| format!("`{p}`"));
            let _ = writeln!(out, "| `{}` | {} |", e.target, list.join(", "));
        }
        let _ = writeln!(out, "\n</details>\n");
    }
    for w in &plan.warnings {
        let _ = writeln!(out, "- ⚠️ {}", cell(w));
    }
    out
}
