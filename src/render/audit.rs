//! `orgctl audit` as text: human (terminal, CI log) and Markdown (an issue or a comment).

use std::fmt::Write as _;

use crate::audit::Audit;

/// For a terminal or a CI log.
pub fn human(a: &Audit) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Audit of organization {} (management account {})\n",
        a.organization_id, a.management_account_id
    );
    if a.findings.is_empty() {
        let _ = writeln!(
            s,
            "No finding: the management account does nothing a delegated account could."
        );
    } else {
        let _ = writeln!(
            s,
            "{} finding(s): the management account does what a member account could.",
            a.findings.len()
        );
        for f in &a.findings {
            let _ = writeln!(
                s,
                "  ! {} {}\n      {}\n      fix: {}",
                f.kind, f.subject, f.detail, f.fix
            );
        }
    }
    if !a.management_only.is_empty() {
        let _ = writeln!(
            s,
            "\n{} change(s) of the plan only the management account may run (AWS reserves them):",
            a.management_only.len()
        );
        for r in &a.management_only {
            let _ = writeln!(s, "  {} — {}", r.address, r.why);
        }
    }
    s
}

fn cell(t: &str) -> String {
    t.replace('|', "\\|").replace('\n', " ")
}

/// For an issue or a pull-request comment.
pub fn markdown(a: &Audit) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "### orgctl audit: organization `{}` (management account `{}`)\n",
        a.organization_id, a.management_account_id
    );
    if a.findings.is_empty() {
        let _ = writeln!(
            s,
            "No finding: the management account does nothing a delegated account could."
        );
    } else {
        let _ = writeln!(s, "| finding | subject | detail | fix |\n|---|---|---|---|");
        for f in &a.findings {
            let _ = writeln!(
                s,
                "| {} | `{}` | {} | {} |",
                f.kind,
                cell(&f.subject),
                cell(&f.detail),
                cell(&f.fix)
            );
        }
    }
    if !a.management_only.is_empty() {
        let _ = writeln!(
            s,
            "\n<details><summary>{} change(s) only the management account may run</summary>\n\n| change | why |\n|---|---|",
            a.management_only.len()
        );
        for r in &a.management_only {
            let _ = writeln!(s, "| `{}` | {} |", cell(&r.address), cell(&r.why));
        }
        let _ = writeln!(s, "\n</details>");
    }
    s
}
