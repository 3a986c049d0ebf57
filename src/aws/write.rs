//! [`LiveWrite`] over the Organizations SDK client. Errors keep their AWS code so the
//! apply engine can treat `AccountAlreadyRegisteredException` and friends as converged.

use std::collections::BTreeMap;

use aws_sdk_organizations::types::Tag;

use super::read::create_request;
use super::{delegation, map_sdk_error, Aws};
use crate::catalog::NativeId;
use crate::live::write::LiveWrite;
use crate::live::{CreateRequest, LiveError};
use crate::model::vocab::{AccountId, Tags};

fn sdk_tags(tags: &Tags) -> Result<Vec<Tag>, LiveError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| LiveError::Inconsistent(format!("invalid tag {k}: {e}")))
        })
        .collect()
}

impl LiveWrite for Aws {
    async fn create_ou(
        &self,
        parent_id: &str,
        name: &str,
        tags: &Tags,
    ) -> Result<String, LiveError> {
        let out = self
            .org
            .create_organizational_unit()
            .parent_id(parent_id)
            .name(name)
            .set_tags((!tags.is_empty()).then(|| sdk_tags(tags)).transpose()?)
            .send()
            .await
            .map_err(|e| map_sdk_error("CreateOrganizationalUnit", e))?;
        out.organizational_unit()
            .and_then(|o| o.id())
            .map(str::to_string)
            .ok_or_else(|| {
                LiveError::Inconsistent("CreateOrganizationalUnit returned no id".into())
            })
    }

    async fn delete_ou(&self, id: &str) -> Result<(), LiveError> {
        self.org
            .delete_organizational_unit()
            .organizational_unit_id(id)
            .send()
            .await
            .map_err(|e| map_sdk_error("DeleteOrganizationalUnit", e))?;
        Ok(())
    }

    async fn create_account(
        &self,
        email: &str,
        name: &str,
        tags: &Tags,
    ) -> Result<CreateRequest, LiveError> {
        let out = self
            .org
            .create_account()
            .email(email)
            .account_name(name)
            .set_tags((!tags.is_empty()).then(|| sdk_tags(tags)).transpose()?)
            .send()
            .await
            .map_err(|e| map_sdk_error("CreateAccount", e))?;
        out.create_account_status()
            .map(create_request)
            .ok_or_else(|| LiveError::Inconsistent("CreateAccount returned no status".into()))
    }

    async fn create_account_status(&self, request_id: &str) -> Result<CreateRequest, LiveError> {
        let out = self
            .org
            .describe_create_account_status()
            .create_account_request_id(request_id)
            .send()
            .await
            .map_err(|e| map_sdk_error("DescribeCreateAccountStatus", e))?;
        out.create_account_status()
            .map(create_request)
            .ok_or_else(|| {
                LiveError::Inconsistent("DescribeCreateAccountStatus returned no status".into())
            })
    }

    async fn move_account(
        &self,
        id: &AccountId,
        from_parent: &str,
        to_parent: &str,
    ) -> Result<(), LiveError> {
        self.org
            .move_account()
            .account_id(id.as_str())
            .source_parent_id(from_parent)
            .destination_parent_id(to_parent)
            .send()
            .await
            .map_err(|e| map_sdk_error("MoveAccount", e))?;
        Ok(())
    }

    async fn root_tags(&self) -> Result<(String, Tags), LiveError> {
        // Paged like every read (AWS may return an empty page with a NextToken).
        let (root, _) = self.root().await?;
        let tags = self.tags(&root).await?;
        Ok((root, tags))
    }

    async fn tag(&self, resource_id: &str, set: &Tags) -> Result<(), LiveError> {
        self.org
            .tag_resource()
            .resource_id(resource_id)
            .set_tags(Some(sdk_tags(set)?))
            .send()
            .await
            .map_err(|e| map_sdk_error("TagResource", e))?;
        Ok(())
    }

    async fn untag(&self, resource_id: &str, keys: &[String]) -> Result<(), LiveError> {
        self.org
            .untag_resource()
            .resource_id(resource_id)
            .set_tag_keys(Some(keys.to_vec()))
            .send()
            .await
            .map_err(|e| map_sdk_error("UntagResource", e))?;
        Ok(())
    }

    async fn enable_trusted_access(&self, principal: &str) -> Result<(), LiveError> {
        self.org
            .enable_aws_service_access()
            .service_principal(principal)
            .send()
            .await
            .map_err(|e| map_sdk_error("EnableAWSServiceAccess", e))?;
        Ok(())
    }

    async fn disable_trusted_access(&self, principal: &str) -> Result<(), LiveError> {
        self.org
            .disable_aws_service_access()
            .service_principal(principal)
            .send()
            .await
            .map_err(|e| map_sdk_error("DisableAWSServiceAccess", e))?;
        Ok(())
    }

    async fn register_admin(&self, id: &AccountId, principal: &str) -> Result<(), LiveError> {
        self.org
            .register_delegated_administrator()
            .account_id(id.as_str())
            .service_principal(principal)
            .send()
            .await
            .map_err(|e| map_sdk_error("RegisterDelegatedAdministrator", e))?;
        Ok(())
    }

    async fn deregister_admin(&self, id: &AccountId, principal: &str) -> Result<(), LiveError> {
        self.org
            .deregister_delegated_administrator()
            .account_id(id.as_str())
            .service_principal(principal)
            .send()
            .await
            .map_err(|e| map_sdk_error("DeregisterDelegatedAdministrator", e))?;
        Ok(())
    }

