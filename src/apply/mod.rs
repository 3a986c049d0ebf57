//! Apply: carries out a plan's changes in order through [`LiveWrite`], resolving names to
//! ids as it goes (an OU or account created earlier in the run is used by later changes).
//! It runs only the changes whose executor is the caller, leaves the rest (and what
//! depends on them) listed with the account to run them from, stops at the first failure,
//! and reports every change's outcome. `CreateAccount` is asynchronous: creations run at
//! most [`ApplyOptions::max_creates_in_flight`] at once and are polled with backoff; a
//! creation already in progress for the same account name is resumed, never duplicated.
//! Re-running converged calls (`AccountAlreadyRegistered`, `AccountNotRegistered`, a move
//! to the current parent) counts as converged, not as a failure.

pub mod ic;
pub mod report;
mod resolve;
mod schedule;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use futures::{stream, StreamExt};

use crate::catalog::NativeId;
pub use crate::live::write::LiveWrite;
use crate::live::{CreateRequest, LiveError, LiveState};
use crate::model::desired::{AccountId, AccountRef, Parent};
use crate::plan::change::{Change, Op, Plan, TagTarget};
pub use ic::IcWrite;
pub use report::{ApplyReport, ChangeOutcome, NoProgress, Outcome, Progress, ProgressEvent};
use resolve::Resolver;
use schedule::{finish, precheck, ran_in_earlier_stage, unobserved_wait, Blocked};

/// How account-creation status is polled.
#[derive(Debug, Clone, Copy)]
pub struct PollPolicy {
    pub initial: Duration,
    pub max: Duration,
    pub timeout: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            initial: Duration::from_secs(1),
            max: Duration::from_secs(15),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

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

fn code_of(e: &LiveError) -> &str {
    match e {
        LiveError::Service { code, .. } => code,
        _ => "",
    }
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
    let mut r = Resolver::new(plan, live);
    let mut report = ApplyReport::default();
    // Changes not applied (yet), with the account that must act first when it is another
    // account's turn; other accounts' shares left out by --executor are among them.
    let mut blocked: Blocked = plan
        .omitted
        .iter()
        .map(|a| {
            (
                a.clone(),
                Some((String::new(), "another account".to_string())),
            )
        })
        .collect();
    let mut stopped = false;
    let mut i = 0;
    while i < plan.changes.len() {
        // A run of account creations, or of Identity Center assignments, executes as one
        // bounded-concurrent batch.
        let mut batch: Vec<(usize, &Change)> = Vec::new();
        let mut kind = None;
        while i < plan.changes.len() {
            let c = &plan.changes[i];
            let pre = ran_in_earlier_stage(plan, c, opts)
                .or_else(|| precheck(c, opts, &blocked, stopped))
                .or_else(|| unobserved_wait(plan, c, opts.stage));
            let this = batch_kind(&c.op);
            let is_create = this.is_some();
            if !batch.is_empty() && (pre.is_some() || this != kind) {
                break;
            }
            kind = this;
            i += 1;
            if let Some(mut o) = pre {
                // An executor created earlier in this run has an id now.
                if let Outcome::LeftForExecutor {
                    account_id,
                    account_name,
                    stage,
                } = &mut o
                {
                    if account_id.is_empty() {
                        if let Some(id) = r.account_ids.get(account_name.as_str()) {
                            *account_id = id.to_string();
                        }
                    }
                    *stage =
                        crate::plan::stages::stage_of(&plan.stages, &c.address).map(|s| s.number);
                }
                finish(c, o, &mut report, &mut blocked, &mut stopped, progress);
            } else if is_create {
                batch.push((i - 1, c));
            } else {
                progress.on(ProgressEvent::Start {
                    address: &c.address,
                    summary: &c.summary,
                });
                let o = run_one(c, &mut r, w).await;
                finish(c, o, &mut report, &mut blocked, &mut stopped, progress);
                break;
            }
        }
        if batch.is_empty() {
            continue;
        }
        if kind == Some(Batch::Assignments) {
            let mut results: Vec<(usize, &Change, Outcome)> = stream::iter(batch)
                .map(|(idx, c)| {
                    let r = &r;
                    async move {
                        progress.on(ProgressEvent::Start {
                            address: &c.address,
                            summary: &c.summary,
                        });
                        let o = match &c.op {
                            Op::Ic(op) => match ic::assignment(op, r, w).await {
                                Ok((detail, false)) => Outcome::Done { detail },
                                Ok((detail, true)) => Outcome::Converged { detail },
                                Err(error) => Outcome::Failed { error },
                            },
                            _ => Outcome::Failed {
                                error: "internal: not an assignment".into(),
                            },
                        };
                        (idx, c, o)
                    }
                })
                .buffer_unordered(ic::MAX_ASSIGNMENT_OPS)
                .collect()
                .await;
            results.sort_by_key(|(idx, _, _)| *idx);
            for (_, c, o) in results {
                finish(c, o, &mut report, &mut blocked, &mut stopped, progress);
            }
            continue;
        }
        let mut results: Vec<(usize, &Change, CreateResult)> = stream::iter(batch)
            .map(|(idx, c)| {
                let r = &r;
                async move {
                    progress.on(ProgressEvent::Start {
                        address: &c.address,
                        summary: &c.summary,
                    });
                    (
                        idx,
                        c,
                        create_account(c, live, in_progress, r, w, opts, progress).await,
                    )
                }
            })
            .buffer_unordered(opts.max_creates_in_flight.max(1))
            .collect()
            .await;
        // Report in plan order.
        results.sort_by_key(|(idx, _, _)| *idx);
        for (_, c, res) in results {
            let o = match res {
                Ok((id, detail, existed)) => {
                    if let Op::CreateAccount { name, .. } = &c.op {
                        r.account_ids.insert(name.clone(), id);
                    }
                    if existed {
                        Outcome::Converged { detail }
                    } else {
                        Outcome::Done { detail }
                    }
                }
                Err(error) => Outcome::Failed { error },
            };
            finish(c, o, &mut report, &mut blocked, &mut stopped, progress);
        }
    }
    report
}

/// Changes that run as a bounded-concurrent batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Batch {
    /// `CreateAccount`, at most `max_creates_in_flight`.
    Accounts,
    /// Identity Center assignments, at most [`ic::MAX_ASSIGNMENT_OPS`].
    Assignments,
}

