//! The services' own delegated-administrator APIs, one file per service, behind two small
//! traits: [`RegionalAdmin`] (designated Region by Region; GuardDuty, Inspector, Macie,
//! Security Hub, Detective) and [`OrgAdmin`] (one registration for the organization, read
//! back through Organizations; CloudTrail, Firewall Manager, IPAM). [`adapter`] is the one
//! table from the catalog's [`NativeId`] to its implementation: the `match` is exhaustive, so
//! a service the catalog marks native without an adapter does not compile.
//!
//! Adding a service: its row in `catalog/native.rs`, a file here implementing one trait, its
//! line in [`adapter`], the emulator rule and the tests.

use std::collections::BTreeMap;

use futures::future::BoxFuture;

use super::Aws;
use crate::catalog::NativeId;
use crate::live::LiveError;

/// A [`RegionalAdmin`] over the API shape Macie and Security Hub share:
/// `ListOrganizationAdminAccounts` (account id, status), `Enable/DisableOrganizationAdminAccount`
/// with `admin_account_id`.
macro_rules! organization_admin_api {
    ($name:ident, $krate:ident, $prefix:literal) => {
        use aws_config::Region;

        use super::{Admins, Call, RegionalAdmin};
        use crate::aws::{map_sdk_error, Aws};
        use crate::live::LiveError;

        pub(crate) struct $name;

        fn client(aws: &Aws, region: &str) -> Result<$krate::Client, LiveError> {
            service_client!(aws, $krate, Some(Region::new(region.to_string())))
        }

        impl RegionalAdmin for $name {
            fn list<'a>(&'a self, aws: &'a Aws, region: &'a str) -> Call<'a, Admins> {
                Box::pin(async move {
                    let mut out = Admins::new();
                    let mut pages = client(aws, region)?
                        .list_organization_admin_accounts()
                        .into_paginator()
                        .send();
                    while let Some(p) = pages.next().await {
                        let p = p.map_err(|e| {
                            map_sdk_error(concat!($prefix, ":ListOrganizationAdminAccounts"), e)
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
                })
            }

            fn enable<'a>(
                &'a self,
                aws: &'a Aws,
                region: &'a str,
                account: &'a str,
            ) -> Call<'a, ()> {
                Box::pin(async move {
                    client(aws, region)?
                        .enable_organization_admin_account()
                        .admin_account_id(account)
                        .send()
                        .await
                        .map_err(|e| {
                            map_sdk_error(concat!($prefix, ":EnableOrganizationAdminAccount"), e)
                        })?;
                    Ok(())
                })
            }

            fn disable<'a>(
                &'a self,
                aws: &'a Aws,
                region: &'a str,
                account: &'a str,
            ) -> Call<'a, ()> {
                Box::pin(async move {
                    client(aws, region)?
                        .disable_organization_admin_account()
                        .admin_account_id(account)
                        .send()
                        .await
                        .map_err(|e| {
                            map_sdk_error(concat!($prefix, ":DisableOrganizationAdminAccount"), e)
                        })?;
                    Ok(())
                })
            }
        }
    };
}
pub(crate) use organization_admin_api;

mod auditmanager;
mod cloudtrail;
mod detective;
mod fms;
mod guardduty;
mod inspector2;
mod ipam;
mod macie;
mod securityhub;
mod securitylake;

/// A Region's administrators: account → status (`ENABLED`, `DISABLE_IN_PROGRESS`, …).
pub(crate) type Admins = BTreeMap<String, String>;
/// What every adapter call returns.
pub(crate) type Call<'a, T> = BoxFuture<'a, Result<T, LiveError>>;

/// A service designated Region by Region through its own API (management account only).
pub(crate) trait RegionalAdmin: Sync {
    fn list<'a>(&'a self, aws: &'a Aws, region: &'a str) -> Call<'a, Admins>;
    fn enable<'a>(&'a self, aws: &'a Aws, region: &'a str, account: &'a str) -> Call<'a, ()>;
    fn disable<'a>(&'a self, aws: &'a Aws, region: &'a str, account: &'a str) -> Call<'a, ()>;
}

/// The outgoing administrator's own part of a move, run with its credentials in `region`;
/// returns how many members it removed.
pub(crate) trait Teardown: Sync {
    fn teardown<'a>(&'a self, aws: &'a Aws, region: &'a str) -> Call<'a, usize>;
}

/// A service with one administrator registration for the organization, made through its own
/// API (which also creates its service-linked role, unlike Organizations' generic call).
pub(crate) trait OrgAdmin: Sync {
    fn register<'a>(&'a self, aws: &'a Aws, account: &'a str) -> Call<'a, ()>;
    fn deregister<'a>(&'a self, aws: &'a Aws, account: &'a str) -> Call<'a, ()>;
}

/// How orgctl drives one service.
#[derive(Clone, Copy)]
pub(crate) enum Adapter {
    Regional {
        admin: &'static dyn RegionalAdmin,
        teardown: Option<&'static dyn Teardown>,
    },
    Organization(&'static dyn OrgAdmin),
}

/// The one table: every natively delegated service and its implementation.
pub(crate) fn adapter(id: NativeId) -> Adapter {
    use Adapter::{Organization, Regional};
    match id {
        NativeId::CloudTrail => Organization(&cloudtrail::CloudTrail),
        NativeId::Detective => Regional {
            admin: &detective::Detective,
            teardown: None,
        },
        NativeId::Fms => Organization(&fms::FirewallManager),
        NativeId::GuardDuty => Regional {
            admin: &guardduty::GuardDuty,
            teardown: Some(&guardduty::GuardDuty),
        },
        NativeId::Inspector2 => Regional {
            admin: &inspector2::Inspector,
            teardown: None,
        },
        NativeId::Ipam => Organization(&ipam::Ipam),
        NativeId::Macie => Regional {
            admin: &macie::Macie,
            teardown: None,
        },
        NativeId::SecurityHub => Regional {
            admin: &securityhub::SecurityHub,
            teardown: None,
        },
        NativeId::SecurityLake => Organization(&securitylake::SecurityLake),
        NativeId::AuditManager => Regional {
            admin: &auditmanager::AuditManager,
            teardown: None,
        },
    }
}

/// The regional API of `id` (the planner asks only for regional services).
pub(crate) fn regional(id: NativeId) -> Result<&'static dyn RegionalAdmin, LiveError> {
    match adapter(id) {
        Adapter::Regional { admin, .. } => Ok(admin),
        Adapter::Organization(_) => Err(not_kind(id, "is designated per Region")),
    }
}

/// The teardown of `id`'s outgoing administrator.
pub(crate) fn teardown(id: NativeId) -> Result<&'static dyn Teardown, LiveError> {
    match adapter(id) {
        Adapter::Regional {
            teardown: Some(t), ..
        } => Ok(t),
        _ => Err(not_kind(id, "has an outgoing administrator's teardown")),
    }
}

/// The organization-wide API of `id`.
pub(crate) fn organization(id: NativeId) -> Result<&'static dyn OrgAdmin, LiveError> {
    match adapter(id) {
        Adapter::Organization(a) => Ok(a),
        Adapter::Regional { .. } => Err(not_kind(id, "is registered once for the organization")),
    }
}

fn not_kind(id: NativeId, what: &str) -> LiveError {
    LiveError::Inconsistent(format!(
        "internal: the plan treats {id} as a service that {what}, which its adapter is not"
    ))
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
