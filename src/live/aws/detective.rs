//! Amazon Detective's own delegated-administrator API, per Region:
//! ListOrganizationAdminAccounts, EnableOrganizationAdminAccount and
//! DisableOrganizationAdminAccount (which removes the admin of the Region the client is in).
//! Detective reports no status: a listed administrator is reported as `ENABLED`, the status
//! the other regional services use, so the diff and the apply engine treat them alike.

use std::collections::BTreeMap;

use aws_config::Region;

use super::{map_sdk_error, Aws};
use crate::live::LiveError;

impl Aws {
    fn detective(&self, region: &str) -> Result<aws_sdk_detective::Client, LiveError> {
        service_client!(
            self,
            aws_sdk_detective,
            Some(Region::new(region.to_string()))
        )
    }

    /// Detective's administrator in `region`: account → `ENABLED`.
    pub(crate) async fn detective_admins(
        &self,
        region: &str,
    ) -> Result<BTreeMap<String, String>, LiveError> {
        let mut out = BTreeMap::new();
        let mut pages = self
            .detective(region)?
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

    pub(crate) async fn detective_enable(
        &self,
        region: &str,
        account: &str,
    ) -> Result<(), LiveError> {
        self.detective(region)?
            .enable_organization_admin_account()
            .account_id(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("detective:EnableOrganizationAdminAccount", e))?;
        Ok(())
    }

    /// Removes the Region's administrator (the API takes no account: the Region has one).
    pub(crate) async fn detective_disable(&self, region: &str) -> Result<(), LiveError> {
        self.detective(region)?
            .disable_organization_admin_account()
            .send()
            .await
            .map_err(|e| map_sdk_error("detective:DisableOrganizationAdminAccount", e))?;
        Ok(())
    }
}
