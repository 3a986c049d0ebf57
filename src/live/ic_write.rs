//! The Identity Center write port: every Identity Center mutation `apply` makes goes through
//! [`IcWrite`]. The AWS adapter (`aws/ic_write.rs`) implements it; the apply engine's tests use
//! a recording fake. Next to [`super::LiveWrite`], in the IO-free core.

use crate::live::LiveError;
use crate::model::desired_ic::{Boundary, IcPermissionSet, IcUser, PolicyRef};
use crate::model::vocab::Tags;

/// Where the Identity Center calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcCtx {
    pub region: String,
    pub instance_arn: String,
    pub identity_store_id: String,
}

/// The status of an asynchronous Identity Center request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IcStatus {
    /// IN_PROGRESS, SUCCEEDED or FAILED.
    pub status: String,
    pub request_id: String,
    pub failure_reason: Option<String>,
}

/// Identity Center writes (identitystore and sso-admin). Every method is required: a writer
/// that cannot do one says so in its own implementation.
#[allow(async_fn_in_trait)]
pub trait IcWrite {
    async fn ic_create_user(&self, c: &IcCtx, u: &IcUser) -> Result<String, LiveError>;
    async fn ic_update_user(&self, c: &IcCtx, id: &str, u: &IcUser) -> Result<(), LiveError>;
    async fn ic_delete_user(&self, c: &IcCtx, id: &str) -> Result<(), LiveError>;
    async fn ic_create_group(
        &self,
        c: &IcCtx,
        name: &str,
        description: Option<&str>,
    ) -> Result<String, LiveError>;
    async fn ic_update_group(
        &self,
        c: &IcCtx,
        id: &str,
        description: Option<&str>,
    ) -> Result<(), LiveError>;
    async fn ic_delete_group(&self, c: &IcCtx, id: &str) -> Result<(), LiveError>;
    async fn ic_add_member(&self, c: &IcCtx, group: &str, user: &str) -> Result<(), LiveError>;
    async fn ic_remove_member(&self, c: &IcCtx, membership: &str) -> Result<(), LiveError>;
    /// `CreatePermissionSet` (name, description, session duration, relay state, tags).
    async fn ic_create_permission_set(
        &self,
        c: &IcCtx,
        ps: &IcPermissionSet,
    ) -> Result<String, LiveError>;
    /// `UpdatePermissionSet` (description, session duration, relay state).
    async fn ic_update_permission_set(
        &self,
        c: &IcCtx,
        arn: &str,
        ps: &IcPermissionSet,
    ) -> Result<(), LiveError>;
    async fn ic_delete_permission_set(&self, c: &IcCtx, arn: &str) -> Result<(), LiveError>;
    async fn ic_managed_policy(
        &self,
        c: &IcCtx,
        arn: &str,
        policy: &str,
        attach: bool,
    ) -> Result<(), LiveError>;
    async fn ic_customer_policy(
        &self,
        c: &IcCtx,
        arn: &str,
        policy: &PolicyRef,
        attach: bool,
    ) -> Result<(), LiveError>;
    /// `PutInlinePolicyToPermissionSet` (`Some`) or `DeleteInlinePolicyFromPermissionSet`.
    async fn ic_inline_policy(
        &self,
        c: &IcCtx,
        arn: &str,
        doc: Option<&str>,
    ) -> Result<(), LiveError>;
    /// `PutPermissionsBoundaryToPermissionSet` (`Some`) or `DeletePermissionsBoundary…`.
    async fn ic_boundary(
        &self,
        c: &IcCtx,
        arn: &str,
        b: Option<&Boundary>,
    ) -> Result<(), LiveError>;
    async fn ic_tag(
        &self,
        c: &IcCtx,
        arn: &str,
        set: &Tags,
        remove: &[String],
    ) -> Result<(), LiveError>;
    /// `ProvisionPermissionSet` to one account.
    async fn ic_provision(
        &self,
        c: &IcCtx,
        arn: &str,
        account: &str,
    ) -> Result<IcStatus, LiveError>;
    async fn ic_provision_status(&self, c: &IcCtx, request: &str) -> Result<IcStatus, LiveError>;
    /// `CreateAccountAssignment` (`create`) or `DeleteAccountAssignment`.
    async fn ic_assignment(
        &self,
        c: &IcCtx,
        create: bool,
        arn: &str,
        principal_type: &str,
        principal_id: &str,
        account: &str,
    ) -> Result<IcStatus, LiveError>;
    /// `DescribeAccountAssignmentCreationStatus` (`create`) or `…DeletionStatus`.
    async fn ic_assignment_status(
        &self,
        c: &IcCtx,
        create: bool,
        request: &str,
    ) -> Result<IcStatus, LiveError>;
}
