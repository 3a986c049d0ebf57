//! AWS Firewall Manager's default administrator: AssociateAdminAccount (management account),
//! GetAdminAccount and DisassociateAdminAccount (the administrator itself; AWS's API takes no
//! account). Firewall Manager is administered from us-east-1, so the client always uses that
//! Region. Association is asynchronous: the admin's role goes CREATING → READY, and orgctl
//! waits for READY; disassociation is waited on until GetAdminAccount no longer names it.

use std::time::Duration;

use aws_config::Region;

use super::{Call, OrgAdmin};
use crate::aws::{map_sdk_error, Aws};
use crate::live::LiveError;
use crate::poll::{self, Look, PollError, PollPolicy};

/// The Region Firewall Manager's administrator is set from.
pub const FMS_REGION: &str = "us-east-1";

const WAIT: Duration = Duration::from_secs(300);

/// AWS Firewall Manager.
pub(crate) struct FirewallManager;

fn client(aws: &Aws) -> Result<aws_sdk_fms::Client, LiveError> {
    service_client!(aws, aws_sdk_fms, Some(Region::new(FMS_REGION)))
}

impl OrgAdmin for FirewallManager {
    fn register<'a>(&'a self, aws: &'a Aws, account: &'a str) -> Call<'a, ()> {
        Box::pin(associate(aws, account))
    }
    fn deregister<'a>(&'a self, aws: &'a Aws, account: &'a str) -> Call<'a, ()> {
        Box::pin(disassociate(aws, account))
    }
}

/// The default administrator and its role status, or `None` when there is none.
async fn admin(aws: &Aws) -> Result<Option<(String, String)>, LiveError> {
    match client(aws)?.get_admin_account().send().await {
        Ok(o) => Ok(o.admin_account().map(|a| {
            (
                a.to_string(),
                o.role_status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            )
        })),
        Err(e) => match map_sdk_error("fms:GetAdminAccount", e) {
            LiveError::Service { code, .. } if code == "ResourceNotFoundException" => Ok(None),
            other => Err(other),
        },
    }
}

async fn associate(aws: &Aws, account: &str) -> Result<(), LiveError> {
    client(aws)?
        .associate_admin_account()
        .admin_account(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("fms:AssociateAdminAccount", e))?;
    wait(aws, |now| {
        now.as_ref()
            .is_some_and(|(a, s)| a == account && s == "READY")
    })
    .await
}

/// Disassociates the default administrator, which must be the calling account.
async fn disassociate(aws: &Aws, account: &str) -> Result<(), LiveError> {
    match admin(aws).await? {
        Some((a, _)) if a == account => {}
        _ => {
            return Err(LiveError::Service {
                operation: "fms:DisassociateAdminAccount",
                code: "AccountNotRegisteredException".into(),
                message: format!("{account} is not Firewall Manager's administrator"),
                reason: None,
            })
        }
    }
    client(aws)?
        .disassociate_admin_account()
        .send()
        .await
        .map_err(|e| map_sdk_error("fms:DisassociateAdminAccount", e))?;
    wait(aws, |now| now.as_ref().is_none_or(|(a, _)| a != account)).await
}

async fn wait(
    aws: &Aws,
    done: impl Fn(&Option<(String, String)>) -> bool,
) -> Result<(), LiveError> {
    let policy = PollPolicy::default().within(WAIT);
    poll::until(
        policy,
        |_, _| {},
        || async {
            let now = admin(aws).await?;
            Ok(if done(&now) {
                Look::Ready(())
            } else {
                Look::Pending(match now {
                    Some((a, status)) => format!("{a} {status}"),
                    None => "without an administrator".into(),
                })
            })
        },
    )
    .await
    .map_err(|e| match e {
        PollError::Failed(e) => e,
        PollError::TimedOut { state, waited } => LiveError::Inconsistent(format!(
            "Firewall Manager's administrator did not settle within {} s (still {state})",
            waited.as_secs()
        )),
    })
}
