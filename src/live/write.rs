//! The Organizations write port: every mutation `apply` makes goes through [`LiveWrite`]. The AWS adapter
//! implements it in `aws/write.rs`; tests use a recording fake. This is the single
//! seam where a dry run or a fake remote plugs in.

/// The root tag that holds `apply`'s lock (`ops::lock`); its permission is granted by
/// `permissions` on the root only.
pub const LOCK_TAG: &str = "orgctl-lock";

use std::collections::BTreeMap;

use crate::catalog::NativeId;
use crate::live::{CreateRequest, LiveError};
use crate::model::vocab::{AccountId, Tags};

/// Organizations writes.
#[allow(async_fn_in_trait)]
pub trait LiveWrite {
    async fn create_ou(
        &self,
        parent_id: &str,
        name: &str,
        tags: &Tags,
    ) -> Result<String, LiveError>;
    async fn delete_ou(&self, id: &str) -> Result<(), LiveError>;
    /// Starts an (asynchronous) account creation.
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        tags: &Tags,
    ) -> Result<CreateRequest, LiveError>;
    async fn create_account_status(&self, request_id: &str) -> Result<CreateRequest, LiveError>;
    async fn move_account(
        &self,
        id: &AccountId,
        from_parent: &str,
        to_parent: &str,
    ) -> Result<(), LiveError>;
    /// The root's id and its tags (where `apply` keeps its lock).
    async fn root_tags(&self) -> Result<(String, Tags), LiveError>;
    async fn tag(&self, resource_id: &str, set: &Tags) -> Result<(), LiveError>;
    async fn untag(&self, resource_id: &str, keys: &[String]) -> Result<(), LiveError>;
    async fn enable_trusted_access(&self, principal: &str) -> Result<(), LiveError>;
    async fn disable_trusted_access(&self, principal: &str) -> Result<(), LiveError>;
    async fn register_admin(&self, id: &AccountId, principal: &str) -> Result<(), LiveError>;
    async fn deregister_admin(&self, id: &AccountId, principal: &str) -> Result<(), LiveError>;
    /// `PutResourcePolicy` (creates or replaces the organization's delegation policy).
    async fn put_delegation_policy(&self, content: &str) -> Result<(), LiveError>;
    /// `DeleteResourcePolicy`.
    async fn delete_delegation_policy(&self) -> Result<(), LiveError>;
    /// `EnablePolicyType` (asynchronous: returns the type's status on the root).
    async fn enable_policy_type(
        &self,
        root_id: &str,
        policy_type: &str,
    ) -> Result<String, LiveError>;
    /// The status of a policy type on the root (`ListRoots`), `None` when not enabled.
    async fn policy_type_status(
        &self,
        root_id: &str,
        policy_type: &str,
    ) -> Result<Option<String>, LiveError>;
    /// `CreatePolicy`; returns the policy id.
    async fn create_policy(
        &self,
        name: &str,
        policy_type: &str,
        description: &str,
        content: &str,
        tags: &Tags,
    ) -> Result<String, LiveError>;
    async fn update_policy(
        &self,
        id: &str,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<(), LiveError>;
    async fn attach_policy(&self, policy_id: &str, target_id: &str) -> Result<(), LiveError>;
    async fn detach_policy(&self, policy_id: &str, target_id: &str) -> Result<(), LiveError>;
    async fn delete_policy(&self, id: &str) -> Result<(), LiveError>;
    /// A service's delegated administrators in `region` (account → status).
    async fn service_admins(
        &self,
        service: NativeId,
        region: &str,
    ) -> Result<BTreeMap<String, String>, LiveError>;
    async fn service_admin_enable(
        &self,
        service: NativeId,
        region: &str,
        account: &str,
    ) -> Result<(), LiveError>;
    async fn service_admin_disable(
        &self,
        service: NativeId,
        region: &str,
        account: &str,
    ) -> Result<(), LiveError>;
    /// An org-wide service's own delegated-admin registration (CloudTrail).
    async fn service_register(
        &self,
        service: NativeId,
        account: &AccountId,
    ) -> Result<(), LiveError>;
    async fn service_deregister(
        &self,
        service: NativeId,
        account: &AccountId,
    ) -> Result<(), LiveError>;
    /// The outgoing administrator's own part of a move (GuardDuty): in `region`, stop
    /// auto-enabling organization members, then disassociate and delete its members. Returns
    /// how many members it removed.
    async fn service_teardown(&self, service: NativeId, region: &str) -> Result<usize, LiveError>;
}
