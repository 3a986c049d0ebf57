//! Amazon Inspector's own delegated-administrator API, per Region:
//! ListDelegatedAdminAccounts, EnableDelegatedAdminAccount, DisableDelegatedAdminAccount.

use std::collections::BTreeMap;

use aws_config::Region;

use super::{map_sdk_error, Aws};
use crate::live::LiveError;

impl Aws {
    fn inspector2(&self, region: &str) -> Result<aws_sdk_inspector2::Client, LiveError> {
        service_client!(
            self,
            aws_sdk_inspector2,
            Some(Region::new(region.to_string()))
        )
    }

    /// Inspector's delegated administrators in `region`: account → status.
    pub(crate) async fn inspector2_admins(
        &self,
        region: &str,
    ) -> Result<BTreeMap<String, String>, LiveError> {
        let mut out = BTreeMap::new();
        let mut pages = self
            .inspector2(region)?
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

    pub(crate) async fn inspector2_enable(
        &self,
        region: &str,
        account: &str,
    ) -> Result<(), LiveError> {
        self.inspector2(region)?
            .enable_delegated_admin_account()
            .delegated_admin_account_id(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("inspector2:EnableDelegatedAdminAccount", e))?;
        Ok(())
    }

    pub(crate) async fn inspector2_disable(
        &self,
        region: &str,
        account: &str,
    ) -> Result<(), LiveError> {
        self.inspector2(region)?
            .disable_delegated_admin_account()
            .delegated_admin_account_id(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("inspector2:DisableDelegatedAdminAccount", e))?;
        Ok(())
    }
}
