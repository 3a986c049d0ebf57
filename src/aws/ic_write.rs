//! [`IcWrite`] over the SDK: identitystore users, groups and memberships; sso-admin
//! permission sets, their policies, boundary and tags, provisioning and account
//! assignments. Each call goes to the instance's Region.

use aws_sdk_identitystore::types::{AttributeOperation, Email, MemberId, Name};
use aws_sdk_ssoadmin::types::{
    CustomerManagedPolicyReference, PermissionsBoundary, PrincipalType, ProvisionTargetType, Tag,
    TargetType,
};
use aws_smithy_types::Document;

use super::{map_sdk_error, Aws};
use crate::live::ic_write::{IcCtx, IcStatus, IcWrite};
use crate::live::LiveError;
use crate::model::desired_ic::{Boundary, IcPermissionSet, IcUser, PolicyRef};
use crate::model::vocab::Tags;

fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, LiveError> {
    r.map_err(|e| LiveError::Inconsistent(format!("building a request: {e}")))
}

fn cmp(p: &PolicyRef) -> Result<CustomerManagedPolicyReference, LiveError> {
    built(
        CustomerManagedPolicyReference::builder()
            .name(&p.name)
            .path(&p.path)
            .build(),
    )
}

fn email(u: &IcUser) -> Option<Email> {
    u.email.as_ref().map(|e| {
        Email::builder()
            .value(e)
            .r#type("work")
            .primary(true)
            .build()
    })
}

fn status(s: Option<&aws_sdk_ssoadmin::types::AccountAssignmentOperationStatus>) -> IcStatus {
    IcStatus {
        status: s
            .and_then(|s| s.status())
            .map(|v| v.as_str().to_string())
            .unwrap_or_else(|| "IN_PROGRESS".into()),
        request_id: s
            .and_then(|s| s.request_id())
            .unwrap_or_default()
            .to_string(),
        failure_reason: s.and_then(|s| s.failure_reason()).map(str::to_string),
    }
}

fn provisioning(s: Option<&aws_sdk_ssoadmin::types::PermissionSetProvisioningStatus>) -> IcStatus {
    IcStatus {
        status: s
            .and_then(|s| s.status())
            .map(|v| v.as_str().to_string())
            .unwrap_or_else(|| "IN_PROGRESS".into()),
        request_id: s
            .and_then(|s| s.request_id())
            .unwrap_or_default()
            .to_string(),
        failure_reason: s.and_then(|s| s.failure_reason()).map(str::to_string),
    }
}

impl IcWrite for Aws {
    async fn ic_create_user(&self, c: &IcCtx, u: &IcUser) -> Result<String, LiveError> {
        let out = self
            .identitystore(Some(&c.region))?
            .create_user()
            .identity_store_id(&c.identity_store_id)
            .user_name(&u.user_name)
            .display_name(&u.display_name)
            .name(
                Name::builder()
                    .given_name(&u.given_name)
                    .family_name(&u.family_name)
                    .build(),
            )
            .set_emails(email(u).map(|e| vec![e]))
            .send()
            .await
            .map_err(|e| map_sdk_error("identitystore:CreateUser", e))?;
        Ok(out.user_id().to_string())
    }

