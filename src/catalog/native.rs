//! The services whose own delegated-administrator API orgctl executes, and everything the
//! planner needs to know about each: the typed id that plan operations carry, the scope of a
//! designation (per Region, or one for the organization), who may undo it, the outgoing
//! administrator's teardown where AWS documents one, and the executor reason shown in plans.
//!
//! AWS facts about every service (principal, limits, trusted-access rule) stay in the
//! generated `data.rs`; this table says which of them orgctl drives natively. The AWS adapter
//! has one implementation per [`NativeId`] (`aws/delegation/`), and a test there checks that
//! the two tables agree. Adding a service: a variant here, its row in [`NATIVE`], one adapter
//! file and its line in the adapter table.

use serde::{Deserialize, Serialize};

use super::{lookup, Service};

/// A service whose own delegation API orgctl executes. Serialised as the catalog id, so plan
/// files name it as `org.yaml` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum NativeId {
    #[serde(rename = "cloudtrail")]
    CloudTrail,
    #[serde(rename = "detective")]
    Detective,
    #[serde(rename = "fms")]
    Fms,
    #[serde(rename = "guardduty")]
    GuardDuty,
    #[serde(rename = "inspector2")]
    Inspector2,
    #[serde(rename = "ipam")]
    Ipam,
    #[serde(rename = "macie")]
    Macie,
    #[serde(rename = "securityhub")]
    SecurityHub,
    #[serde(rename = "securitylake")]
    SecurityLake,
    #[serde(rename = "auditmanager")]
    AuditManager,
}

/// Where one designation holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminScope {
    /// Designated Region by Region through the service's API; only the management account
    /// can list a Region's administrator.
    PerRegion,
    /// One registration for the organization, read back through Organizations'
    /// `ListDelegatedAdministrators`.
    Organization,
}

/// A service whose administrator alone may end its own designation (Firewall Manager's
/// `DisassociateAdminAccount` takes no account): a separate change run by that account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SelfRemoval {
    /// The change's summary; `{admin}` is replaced by the outgoing administrator.
    pub summary: &'static str,
    pub executor_why: &'static str,
    pub risk: &'static str,
}

/// The outgoing administrator's documented first step of a move (GuardDuty: stop
/// auto-enable, disassociate and delete its members), run by that account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Teardown {
    /// What it does, after `"{admin}: "` and before `" in {regions}"`.
    pub summary: &'static str,
    pub executor_why: &'static str,
    pub risk: &'static str,
}

/// orgctl's knowledge of one natively delegated service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NativeApi {
    pub id: NativeId,
    /// The catalog id (`Service::id`).
    pub catalog_id: &'static str,
    pub scope: AdminScope,
    /// Why the management account executes the designation.
    pub executor_why: &'static str,
    pub self_removal: Option<SelfRemoval>,
    pub teardown: Option<Teardown>,
    /// `Some((problem, fix))` when orgctl manages one administrator although AWS allows more.
    pub one_admin_only: Option<(&'static str, &'static str)>,
}

