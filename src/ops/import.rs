//! `import`: read everything the caller may read of the organization and turn it into an
//! `org.yaml` (`crate::import`). Never writes files: the CLI does, after its checks.

use crate::import::{self, ImportOptions, Imported};
use crate::live::{Caller, LiveRead};

use super::OpsError;

/// Inputs of `import`.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// Regions whose service-side admins are read (`organization.regions`).
    pub regions: Vec<String>,
    /// Identity Center's Region (`None`: the configured Region).
    pub identity_center_region: Option<String>,
    /// The policy documents' folder, relative to the org.yaml written.
    pub policies_dir: String,
    /// Read and write the tags of OUs and accounts (one call each).
    pub resource_tags: bool,
}

/// The imported organization and what the caller could not read.
#[derive(Debug)]
pub struct ImportOutcome {
    pub imported: Imported,
    pub caller: Caller,
    pub organization_id: String,
    /// Parts left out because these credentials may not read them.
    pub unread: Vec<String>,
}

/// Reads and imports.
pub async fn import<R: LiveRead>(
    req: &ImportRequest,
    reader: &R,
) -> Result<ImportOutcome, OpsError> {
    let caller = reader.caller().await?;
    let scope = crate::plan::scope::everything(
        &req.regions,
        req.identity_center_region.clone(),
        req.resource_tags,
    );
    let live = reader.read(&scope).await?;
    tracing::info!(
        organization = %live.organization.id,
        ous = live.ous.len(),
        accounts = live.accounts.len(),
        policies = live.policies.len(),
        "read the organization for import"
    );
    let mut unread = Vec::new();
    if let Some(why) = &live.identity_center_unreadable {
        unread.push(format!(
            "Identity Center was not read, so the file has no identity_center section: {why}"
        ));
    }
    if live.service_admins_unreadable {
        unread.push("the Regions' service administrators (GuardDuty, Inspector, …) were not read: only the management account may list them".into());
    }
    let opts = ImportOptions {
        regions: req.regions.clone(),
        identity_center_region: req.identity_center_region.clone(),
        policies_dir: req.policies_dir.clone(),
        service_admins_unreadable: live.service_admins_unreadable,
    };
    Ok(ImportOutcome {
        imported: import::import(&live, &opts),
        caller,
        organization_id: live.organization.id.clone(),
        unread,
    })
}
