//! Delegated administrators: Organizations' registration (or a service's own org-wide API,
//! `via`), a regional service's own API in AWS's order, and the outgoing administrator's
//! teardown. Steps already done (registered, not registered, enabled) are skipped, so a re-run
//! after a failure converges.

use super::error::{Applied, ApplyError, StepResult};
use super::resolve::Resolver;
use crate::catalog::NativeId;
use crate::live::{ErrorKind, LiveError, LiveWrite};
use crate::model::vocab::{AccountId, AccountRef};
use crate::poll::{self, Look, PollPolicy};

/// Deregister first, then register (AWS allows one admin for most services).
pub(super) async fn admins<W: LiveWrite>(
    principal: &str,
    deregister: &[AccountId],
    register: &[AccountRef],
    via: Option<NativeId>,
    r: &Resolver,
    w: &W,
    poll: PollPolicy,
) -> StepResult {
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
            Err(e) if e.kind() == ErrorKind::Gone => notes.push(format!("{id} was not registered")),
            Err(e) => return Err(e.into()),
        }
    }
    for a in register {
        let id = r.account(a)?;
        let res = settle(r.fresh.contains(&id), poll, || async {
            match via {
                Some(svc) => w.service_register(svc, &id).await,
                None => w.register_admin(&id, principal).await,
            }
        })
        .await;
        match res {
            Ok(()) => {
                all_converged = false;
                notes.push(format!("registered {id}"));
            }
            Err(e) if e.kind() == ErrorKind::AlreadyDone => {
                notes.push(format!("{id} was already registered"))
            }
            Err(e) => return Err(registration_error(e, principal)),
        }
    }
    Ok(Applied::new(notes.join("; "), all_converged))
}

/// A registration refused because trusted access is off says how to turn it on.
fn registration_error(e: LiveError, principal: &str) -> ApplyError {
    if e.reason() == Some("SERVICE_ACCESS_NOT_ENABLED") {
        ApplyError::fix(e, format!("trusted access for {principal} must be enabled first (add it to trusted_access, or let orgctl plan it)"))
    } else {
        e.into()
    }
}

/// What a regional service's designation changes.
pub(super) struct Regional<'a> {
    pub service: NativeId,
    pub principal: &'a str,
    pub admin: &'a AccountRef,
    pub disable: &'a [(String, AccountId)],
    pub deregister: &'a [AccountId],
    pub enable: &'a [String],
}

/// A service's own delegated-admin API, in AWS's order: disable the old admin Region by Region
/// (waiting until it is gone), deregister it from Organizations, then enable the new admin in
/// each Region (waiting until it is ENABLED).
pub(super) async fn regional<W: LiveWrite>(
    d: Regional<'_>,
    r: &Resolver,
    w: &W,
    poll: PollPolicy,
) -> StepResult {
    let mut notes = Vec::new();
    for (region, old) in d.disable {
        let now = w.service_admins(d.service, region).await?;
        match now.get(old.as_str()).map(String::as_str) {
            None => {}
            // Already leaving (a killed run, another tool): AWS refuses a second disable and
            // any new admin until it is gone, so only wait.
            Some(s) if leaving(s) => {
                wait_admin(d.service, region, old.as_str(), None, w, poll).await?;
                notes.push(format!("{old} finished leaving {region}"));
            }
            Some(_) => {
                w.service_admin_disable(d.service, region, old.as_str())
                    .await
                    .map_err(|e| central_configuration(d.service, e))?;
                wait_admin(d.service, region, old.as_str(), None, w, poll).await?;
                notes.push(format!("disabled {old} in {region}"));
            }
        }
    }
    for old in d.deregister {
        match w.deregister_admin(old, d.principal).await {
            Ok(()) => notes.push(format!("deregistered {old}")),
            Err(e) if e.kind() == ErrorKind::Gone => {}
            Err(e) => return Err(e.into()),
        }
    }
    let id = r.account(d.admin)?;
    for region in d.enable {
        let now = w.service_admins(d.service, region).await?;
        if now.get(id.as_str()).map(String::as_str) == Some("ENABLED") {
            continue;
        }
        // An admin still being disabled in the Region (this one included) blocks enabling.
        for (acct, _) in now.iter().filter(|(_, s)| leaving(s)) {
            wait_admin(d.service, region, acct, None, w, poll).await?;
        }
        let fresh = r.fresh.contains(&id);
        settle(fresh, poll, || {
            w.service_admin_enable(d.service, region, id.as_str())
        })
        .await
        .map_err(|e| central_configuration(d.service, e))?;
        wait_admin(d.service, region, id.as_str(), Some("ENABLED"), w, poll).await?;
        notes.push(format!("enabled {id} in {region}"));
    }
    Ok(if notes.is_empty() {
        Applied::AlreadySo("already as wanted".into())
    } else {
        Applied::Changed(notes.join("; "))
    })
}

