//! Stages: the order between accounts, as data. A plan whose changes are run by several
//! accounts (the management account, sec-ops, infra-ops…) is cut into numbered stages,
//! each run by one account, each depending only on earlier stages. A pipeline runs
//! `orgctl apply plan.json --executor <account>` stage by stage; `apply` itself runs every
//! change of the caller whose dependencies are done, so running an account early is safe.
//!
//! A change's stage follows its dependencies (`depends_on`) and the orders AWS imposes
//! without an observable dependency (the outgoing GuardDuty admin's teardown before the
//! management account moves the admin). Each stage runs all the changes its account can
//! run by then, so an account comes back only when another account must act in between.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::change::{Action, Change, Op};

/// One stage: an account and the changes it runs, after the stages it waits for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Stage {
    /// 1-based, in execution order.
    pub number: usize,
    /// The account that runs the stage (empty when this plan creates it).
    pub account_id: String,
    /// Its name in org.yaml: `apply plan.json --executor NAME --stage NUMBER`.
    pub account_name: String,
    /// Addresses, in plan order.
    pub changes: Vec<String>,
    /// Earlier stages (numbers) this one needs done first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub after: Vec<usize>,
}

/// Changes `c` must run after although no account can observe them done, so they are
/// not in `depends_on`: an outgoing GuardDuty admin's teardown (only that admin sees its
/// members) before the management account moves the admin. The stages order them; `apply`
/// holds `c` back until the pipeline says their stage has run (`apply --stage`).
pub fn unobservable<'a>(changes: &'a [Change], c: &Change) -> Vec<&'a Change> {
    match (&c.op, c.action) {
        (Op::ServiceAdmins { principal, .. }, Action::Replace) => changes
            .iter()
            .filter(|o| match &o.op {
                Op::ServiceTeardown { service, .. } => {
                    service.service().map(|s| s.principal) == Some(principal.as_str())
                }
                _ => false,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Changes `c` must run after, by index: its dependencies in the plan and the
/// [`unobservable`] ones.
fn predecessors(changes: &[Change], index: &BTreeMap<&str, usize>, c: &Change) -> Vec<usize> {
    c.depends_on
        .iter()
        .map(String::as_str)
        .chain(
            unobservable(changes, c)
                .into_iter()
                .map(|o| o.address.as_str()),
        )
        .filter_map(|d| index.get(d).copied())
        .collect()
}

/// Cuts ordered `changes` into stages, the way a pipeline runs them: the account of the
/// first change not yet run goes next and runs every change of its own whose predecessors
/// are done (what `apply --executor` does), and so on until all are run. The plan order is
/// topological, so that first change can always run. Predecessors later in the list (a
/// cycle the sort could not break) are ignored.
pub fn stages(changes: &[Change]) -> Vec<Stage> {
    let index: BTreeMap<&str, usize> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| (c.address.as_str(), i))
        .collect();
    let preds: Vec<Vec<usize>> = changes
        .iter()
        .enumerate()
        .map(|(i, c)| {
            predecessors(changes, &index, c)
                .into_iter()
                .filter(|&p| p < i)
                .collect()
        })
        .collect();
    // The stage each change runs in (0: not yet).
    let mut stage_no = vec![0usize; changes.len()];
    let mut out: Vec<Stage> = Vec::new();
    while let Some(first) = stage_no.iter().position(|&n| n == 0) {
        let n = out.len() + 1;
        let exec = &changes[first].executor;
        let mut st = Stage {
            number: n,
            account_id: exec.account_id.clone(),
            account_name: exec.account_name.clone(),
            changes: Vec::new(),
            after: Vec::new(),
        };
        let mut after = BTreeSet::new();
        for i in first..changes.len() {
            let c = &changes[i];
            if stage_no[i] != 0
                || c.executor.account_id != exec.account_id
                || c.executor.account_name != exec.account_name
                || preds[i].iter().any(|&p| stage_no[p] == 0)
            {
                continue;
            }
            stage_no[i] = n;
            st.changes.push(c.address.clone());
            after.extend(preds[i].iter().map(|&p| stage_no[p]).filter(|&m| m != n));
        }
        st.after = after.into_iter().collect();
        out.push(st);
    }
    out
}

/// The stage that runs `address`, if any.
pub fn stage_of<'a>(stages: &'a [Stage], address: &str) -> Option<&'a Stage> {
    stages
        .iter()
        .find(|s| s.changes.iter().any(|a| a == address))
}

#[cfg(test)]
#[path = "stages_tests.rs"]
mod tests;
