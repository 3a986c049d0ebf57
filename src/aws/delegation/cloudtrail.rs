//! CloudTrail's own delegated-administrator registration (org-wide; read back through
//! Organizations' ListDelegatedAdministrators): RegisterOrganizationDelegatedAdmin and
//! DeregisterOrganizationDelegatedAdmin, which also create/keep CloudTrail's service-linked
//! role, unlike the generic Organizations call.

use super::{Call, OrgAdmin};
use crate::aws::{map_sdk_error, Aws};
use crate::live::LiveError;

/// AWS CloudTrail.
pub(crate) struct CloudTrail;

fn client(aws: &Aws) -> Result<aws_sdk_cloudtrail::Client, LiveError> {
    service_client!(aws, aws_sdk_cloudtrail, None::<aws_config::Region>)
}

impl OrgAdmin for CloudTrail {
    fn register<'a>(&'a self, aws: &'a Aws, account: &'a str) -> Call<'a, ()> {
        Box::pin(register(aws, account))
    }
    fn deregister<'a>(&'a self, aws: &'a Aws, account: &'a str) -> Call<'a, ()> {
        Box::pin(deregister(aws, account))
    }
}

async fn register(aws: &Aws, account: &str) -> Result<(), LiveError> {
    client(aws)?
        .register_organization_delegated_admin()
        .member_account_id(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("cloudtrail:RegisterOrganizationDelegatedAdmin", e))?;
    Ok(())
}

async fn deregister(aws: &Aws, account: &str) -> Result<(), LiveError> {
    client(aws)?
        .deregister_organization_delegated_admin()
        .delegated_admin_account_id(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("cloudtrail:DeregisterOrganizationDelegatedAdmin", e))?;
    Ok(())
}
