//! Apply: carries out a plan's changes in order through [`LiveWrite`], resolving names to
//! ids as it goes (an OU or account created earlier in the run is used by later changes).
//! It runs only the changes whose executor is the caller, leaves the rest (and what
//! depends on them) listed with the account to run them from, stops at the first failure,
//! and reports every change's outcome. `CreateAccount` is asynchronous: creations run at
//! most [`ApplyOptions::max_creates_in_flight`] at once and are polled with backoff; a
//! creation already in progress for the same account name is resumed, never duplicated.
//! OUs are created a level at a time, the OUs of a level at once (at most
//! [`MAX_OU_CREATES_IN_FLIGHT`]).
//! Re-running converged calls (`AccountAlreadyRegistered`, `AccountNotRegistered`, a move
//! to the current parent) counts as converged, not as a failure.
//!
//! [`steps`] is the pure part: which changes run alone and which as one bounded-concurrent
//! batch. [`execute`] runs the steps; each operation lives with its concern (`organization`,
//! `policies`, `delegation`, `accounts`, `ic`), every wait goes through [`crate::poll`].

mod accounts;
mod delegation;
pub mod error;
pub mod ic;
mod organization;
mod policies;
pub mod report;
mod resolve;
mod schedule;

use futures::{stream, StreamExt};

pub use crate::live::write::LiveWrite;
use crate::live::{CreateRequest, LiveState};
use crate::plan::change::{Change, Op, Plan};
pub use crate::poll::PollPolicy;
pub use error::{Applied, ApplyError, StepResult};
pub use ic::IcWrite;
pub use report::{ApplyReport, ChangeOutcome, NoProgress, Outcome, Progress, ProgressEvent};
use resolve::Resolver;
use schedule::{finish, precheck, ran_in_earlier_stage, unobserved_wait, Blocked};

/// Apply settings.
#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// The account the credentials belong to.
    pub caller_account_id: String,
    pub poll: PollPolicy,
    /// AWS allows five account creations in progress at once.
    pub max_creates_in_flight: usize,
    /// The plan stage this run is (`apply --stage`): earlier stages have run, so an order
    /// no account can observe (a GuardDuty teardown before the replace) is satisfied.
    pub stage: Option<usize>,
}

/// Changes that run as a bounded-concurrent batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Batch {
    /// `CreateAccount`, at most `max_creates_in_flight`.
    Accounts,
    /// Identity Center assignments, at most [`ic::MAX_ASSIGNMENT_OPS`].
    Assignments,
    /// `CreateOrganizationalUnit`, level by level (an OU after the parent it depends on),
    /// at most [`MAX_OU_CREATES_IN_FLIGHT`] at once.
    Ous,
}

/// OUs created at once: siblings (and cousins) do not wait for each other; Organizations
/// publishes no rate for CreateOrganizationalUnit, and the pacer backs off if it throttles.
pub const MAX_OU_CREATES_IN_FLIGHT: usize = 5;

/// One step of a run: a change alone, or a run of adjacent changes of one batch kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    One(usize),
    Batch(Batch, Vec<usize>),
}

/// The steps of `changes`, in order (pure: which changes run together, by index).
pub fn steps(changes: &[Change]) -> Vec<Step> {
    let mut out: Vec<Step> = Vec::new();
    for (i, c) in changes.iter().enumerate() {
        match (batch_kind(&c.op), out.last_mut()) {
            (Some(k), Some(Step::Batch(last, members))) if *last == k => members.push(i),
            (Some(k), _) => out.push(Step::Batch(k, vec![i])),
            (None, _) => out.push(Step::One(i)),
        }
    }
    out
}

fn batch_kind(op: &Op) -> Option<Batch> {
    use crate::plan::change_ic::IcOp;
    match op {
        Op::CreateAccount { .. } => Some(Batch::Accounts),
        Op::CreateOu { .. } => Some(Batch::Ous),
        Op::Ic(op)
            if matches!(
                **op,
                IcOp::CreateAssignment { .. } | IcOp::DeleteAssignment { .. }
            ) =>
        {
            Some(Batch::Assignments)
        }
        _ => None,
    }
}

