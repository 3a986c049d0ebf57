//! The serde shape of `org.yaml` (version 1), exactly as written by the user: every field
//! that a diagnostic may point at is wrapped in [`Spanned`] so errors can name `line:col`.
//! Unknown keys are rejected (`deny_unknown_fields`); duplicate keys are rejected by the
//! YAML parser. Validated, reference-resolved types live in `desired.rs`.
//!
//! The JSON Schema in `schemas/org.schema.json` is generated from these types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

/// The whole file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "orgctl org.yaml (version 1)")]
pub struct OrgFile {
    /// File format version; must be 1.
    #[schemars(with = "u32")]
    pub version: Spanned<u32>,
    pub organization: OrganizationSection,
    /// OUs by path from the root (`Workloads/Prod`); parents are implied and created first.
    #[serde(default, deserialize_with = "super::nulls::null_as_empty")]
    #[schemars(with = "Option<Vec<OuEntry>>")]
    pub organizational_units: Vec<OuEntry>,
    /// Member accounts, by a unique name used as the handle everywhere else in the file.
    #[serde(default, deserialize_with = "super::nulls::null_as_empty")]
    #[schemars(with = "Option<Vec<AccountEntry>>")]
    pub accounts: Vec<AccountEntry>,
    /// Delegated administrators, keyed by catalog name (`sso`) or full service principal.
    #[serde(default, deserialize_with = "SpannedMap::or_null")]
    #[schemars(with = "Option<BTreeMap<String, DelegationEntry>>")]
    pub delegations: SpannedMap<DelegationEntry>,
    /// Service principals with trusted access but no delegated administrator.
    #[serde(default, deserialize_with = "super::nulls::null_as_empty")]
    #[schemars(with = "Option<Vec<String>>")]
    pub trusted_access: Vec<Spanned<String>>,
    /// The AWS Organizations delegation policy: which member accounts may manage which
    /// organization policies (read-only access is implied).
    #[serde(default)]
    pub organizations_delegation: Option<Vec<OrgDelegationEntry>>,
    /// Organizations policies (SCPs, RCPs, tag, backup, AI opt-out, … policies) and where
    /// they are attached.
    #[serde(default)]
    pub policies: Option<Vec<PolicyEntry>>,
    /// IAM Identity Center: users, groups, permission sets and assignments, planned for the
    /// Identity Center delegated administrator.
    #[serde(default)]
    pub identity_center: Option<super::schema_ic::IdentityCenterSection>,
}

/// One Organizations policy.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyEntry {
    /// Unique policy name (the address handle). `FullAWSAccess` / `RCPFullAWSAccess` refer to
    /// the AWS-managed policies (no content; only their attachments are managed).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Policy type, e.g. SERVICE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY.
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    pub policy_type: Spanned<String>,
    /// Adopt an existing policy by id (`p-…`); with it, a changed `name` renames the policy.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub id: Option<Spanned<String>>,
    /// The policy's description in Organizations.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub description: Option<Spanned<String>>,
    /// The policy document in a JSON file, relative to org.yaml's folder.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub file: Option<Spanned<String>>,
    /// The policy document inline (a mapping, or a JSON string).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub content: Option<Spanned<serde_json::Value>>,
    /// `root`, `ou:PATH` or `account:NAME` (or `account:ID`).
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub targets: Option<Spanned<Vec<String>>>,
    /// Tags the policy must carry. Absent: tags are not managed.
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub tags: Option<Spanned<BTreeMap<String, String>>>,
}

/// One grant of the Organizations delegation policy.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgDelegationEntry {
    /// The member account (name from `accounts:` or 12-digit id).
    #[schemars(with = "String")]
    pub account: Spanned<String>,
    /// `policies` (create, update, delete, attach, detach policies and enable policy types of
    /// `policy_types`), or individual delegable actions such as `organizations:TagResource`;
    /// `[]` grants read-only access.
    #[schemars(with = "Vec<String>")]
    pub allow: Spanned<Vec<String>>,
    /// Policy types the account may manage (required with `allow: [policies]`).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub policy_types: Option<Spanned<Vec<String>>>,
}

