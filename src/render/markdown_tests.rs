//! The Markdown plan: stages in order, diffs in collapsible blocks, and the size budget
//! (a 1,000-change plan stays under GitHub's comment limit as valid Markdown).

use serde_json::json;

use super::*;
use crate::plan::change::{Action, Executor, Op, Summary};

fn change(i: usize, exec: &str, deps: Vec<String>) -> Change {
    let doc = |effect: &str| json!({"content": {"Version": "2012-10-17", "Statement": [{"Sid": format!("S{i}"), "Effect": effect, "Action": ["s3:DeleteBucket", "ec2:TerminateInstances"], "Resource": "*"}]}});
    Change {
        address: format!("policy[\"p{i:04}\"]"),
        action: Action::Update,
        summary: format!("update the document of p{i:04} | with a pipe"),
        before: Some(doc("Allow")),
        after: Some(doc("Deny")),
        executor: Executor {
            account_id: exec.into(),
            account_name: format!("acct-{exec}"),
            why: "because".into(),
        },
        risk: if i % 97 == 0 { Risk::High } else { Risk::Low },
        risk_reason: if i % 97 == 0 {
            "broad".into()
        } else {
            String::new()
        },
        depends_on: deps,
        op: Op::UpdatePolicy {
            id: format!("p-{i}"),
            name: format!("p{i:04}"),
            description: String::new(),
            content: json!({}),
        },
    }
}

/// `n` changes over three accounts; every third depends on the one before it.
fn big(n: usize) -> Plan {
    let execs = ["111111111111", "222222222222", "333333333333"];
    let changes: Vec<Change> = (0..n)
        .map(|i| {
            let deps = if i % 3 == 1 {
                vec![format!("policy[\"p{:04}\"]", i - 1)]
            } else {
                Vec::new()
            };
            change(i, execs[i % 3], deps)
        })
        .collect();
    Plan {
        format_version: crate::plan::change::FORMAT_VERSION,
        orgctl_version: "0".into(),
        organization_id: "o-test".into(),
        management_account_id: "111111111111".into(),
        live_fingerprint: String::new(),
        live_fingerprints: Default::default(),
        read_scope: Default::default(),
        summary: Summary::of(&changes),
        stages: crate::plan::stages::stages(&changes),
        changes,
        unmanaged: Vec::new(),
        warnings: vec!["a warning".into()],
        effective_scps: Vec::new(),
        account_ids: Default::default(),
        created_accounts: Default::default(),
        omitted: Vec::new(),
        executor_filter: None,
        desired: None,
    }
}

/// Checks what a Markdown renderer needs: every code fence closed by the same fence,
/// `<details>` balanced, and every table whole (header, separator, rows with the same
/// number of cells, then a blank line).
fn assert_valid(md: &str) {
    let mut fence: Option<String> = None;
    let (mut open, mut close) = (0, 0);
    let lines: Vec<&str> = md.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        let ticks: String = l.chars().take_while(|c| *c == '`').collect();
        match &fence {
            Some(f) => {
                if l == f {
                    fence = None;
                }
                i += 1;
                continue;
            }
            None if ticks.len() >= 3 => {
                fence = Some(ticks);
                i += 1;
                continue;
            }
            None => {}
        }
        open += l.matches("<details>").count();
        close += l.matches("</details>").count();
        if l.starts_with('|') {
            let cells = |s: &str| s.replace("\\|", "").matches('|').count();
            let n = cells(l);
            assert!(
                lines.get(i + 1).is_some_and(|s| s.starts_with("|-")
                    || s.starts_with("|--")
                    || s.starts_with("|---")),
                "a table without its separator at line {i}: {l}"
            );
            let mut j = i + 1;
            while j < lines.len() && lines[j].starts_with('|') {
                assert_eq!(
                    cells(lines[j]),
                    n,
                    "row {j} has another cell count: {}",
                    lines[j]
                );
                j += 1;
            }
            assert!(
                j == lines.len() || lines[j].is_empty(),
                "a table cut at line {j}"
            );
            i = j;
            continue;
        }
        i += 1;
    }
    assert!(fence.is_none(), "an unclosed code block");
    assert_eq!(open, close, "<details> not balanced");
}

#[test]
fn a_thousand_changes_stay_under_the_budget_as_valid_markdown() {
    let p = big(1000);
    let full = plan(&p, usize::MAX);
    assert!(
        full.len() > 65_536,
        "the plan is big enough to need the budget: {}",
        full.len()
    );
    let md = plan(&p, DEFAULT_MAX_CHARS);
    assert!(md.chars().count() <= DEFAULT_MAX_CHARS, "{}", md.len());
    assert_valid(&md);
    assert_valid(&full);
    // Stages in order, with the account and what they wait for.
    assert!(
        md.contains("| stage | run from | changes | after |"),
        "{md}"
    );
    assert!(
        md.contains("| 1 | `acct-111111111111` (111111111111) |"),
        "{md}"
    );
    // Diffs went first: some are left out and said to be, with the pointer.
    assert!(md.contains("diff(s) are not shown"), "{md}");
    assert!(md.contains("orgctl show plan.json"), "{md}");
}

#[test]
fn a_tight_budget_leaves_out_tables_then_keeps_only_counts_and_stages() {
    let p = big(300);
    let md = plan(&p, 8_000);
    assert!(md.len() <= 8_000, "{}", md.len());
    assert_valid(&md);
    assert!(md.contains("are not shown"), "{md}");
    let tables_out = plan(&p, 1_500);
    assert!(tables_out.len() <= 1_500, "{}", tables_out.len());
    assert!(
        tables_out.contains("Stages 1–3 (300 change(s)) are not shown"),
        "{tables_out}"
    );
    assert_valid(&tables_out);
    let tiny = plan(&p, 600);
    assert_valid(&tiny);
    assert!(tiny.contains("too large to show here"), "{tiny}");
    assert!(
        tiny.contains("| create | update | replace | delete |"),
        "{tiny}"
    );
}

#[test]
fn every_update_carries_its_diff_and_no_document_can_close_the_block() {
    // Three accounts, the second after the first.
    let mut p = big(3);
    p.changes[0].after = Some(json!({"content": {"Sid": "has ``` and ```` inside"}}));
    let md = plan(&p, DEFAULT_MAX_CHARS);
    assert_valid(&md);
    assert!(
        md.contains("`````diff"),
        "a fence longer than the document's: {md}"
    );
    let has = |sign: char, text: &str| md.lines().any(|l| l.starts_with(sign) && l.contains(text));
    assert!(has('-', "\"Effect\": \"Allow\""), "{md}");
    assert!(has('+', "has ``` and ```` inside"), "{md}");
    insta::assert_snapshot!(md);
}