/// Every natively delegated service, in the order of [`NativeId`]'s variants.
pub static NATIVE: &[NativeApi] = &[
    NativeApi {
        id: NativeId::CloudTrail,
        catalog_id: "cloudtrail",
        scope: AdminScope::Organization,
        executor_why: "AWS reserves cloudtrail's Register/DeregisterOrganizationDelegatedAdmin to the management account (registering through Organizations would skip the service-linked role)",
        self_removal: None,
        teardown: None,
        one_admin_only: None,
    },
    NativeApi {
        id: NativeId::Detective,
        catalog_id: "detective",
        scope: AdminScope::PerRegion,
        executor_why: "AWS reserves Amazon Detective's Enable/DisableOrganizationAdminAccount and Organizations' DeregisterDelegatedAdministrator to the management account",
        self_removal: None,
        teardown: None,
        one_admin_only: None,
    },
    NativeApi {
        id: NativeId::Fms,
        catalog_id: "fms",
        scope: AdminScope::Organization,
        executor_why: "AWS reserves fms:AssociateAdminAccount (the default administrator) to the management account",
        self_removal: Some(SelfRemoval {
            summary: "disassociate {admin} as Firewall Manager's administrator",
            executor_why: "AWS lets only Firewall Manager's administrator disassociate itself (DisassociateAdminAccount takes no account)",
            risk: "AWS deletes the Firewall Manager policies this administrator created; until a new one is associated the organization has no Firewall Manager administrator",
        }),
        teardown: None,
        one_admin_only: Some((
            "orgctl manages Firewall Manager's default administrator only (fms:AssociateAdminAccount); several admins declared",
            "declare one admin; add further Firewall Manager administrators with fms:PutAdminAccount",
        )),
    },
    NativeApi {
        id: NativeId::GuardDuty,
        catalog_id: "guardduty",
        scope: AdminScope::PerRegion,
        executor_why: "AWS reserves Amazon GuardDuty's Enable/DisableOrganizationAdminAccount and Organizations' DeregisterDelegatedAdministrator to the management account",
        self_removal: None,
        teardown: Some(Teardown {
            summary: "stop auto-enabling GuardDuty for new members, then disassociate and delete its members",
            executor_why: "AWS has the outgoing GuardDuty administrator turn off auto-enable and disassociate its members before the management account removes it (GuardDuty user guide: change-guardduty-delegated-admin); only it holds those members",
            risk: "member accounts stop sending findings to it until the new admin adds them",
        }),
        one_admin_only: None,
    },
    NativeApi {
        id: NativeId::Inspector2,
        catalog_id: "inspector2",
        scope: AdminScope::PerRegion,
        executor_why: "AWS reserves Amazon Inspector's Enable/DisableOrganizationAdminAccount and Organizations' DeregisterDelegatedAdministrator to the management account",
        self_removal: None,
        teardown: None,
        one_admin_only: None,
    },
    NativeApi {
        id: NativeId::Ipam,
        catalog_id: "ipam",
        scope: AdminScope::Organization,
        executor_why: "AWS reserves ec2:Enable/DisableIpamOrganizationAdminAccount to the management account (IPAM must not use EnableAWSServiceAccess or the generic registration, which skip its service-linked role)",
        self_removal: None,
        teardown: None,
        one_admin_only: None,
    },
    NativeApi {
        id: NativeId::Macie,
        catalog_id: "macie",
        scope: AdminScope::PerRegion,
        executor_why: "AWS reserves Amazon Macie's Enable/DisableOrganizationAdminAccount and Organizations' DeregisterDelegatedAdministrator to the management account",
        self_removal: None,
        teardown: None,
        one_admin_only: None,
    },
    NativeApi {
        id: NativeId::SecurityHub,
        catalog_id: "securityhub",
        scope: AdminScope::PerRegion,
        executor_why: "AWS reserves AWS Security Hub (CSPM and the newer \"Security Hub\")'s Enable/DisableOrganizationAdminAccount and Organizations' DeregisterDelegatedAdministrator to the management account",
        self_removal: None,
        teardown: None,
        one_admin_only: None,
    },
    NativeApi {
        id: NativeId::SecurityLake,
        catalog_id: "securitylake",
        scope: AdminScope::Organization,
        executor_why: "AWS reserves securitylake:Register/DeregisterDataLakeDelegatedAdministrator to the management account (registering through Organizations would skip Security Lake's service-linked role)",
        self_removal: None,
        teardown: None,
        one_admin_only: None,
    },
    NativeApi {
        id: NativeId::AuditManager,
        catalog_id: "auditmanager",
        scope: AdminScope::PerRegion,
        executor_why: "AWS reserves AWS Audit Manager's Register/DeregisterOrganizationAdminAccount and Organizations' DeregisterDelegatedAdministrator to the management account",
        self_removal: None,
        teardown: None,
        one_admin_only: None,
    },
];

/// The native API of a catalog id, if orgctl executes it.
pub fn native(catalog_id: &str) -> Option<&'static NativeApi> {
    NATIVE.iter().find(|n| n.catalog_id == catalog_id)
}

impl NativeId {
    /// This service's row of [`NATIVE`].
    pub fn api(self) -> &'static NativeApi {
        // Row i is variant i: `rows_follow_the_variants` proves it.
        &NATIVE[self as usize]
    }

    /// The catalog id (`guardduty`).
    pub fn as_str(self) -> &'static str {
        self.api().catalog_id
    }

    /// The catalog entry (principal, name, limits).
    pub fn service(self) -> Option<&'static Service> {
        lookup(self.as_str()).map(|r| r.service)
    }
}

impl std::fmt::Display for NativeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[path = "native_tests.rs"]
mod tests;