/// `organization:` — which organization this file describes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganizationSection {
    /// The 12-digit id of the management account, quoted. Every command that touches AWS
    /// refuses an organization with another management account.
    #[schemars(with = "String", regex(pattern = r"^[0-9]{12}$"))]
    pub management_account_id: Spanned<String>,
    /// Default Regions for regional delegations.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub regions: Vec<Spanned<String>>,
    /// Where the Identity Center instance lives.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub identity_center_region: Option<Spanned<String>>,
    /// What to do with live objects this file does not mention: `report` (default) or `prune`.
    #[serde(default)]
    #[schemars(with = "Option<Unmanaged>")]
    pub unmanaged: Option<Spanned<Unmanaged>>,
}

/// Policy for live objects absent from the file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Unmanaged {
    /// List them in the plan and leave them alone.
    #[default]
    Report,
    /// Plan their deletion (still needs `apply --allow-destroy`). Accounts are never closed.
    Prune,
}

/// One OU.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OuEntry {
    /// Path from the root, `/`-separated (`Workloads/Prod`); at most 5 levels.
    #[schemars(with = "String")]
    pub path: Spanned<String>,
    /// Tags the OU must carry. Absent: tags are not managed.
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub tags: Option<Spanned<BTreeMap<String, String>>>,
}

/// One member account.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountEntry {
    /// Unique handle used everywhere else in the file (`admin: sec-ops`); also the account
    /// name given to accounts orgctl creates.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Root user email. An account without `id` is the live account with this email, or is
    /// created.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub email: Option<Spanned<String>>,
    /// Adopt an existing member account by its 12-digit id (quoted); never created.
    #[serde(default)]
    #[schemars(with = "Option<String>", regex(pattern = r"^[0-9]{12}$"))]
    pub id: Option<Spanned<String>>,
    /// OU path the account must be in, or `root`.
    #[schemars(with = "String")]
    pub ou: Spanned<String>,
    /// Tags the account must carry. Absent: tags are not managed.
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub tags: Option<Spanned<BTreeMap<String, String>>>,
}

/// One delegated-administrator declaration.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationEntry {
    /// The administrator: an account name from `accounts:` or a 12-digit id.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub admin: Option<Spanned<String>>,
    /// Several administrators, only where the service allows several.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub admins: Option<Spanned<Vec<String>>>,
    /// Regions (regional services only); default `organization.regions`.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub regions: Option<Spanned<Vec<String>>>,
}

/// A YAML mapping whose keys keep their source location (in file order). Duplicate keys
/// never reach it: the parser rejects them.
#[derive(Debug)]
pub struct SpannedMap<V>(pub Vec<(Spanned<String>, V)>);

impl<V> SpannedMap<V> {
    /// The map, or none for a key with nothing after it (`delegations:`, YAML null). Through
    /// `Option`, so that a value of the wrong kind is still reported on its own line and field.
    pub fn or_null<'de, D>(d: D) -> Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
        V: Deserialize<'de>,
    {
        Ok(Option::<Self>::deserialize(d)?.unwrap_or_default())
    }
}

impl<V> Default for SpannedMap<V> {
    fn default() -> Self {
        Self(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for SpannedMap<V> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visit<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> serde::de::Visitor<'de> for Visit<V> {
            type Value = SpannedMap<V>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut m: A,
            ) -> Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = m.next_key::<Spanned<String>>()? {
                    out.push((k, m.next_value::<V>()?));
                }
                Ok(SpannedMap(out))
            }
        }
        d.deserialize_map(Visit(std::marker::PhantomData))
    }
}

/// The JSON Schema of `org.yaml`, generated from these types (checked in as
/// `schemas/org.schema.json`; `make schema` rewrites it, a test keeps it current), with
/// what `validate` checks that JSON Schema can say too: the version, enums (policy types,
/// catalog services, with full service principals allowed) and patterns (Regions, account
/// ids, emails, durations, targets, ARNs). `validate` stays the authority: it also checks
/// references, known Regions ("did you mean"), limits and policy grammar.
pub fn json_schema() -> String {
    let mut schema = serde_json::to_value(schemars::schema_for!(OrgFile)).unwrap_or_default();
    super::schema_rules::constrain(&mut schema);
    serde_json::to_string_pretty(&schema).unwrap_or_default() + "\n"
}