/// The outcome of a change that ran.
fn outcome(res: StepResult) -> Outcome {
    match res {
        Ok(Applied::Changed(detail)) => Outcome::Done { detail },
        Ok(Applied::AlreadySo(detail)) => Outcome::Converged { detail },
        Err(e) => Outcome::Failed {
            error: e.to_string(),
        },
    }
}

/// A run in progress: the plan, the ids known so far, the report.
struct Runner<'a, W> {
    plan: &'a Plan,
    live: &'a LiveState,
    in_progress: &'a [CreateRequest],
    w: &'a W,
    opts: &'a ApplyOptions,
    progress: &'a dyn Progress,
    r: Resolver,
    report: ApplyReport,
    /// Changes not applied (yet), with the account that must act first when it is another
    /// account's turn; other accounts' shares left out by --executor are among them.
    blocked: Blocked,
    stopped: bool,
}

/// Runs `plan` (already checked against the live state it was made from).
/// `in_progress` are the account-creation requests AWS reports as running.
pub async fn execute<W: LiveWrite + IcWrite>(
    plan: &Plan,
    live: &LiveState,
    in_progress: &[CreateRequest],
    w: &W,
    opts: &ApplyOptions,
    progress: &dyn Progress,
) -> ApplyReport {
    let mut run = Runner {
        plan,
        live,
        in_progress,
        w,
        opts,
        progress,
        r: Resolver::new(plan, live),
        report: ApplyReport::default(),
        blocked: plan
            .omitted
            .iter()
            .map(|a| {
                (
                    a.clone(),
                    Some((String::new(), "another account".to_string())),
                )
            })
            .collect(),
        stopped: false,
    };
    for step in steps(&plan.changes) {
        match step {
            Step::One(i) => run.one(&plan.changes[i]).await,
            Step::Batch(kind, members) => run.batch(kind, &members).await,
        }
    }
    run.report
}