/// How long a new account may stay unknown to the rest of AWS before orgctl gives up
/// ("You might need to wait a few minutes", CreateAccount).
pub(super) const SETTLE: std::time::Duration = std::time::Duration::from_secs(600);

/// A call naming an account. For an account this plan created (`fresh`), AWS may answer as
/// if it did not exist for a few minutes: such answers are retried (with the run's wait
/// policy, at most [`SETTLE`]); any other error, or any error for an older account, is final.
async fn settle<T, F, Fut>(fresh: bool, poll: PollPolicy, mut call: F) -> Result<T, LiveError>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<T, LiveError>>,
{
    if !fresh {
        return call().await;
    }
    let res = poll::until(
        poll.within(SETTLE),
        |_, _| {},
        || {
            let fut = call();
            async move {
                match fut.await {
                    Ok(v) => Ok(Look::Ready(v)),
                    Err(e) if e.may_be_new_account_lag() => Ok(Look::Pending(e.to_string())),
                    Err(e) => Err(e),
                }
            }
        },
    )
    .await;
    match res {
        Ok(v) => Ok(v),
        Err(poll::PollError::Failed(e)) => Err(e),
        Err(poll::PollError::TimedOut { state, waited }) => Err(LiveError::Inconsistent(format!(
            "the new account was still not usable after {waited:?}: {state}"
        ))),
    }
}

/// Security Hub refuses to change or remove its administrator through its own API while
/// central configuration is on (Security Hub guide, removing the delegated administrator):
/// say what the documented paths are.
fn central_configuration(service: NativeId, e: LiveError) -> ApplyError {
    let refused = matches!(&e, LiveError::Service { code, .. } if code == "InvalidInputException");
    if service == NativeId::SecurityHub && refused {
        ApplyError::fix(e, "if Security Hub central configuration is on, AWS lets no one change the administrator through Security Hub: either turn it off from the current administrator in the home Region (`aws securityhub update-organization-configuration --auto-enable=false --organization-configuration ConfigurationType=LOCAL`) and apply again, or deregister the administrator through Organizations (`aws organizations deregister-delegated-administrator --service-principal securityhub.amazonaws.com --account-id …`), which removes it in every Region and deletes the configuration policies")
    } else {
        e.into()
    }
}

/// A regional admin on its way out: GuardDuty, Inspector and Security Hub say
/// `DISABLE_IN_PROGRESS`, Macie `DISABLING_IN_PROGRESS`.
fn leaving(status: &str) -> bool {
    matches!(status, "DISABLE_IN_PROGRESS" | "DISABLING_IN_PROGRESS")
}

/// Waits until `account` has `status` in the Region's admin list (`None`: until it is gone).
async fn wait_admin<W: LiveWrite>(
    service: NativeId,
    region: &str,
    account: &str,
    status: Option<&str>,
    w: &W,
    poll: PollPolicy,
) -> Result<(), ApplyError> {
    poll::until(
        poll.within(std::time::Duration::from_secs(300)),
        |_, _| {},
        || async {
            let now = w.service_admins(service, region).await?;
            Ok::<_, ApplyError>(match now.get(account) {
                s if s.map(String::as_str) == status => Look::Ready(()),
                Some(s) => Look::Pending(s.clone()),
                None => Look::Pending("not listed".into()),
            })
        },
    )
    .await
    .map_err(|e| ApplyError::from_wait(format!("{service} admin {account} in {region}"), "", e))
}

/// The outgoing administrator's own part, Region by Region.
pub(super) async fn teardown<W: LiveWrite>(
    service: NativeId,
    regions: &[String],
    w: &W,
) -> StepResult {
    let mut notes = Vec::new();
    for region in regions {
        let n = w.service_teardown(service, region).await?;
        notes.push(format!("{region}: auto-enable off, {n} member(s) removed"));
    }
    Ok(Applied::Changed(notes.join("; ")))
}