fn batch_kind(op: &Op) -> Option<Batch> {
    use crate::plan::change_ic::IcOp;
    match op {
        Op::CreateAccount { .. } => Some(Batch::Accounts),
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

async fn run_one<W: LiveWrite + IcWrite>(c: &Change, r: &mut Resolver, w: &W) -> Outcome {
    match run_op(&c.op, r, w).await {
        Ok((detail, false)) => Outcome::Done { detail },
        Ok((detail, true)) => Outcome::Converged { detail },
        Err(error) => Outcome::Failed { error },
    }
}

/// Executes one non-batched op: `(detail, already_converged)`.
async fn run_op<W: LiveWrite + IcWrite>(
    op: &Op,
    r: &mut Resolver,
    w: &W,
) -> Result<(String, bool), String> {
    let err = |e: LiveError| e.to_string();
    match op {
        Op::CreateOu {
            path,
            parent,
            name,
            tags,
        } => {
            let pid = r.parent(parent)?;
            let id = w.create_ou(&pid, name, tags).await.map_err(|e| match code_of(&e) {
                "DuplicateOrganizationalUnitException" => format!("{e}\n  fix: an OU named {name} appeared under {parent} since the plan was made; run plan again"),
                _ => err(e),
            })?;
            r.ou_ids.insert(path.clone(), id.clone());
            Ok((format!("created {id}"), false))
        }
        Op::DeleteOu { id, .. } => {
            w.delete_ou(id).await.map_err(err)?;
            Ok((format!("deleted {id}"), false))
        }
        Op::CreateAccount { .. } => Err("internal: account creation runs in a batch".into()),
        Op::MoveAccount { id, from, to } => {
            let (src, dst) = (r.parent(from)?, r.parent(to)?);
            match w.move_account(id, &src, &dst).await {
                Ok(()) => Ok((format!("moved {id} to {to}"), false)),
                Err(e) if code_of(&e) == "DuplicateAccountException" => {
                    Ok((format!("{id} is already in {to}"), true))
                }
                Err(e) if code_of(&e) == "SourceParentNotFoundException" => Err(format!(
                    "{e}\n  fix: account {id} moved since the plan was made; run plan again"
                )),
                Err(e) => Err(err(e)),
            }
        }
        Op::Tag {
            target,
            set,
            remove,
        } => {
            let id = match target {
                TagTarget::Ou(p) => r.parent(&Parent::Ou(p.clone()))?,
                TagTarget::Account(a) => r.account(a)?.to_string(),
                TagTarget::Policy(p) => r.policy(p)?,
            };
            if !set.is_empty() {
                w.tag(&id, set).await.map_err(err)?;
            }
            if !remove.is_empty() {
                w.untag(&id, remove).await.map_err(err)?;
            }
            Ok((format!("tagged {id}"), false))
        }
        Op::EnableTrustedAccess { principal } => {
            w.enable_trusted_access(principal).await.map_err(err)?;
            Ok(("enabled".into(), false))
        }
        Op::DisableTrustedAccess { principal } => {
            w.disable_trusted_access(principal).await.map_err(err)?;
            Ok(("disabled".into(), false))
        }
        Op::DelegatedAdmins {
            principal,
            deregister,
            register,
            via,
        } => delegated_admins(principal, deregister, register, *via, r, w).await,
        Op::PutDelegationPolicy { grants } => {
            let mut ids = BTreeMap::new();
            for g in grants {
                ids.insert(g.account.clone(), r.account(&g.account)?);
            }
            let doc = crate::plan::delegation_policy::document(grants, |a| ids.get(a).cloned());
            let content = serde_json::to_string(&doc).map_err(|e| e.to_string())?;
            w.put_delegation_policy(&content).await.map_err(err)?;
            Ok((
                format!("put the delegation policy ({} account(s))", grants.len()),
                false,
            ))
        }
        Op::EnablePolicyType { policy_type } => {
            let converged = match w.enable_policy_type(&r.root_id, policy_type).await {
                Ok(_) => false,
                Err(e) if code_of(&e) == "PolicyTypeAlreadyEnabledException" => true,
                Err(e) => return Err(err(e)),
            };
            wait_policy_type(&r.root_id, policy_type, w).await?;
            Ok((format!("{policy_type} enabled"), converged))
        }
        Op::CreatePolicy {
            name,
            policy_type,
            description,
            content,
            tags,
        } => {
            let body = serde_json::to_string(content).map_err(|e| e.to_string())?;
            let id = w.create_policy(name, policy_type, description, &body, tags).await.map_err(|e| match code_of(&e) {
                "DuplicatePolicyException" => format!("{e}\n  fix: a policy named {name} appeared since the plan was made; run plan again"),
                _ => err(e),
            })?;
            r.policy_ids.insert(name.clone(), id.clone());
            Ok((format!("created {id}"), false))
        }
        Op::UpdatePolicy {
            id,
            name,
            description,
            content,
        } => {
            let body = serde_json::to_string(content).map_err(|e| e.to_string())?;
            w.update_policy(id, name, description, &body)
                .await
                .map_err(err)?;
            // A renamed policy is known by its new name to the rest of the run.
            r.policy_ids.insert(name.clone(), id.clone());
            Ok((format!("updated {id}"), false))
        }
        Op::AttachPolicy { policy, target } => {
            let (pid, tid) = (r.policy(policy)?, r.target(target)?);
            match w.attach_policy(&pid, &tid).await {
                Ok(()) => Ok((format!("attached {pid} to {tid}"), false)),
                Err(e) if code_of(&e) == "DuplicatePolicyAttachmentException" => {
                    Ok((format!("{pid} was already attached to {tid}"), true))
                }
                Err(e) => Err(err(e)),
            }
        }
        Op::DetachPolicy {
            policy_id,
            target_id,
        } => match w.detach_policy(policy_id, target_id).await {
            Ok(()) => Ok((format!("detached {policy_id} from {target_id}"), false)),
            Err(e) if code_of(&e) == "PolicyNotAttachedException" => {
                Ok((format!("{policy_id} was not attached to {target_id}"), true))
            }
            Err(e) => Err(err(e)),
        },
        Op::DeletePolicy { id, targets } => {
            for t in targets {
                match w.detach_policy(id, t).await {
                    Ok(()) => {}
                    Err(e) if code_of(&e) == "PolicyNotAttachedException" => {}
                    Err(e) => return Err(err(e)),
                }
            }
            match w.delete_policy(id).await {
                Ok(()) => Ok((format!("deleted {id}"), false)),
                Err(e) if code_of(&e) == "PolicyNotFoundException" => {
                    Ok((format!("{id} was already deleted"), true))
                }
                Err(e) => Err(err(e)),
            }
        }
        Op::ServiceAdmins {
            service,
            principal,
            admin,
            disable,
            deregister,
            enable,
        } => {
            service_admins(
                *service, principal, admin, disable, deregister, enable, r, w,
            )
            .await
        }
        Op::Ic(op) => ic::run(op, r, w).await,
        Op::ServiceTeardown {
            service, regions, ..
        } => {
            let mut notes = Vec::new();
            for region in regions {
                let n = w.service_teardown(*service, region).await.map_err(err)?;
                notes.push(format!("{region}: auto-enable off, {n} member(s) removed"));
            }
            Ok((notes.join("; "), false))
        }
        Op::DeleteDelegationPolicy => match w.delete_delegation_policy().await {
            Ok(()) => Ok(("deleted the delegation policy".into(), false)),
            Err(e) if code_of(&e) == "ResourcePolicyNotFoundException" => {
                Ok(("there was no delegation policy".into(), true))
            }
            Err(e) => Err(err(e)),
        },
    }
}

/// A service's own delegated-admin API, in AWS's order: disable the old admin Region by Region
/// (waiting until it is gone), deregister it from Organizations, then enable the new admin in
/// each Region (waiting until it is ENABLED). Already-done steps are skipped, so a re-run
/// after a failure converges.
#[allow(clippy::too_many_arguments)]
async fn service_admins<W: LiveWrite>(
    service: NativeId,
    principal: &str,
    admin: &AccountRef,
    disable: &[(String, AccountId)],
    deregister: &[AccountId],
    enable: &[String],
    r: &Resolver,
    w: &W,
) -> Result<(String, bool), String> {
    let mut notes = Vec::new();
    for (region, old) in disable {
        if w.service_admins(service, region)
            .await
            .map_err(|e| e.to_string())?
            .contains_key(old.as_str())
        {
            w.service_admin_disable(service, region, old.as_str())
                .await
                .map_err(|e| e.to_string())?;
            wait_service_admin(service, region, old.as_str(), None, w).await?;
            notes.push(format!("disabled {old} in {region}"));
        }
    }
    for old in deregister {
        match w.deregister_admin(old, principal).await {
            Ok(()) => notes.push(format!("deregistered {old}")),
            Err(e) if code_of(&e) == "AccountNotRegisteredException" => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    let id = r.account(admin)?;
    for region in enable {
        let now = w
            .service_admins(service, region)
            .await
            .map_err(|e| e.to_string())?;
        if now.get(id.as_str()).map(String::as_str) == Some("ENABLED") {
            continue;
        }
        w.service_admin_enable(service, region, id.as_str())
            .await
            .map_err(|e| e.to_string())?;
        wait_service_admin(service, region, id.as_str(), Some("ENABLED"), w).await?;
        notes.push(format!("enabled {id} in {region}"));
    }
    let converged = notes.is_empty();
    Ok((
        if converged {
            "already as wanted".into()
        } else {
            notes.join("; ")
        },
        converged,
    ))
}

/// Polls a service's admin list until `account` has `status` (`None`: until it is gone).
async fn wait_service_admin<W: LiveWrite>(
    service: NativeId,
    region: &str,
    account: &str,
    status: Option<&str>,
    w: &W,
) -> Result<(), String> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        let now = w
            .service_admins(service, region)
            .await
            .map_err(|e| e.to_string())?;
        if now.get(account).map(String::as_str) == status {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(300) {
            return Err(format!(
                "{service} admin {account} in {region} is {:?} after {:?}",
                now.get(account),
                start.elapsed()
            ));
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// EnablePolicyType is asynchronous: waits until the root reports the type ENABLED.
async fn wait_policy_type<W: LiveWrite>(
    root: &str,
    policy_type: &str,
    w: &W,
) -> Result<(), String> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        match w
            .policy_type_status(root, policy_type)
            .await
            .map_err(|e| e.to_string())?
            .as_deref()
        {
            Some("ENABLED") => return Ok(()),
            Some("PENDING_ENABLE") | None if start.elapsed() < Duration::from_secs(300) => {}
            other => {
                return Err(format!(
                    "{policy_type} is {} on the root after {:?}",
                    other.unwrap_or("not enabled"),
                    start.elapsed()
                ))
            }
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

/// Deregister first, then register (AWS allows one admin for most services).
async fn delegated_admins<W: LiveWrite>(
    principal: &str,
    deregister: &[AccountId],
    register: &[AccountRef],
    via: Option<NativeId>,
    r: &Resolver,
    w: &W,
) -> Result<(String, bool), String> {
    let mut notes = Vec::new();
    let mut all_converged = true;
    for id in deregister {
        let res = match via {
            Some(svc) => w.service_deregister(svc, id).await,
            None => w.deregister_admin(id, principal).await,
        };
        match res {
            Ok(()) => {
                all_converged = false;
                notes.push(format!("deregistered {id}"));
            }
            Err(e) if code_of(&e) == "AccountNotRegisteredException" => {
                notes.push(format!("{id} was not registered"))
            }
            Err(e) => return Err(e.to_string()),
        }
    }
    for a in register {
        let id = r.account(a)?;
        let res = match via {
            Some(svc) => w.service_register(svc, &id).await,
            None => w.register_admin(&id, principal).await,
        };
        match res {
            Ok(()) => {
                all_converged = false;
                notes.push(format!("registered {id}"));
            }
            Err(e)
                if matches!(
                    code_of(&e),
                    "AccountAlreadyRegisteredException" | "AccountRegisteredException"
                ) =>
            {
                notes.push(format!("{id} was already registered"))
            }
            Err(e) => {
                let fix = match &e {
                    LiveError::Service { message, .. }
                        if message.contains("SERVICE_ACCESS_NOT_ENABLED") =>
                    {
                        format!("\n  fix: trusted access for {principal} must be enabled first (add it to trusted_access, or let orgctl plan it)")
                    }
                    _ => String::new(),
                };
                return Err(format!("{e}{fix}"));
            }
        }
    }
    Ok((notes.join("; "), all_converged))
}

/// `(account id, detail, already existed)` or an error.
type CreateResult = Result<(AccountId, String, bool), String>;

/// Creates one account (or finds / resumes it), waits for it, moves it into its OU.
/// Returns `(id, detail, already_existed)`.
async fn create_account<W: LiveWrite>(
    c: &Change,
    live: &LiveState,
    in_progress: &[CreateRequest],
    r: &Resolver,
    w: &W,
    opts: &ApplyOptions,
    progress: &dyn Progress,
) -> CreateResult {
    let Op::CreateAccount {
        name,
        email,
        parent,
        tags,
    } = &c.op
    else {
        return Err("internal: not an account creation".into());
    };
    let mut notes = Vec::new();
    let (id, existed) = if let Some(a) = live.account_by_email(email) {
        notes.push(format!("account {} with this email already exists", a.id));
        (a.id.clone(), true)
    } else {
        let req = match in_progress.iter().find(|q| &q.account_name == name) {
            Some(q) => {
                notes.push(format!(
                    "resumed creation request {} (started by an earlier run)",
                    q.id
                ));
                q.clone()
            }
            None => w
                .create_account(email, name, tags)
                .await
                .map_err(|e| e.to_string())?,
        };
        let done = wait_created(&c.address, req, w, opts.poll, progress).await?;
        notes.push(format!("created {done}"));
        (done, false)
    };
    if *parent != Parent::Root {
        let dst = r.parent(parent)?;
        let src = live
            .accounts
            .get(&id)
            .map(|a| a.parent_id.clone())
            .unwrap_or_else(|| r.root_id.clone());
        if src != dst {
            match w.move_account(&id, &src, &dst).await {
                Ok(()) => notes.push(format!("moved to {parent}")),
                Err(e) if code_of(&e) == "DuplicateAccountException" => {}
                Err(e) => return Err(format!("account {id} was created but not moved to {parent}: {e}\n  fix: run apply again; the next plan moves it")),
            }
        }
    }
    Ok((id, notes.join("; "), existed))
}

/// Polls `DescribeCreateAccountStatus` with exponential backoff until SUCCEEDED or FAILED.
async fn wait_created<W: LiveWrite>(
    address: &str,
    mut req: CreateRequest,
    w: &W,
    poll: PollPolicy,
    progress: &dyn Progress,
) -> Result<AccountId, String> {
    let start = Instant::now();
    let mut delay = poll.initial;
    loop {
        match req.state.as_str() {
            "SUCCEEDED" => {
                return req
                    .account_id
                    .as_deref()
                    .and_then(AccountId::parse)
                    .ok_or_else(|| {
                        format!(
                            "creation request {} succeeded without an account id",
                            req.id
                        )
                    })
            }
            "FAILED" => {
                let reason = req.failure_reason.clone().unwrap_or_default();
                let fix = match reason.as_str() {
                    "EMAIL_ALREADY_EXISTS" => "\n  fix: the email belongs to another AWS account (outside this organization); use another email, or invite that account and adopt it by `id`",
                    "ACCOUNT_LIMIT_EXCEEDED" => "\n  fix: request a higher account quota from the management account (Service Quotas)",
                    _ => "",
                };
                return Err(format!("account creation {} failed: {reason}{fix}", req.id));
            }
            _ => {}
        }
        if start.elapsed() > poll.timeout {
            return Err(format!(
                "account creation {} still {} after {:?}; run apply again later to resume it",
                req.id, req.state, poll.timeout
            ));
        }
        progress.on(ProgressEvent::Waiting {
            address,
            state: &req.state,
            elapsed: start.elapsed(),
        });
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(poll.max);
        req = w
            .create_account_status(&req.id)
            .await
            .map_err(|e| e.to_string())?;
    }
}

#[cfg(test)]
mod tests;
