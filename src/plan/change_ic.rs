//! The Identity Center operations a plan can hold: identity store users, groups and
//! memberships; permission sets (attributes, policies, boundary, tags, then re-provisioning
//! to the accounts they are provisioned to); account assignments. Names are resolved to ids
//! at apply time, so objects created earlier in the same run can be used.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::desired_ic::{Boundary, IcPermissionSet, IcUser, PolicyRef, Principal};
use crate::model::vocab::{AccountRef, Tags};

/// One Identity Center operation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "ic_op")]
pub enum IcOp {
    /// identitystore `CreateUser`.
    CreateUser { user: IcUser },
    /// identitystore `UpdateUser` (display name, name parts, email).
    UpdateUser { id: String, user: IcUser },
    /// identitystore `DeleteUser`.
    DeleteUser { id: String, user_name: String },
    /// identitystore `CreateGroup`.
    CreateGroup {
        name: String,
        description: Option<String>,
    },
    /// identitystore `UpdateGroup` (description).
    UpdateGroup {
        id: String,
        name: String,
        description: Option<String>,
    },
    /// identitystore `DeleteGroup`.
    DeleteGroup { id: String, name: String },
    /// identitystore `CreateGroupMembership`.
    AddMember { group: String, user: String },
    /// identitystore `DeleteGroupMembership`.
    RemoveMember {
        group: String,
        user: String,
        membership_id: String,
    },
    /// sso-admin `CreatePermissionSet` (with tags), then its policies and boundary.
    CreatePermissionSet {
        permission_set: Box<IcPermissionSet>,
    },
    /// The calls that bring a permission set to `permission_set`, then
    /// `ProvisionPermissionSet` to each account of `reprovision`, one at a time per account.
    UpdatePermissionSet {
        arn: String,
        permission_set: Box<IcPermissionSet>,
        update: Box<PsUpdate>,
        reprovision: Vec<String>,
    },
    /// sso-admin `DeletePermissionSet`.
    DeletePermissionSet { arn: String, name: String },
    /// sso-admin `CreateAccountAssignment` (asynchronous; polled).
    CreateAssignment {
        permission_set: String,
        principal: Principal,
        account: AccountRef,
    },
    /// sso-admin `DeleteAccountAssignment` (asynchronous; polled).
    DeleteAssignment {
        permission_set: String,
        permission_set_arn: String,
        principal: Principal,
        principal_id: String,
        account_id: String,
    },
}

/// What changes in a permission set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PsUpdate {
    /// Description, session duration or relay state (`UpdatePermissionSet`).
    pub attributes: bool,
    pub attach_managed: Vec<String>,
    pub detach_managed: Vec<String>,
    pub attach_customer: Vec<PolicyRef>,
    pub detach_customer: Vec<PolicyRef>,
    /// `PutInlinePolicyToPermissionSet` with this document.
    pub put_inline: Option<Value>,
    /// `DeleteInlinePolicyFromPermissionSet`.
    pub delete_inline: bool,
    pub put_boundary: Option<Boundary>,
    pub delete_boundary: bool,
    pub tag: Tags,
    pub untag: Vec<String>,
}

impl PsUpdate {
    /// Whether the provisioned IAM roles change (everything but tags), so the permission set
    /// must be re-provisioned to the accounts it is provisioned to.
    pub fn needs_provisioning(&self) -> bool {
        self.attributes
            || !self.attach_managed.is_empty()
            || !self.detach_managed.is_empty()
            || !self.attach_customer.is_empty()
            || !self.detach_customer.is_empty()
            || self.put_inline.is_some()
            || self.delete_inline
            || self.put_boundary.is_some()
            || self.delete_boundary
    }
    pub fn is_empty(&self) -> bool {
        !self.needs_provisioning() && self.tag.is_empty() && self.untag.is_empty()
    }
}