    async fn ic_update_user(&self, c: &IcCtx, id: &str, u: &IcUser) -> Result<(), LiveError> {
        // An operation without a value removes the attribute: Identity Store strings are at
        // least one character, so "" is refused (identitystore API: AttributeOperation).
        let email = u.email.as_ref().map(|e| {
            Document::Array(vec![Document::Object(
                [
                    ("value".to_string(), Document::from(e.as_str())),
                    ("type".to_string(), Document::from("work")),
                    ("primary".to_string(), Document::Bool(true)),
                ]
                .into_iter()
                .collect(),
            )])
        });
        let ops = [
            ("displayName", Some(Document::from(u.display_name.as_str()))),
            (
                "name.givenName",
                Some(Document::from(u.given_name.as_str())),
            ),
            (
                "name.familyName",
                Some(Document::from(u.family_name.as_str())),
            ),
            ("emails", email),
        ]
        .into_iter()
        .map(|(p, v)| {
            built(
                AttributeOperation::builder()
                    .attribute_path(p)
                    .set_attribute_value(v)
                    .build(),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
        self.identitystore(Some(&c.region))?
            .update_user()
            .identity_store_id(&c.identity_store_id)
            .user_id(id)
            .set_operations(Some(ops))
            .send()
            .await
            .map_err(|e| map_sdk_error("identitystore:UpdateUser", e))?;
        Ok(())
    }

    async fn ic_delete_user(&self, c: &IcCtx, id: &str) -> Result<(), LiveError> {
        self.identitystore(Some(&c.region))?
            .delete_user()
            .identity_store_id(&c.identity_store_id)
            .user_id(id)
            .send()
            .await
            .map_err(|e| map_sdk_error("identitystore:DeleteUser", e))?;
        Ok(())
    }

    async fn ic_create_group(
        &self,
        c: &IcCtx,
        name: &str,
        description: Option<&str>,
    ) -> Result<String, LiveError> {
        let out = self
            .identitystore(Some(&c.region))?
            .create_group()
            .identity_store_id(&c.identity_store_id)
            .display_name(name)
            .set_description(description.map(str::to_string))
            .send()
            .await
            .map_err(|e| map_sdk_error("identitystore:CreateGroup", e))?;
        Ok(out.group_id().to_string())
    }

    async fn ic_update_group(
        &self,
        c: &IcCtx,
        id: &str,
        description: Option<&str>,
    ) -> Result<(), LiveError> {
        let op = built(
            AttributeOperation::builder()
                .attribute_path("description")
                // None removes the description ("" is refused: strings are at least 1 char).
                .set_attribute_value(description.map(Document::from))
                .build(),
        )?;
        self.identitystore(Some(&c.region))?
            .update_group()
            .identity_store_id(&c.identity_store_id)
            .group_id(id)
            .operations(op)
            .send()
            .await
            .map_err(|e| map_sdk_error("identitystore:UpdateGroup", e))?;
        Ok(())
    }

    async fn ic_delete_group(&self, c: &IcCtx, id: &str) -> Result<(), LiveError> {
        self.identitystore(Some(&c.region))?
            .delete_group()
            .identity_store_id(&c.identity_store_id)
            .group_id(id)
            .send()
            .await
            .map_err(|e| map_sdk_error("identitystore:DeleteGroup", e))?;
        Ok(())
    }

    async fn ic_add_member(&self, c: &IcCtx, group: &str, user: &str) -> Result<(), LiveError> {
        self.identitystore(Some(&c.region))?
            .create_group_membership()
            .identity_store_id(&c.identity_store_id)
            .group_id(group)
            .member_id(MemberId::UserId(user.to_string()))
            .send()
            .await
            .map_err(|e| map_sdk_error("identitystore:CreateGroupMembership", e))?;
        Ok(())
    }

    async fn ic_remove_member(&self, c: &IcCtx, membership: &str) -> Result<(), LiveError> {
        self.identitystore(Some(&c.region))?
            .delete_group_membership()
            .identity_store_id(&c.identity_store_id)
            .membership_id(membership)
            .send()
            .await
            .map_err(|e| map_sdk_error("identitystore:DeleteGroupMembership", e))?;
        Ok(())
    }

    async fn ic_create_permission_set(
        &self,
        c: &IcCtx,
        ps: &IcPermissionSet,
    ) -> Result<String, LiveError> {
        let tags = ps
            .tags
            .iter()
            .flatten()
            .map(|(k, v)| built(Tag::builder().key(k).value(v).build()))
            .collect::<Result<Vec<_>, _>>()?;
        let out = self
            .ssoadmin(Some(&c.region))?
            .create_permission_set()
            .instance_arn(&c.instance_arn)
            .name(&ps.name)
            .set_description(ps.description.clone())
            .session_duration(&ps.session_duration)
            .set_relay_state(ps.relay_state.clone())
            .set_tags((!tags.is_empty()).then_some(tags))
            .send()
            .await
            .map_err(|e| map_sdk_error("sso:CreatePermissionSet", e))?;
        out.permission_set()
            .and_then(|p| p.permission_set_arn())
            .map(str::to_string)
            .ok_or_else(|| LiveError::Inconsistent("CreatePermissionSet returned no ARN".into()))
    }

    async fn ic_update_permission_set(
        &self,
        c: &IcCtx,
        arn: &str,
        ps: &IcPermissionSet,
    ) -> Result<(), LiveError> {
        self.ssoadmin(Some(&c.region))?
            .update_permission_set()
            .instance_arn(&c.instance_arn)
            .permission_set_arn(arn)
            // Left out when the file has none: AWS refuses "" and has no way to remove
            // either (the plan keeps the live value and warns).
            .set_description(ps.description.clone())
            .session_duration(&ps.session_duration)
            .set_relay_state(ps.relay_state.clone())
            .send()
            .await
            .map_err(|e| map_sdk_error("sso:UpdatePermissionSet", e))?;
        Ok(())
    }

    async fn ic_delete_permission_set(&self, c: &IcCtx, arn: &str) -> Result<(), LiveError> {
        self.ssoadmin(Some(&c.region))?
            .delete_permission_set()
            .instance_arn(&c.instance_arn)
            .permission_set_arn(arn)
            .send()
            .await
            .map_err(|e| map_sdk_error("sso:DeletePermissionSet", e))?;
        Ok(())
    }

    async fn ic_managed_policy(
        &self,
        c: &IcCtx,
        arn: &str,
        policy: &str,
        attach: bool,
    ) -> Result<(), LiveError> {
        let sso = self.ssoadmin(Some(&c.region))?;
        if attach {
            sso.attach_managed_policy_to_permission_set()
                .instance_arn(&c.instance_arn)
                .permission_set_arn(arn)
                .managed_policy_arn(policy)
                .send()
                .await
                .map_err(|e| map_sdk_error("sso:AttachManagedPolicyToPermissionSet", e))?;
        } else {
            sso.detach_managed_policy_from_permission_set()
                .instance_arn(&c.instance_arn)
                .permission_set_arn(arn)
                .managed_policy_arn(policy)
                .send()
                .await
                .map_err(|e| map_sdk_error("sso:DetachManagedPolicyFromPermissionSet", e))?;
        }
        Ok(())
    }

    async fn ic_customer_policy(
        &self,
        c: &IcCtx,
        arn: &str,
        policy: &PolicyRef,
        attach: bool,
    ) -> Result<(), LiveError> {
        let sso = self.ssoadmin(Some(&c.region))?;
        let r = cmp(policy)?;
        if attach {
            sso.attach_customer_managed_policy_reference_to_permission_set()
                .instance_arn(&c.instance_arn)
                .permission_set_arn(arn)
                .customer_managed_policy_reference(r)
                .send()
                .await
                .map_err(|e| {
                    map_sdk_error("sso:AttachCustomerManagedPolicyReferenceToPermissionSet", e)
                })?;
        } else {
            sso.detach_customer_managed_policy_reference_from_permission_set()
                .instance_arn(&c.instance_arn)
                .permission_set_arn(arn)
                .customer_managed_policy_reference(r)
                .send()
                .await
                .map_err(|e| {
                    map_sdk_error(
                        "sso:DetachCustomerManagedPolicyReferenceFromPermissionSet",
                        e,
                    )
                })?;
        }
        Ok(())
    }

    async fn ic_inline_policy(
        &self,
        c: &IcCtx,
        arn: &str,
        doc: Option<&str>,
    ) -> Result<(), LiveError> {
        let sso = self.ssoadmin(Some(&c.region))?;
        match doc {
            Some(d) => {
                sso.put_inline_policy_to_permission_set()
                    .instance_arn(&c.instance_arn)
                    .permission_set_arn(arn)
                    .inline_policy(d)
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("sso:PutInlinePolicyToPermissionSet", e))?;
            }
            None => {
                sso.delete_inline_policy_from_permission_set()
                    .instance_arn(&c.instance_arn)
                    .permission_set_arn(arn)
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("sso:DeleteInlinePolicyFromPermissionSet", e))?;
            }
        }
        Ok(())
    }

    async fn ic_boundary(
        &self,
        c: &IcCtx,
        arn: &str,
        b: Option<&Boundary>,
    ) -> Result<(), LiveError> {
        let sso = self.ssoadmin(Some(&c.region))?;
        match b {
            Some(b) => {
                let pb = match b {
                    Boundary::Managed(a) => PermissionsBoundary::builder().managed_policy_arn(a),
                    Boundary::Customer(r) => {
                        PermissionsBoundary::builder().customer_managed_policy_reference(cmp(r)?)
                    }
                }
                .build();
                sso.put_permissions_boundary_to_permission_set()
                    .instance_arn(&c.instance_arn)
                    .permission_set_arn(arn)
                    .permissions_boundary(pb)
                    .send()
                    .await
                    .map_err(|e| map_sdk_error("sso:PutPermissionsBoundaryToPermissionSet", e))?;
            }
            None => {
                sso.delete_permissions_boundary_from_permission_set()
                    .instance_arn(&c.instance_arn)
                    .permission_set_arn(arn)
                    .send()
                    .await
                    .map_err(|e| {
                        map_sdk_error("sso:DeletePermissionsBoundaryFromPermissionSet", e)
                    })?;
            }
        }
        Ok(())
    }

    async fn ic_tag(
        &self,
        c: &IcCtx,
        arn: &str,
        set: &Tags,
        remove: &[String],
    ) -> Result<(), LiveError> {
        let sso = self.ssoadmin(Some(&c.region))?;
        if !set.is_empty() {
            let tags = set
                .iter()
                .map(|(k, v)| built(Tag::builder().key(k).value(v).build()))
                .collect::<Result<Vec<_>, _>>()?;
            sso.tag_resource()
                .instance_arn(&c.instance_arn)
                .resource_arn(arn)
                .set_tags(Some(tags))
                .send()
                .await
                .map_err(|e| map_sdk_error("sso:TagResource", e))?;
        }
        if !remove.is_empty() {
            sso.untag_resource()
                .instance_arn(&c.instance_arn)
                .resource_arn(arn)
                .set_tag_keys(Some(remove.to_vec()))
                .send()
                .await
                .map_err(|e| map_sdk_error("sso:UntagResource", e))?;
        }
        Ok(())
    }

    async fn ic_provision(
        &self,
        c: &IcCtx,
        arn: &str,
        account: &str,
    ) -> Result<IcStatus, LiveError> {
        let out = self
            .ssoadmin(Some(&c.region))?
            .provision_permission_set()
            .instance_arn(&c.instance_arn)
            .permission_set_arn(arn)
            .target_type(ProvisionTargetType::AwsAccount)
            .target_id(account)
            .send()
            .await
            .map_err(|e| map_sdk_error("sso:ProvisionPermissionSet", e))?;
        Ok(provisioning(out.permission_set_provisioning_status()))
    }

    async fn ic_provision_status(&self, c: &IcCtx, request: &str) -> Result<IcStatus, LiveError> {
        let out = self
            .ssoadmin(Some(&c.region))?
            .describe_permission_set_provisioning_status()
            .instance_arn(&c.instance_arn)
            .provision_permission_set_request_id(request)
            .send()
            .await
            .map_err(|e| map_sdk_error("sso:DescribePermissionSetProvisioningStatus", e))?;
        Ok(provisioning(out.permission_set_provisioning_status()))
    }

    async fn ic_assignment(
        &self,
        c: &IcCtx,
        create: bool,
        arn: &str,
        principal_type: &str,
        principal_id: &str,
        account: &str,
    ) -> Result<IcStatus, LiveError> {
        let sso = self.ssoadmin(Some(&c.region))?;
        let kind = PrincipalType::from(principal_type);
        if create {
            let out = sso
                .create_account_assignment()
                .instance_arn(&c.instance_arn)
                .permission_set_arn(arn)
                .principal_type(kind)
                .principal_id(principal_id)
                .target_type(TargetType::AwsAccount)
                .target_id(account)
                .send()
                .await
                .map_err(|e| map_sdk_error("sso:CreateAccountAssignment", e))?;
            Ok(status(out.account_assignment_creation_status()))
        } else {
            let out = sso
                .delete_account_assignment()
                .instance_arn(&c.instance_arn)
                .permission_set_arn(arn)
                .principal_type(kind)
                .principal_id(principal_id)
                .target_type(TargetType::AwsAccount)
                .target_id(account)
                .send()
                .await
                .map_err(|e| map_sdk_error("sso:DeleteAccountAssignment", e))?;
            Ok(status(out.account_assignment_deletion_status()))
        }
    }

    async fn ic_assignment_status(
        &self,
        c: &IcCtx,
        create: bool,
        request: &str,
    ) -> Result<IcStatus, LiveError> {
        let sso = self.ssoadmin(Some(&c.region))?;
        if create {
            let out = sso
                .describe_account_assignment_creation_status()
                .instance_arn(&c.instance_arn)
                .account_assignment_creation_request_id(request)
                .send()
                .await
                .map_err(|e| map_sdk_error("sso:DescribeAccountAssignmentCreationStatus", e))?;
            Ok(status(out.account_assignment_creation_status()))
        } else {
            let out = sso
                .describe_account_assignment_deletion_status()
                .instance_arn(&c.instance_arn)
                .account_assignment_deletion_request_id(request)
                .send()
                .await
                .map_err(|e| map_sdk_error("sso:DescribeAccountAssignmentDeletionStatus", e))?;
            Ok(status(out.account_assignment_deletion_status()))
        }
    }
}
