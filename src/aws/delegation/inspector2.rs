//! Amazon Inspector's own delegated-administrator API, per Region:
//! ListDelegatedAdminAccounts, EnableDelegatedAdminAccount, DisableDelegatedAdminAccount.

use aws_config::Region;

use super::{Admins, Call, RegionalAdmin};
use crate::aws::{map_sdk_error, Aws};
use crate::live::LiveError;

/// Amazon Inspector.
pub(crate) struct Inspector;

fn client(aws: &Aws, region: &str) -> Result<aws_sdk_inspector2::Client, LiveError> {
    service_client!(
        aws,
        aws_sdk_inspector2,
        Some(Region::new(region.to_string()))
    )
}

impl RegionalAdmin for Inspector {
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

/// Inspector's delegated administrators in `region`: account → status.
async fn list(aws: &Aws, region: &str) -> Result<Admins, LiveError> {
    let mut out = Admins::new();
    let mut pages = client(aws, region)?
        .list_delegated_admin_accounts()
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(|e| map_sdk_error("inspector2:ListDelegatedAdminAccounts", e))?;
        for a in p.delegated_admin_accounts() {
            if let Some(id) = a.account_id() {
                out.insert(
                    id.to_string(),
                    a.status()
                        .map(|s| s.as_str().to_string())
                        .unwrap_or_default(),
                );
            }
        }
    }
    Ok(out)
}

async fn enable(aws: &Aws, region: &str, account: &str) -> Result<(), LiveError> {
    client(aws, region)?
        .enable_delegated_admin_account()
        .delegated_admin_account_id(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("inspector2:EnableDelegatedAdminAccount", e))?;
    Ok(())
}

async fn disable(aws: &Aws, region: &str, account: &str) -> Result<(), LiveError> {
    client(aws, region)?
        .disable_delegated_admin_account()
        .delegated_admin_account_id(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("inspector2:DisableDelegatedAdminAccount", e))?;
    Ok(())
}
