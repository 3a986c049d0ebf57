//! Unit tests of `plan::stages`.

use super::*;
use crate::plan::change::{Executor, Risk};

fn ch(addr: &str, exec: &str, deps: &[&str]) -> Change {
    Change {
        address: addr.into(),
        action: Action::Create,
        summary: String::new(),
        before: None,
        after: None,
        executor: Executor {
            account_id: exec.into(),
            account_name: exec.into(),
            why: String::new(),
        },
        risk: Risk::Low,
        risk_reason: String::new(),
        depends_on: deps.iter().map(|d| d.to_string()).collect(),
        op: Op::EnableTrustedAccess {
            principal: addr.into(),
        },
    }
}

fn shape(s: &[Stage]) -> Vec<(usize, String, Vec<String>, Vec<usize>)> {
    s.iter()
        .map(|s| {
            (
                s.number,
                s.account_id.clone(),
                s.changes.clone(),
                s.after.clone(),
            )
        })
        .collect()
}

#[test]
fn one_account_is_one_stage() {
    let s = stages(&[ch("a", "m", &[]), ch("b", "m", &["a"])]);
    assert_eq!(
        shape(&s),
        vec![(1, "m".into(), vec!["a".into(), "b".into()], vec![])]
    );
}

#[test]
fn a_dependency_on_another_account_makes_a_later_stage() {
    // m registers sec; sec creates users after; sec's independent SCP joins its stage;
    // m's change that needs sec's user comes after.
    let s = stages(&[
        ch("reg", "m", &[]),
        ch("scp", "sec", &[]),
        ch("user", "sec", &["reg"]),
        ch("late", "m", &["user"]),
    ]);
    assert_eq!(
        shape(&s),
        vec![
            (1, "m".into(), vec!["reg".into()], vec![]),
            (2, "sec".into(), vec!["scp".into(), "user".into()], vec![1]),
            (3, "m".into(), vec!["late".into()], vec![2]),
        ]
    );
}

#[test]
fn an_early_change_another_account_needs_stays_early() {
    let s = stages(&[
        ch("a", "x", &[]),
        ch("b", "y", &["a"]),
        ch("c", "x", &["b"]),
    ]);
    assert_eq!(
        s.iter().map(|s| s.number).collect::<Vec<_>>(),
        vec![1, 2, 3]
    );
    assert_eq!(stage_of(&s, "c").map(|s| s.after.clone()), Some(vec![2]));
}

#[test]
fn independent_accounts_share_the_first_level() {
    let s = stages(&[ch("a", "x", &[]), ch("b", "y", &[])]);
    assert_eq!(
        shape(&s),
        vec![
            (1, "x".into(), vec!["a".into()], vec![]),
            (2, "y".into(), vec!["b".into()], vec![]),
        ]
    );
}
