//! Amazon Security Lake's delegated administrator: one for the organization ("the same in all
//! Regions"), read back through Organizations' ListDelegatedAdministrators.
//! RegisterDataLakeDelegatedAdministrator (management account) also enables trusted access and
//! creates Security Lake's service-linked role, which the generic Organizations registration
//! skips; DeregisterDataLakeDelegatedAdministrator takes no account (the organization has one).

use super::{Call, OrgAdmin};
use crate::aws::{map_sdk_error, Aws};
use crate::live::LiveError;

/// Amazon Security Lake.
pub(crate) struct SecurityLake;

fn client(aws: &Aws) -> Result<aws_sdk_securitylake::Client, LiveError> {
    service_client!(aws, aws_sdk_securitylake, None::<aws_config::Region>)
}

impl OrgAdmin for SecurityLake {
    fn register<'a>(&'a self, aws: &'a Aws, account: &'a str) -> Call<'a, ()> {
        Box::pin(async move {
            client(aws)?
                .register_data_lake_delegated_administrator()
                .account_id(account)
                .send()
                .await
                .map_err(|e| {
                    map_sdk_error("securitylake:RegisterDataLakeDelegatedAdministrator", e)
                })?;
            Ok(())
        })
    }

    fn deregister<'a>(&'a self, aws: &'a Aws, _account: &'a str) -> Call<'a, ()> {
        Box::pin(async move {
            // No administrator answers ResourceNotFoundException, which `LiveError::kind`
            // classifies as gone: apply counts the deregistration as done.
            client(aws)?
                .deregister_data_lake_delegated_administrator()
                .send()
                .await
                .map_err(|e| {
                    map_sdk_error("securitylake:DeregisterDataLakeDelegatedAdministrator", e)
                })?;
            Ok(())
        })
    }
}
