//! Organizations structure and settings: OUs, moving accounts, tags, trusted access.

use super::error::{Applied, ApplyError, StepResult};
use super::resolve::Resolver;
use crate::live::{ErrorKind, LiveWrite};
use crate::model::vocab::{AccountId, Parent, Tags};
use crate::plan::change::TagTarget;

/// `CreateOrganizationalUnit` under `parent` (already created or live): the new OU's id.
/// The caller records it in the resolver (OUs of one level are created concurrently).
pub(super) async fn new_ou<W: LiveWrite>(
    parent: &Parent,
    name: &str,
    tags: &Tags,
    r: &Resolver,
    w: &W,
) -> Result<String, ApplyError> {
    let pid = r.parent(parent)?;
    w.create_ou(&pid, name, tags)
        .await
        .map_err(|e| match e.kind() {
            ErrorKind::Stale => ApplyError::fix(
                e,
                format!("an OU named {name} appeared under {parent} since the plan was made; run plan again"),
            ),
            _ => e.into(),
        })
}

pub(super) async fn delete_ou<W: LiveWrite>(id: &str, w: &W) -> StepResult {
    w.delete_ou(id).await?;
    Ok(Applied::Changed(format!("deleted {id}")))
}

pub(super) async fn move_account<W: LiveWrite>(
    id: &AccountId,
    from: &Parent,
    to: &Parent,
    r: &Resolver,
    w: &W,
) -> StepResult {
    let (src, dst) = (r.parent(from)?, r.parent(to)?);
    match w.move_account(id, &src, &dst).await {
        Ok(()) => Ok(Applied::Changed(format!("moved {id} to {to}"))),
        Err(e) if e.kind() == ErrorKind::AlreadyDone => {
            Ok(Applied::AlreadySo(format!("{id} is already in {to}")))
        }
        Err(e) if e.kind() == ErrorKind::Stale => Err(ApplyError::fix(
            e,
            format!("account {id} moved since the plan was made; run plan again"),
        )),
        Err(e) => Err(e.into()),
    }
}

pub(super) async fn tag<W: LiveWrite>(
    target: &TagTarget,
    set: &Tags,
    remove: &[String],
    r: &Resolver,
    w: &W,
) -> StepResult {
    let id = match target {
        TagTarget::Ou(p) => r.parent(&Parent::Ou(p.clone()))?,
        TagTarget::Account(a) => r.account(a)?.to_string(),
        TagTarget::Policy(p) => r.policy(p)?,
    };
    if !set.is_empty() {
        w.tag(&id, set).await?;
    }
    if !remove.is_empty() {
        w.untag(&id, remove).await?;
    }
    Ok(Applied::Changed(format!("tagged {id}")))
}

pub(super) async fn trusted_access<W: LiveWrite>(
    principal: &str,
    enable: bool,
    w: &W,
) -> StepResult {
    if enable {
        w.enable_trusted_access(principal).await?;
        Ok(Applied::Changed("enabled".into()))
    } else {
        w.disable_trusted_access(principal).await?;
        Ok(Applied::Changed("disabled".into()))
    }
}
