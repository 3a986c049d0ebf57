//! Validated domain types: what the user wants, with references resolved and defaults
//! applied. Built only by `validate::build` (or by hand in tests); everything downstream
//! (`plan::diff`) trusts these invariants.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

pub use super::schema::Unmanaged;
pub use super::vocab::{AccountId, AccountRef, Parent, PolicyTarget, Tags};

/// One desired OU (declared or implied by a deeper path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredOu {
    /// Tags to enforce; `None` leaves tags unmanaged.
    pub tags: Option<Tags>,
}

/// One desired member account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredAccount {
    pub name: String,
    pub email: Option<String>,
    pub id: Option<AccountId>,
    pub parent: Parent,
    pub tags: Option<Tags>,
}

/// One desired delegation (a service principal and its administrators).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DesiredDelegation {
    /// The key as written in the file (`sso`).
    pub key: String,
    pub principal: String,
    /// The catalog id, when the service is in the catalog.
    pub service_id: Option<&'static str>,
    pub admins: BTreeSet<AccountRef>,
    /// Regions for regional services (empty for global ones).
    pub regions: Vec<String>,
}

/// [`DesiredDelegation`] as a plan file stores it: the catalog id as text, mapped back to
/// the catalog's own `&'static str` when read.
#[derive(Deserialize)]
struct StoredDelegation {
    key: String,
    principal: String,
    service_id: Option<String>,
    admins: BTreeSet<AccountRef>,
    regions: Vec<String>,
}

impl<'de> Deserialize<'de> for DesiredDelegation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        StoredDelegation::deserialize(d).map(Into::into)
    }
}

impl From<StoredDelegation> for DesiredDelegation {
    fn from(s: StoredDelegation) -> Self {
        DesiredDelegation {
            key: s.key,
            principal: s.principal,
            service_id: s
                .service_id
                .and_then(|id| crate::catalog::lookup(&id).map(|r| r.service.id)),
            admins: s.admins,
            regions: s.regions,
        }
    }
}

/// One grant of the Organizations delegation policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DelegationGrant {
    pub account: AccountRef,
    /// Actions without the `organizations:` prefix, read-only ones included.
    pub actions: BTreeSet<String>,
    /// Actions limited to `policy_types` (policy management).
    pub policy_actions: BTreeSet<String>,
    pub policy_types: BTreeSet<String>,
}

/// One desired Organizations policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredPolicy {
    pub name: String,
    /// The live policy's id, when the file adopts it by id (a changed name renames it).
    pub id: Option<String>,
    pub policy_type: String,
    pub description: String,
    /// The document; `None` for an AWS-managed policy referenced by name.
    pub content: Option<serde_json::Value>,
    pub targets: BTreeSet<PolicyTarget>,
    /// Tags to enforce; `None` leaves tags unmanaged.
    pub tags: Option<Tags>,
}

/// The whole desired organization.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Desired {
    pub management_account_id: Option<AccountId>,
    pub regions: Vec<String>,
    pub identity_center_region: Option<String>,
    pub unmanaged: Unmanaged,
    /// Declared and implied OUs by path.
    pub ous: BTreeMap<String, DesiredOu>,
    /// Accounts by name.
    pub accounts: BTreeMap<String, DesiredAccount>,
    /// Delegations by service principal.
    pub delegations: BTreeMap<String, DesiredDelegation>,
    /// Principals listed under `trusted_access:`.
    pub trusted_access: BTreeSet<String>,
    /// `organizations_delegation:`; `None` when the section is absent.
    pub organizations_delegation: Option<Vec<DelegationGrant>>,
    /// `policies:` by name; `None` when the section is absent (policies are then not read).
    pub policies: Option<BTreeMap<String, DesiredPolicy>>,
    /// `identity_center:`; `None` when the section is absent (Identity Center is then not read).
    pub identity_center: Option<super::desired_ic::DesiredIc>,
}
