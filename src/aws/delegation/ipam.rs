//! VPC IPAM's delegated administrator, through EC2 (org-wide; read back through Organizations'
//! ListDelegatedAdministrators): EnableIpamOrganizationAdminAccount, which also enables IPAM's
//! trusted access and creates its service-linked role (EnableAWSServiceAccess must not be used
//! for IPAM), and DisableIpamOrganizationAdminAccount.

use super::{Call, OrgAdmin};
use crate::aws::{map_sdk_error, Aws};
use crate::live::LiveError;

/// VPC IP Address Manager (through EC2).
pub(crate) struct Ipam;

fn client(aws: &Aws) -> Result<aws_sdk_ec2::Client, LiveError> {
    service_client!(aws, aws_sdk_ec2, None::<aws_config::Region>)
}

impl OrgAdmin for Ipam {
    fn register<'a>(&'a self, aws: &'a Aws, account: &'a str) -> Call<'a, ()> {
        Box::pin(register(aws, account))
    }
    fn deregister<'a>(&'a self, aws: &'a Aws, account: &'a str) -> Call<'a, ()> {
        Box::pin(deregister(aws, account))
    }
}

async fn register(aws: &Aws, account: &str) -> Result<(), LiveError> {
    client(aws)?
        .enable_ipam_organization_admin_account()
        .delegated_admin_account_id(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("ec2:EnableIpamOrganizationAdminAccount", e))?;
    Ok(())
}

async fn deregister(aws: &Aws, account: &str) -> Result<(), LiveError> {
    // An account not registered answers IpamOrganizationAccountNotRegistered, which
    // `LiveError::kind` classifies as gone, like Organizations' AccountNotRegisteredException.
    client(aws)?
        .disable_ipam_organization_admin_account()
        .delegated_admin_account_id(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("ec2:DisableIpamOrganizationAdminAccount", e))?;
    Ok(())
}