impl<W: LiveWrite + IcWrite> Runner<'_, W> {
    /// Why `c` does not run now, if it does not.
    fn held(&self, c: &Change) -> Option<Outcome> {
        let plan = self.plan;
        let mut o = ran_in_earlier_stage(plan, c, self.opts)
            .or_else(|| precheck(c, self.opts, &self.blocked, self.stopped))
            .or_else(|| unobserved_wait(plan, c, self.opts.stage))?;
        // An executor created earlier in this run has an id now.
        if let Outcome::LeftForExecutor {
            account_id,
            account_name,
            stage,
        } = &mut o
        {
            if account_id.is_empty() {
                if let Some(id) = self.r.account_ids.get(account_name.as_str()) {
                    *account_id = id.to_string();
                }
            }
            *stage = crate::plan::stages::stage_of(&plan.stages, &c.address).map(|s| s.number);
        }
        Some(o)
    }

    fn finish(&mut self, c: &Change, o: Outcome) {
        finish(
            c,
            o,
            &mut self.report,
            &mut self.blocked,
            &mut self.stopped,
            self.progress,
        );
    }

    fn start(&self, c: &Change) {
        self.progress.on(ProgressEvent::Start {
            address: &c.address,
            summary: &c.summary,
        });
    }

    async fn one(&mut self, c: &Change) {
        if let Some(o) = self.held(c) {
            return self.finish(c, o);
        }
        self.start(c);
        let res = run_op(&c.op, &mut self.r, self.w, self.opts.poll).await;
        self.finish(c, outcome(res));
    }

    /// A batch: the members held back are reported first, then the others run at once
    /// (at most the batch's limit in flight) and are reported in plan order.
    async fn batch(&mut self, kind: Batch, members: &[usize]) {
        if kind == Batch::Ous {
            return self.ous(members).await;
        }
        let plan = self.plan;
        let mut ready = Vec::new();
        for &i in members {
            let c = &plan.changes[i];
            match self.held(c) {
                Some(o) => self.finish(c, o),
                None => ready.push((i, c)),
            }
        }
        let mut results: Vec<(usize, &Change, Outcome)> = match kind {
            Batch::Assignments => self.assignments(ready).await,
            Batch::Accounts => self.accounts(ready).await,
            Batch::Ous => Vec::new(),
        };
        results.sort_by_key(|(i, _, _)| *i);
        for (_, c, o) in results {
            self.finish(c, o);
        }
    }

    /// OU creations in waves: each wave is the members none of whose dependencies is still
    /// to run in this batch (a level of the tree), created at once (those held back not)
    /// and reported in plan order; their ids are known to the next wave.
    async fn ous(&mut self, members: &[usize]) {
        let plan = self.plan;
        let mut todo: Vec<usize> = members.to_vec();
        while !todo.is_empty() {
            let pending: std::collections::BTreeSet<&str> = todo
                .iter()
                .map(|&i| plan.changes[i].address.as_str())
                .collect();
            let (wave, later): (Vec<usize>, Vec<usize>) = todo.iter().copied().partition(|&i| {
                !plan.changes[i]
                    .depends_on
                    .iter()
                    .any(|d| pending.contains(d.as_str()))
            });
            // Never from a tree; rather than loop, the rest run as one wave (a parent's id
            // still unknown fails that creation with its cause).
            let (wave, later) = if wave.is_empty() {
                (later, Vec::new())
            } else {
                (wave, later)
            };
            let mut ready = Vec::new();
            let mut ended: Vec<(usize, &Change, Outcome)> = Vec::new();
            for i in wave {
                let c = &plan.changes[i];
                match self.held(c) {
                    Some(o) => ended.push((i, c, o)),
                    None => ready.push((i, c)),
                }
            }
            let (r, w, this) = (&self.r, self.w, &*self);
            let made: Vec<(usize, &Change, Result<String, ApplyError>)> = stream::iter(ready)
                .map(|(i, c)| async move {
                    this.start(c);
                    let res = match &c.op {
                        Op::CreateOu {
                            parent, name, tags, ..
                        } => organization::new_ou(parent, name, tags, r, w).await,
                        _ => Err(ApplyError::Internal("not an OU creation")),
                    };
                    (i, c, res)
                })
                .buffer_unordered(MAX_OU_CREATES_IN_FLIGHT)
                .collect()
                .await;
            for (i, c, res) in made {
                let res = res.map(|id| {
                    if let Op::CreateOu { path, .. } = &c.op {
                        self.r.ou_ids.insert(path.clone(), id.clone());
                    }
                    Applied::Changed(format!("created {id}"))
                });
                ended.push((i, c, outcome(res)));
            }
            ended.sort_by_key(|(i, _, _)| *i);
            for (_, c, o) in ended {
                self.finish(c, o);
            }
            todo = later;
        }
    }

    async fn assignments<'c>(
        &self,
        ready: Vec<(usize, &'c Change)>,
    ) -> Vec<(usize, &'c Change, Outcome)> {
        let (r, w) = (&self.r, self.w);
        // Operations on one permission set's role in one account run one after the other
        // (AWS fails the later of two at once); different roles run side by side.
        let mut lanes: Vec<Vec<(usize, &Change)>> = Vec::new();
        let mut lane_of: std::collections::BTreeMap<(String, String), usize> =
            std::collections::BTreeMap::new();
        for (i, c) in ready {
            let role = match &c.op {
                Op::Ic(op) => ic::role_of(op, r),
                _ => None,
            };
            match role.map(|k| lane_of.get(&k).copied().ok_or(k)) {
                Some(Ok(n)) => lanes[n].push((i, c)),
                Some(Err(k)) => {
                    lane_of.insert(k, lanes.len());
                    lanes.push(vec![(i, c)]);
                }
                None => lanes.push(vec![(i, c)]),
            }
        }
        stream::iter(lanes)
            .map(|lane| async move {
                let mut out = Vec::with_capacity(lane.len());
                for (i, c) in lane {
                    self.start(c);
                    let res = match &c.op {
                        Op::Ic(op) => ic::assignment(op, r, w, self.opts.poll).await,
                        _ => Err(ApplyError::Internal("not an assignment")),
                    };
                    out.push((i, c, outcome(res)));
                }
                out
            })
            .buffer_unordered(ic::MAX_ASSIGNMENT_OPS)
            .flat_map(stream::iter)
            .collect()
            .await
    }

    async fn accounts<'c>(
        &mut self,
        ready: Vec<(usize, &'c Change)>,
    ) -> Vec<(usize, &'c Change, Outcome)> {
        let ctx = accounts::Run {
            live: self.live,
            in_progress: self.in_progress,
            poll: self.opts.poll,
            progress: self.progress,
        };
        let (r, w, this) = (&self.r, self.w, &*self);
        let created: Vec<(usize, &Change, Result<accounts::Created, ApplyError>)> =
            stream::iter(ready)
                .map(|(i, c)| {
                    let ctx = &ctx;
                    async move {
                        this.start(c);
                        let res = match &c.op {
                            Op::CreateAccount {
                                name,
                                email,
                                parent,
                                tags,
                            } => {
                                accounts::create(&c.address, (name, email, parent, tags), ctx, r, w)
                                    .await
                            }
                            _ => Err(ApplyError::Internal("not an account creation")),
                        };
                        (i, c, res)
                    }
                })
                .buffer_unordered(self.opts.max_creates_in_flight.max(1))
                .collect()
                .await;
        created
            .into_iter()
            .map(|(i, c, res)| {
                let res = res.map(|made| {
                    if let Op::CreateAccount { name, .. } = &c.op {
                        self.r.fresh.insert(made.id.clone());
                        self.r.account_ids.insert(name.clone(), made.id);
                    }
                    Applied::new(made.detail, made.existed)
                });
                (i, c, outcome(res))
            })
            .collect()
    }
}

