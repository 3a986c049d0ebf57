//! Amazon Detective's own delegated-administrator API, per Region:
//! ListOrganizationAdminAccounts, EnableOrganizationAdminAccount and
//! DisableOrganizationAdminAccount (which removes the admin of the Region the client is in).
//! Detective reports no status: a listed administrator is reported as `ENABLED`, the status
//! the other regional services use, so the diff and the apply engine treat them alike.

use aws_config::Region;

use super::{Admins, Call, RegionalAdmin};
use crate::aws::{map_sdk_error, Aws};
use crate::live::LiveError;

/// Amazon Detective.
pub(crate) struct Detective;

fn client(aws: &Aws, region: &str) -> Result<aws_sdk_detective::Client, LiveError> {
    service_client!(
        aws,
        aws_sdk_detective,
        Some(Region::new(region.to_string()))
    )
}

impl RegionalAdmin for Detective {
    fn list<'a>(&'a self, aws: &'a Aws, region: &'a str) -> Call<'a, Admins> {
        Box::pin(list(aws, region))
    }
    fn enable<'a>(&'a self, aws: &'a Aws, region: &'a str, account: &'a str) -> Call<'a, ()> {
        Box::pin(enable(aws, region, account))
    }
    fn disable<'a>(&'a self, aws: &'a Aws, region: &'a str, account: &'a str) -> Call<'a, ()> {
        Box::pin(disable(aws, region, account))
    }
}

/// Detective's administrator in `region`: account → `ENABLED`.
async fn list(aws: &Aws, region: &str) -> Result<Admins, LiveError> {
    let mut out = Admins::new();
    let mut pages = client(aws, region)?
        .list_organization_admin_accounts()
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(|e| map_sdk_error("detective:ListOrganizationAdminAccounts", e))?;
        for a in p.administrators() {
            if let Some(id) = a.account_id() {
                out.insert(id.to_string(), "ENABLED".to_string());
            }
        }
    }
    Ok(out)
}

async fn enable(aws: &Aws, region: &str, account: &str) -> Result<(), LiveError> {
    client(aws, region)?
        .enable_organization_admin_account()
        .account_id(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("detective:EnableOrganizationAdminAccount", e))?;
    Ok(())
}

/// Removes the Region's administrator (the API takes no account: the Region has one).
async fn disable(aws: &Aws, region: &str, _account: &str) -> Result<(), LiveError> {
    client(aws, region)?
        .disable_organization_admin_account()
        .send()
        .await
        .map_err(|e| map_sdk_error("detective:DisableOrganizationAdminAccount", e))?;
    Ok(())
}