    async fn put_delegation_policy(&self, content: &str) -> Result<(), LiveError> {
        self.org
            .put_resource_policy()
            .content(content)
            .send()
            .await
            .map_err(|e| map_sdk_error("PutResourcePolicy", e))?;
        Ok(())
    }

    async fn delete_delegation_policy(&self) -> Result<(), LiveError> {
        self.org
            .delete_resource_policy()
            .send()
            .await
            .map_err(|e| map_sdk_error("DeleteResourcePolicy", e))?;
        Ok(())
    }

    async fn enable_policy_type(
        &self,
        root_id: &str,
        policy_type: &str,
    ) -> Result<String, LiveError> {
        use aws_sdk_organizations::types::PolicyType;
        let out = self
            .org
            .enable_policy_type()
            .root_id(root_id)
            .policy_type(PolicyType::from(policy_type))
            .send()
            .await
            .map_err(|e| map_sdk_error("EnablePolicyType", e))?;
        let status = out
            .root()
            .and_then(|r| {
                r.policy_types()
                    .iter()
                    .find(|t| t.r#type().map(|x| x.as_str()) == Some(policy_type))
            })
            .and_then(|t| t.status())
            .map(|s| s.as_str().to_string());
        Ok(status.unwrap_or_else(|| "PENDING_ENABLE".into()))
    }

    async fn policy_type_status(
        &self,
        root_id: &str,
        policy_type: &str,
    ) -> Result<Option<String>, LiveError> {
        let out = self
            .org
            .list_roots()
            .send()
            .await
            .map_err(|e| map_sdk_error("ListRoots", e))?;
        Ok(out
            .roots()
            .iter()
            .filter(|r| r.id() == Some(root_id))
            .flat_map(|r| r.policy_types())
            .find(|t| t.r#type().map(|x| x.as_str()) == Some(policy_type))
            .and_then(|t| t.status())
            .map(|s| s.as_str().to_string()))
    }

    async fn create_policy(
        &self,
        name: &str,
        policy_type: &str,
        description: &str,
        content: &str,
        tags: &Tags,
    ) -> Result<String, LiveError> {
        use aws_sdk_organizations::types::PolicyType;
        let out = self
            .org
            .create_policy()
            .name(name)
            .r#type(PolicyType::from(policy_type))
            .description(description)
            .content(content)
            .set_tags((!tags.is_empty()).then(|| sdk_tags(tags)).transpose()?)
            .send()
            .await
            .map_err(|e| map_sdk_error("CreatePolicy", e))?;
        out.policy()
            .and_then(|p| p.policy_summary())
            .and_then(|s| s.id())
            .map(str::to_string)
            .ok_or_else(|| LiveError::Inconsistent("CreatePolicy returned no id".into()))
    }

    async fn update_policy(
        &self,
        id: &str,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<(), LiveError> {
        self.org
            .update_policy()
            .policy_id(id)
            .name(name)
            .description(description)
            .content(content)
            .send()
            .await
            .map_err(|e| map_sdk_error("UpdatePolicy", e))?;
        Ok(())
    }

    async fn attach_policy(&self, policy_id: &str, target_id: &str) -> Result<(), LiveError> {
        self.org
            .attach_policy()
            .policy_id(policy_id)
            .target_id(target_id)
            .send()
            .await
            .map_err(|e| map_sdk_error("AttachPolicy", e))?;
        Ok(())
    }

    async fn detach_policy(&self, policy_id: &str, target_id: &str) -> Result<(), LiveError> {
        self.org
            .detach_policy()
            .policy_id(policy_id)
            .target_id(target_id)
            .send()
            .await
            .map_err(|e| map_sdk_error("DetachPolicy", e))?;
        Ok(())
    }

    async fn delete_policy(&self, id: &str) -> Result<(), LiveError> {
        self.org
            .delete_policy()
            .policy_id(id)
            .send()
            .await
            .map_err(|e| map_sdk_error("DeletePolicy", e))?;
        Ok(())
    }

    async fn service_admins(
        &self,
        service: NativeId,
        region: &str,
    ) -> Result<BTreeMap<String, String>, LiveError> {
        delegation::regional(service)?.list(self, region).await
    }

    async fn service_admin_enable(
        &self,
        service: NativeId,
        region: &str,
        account: &str,
    ) -> Result<(), LiveError> {
        delegation::regional(service)?
            .enable(self, region, account)
            .await
    }

    async fn service_admin_disable(
        &self,
        service: NativeId,
        region: &str,
        account: &str,
    ) -> Result<(), LiveError> {
        delegation::regional(service)?
            .disable(self, region, account)
            .await
    }

    async fn service_register(
        &self,
        service: NativeId,
        account: &AccountId,
    ) -> Result<(), LiveError> {
        delegation::organization(service)?
            .register(self, account.as_str())
            .await
    }

    async fn service_deregister(
        &self,
        service: NativeId,
        account: &AccountId,
    ) -> Result<(), LiveError> {
        delegation::organization(service)?
            .deregister(self, account.as_str())
            .await
    }

    async fn service_teardown(&self, service: NativeId, region: &str) -> Result<usize, LiveError> {
        delegation::teardown(service)?.teardown(self, region).await
    }
}
