//! Organization policies and the delegation policy: enabling a policy type (asynchronous:
//! waited for), creating, updating, attaching, detaching and deleting policies, putting and
//! deleting the resource policy. An attachment already there, a detachment already done and
//! a policy already deleted count as converged.

use super::error::{Applied, ApplyError, StepResult};
use super::resolve::Resolver;
use crate::live::{ErrorKind, LiveWrite};
use crate::model::desired::{DelegationGrant, PolicyTarget, Tags};
use crate::poll::{self, Look, PollPolicy};
use serde_json::Value;
use std::collections::BTreeMap;

/// `EnablePolicyType`, then waits until the root reports the type ENABLED.
pub(super) async fn enable_type<W: LiveWrite>(
    policy_type: &str,
    r: &Resolver,
    w: &W,
    poll: PollPolicy,
) -> StepResult {
    let already = match w.enable_policy_type(&r.root_id, policy_type).await {
        Ok(_) => false,
        Err(e) if e.kind() == ErrorKind::AlreadyDone => true,
        Err(e) => return Err(e.into()),
    };
    poll::until(
        poll,
        |_, _| {},
        || async {
            match w.policy_type_status(&r.root_id, policy_type).await? {
                Some(s) if s == "ENABLED" => Ok(Look::Ready(())),
                Some(s) if s == "PENDING_ENABLE" => Ok(Look::Pending(s)),
                None => Ok(Look::Pending("not enabled".into())),
                Some(s) => Err(ApplyError::Failed {
                    what: format!("enabling {policy_type}"),
                    reason: format!("the root reports it {s}"),
                    fix: String::new(),
                }),
            }
        },
    )
    .await
    .map_err(|e| ApplyError::from_wait(format!("{policy_type} on the root"), "", e))?;
    Ok(Applied::new(format!("{policy_type} enabled"), already))
}

pub(super) async fn create<W: LiveWrite>(
    name: &str,
    policy_type: &str,
    description: &str,
    content: &Value,
    tags: &Tags,
    r: &mut Resolver,
    w: &W,
) -> StepResult {
    let body = serde_json::to_string(content)?;
    let id = w
        .create_policy(name, policy_type, description, &body, tags)
        .await
        .map_err(|e| match e.kind() {
            ErrorKind::Stale => ApplyError::fix(
                e,
                format!("a policy named {name} appeared since the plan was made; run plan again"),
            ),
            _ => e.into(),
        })?;
    r.policy_ids.insert(name.to_string(), id.clone());
    Ok(Applied::Changed(format!("created {id}")))
}

pub(super) async fn update<W: LiveWrite>(
    id: &str,
    name: &str,
    description: &str,
    content: &Value,
    r: &mut Resolver,
    w: &W,
) -> StepResult {
    let body = serde_json::to_string(content)?;
    w.update_policy(id, name, description, &body).await?;
    // A renamed policy is known by its new name to the rest of the run.
    r.policy_ids.insert(name.to_string(), id.to_string());
    Ok(Applied::Changed(format!("updated {id}")))
}

pub(super) async fn attach<W: LiveWrite>(
    policy: &str,
    target: &PolicyTarget,
    r: &Resolver,
    w: &W,
) -> StepResult {
    let (pid, tid) = (r.policy(policy)?, r.target(target)?);
    match w.attach_policy(&pid, &tid).await {
        Ok(()) => Ok(Applied::Changed(format!("attached {pid} to {tid}"))),
        Err(e) if e.kind() == ErrorKind::AlreadyDone => Ok(Applied::AlreadySo(format!(
            "{pid} was already attached to {tid}"
        ))),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn detach<W: LiveWrite>(policy_id: &str, target_id: &str, w: &W) -> StepResult {
    match w.detach_policy(policy_id, target_id).await {
        Ok(()) => Ok(Applied::Changed(format!(
            "detached {policy_id} from {target_id}"
        ))),
        Err(e) if e.kind() == ErrorKind::Gone => Ok(Applied::AlreadySo(format!(
            "{policy_id} was not attached to {target_id}"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Detaches the policy from every target, then deletes it.
pub(super) async fn delete<W: LiveWrite>(id: &str, targets: &[String], w: &W) -> StepResult {
    for t in targets {
        match w.detach_policy(id, t).await {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::Gone => {}
            Err(e) => return Err(e.into()),
        }
    }
    match w.delete_policy(id).await {
        Ok(()) => Ok(Applied::Changed(format!("deleted {id}"))),
        Err(e) if e.kind() == ErrorKind::Gone => {
            Ok(Applied::AlreadySo(format!("{id} was already deleted")))
        }
        Err(e) => Err(e.into()),
    }
}

/// `PutResourcePolicy` with the document built from `grants`, account ids resolved now.
pub(super) async fn put_delegation<W: LiveWrite>(
    grants: &[DelegationGrant],
    r: &Resolver,
    w: &W,
) -> StepResult {
    let mut ids = BTreeMap::new();
    for g in grants {
        ids.insert(g.account.clone(), r.account(&g.account)?);
    }
    let doc = crate::plan::delegation_policy::document(grants, |a| ids.get(a).cloned());
    let content = serde_json::to_string(&doc)?;
    w.put_delegation_policy(&content).await?;
    Ok(Applied::Changed(format!(
        "put the delegation policy ({} account(s))",
        grants.len()
    )))
}

pub(super) async fn delete_delegation<W: LiveWrite>(w: &W) -> StepResult {
    match w.delete_delegation_policy().await {
        Ok(()) => Ok(Applied::Changed("deleted the delegation policy".into())),
        Err(e) if e.kind() == ErrorKind::Gone => {
            Ok(Applied::AlreadySo("there was no delegation policy".into()))
        }
        Err(e) => Err(e.into()),
    }
}
