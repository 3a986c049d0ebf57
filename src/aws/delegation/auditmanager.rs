//! AWS Audit Manager's own delegated-administrator API, per Region (the same account in every
//! Region): GetOrganizationAdminAccount (the Region's admin, or ResourceNotFoundException when
//! there is none), RegisterOrganizationAdminAccount and DeregisterOrganizationAdminAccount.
//! Audit Manager reports no status: a listed administrator is reported as `ENABLED`, as the
//! other regional services are.

use aws_config::Region;

use super::{Admins, Call, RegionalAdmin};
use crate::aws::{map_sdk_error, Aws};
use crate::live::{ErrorKind, LiveError};

/// AWS Audit Manager.
pub(crate) struct AuditManager;

fn client(aws: &Aws, region: &str) -> Result<aws_sdk_auditmanager::Client, LiveError> {
    service_client!(
        aws,
        aws_sdk_auditmanager,
        Some(Region::new(region.to_string()))
    )
}

impl RegionalAdmin for AuditManager {
    fn list<'a>(&'a self, aws: &'a Aws, region: &'a str) -> Call<'a, Admins> {
        Box::pin(async move {
            match client(aws, region)?
                .get_organization_admin_account()
                .send()
                .await
            {
                Ok(o) => Ok(o
                    .admin_account_id()
                    .map(|a| (a.to_string(), "ENABLED".to_string()))
                    .into_iter()
                    .collect()),
                Err(e) => match map_sdk_error("auditmanager:GetOrganizationAdminAccount", e) {
                    e if e.kind() == ErrorKind::Gone => Ok(Admins::new()),
                    e => Err(e),
                },
            }
        })
    }

    fn enable<'a>(&'a self, aws: &'a Aws, region: &'a str, account: &'a str) -> Call<'a, ()> {
        Box::pin(async move {
            client(aws, region)?
                .register_organization_admin_account()
                .admin_account_id(account)
                .send()
                .await
                .map_err(|e| map_sdk_error("auditmanager:RegisterOrganizationAdminAccount", e))?;
            Ok(())
        })
    }

    fn disable<'a>(&'a self, aws: &'a Aws, region: &'a str, account: &'a str) -> Call<'a, ()> {
        Box::pin(async move {
            client(aws, region)?
                .deregister_organization_admin_account()
                .admin_account_id(account)
                .send()
                .await
                .map_err(|e| map_sdk_error("auditmanager:DeregisterOrganizationAdminAccount", e))?;
            Ok(())
        })
    }
}
