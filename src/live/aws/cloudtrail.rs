//! CloudTrail's own delegated-administrator registration (org-wide; read back through
//! Organizations' ListDelegatedAdministrators): RegisterOrganizationDelegatedAdmin and
//! DeregisterOrganizationDelegatedAdmin, which also create/keep CloudTrail's service-linked
//! role, unlike the generic Organizations call.

use super::{map_sdk_error, Aws};
use crate::live::LiveError;

impl Aws {
    fn cloudtrail(&self) -> Result<aws_sdk_cloudtrail::Client, LiveError> {
        service_client!(self, aws_sdk_cloudtrail, None::<aws_config::Region>)
    }

    pub(crate) async fn cloudtrail_register(&self, account: &str) -> Result<(), LiveError> {
        self.cloudtrail()?
            .register_organization_delegated_admin()
            .member_account_id(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("cloudtrail:RegisterOrganizationDelegatedAdmin", e))?;
        Ok(())
    }

    pub(crate) async fn cloudtrail_deregister(&self, account: &str) -> Result<(), LiveError> {
        self.cloudtrail()?
            .deregister_organization_delegated_admin()
            .delegated_admin_account_id(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("cloudtrail:DeregisterOrganizationDelegatedAdmin", e))?;
        Ok(())
    }
}
