//! AWS Firewall Manager's default administrator: AssociateAdminAccount (management account),
//! GetAdminAccount and DisassociateAdminAccount (the administrator itself; AWS's API takes no
//! account). Firewall Manager is administered from us-east-1, so the client always uses that
//! Region. Association is asynchronous: the admin's role goes CREATING → READY, and orgctl
//! waits for READY; disassociation is waited on until GetAdminAccount no longer names it.

use std::time::{Duration, Instant};

use aws_config::Region;

use super::{map_sdk_error, Aws};
use crate::live::LiveError;

/// The Region Firewall Manager's administrator is set from.
pub const FMS_REGION: &str = "us-east-1";

const WAIT: Duration = Duration::from_secs(300);

impl Aws {
    fn fms(&self) -> Result<aws_sdk_fms::Client, LiveError> {
        service_client!(self, aws_sdk_fms, Some(Region::new(FMS_REGION)))
    }

    /// The default administrator and its role status, or `None` when there is none.
    async fn fms_admin(&self) -> Result<Option<(String, String)>, LiveError> {
        match self.fms()?.get_admin_account().send().await {
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

    pub(crate) async fn fms_associate(&self, account: &str) -> Result<(), LiveError> {
        self.fms()?
            .associate_admin_account()
            .admin_account(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("fms:AssociateAdminAccount", e))?;
        self.fms_wait(|now| {
            now.as_ref()
                .is_some_and(|(a, s)| a == account && s == "READY")
        })
        .await
    }

    /// Disassociates the default administrator, which must be the calling account.
    pub(crate) async fn fms_disassociate(&self, account: &str) -> Result<(), LiveError> {
        match self.fms_admin().await? {
            Some((a, _)) if a == account => {}
            _ => {
                return Err(LiveError::Service {
                    operation: "fms:DisassociateAdminAccount",
                    code: "AccountNotRegisteredException".into(),
                    message: format!("{account} is not Firewall Manager's administrator"),
                })
            }
        }
        self.fms()?
            .disassociate_admin_account()
            .send()
            .await
            .map_err(|e| map_sdk_error("fms:DisassociateAdminAccount", e))?;
        self.fms_wait(|now| now.as_ref().is_none_or(|(a, _)| a != account))
            .await
    }

    async fn fms_wait(
        &self,
        done: impl Fn(&Option<(String, String)>) -> bool,
    ) -> Result<(), LiveError> {
        let start = Instant::now();
        let mut delay = Duration::from_millis(250);
        loop {
            if done(&self.fms_admin().await?) {
                return Ok(());
            }
            if start.elapsed() > WAIT {
                return Err(LiveError::Inconsistent(format!(
                    "Firewall Manager's administrator did not settle within {} s",
                    WAIT.as_secs()
                )));
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(5));
        }
    }
}
