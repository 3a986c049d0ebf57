//! `audit`: read the organization (and, with a file, plan it) and say what the management
//! account still does that a delegated account could (`crate::audit`).

use std::path::PathBuf;

use crate::audit::{self, Audit};
use crate::live::ic::IcScope;
use crate::live::{LiveRead, ReadScope};

use super::{OpsError, PlanRequest};

/// Inputs of `audit`.
#[derive(Debug, Clone, Default)]
pub struct AuditRequest {
    /// org.yaml, to also sort the plan's changes into reserved and movable.
    pub file: Option<PathBuf>,
    /// Identity Center's Region (`None`: the configured Region).
    pub identity_center_region: Option<String>,
}

/// Reads and audits.
pub async fn audit<R: LiveRead>(req: &AuditRequest, reader: &R) -> Result<Audit, OpsError> {
    // With a file, the plan's own read serves the audit too (one read of the organization,
    // not two); Identity Center is then read when the file has `identity_center:`, and an
    // instance without its admin also shows as trusted access for sso without an admin.
    if let Some(f) = &req.file {
        let r = PlanRequest {
            file: f.clone(),
            executor: None,
            restrict: false,
        };
        let out = super::plan(&r, reader).await?;
        return Ok(audit::audit(&out.live, Some(&out.plan)));
    }
    let scope = ReadScope {
        enabled_policy_types: true,
        identity_center: Some(IcScope {
            region: req.identity_center_region.clone(),
            ..IcScope::default()
        }),
        ..ReadScope::default()
    };
    let live = reader.read(&scope).await?;
    Ok(audit::audit(&live, None))
}
