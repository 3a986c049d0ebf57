//! GuardDuty's own delegated-administrator API, per Region: ListOrganizationAdminAccounts,
//! EnableOrganizationAdminAccount, DisableOrganizationAdminAccount. Clients are made per
//! Region from the shared configuration (same credentials and endpoint).

use std::collections::BTreeMap;

use aws_config::Region;

use super::{map_sdk_error, Aws};
use crate::live::LiveError;

impl Aws {
    fn guardduty(&self, region: &str) -> Result<aws_sdk_guardduty::Client, LiveError> {
        let cfg = self.config.as_ref().ok_or_else(|| {
            LiveError::Inconsistent("no AWS configuration for regional clients".into())
        })?;
        let conf = aws_sdk_guardduty::config::Builder::from(cfg)
            .region(Region::new(region.to_string()))
            .interceptor(self.stats.clone())
            .build();
        Ok(aws_sdk_guardduty::Client::from_conf(conf))
    }

    /// GuardDuty's delegated administrators in `region`: account → status.
    pub(crate) async fn guardduty_admins(
        &self,
        region: &str,
    ) -> Result<BTreeMap<String, String>, LiveError> {
        let mut out = BTreeMap::new();
        let mut pages = self
            .guardduty(region)?
            .list_organization_admin_accounts()
            .into_paginator()
            .send();
        while let Some(p) = pages.next().await {
            let p = p.map_err(|e| map_sdk_error("guardduty:ListOrganizationAdminAccounts", e))?;
            for a in p.admin_accounts() {
                if let Some(id) = a.admin_account_id() {
                    out.insert(
                        id.to_string(),
                        a.admin_status()
                            .map(|s| s.as_str().to_string())
                            .unwrap_or_default(),
                    );
                }
            }
        }
        Ok(out)
    }

    pub(crate) async fn guardduty_enable(
        &self,
        region: &str,
        account: &str,
    ) -> Result<(), LiveError> {
        self.guardduty(region)?
            .enable_organization_admin_account()
            .admin_account_id(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("guardduty:EnableOrganizationAdminAccount", e))?;
        Ok(())
    }

    pub(crate) async fn guardduty_disable(
        &self,
        region: &str,
        account: &str,
    ) -> Result<(), LiveError> {
        self.guardduty(region)?
            .disable_organization_admin_account()
            .admin_account_id(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("guardduty:DisableOrganizationAdminAccount", e))?;
        Ok(())
    }
}
