//! The serde shape of the `identity_center:` section (SPEC §3): users, groups, permission
//! sets and assignments, exactly as written, with spans for diagnostics. Validated types
//! live in `desired_ic.rs`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

/// `identity_center:` — IAM Identity Center, planned for its delegated administrator.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IdentityCenterSection {
    /// Identity store users.
    #[serde(default, deserialize_with = "super::nulls::null_as_empty")]
    #[schemars(with = "Option<Vec<IcUserEntry>>")]
    pub users: Vec<IcUserEntry>,
    /// Identity store groups.
    #[serde(default, deserialize_with = "super::nulls::null_as_empty")]
    #[schemars(with = "Option<Vec<IcGroupEntry>>")]
    pub groups: Vec<IcGroupEntry>,
    /// Permission sets.
    #[serde(default, deserialize_with = "super::nulls::null_as_empty")]
    #[schemars(with = "Option<Vec<IcPermissionSetEntry>>")]
    pub permission_sets: Vec<IcPermissionSetEntry>,
    /// Who gets which permission set in which accounts.
    #[serde(default, deserialize_with = "super::nulls::null_as_empty")]
    #[schemars(with = "Option<Vec<IcAssignmentEntry>>")]
    pub assignments: Vec<IcAssignmentEntry>,
}

/// One user. With `external: true` the user is owned by an external identity provider
/// (SCIM): it is resolved by `user_name`, never created, changed or deleted.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IcUserEntry {
    /// Unique user name (the address handle).
    #[schemars(with = "String")]
    pub user_name: Spanned<String>,
    /// The name shown in the AWS access portal (default: given and family name).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub display_name: Option<Spanned<String>>,
    /// First name (Identity Store `Name.GivenName`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub given_name: Option<Spanned<String>>,
    /// Last name (Identity Store `Name.FamilyName`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub family_name: Option<Spanned<String>>,
    /// The primary work email.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub email: Option<Spanned<String>>,
    /// Owned by an external identity provider: referenced, never managed.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub external: Option<Spanned<bool>>,
}

/// One group. `members` is the whole membership (user names); with `external: true` the
/// group and its members belong to an external identity provider.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IcGroupEntry {
    /// Unique group name (the identity store's DisplayName; the address handle).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The group's description in the identity store.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub description: Option<Spanned<String>>,
    /// The group's members, by `user_name`. Absent: membership is not managed.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub members: Option<Spanned<Vec<String>>>,
    /// Owned by an external identity provider (SCIM): referenced in assignments, never
    /// created, changed or deleted.
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub external: Option<Spanned<bool>>,
}

/// One permission set.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IcPermissionSetEntry {
    /// Unique name (1–32 characters of `\w+=,.@-`).
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The permission set's description (shown in the AWS access portal).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub description: Option<Spanned<String>>,
    /// ISO-8601 duration between PT1H and PT12H (AWS's default: PT1H).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub session_duration: Option<Spanned<String>>,
    /// URL users land on in the console.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub relay_state: Option<Spanned<String>>,
    /// AWS-managed policy ARNs.
    #[serde(default)]
    #[schemars(with = "Vec<String>")]
    pub managed_policies: Vec<Spanned<String>>,
    /// Customer-managed policies by name (and path), which must exist in every account the
    /// permission set is provisioned to.
    #[serde(default)]
    pub customer_managed_policies: Vec<IcPolicyRef>,
    /// The inline policy: a JSON file relative to org.yaml (a string), or the document itself
    /// (a mapping).
    #[serde(default)]
    #[schemars(with = "Option<serde_json::Value>")]
    pub inline_policy: Option<Spanned<serde_json::Value>>,
    /// The permissions boundary: an AWS-managed policy ARN or a customer-managed policy.
    #[serde(default)]
    pub permissions_boundary: Option<IcBoundary>,
    /// Tags the permission set must carry. Absent: tags are not managed.
    #[serde(default)]
    #[schemars(with = "Option<BTreeMap<String, String>>")]
    pub tags: Option<Spanned<BTreeMap<String, String>>>,
}

/// A customer-managed policy reference.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IcPolicyRef {
    /// The IAM policy's name, as it exists in every target account.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Default `/`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub path: Option<Spanned<String>>,
}

/// A permissions boundary: exactly one of the two.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IcBoundary {
    /// An AWS-managed policy as the boundary (`arn:aws:iam::aws:policy/NAME`).
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub managed_policy_arn: Option<Spanned<String>>,
    /// A customer-managed policy (by name and path, in every target account) as the boundary.
    #[serde(default)]
    pub customer_managed_policy: Option<IcPolicyRef>,
}

/// One assignment rule: a user or a group gets a permission set in the targets.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IcAssignmentEntry {
    /// The permission set's `name`, from `permission_sets:`.
    #[schemars(with = "String")]
    pub permission_set: Spanned<String>,
    /// The user given access (a `user_name`); exactly one of `user` and `group`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub user: Option<Spanned<String>>,
    /// The group given access (a group `name`); exactly one of `user` and `group`.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub group: Option<Spanned<String>>,
    /// `account:NAME` (or `account:ID`), `ou:PATH` (its accounts) or `root` (every account).
    #[schemars(with = "Vec<String>")]
    pub targets: Spanned<Vec<String>>,
    /// Whether `ou:` targets include the accounts of nested OUs (default true).
    #[serde(default)]
    #[schemars(with = "Option<bool>")]
    pub include_nested_ous: Option<Spanned<bool>>,
}
