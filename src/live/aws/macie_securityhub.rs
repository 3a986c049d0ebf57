//! Macie's and Security Hub's own delegated-administrator APIs, per Region: both have
//! ListOrganizationAdminAccounts (account id, status), EnableOrganizationAdminAccount and
//! DisableOrganizationAdminAccount with `admin_account_id`, so one macro serves both.

use std::collections::BTreeMap;

use aws_config::Region;

use super::{map_sdk_error, Aws};
use crate::live::LiveError;

macro_rules! org_admin_api {
    ($krate:ident, $list:ident, $enable:ident, $disable:ident, $name:literal) => {
        impl Aws {
            fn $krate(&self, region: &str) -> Result<$krate::Client, LiveError> {
                service_client!(self, $krate, Some(Region::new(region.to_string())))
            }

            pub(crate) async fn $list(
                &self,
                region: &str,
            ) -> Result<BTreeMap<String, String>, LiveError> {
                let mut out = BTreeMap::new();
                let mut pages = self
                    .$krate(region)?
                    .list_organization_admin_accounts()
                    .into_paginator()
                    .send();
                while let Some(p) = pages.next().await {
                    let p = p.map_err(|e| {
                        map_sdk_error(concat!($name, ":ListOrganizationAdminAccounts"), e)
                    })?;
                    for a in p.admin_accounts() {
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

            pub(crate) async fn $enable(
                &self,
                region: &str,
                account: &str,
            ) -> Result<(), LiveError> {
                self.$krate(region)?
                    .enable_organization_admin_account()
                    .admin_account_id(account)
                    .send()
                    .await
                    .map_err(|e| {
                        map_sdk_error(concat!($name, ":EnableOrganizationAdminAccount"), e)
                    })?;
                Ok(())
            }

            pub(crate) async fn $disable(
                &self,
                region: &str,
                account: &str,
            ) -> Result<(), LiveError> {
                self.$krate(region)?
                    .disable_organization_admin_account()
                    .admin_account_id(account)
                    .send()
                    .await
                    .map_err(|e| {
                        map_sdk_error(concat!($name, ":DisableOrganizationAdminAccount"), e)
                    })?;
                Ok(())
            }
        }
    };
}

use aws_sdk_macie2 as macie2;
use aws_sdk_securityhub as securityhub;

org_admin_api!(macie2, macie_admins, macie_enable, macie_disable, "macie2");
org_admin_api!(
    securityhub,
    securityhub_admins,
    securityhub_enable,
    securityhub_disable,
    "securityhub"
);
