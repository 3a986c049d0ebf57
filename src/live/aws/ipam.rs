//! VPC IPAM's delegated administrator, through EC2 (org-wide; read back through Organizations'
//! ListDelegatedAdministrators): EnableIpamOrganizationAdminAccount, which also enables IPAM's
//! trusted access and creates its service-linked role (EnableAWSServiceAccess must not be used
//! for IPAM), and DisableIpamOrganizationAdminAccount.

use super::{map_sdk_error, Aws};
use crate::live::LiveError;

impl Aws {
    fn ec2(&self) -> Result<aws_sdk_ec2::Client, LiveError> {
        service_client!(self, aws_sdk_ec2, None::<aws_config::Region>)
    }

    pub(crate) async fn ipam_enable(&self, account: &str) -> Result<(), LiveError> {
        self.ec2()?
            .enable_ipam_organization_admin_account()
            .delegated_admin_account_id(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("ec2:EnableIpamOrganizationAdminAccount", e))?;
        Ok(())
    }

    pub(crate) async fn ipam_disable(&self, account: &str) -> Result<(), LiveError> {
        match self
            .ec2()?
            .disable_ipam_organization_admin_account()
            .delegated_admin_account_id(account)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => match map_sdk_error("ec2:DisableIpamOrganizationAdminAccount", e) {
                // The same meaning as Organizations' AccountNotRegisteredException.
                LiveError::Service {
                    code,
                    message,
                    operation,
                } if code == "IpamOrganizationAccountNotRegistered" => Err(LiveError::Service {
                    operation,
                    code: "AccountNotRegisteredException".into(),
                    message,
                }),
                other => Err(other),
            },
        }
    }
}