/// Executes one change that runs alone.
async fn run_op<W: LiveWrite + IcWrite>(
    op: &Op,
    r: &mut Resolver,
    w: &W,
    poll: PollPolicy,
) -> StepResult {
    match op {
        Op::CreateOu { .. } => Err(ApplyError::Internal("OU creation runs in a batch")),
        Op::DeleteOu { id, .. } => organization::delete_ou(id, w).await,
        Op::CreateAccount { .. } => Err(ApplyError::Internal("account creation runs in a batch")),
        Op::MoveAccount { id, from, to } => organization::move_account(id, from, to, r, w).await,
        Op::Tag {
            target,
            set,
            remove,
        } => organization::tag(target, set, remove, r, w).await,
        Op::EnableTrustedAccess { principal } => {
            organization::trusted_access(principal, true, w).await
        }
        Op::DisableTrustedAccess { principal } => {
            organization::trusted_access(principal, false, w).await
        }
        Op::DelegatedAdmins {
            principal,
            deregister,
            register,
            via,
        } => delegation::admins(principal, deregister, register, *via, r, w, poll).await,
        Op::ServiceAdmins {
            service,
            principal,
            admin,
            disable,
            deregister,
            enable,
        } => {
            let d = delegation::Regional {
                service: *service,
                principal,
                admin,
                disable,
                deregister,
                enable,
            };
            delegation::regional(d, r, w, poll).await
        }
        Op::ServiceTeardown {
            service, regions, ..
        } => delegation::teardown(*service, regions, w).await,
        Op::PutDelegationPolicy { grants } => policies::put_delegation(grants, r, w).await,
        Op::DeleteDelegationPolicy => policies::delete_delegation(w).await,
        Op::EnablePolicyType { policy_type } => {
            policies::enable_type(policy_type, r, w, poll).await
        }
        Op::CreatePolicy {
            name,
            policy_type,
            description,
            content,
            tags,
        } => policies::create(name, policy_type, description, content, tags, r, w).await,
        Op::UpdatePolicy {
            id,
            name,
            description,
            content,
        } => policies::update(id, name, description, content, r, w).await,
        Op::AttachPolicy { policy, target } => policies::attach(policy, target, r, w).await,
        Op::DetachPolicy {
            policy_id,
            target_id,
        } => policies::detach(policy_id, target_id, w).await,
        Op::DeletePolicy { id, targets } => policies::delete(id, targets, w).await,
        Op::Ic(op) => ic::run(op, r, w, poll).await,
    }
}

#[cfg(test)]
mod tests;
