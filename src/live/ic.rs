//! The live side of IAM Identity Center: the organization instance, identity store users
//! and groups (memberships of the groups the file declares), permission sets with their
//! policies and the accounts they are provisioned to, and account assignments. Plain data,
//! no timestamps, sorted maps: two reads of an unchanged instance are equal.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::model::desired_ic::{Boundary, PolicyRef};
use crate::model::vocab::Tags;

/// What orgctl read of the Identity Center instance.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveIc {
    pub instance_arn: String,
    pub identity_store_id: String,
    pub region: String,
    /// By user name.
    pub users: BTreeMap<String, LiveUser>,
    /// By group name (DisplayName).
    pub groups: BTreeMap<String, LiveGroup>,
    /// By permission-set name.
    pub permission_sets: BTreeMap<String, LivePermissionSet>,
    /// Every assignment of the permission sets read, in the accounts they are provisioned to.
    pub assignments: BTreeSet<LiveAssignment>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveUser {
    pub id: String,
    pub user_name: String,
    pub display_name: String,
    pub given_name: String,
    pub family_name: String,
    /// The primary email (or the first).
    pub email: Option<String>,
    /// Provisioned by an external identity provider (the user has `ExternalIds`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveGroup {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// User id → membership id; `None` when memberships were not read (groups the file
    /// does not declare).
    pub members: Option<BTreeMap<String, String>>,
    /// Provisioned by an external identity provider (the group has `ExternalIds`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub external: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePermissionSet {
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    pub session_duration: String,
    pub relay_state: Option<String>,
    pub managed_policies: BTreeSet<String>,
    pub customer_managed_policies: BTreeSet<PolicyRef>,
    /// The inline policy as AWS returns it (`None`: none).
    pub inline_policy: Option<String>,
    pub boundary: Option<Boundary>,
    /// Read only for permission sets whose tags the file declares.
    pub tags: Option<Tags>,
    /// Accounts it is provisioned to.
    pub provisioned: BTreeSet<String>,
}

/// One account assignment.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LiveAssignment {
    pub permission_set_arn: String,
    /// USER or GROUP.
    pub principal_type: String,
    pub principal_id: String,
    pub account_id: String,
}

/// What to read of Identity Center (stored in a plan file with the rest of the scope).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcScope {
    /// The instance's Region; `None`: the configured Region.
    pub region: Option<String>,
    /// Groups whose memberships are read.
    pub member_groups: BTreeSet<String>,
    /// Permission sets whose tags are read.
    pub tag_permission_sets: BTreeSet<String>,
    /// Read every permission set's details (policies, assignments), not only declared ones
    /// (set under `unmanaged: prune`, where undeclared ones may be deleted).
    pub all_permission_sets: bool,
    /// Permission sets whose details are read.
    pub permission_sets: BTreeSet<String>,
    /// Read everything: every group's members, every permission set with its tags
    /// (`orgctl import`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub everything: bool,
}

/// Names by id (users, groups) and by ARN (permission sets), built once per plan: looking
/// them up by scanning would cost users × memberships on an IdP-sized store.
#[derive(Debug, Default)]
pub struct IcNames<'a> {
    users: BTreeMap<&'a str, &'a str>,
    groups: BTreeMap<&'a str, &'a str>,
    permission_sets: BTreeMap<&'a str, &'a str>,
}

impl<'a> IcNames<'a> {
    pub fn user(&self, id: &str) -> Option<&'a str> {
        self.users.get(id).copied()
    }
    pub fn group(&self, id: &str) -> Option<&'a str> {
        self.groups.get(id).copied()
    }
    pub fn permission_set(&self, arn: &str) -> Option<&'a str> {
        self.permission_sets.get(arn).copied()
    }
}

impl LiveIc {
    /// The name index of this snapshot.
    pub fn names(&self) -> IcNames<'_> {
        IcNames {
            users: self
                .users
                .values()
                .map(|u| (u.id.as_str(), u.user_name.as_str()))
                .collect(),
            groups: self
                .groups
                .values()
                .map(|g| (g.id.as_str(), g.name.as_str()))
                .collect(),
            permission_sets: self
                .permission_sets
                .values()
                .map(|p| (p.arn.as_str(), p.name.as_str()))
                .collect(),
        }
    }
}
