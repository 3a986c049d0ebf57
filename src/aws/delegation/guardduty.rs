//! GuardDuty's own delegated-administrator API, per Region: ListOrganizationAdminAccounts,
//! EnableOrganizationAdminAccount, DisableOrganizationAdminAccount; and the outgoing
//! administrator's teardown (its detector's organization configuration set to auto-enable
//! NONE, then DisassociateMembers and DeleteMembers in batches of 50, the API's maximum).
//! Clients are made per Region from the shared configuration (same credentials and endpoint).

use aws_config::Region;

use super::{Admins, Call, RegionalAdmin, Teardown};
use crate::aws::{map_sdk_error, Aws};
use crate::live::LiveError;

/// Amazon GuardDuty.
pub(crate) struct GuardDuty;

fn client(aws: &Aws, region: &str) -> Result<aws_sdk_guardduty::Client, LiveError> {
    service_client!(
        aws,
        aws_sdk_guardduty,
        Some(Region::new(region.to_string()))
    )
}

impl RegionalAdmin for GuardDuty {
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

impl Teardown for GuardDuty {
    fn teardown<'a>(&'a self, aws: &'a Aws, region: &'a str) -> Call<'a, usize> {
        Box::pin(teardown(aws, region))
    }
}

/// GuardDuty's delegated administrators in `region`: account → status.
async fn list(aws: &Aws, region: &str) -> Result<Admins, LiveError> {
    let mut out = Admins::new();
    let mut pages = client(aws, region)?
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

async fn enable(aws: &Aws, region: &str, account: &str) -> Result<(), LiveError> {
    client(aws, region)?
        .enable_organization_admin_account()
        .admin_account_id(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("guardduty:EnableOrganizationAdminAccount", e))?;
    Ok(())
}

async fn disable(aws: &Aws, region: &str, account: &str) -> Result<(), LiveError> {
    client(aws, region)?
        .disable_organization_admin_account()
        .admin_account_id(account)
        .send()
        .await
        .map_err(|e| map_sdk_error("guardduty:DisableOrganizationAdminAccount", e))?;
    Ok(())
}

/// The calling administrator's teardown in `region`; the number of members removed.
async fn teardown(aws: &Aws, region: &str) -> Result<usize, LiveError> {
    use aws_sdk_guardduty::types::AutoEnableMembers;
    let gd = client(aws, region)?;
    let detectors = gd
        .list_detectors()
        .send()
        .await
        .map_err(|e| map_sdk_error("guardduty:ListDetectors", e))?;
    let Some(detector) = detectors.detector_ids().first().cloned() else {
        return Ok(0);
    };
    match gd
        .update_organization_configuration()
        .detector_id(&detector)
        .auto_enable_organization_members(AutoEnableMembers::None)
        .send()
        .await
        .map_err(|e| map_sdk_error("guardduty:UpdateOrganizationConfiguration", e))
    {
        Ok(_) => {}
        // Not the administrator in this Region (any more): nothing of its own to undo.
        Err(LiveError::Service { code, .. }) if code == "BadRequestException" => return Ok(0),
        Err(e) => return Err(e),
    }
    let mut members = Vec::new();
    let mut pages = gd
        .list_members()
        .detector_id(&detector)
        .only_associated("false")
        .into_paginator()
        .send();
    while let Some(p) = pages.next().await {
        let p = p.map_err(|e| map_sdk_error("guardduty:ListMembers", e))?;
        members.extend(
            p.members()
                .iter()
                .filter_map(|m| m.account_id().map(str::to_string)),
        );
    }
    for chunk in members.chunks(50) {
        let out = gd
            .disassociate_members()
            .detector_id(&detector)
            .set_account_ids(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| map_sdk_error("guardduty:DisassociateMembers", e))?;
        unprocessed("guardduty:DisassociateMembers", out.unprocessed_accounts())?;
        let out = gd
            .delete_members()
            .detector_id(&detector)
            .set_account_ids(Some(chunk.to_vec()))
            .send()
            .await
            .map_err(|e| map_sdk_error("guardduty:DeleteMembers", e))?;
        unprocessed("guardduty:DeleteMembers", out.unprocessed_accounts())?;
    }
    Ok(members.len())
}

/// GuardDuty reports per-account failures in the response, not as an error.
fn unprocessed(
    operation: &'static str,
    u: &[aws_sdk_guardduty::types::UnprocessedAccount],
) -> Result<(), LiveError> {
    match u.first() {
        None => Ok(()),
        Some(a) => Err(LiveError::Service {
            operation,
            code: "UnprocessedAccount".into(),
            message: format!(
                "{}: {} ({} account(s) unprocessed)",
                a.account_id().unwrap_or_default(),
                a.result().unwrap_or_default(),
                u.len()
            ),
            reason: None,
        }),
    }
}
