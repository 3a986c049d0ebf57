//! The IAM actions behind every AWS call orgctl makes, by what needs them: the reads of a
//! plan (by part of the file), and the writes of each kind of change ([`Write`], one per
//! operation of the plan; [`write_of`] is exhaustive over the plan's operations, so a new
//! operation without its permissions does not compile). A unit test checks that every call
//! in `src/aws/` is named here.

use crate::catalog::NativeId;
use crate::plan::change::Op;
use crate::plan::change_ic::IcOp;

/// Organizations reads every plan makes (the tree, trusted access, delegated
/// administrators, the delegation policy); a delegated administrator may make them too.
pub const ORG_READS: &[&str] = &[
    "organizations:DescribeOrganization",
    "organizations:ListRoots",
    "organizations:ListOrganizationalUnitsForParent",
    "organizations:ListAccountsForParent",
    "organizations:ListAWSServiceAccessForOrganization",
    "organizations:ListDelegatedAdministrators",
    "organizations:ListDelegatedServicesForAccount",
    "organizations:DescribeResourcePolicy",
];

/// Reads of tags (declared tags, the apply lock on the root).
pub const TAG_READS: &[&str] = &["organizations:ListTagsForResource"];

/// Reads when the file has `policies:`.
pub const POLICY_READS: &[&str] = &[
    "organizations:ListPolicies",
    "organizations:DescribePolicy",
    "organizations:ListTargetsForPolicy",
];

/// Reads of an apply by the management account (creations in progress).
pub const CREATION_READS: &[&str] = &[
    "organizations:ListCreateAccountStatus",
    "organizations:DescribeCreateAccountStatus",
];

/// Finding Identity Center (every executor of a file with `identity_center:` looks).
pub const IC_FIND: &[&str] = &["sso:ListInstances"];

/// Reading Identity Center (its administrator, or the management account).
pub const IC_READS: &[&str] = &[
    "sso:ListInstances",
    "sso:ListPermissionSets",
    "sso:DescribePermissionSet",
    "sso:ListManagedPoliciesInPermissionSet",
    "sso:ListCustomerManagedPolicyReferencesInPermissionSet",
    "sso:GetInlinePolicyForPermissionSet",
    "sso:GetPermissionsBoundaryForPermissionSet",
    "sso:ListAccountsForProvisionedPermissionSet",
    "sso:ListAccountAssignments",
    "sso:ListTagsForResource",
    "identitystore:ListUsers",
    "identitystore:ListGroups",
    "identitystore:ListGroupMemberships",
];

/// The read of a natively delegated service's administrators (management account only).
pub fn native_read(s: NativeId) -> &'static str {
    match s {
        NativeId::CloudTrail => "organizations:ListDelegatedAdministrators",
        // The one IAM action named unlike its API operation (Detective API reference:
        // "authorized on the detective:ListOrganizationAdminAccount identity-based action").
        NativeId::Detective => "detective:ListOrganizationAdminAccount",
        NativeId::Fms => "fms:GetAdminAccount",
        NativeId::GuardDuty => "guardduty:ListOrganizationAdminAccounts",
        NativeId::Inspector2 => "inspector2:ListDelegatedAdminAccounts",
        NativeId::Ipam => "organizations:ListDelegatedAdministrators",
        NativeId::Macie => "macie2:ListOrganizationAdminAccounts",
        NativeId::SecurityHub => "securityhub:ListOrganizationAdminAccounts",
        NativeId::SecurityLake => "organizations:ListDelegatedAdministrators",
        NativeId::AuditManager => "auditmanager:GetOrganizationAdminAccount",
    }
}

/// A natively delegated service's designation calls: (designate, remove).
pub fn native_writes(s: NativeId) -> (&'static str, &'static str) {
    match s {
        NativeId::CloudTrail => (
            "cloudtrail:RegisterOrganizationDelegatedAdmin",
            "cloudtrail:DeregisterOrganizationDelegatedAdmin",
        ),
        NativeId::Detective => (
            "detective:EnableOrganizationAdminAccount",
            "detective:DisableOrganizationAdminAccount",
        ),
        NativeId::Fms => ("fms:AssociateAdminAccount", "fms:DisassociateAdminAccount"),
        NativeId::GuardDuty => (
            "guardduty:EnableOrganizationAdminAccount",
            "guardduty:DisableOrganizationAdminAccount",
        ),
        NativeId::Inspector2 => (
            "inspector2:EnableDelegatedAdminAccount",
            "inspector2:DisableDelegatedAdminAccount",
        ),
        NativeId::Ipam => (
            "ec2:EnableIpamOrganizationAdminAccount",
            "ec2:DisableIpamOrganizationAdminAccount",
        ),
        NativeId::Macie => (
            "macie2:EnableOrganizationAdminAccount",
            "macie2:DisableOrganizationAdminAccount",
        ),
        NativeId::SecurityHub => (
            "securityhub:EnableOrganizationAdminAccount",
            "securityhub:DisableOrganizationAdminAccount",
        ),
        NativeId::SecurityLake => (
            "securitylake:RegisterDataLakeDelegatedAdministrator",
            "securitylake:DeregisterDataLakeDelegatedAdministrator",
        ),
        NativeId::AuditManager => (
            "auditmanager:RegisterOrganizationAdminAccount",
            "auditmanager:DeregisterOrganizationAdminAccount",
        ),
    }
}

/// The outgoing GuardDuty administrator's teardown in its own account.
pub const TEARDOWN: &[&str] = &[
    "guardduty:ListDetectors",
    "guardduty:UpdateOrganizationConfiguration",
    "guardduty:ListMembers",
    "guardduty:DisassociateMembers",
    "guardduty:DeleteMembers",
];

/// Every kind of change orgctl makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Write {
    CreateOu,
    DeleteOu,
    CreateAccount,
    MoveAccount,
    Tag,
    EnableTrustedAccess,
    DisableTrustedAccess,
    RegisterAdmin,
    DeregisterAdmin,
    Native(NativeId),
    Teardown,
    PutDelegationPolicy,
    DeleteDelegationPolicy,
    EnablePolicyType,
    CreatePolicy,
    UpdatePolicy,
    AttachPolicy,
    DetachPolicy,
    DeletePolicy,
    IcUsers,
    IcGroups,
    IcPermissionSets,
    IcAssignments,
}

/// The kind of a plan's operation.
pub fn write_of(op: &Op) -> Write {
    match op {
        Op::CreateOu { .. } => Write::CreateOu,
        Op::DeleteOu { .. } => Write::DeleteOu,
        Op::CreateAccount { .. } => Write::CreateAccount,
        Op::MoveAccount { .. } => Write::MoveAccount,
        Op::Tag { .. } => Write::Tag,
        Op::EnableTrustedAccess { .. } => Write::EnableTrustedAccess,
        Op::DisableTrustedAccess { .. } => Write::DisableTrustedAccess,
        Op::DelegatedAdmins { via: Some(s), .. } => Write::Native(*s),
        Op::DelegatedAdmins { deregister, .. } if !deregister.is_empty() => Write::DeregisterAdmin,
        Op::DelegatedAdmins { .. } => Write::RegisterAdmin,
        Op::ServiceAdmins { service, .. } => Write::Native(*service),
        Op::ServiceTeardown { .. } => Write::Teardown,
        Op::PutDelegationPolicy { .. } => Write::PutDelegationPolicy,
        Op::DeleteDelegationPolicy => Write::DeleteDelegationPolicy,
        Op::EnablePolicyType { .. } => Write::EnablePolicyType,
        Op::CreatePolicy { .. } => Write::CreatePolicy,
        Op::UpdatePolicy { .. } => Write::UpdatePolicy,
        Op::AttachPolicy { .. } => Write::AttachPolicy,
        Op::DetachPolicy { .. } => Write::DetachPolicy,
        Op::DeletePolicy { .. } => Write::DeletePolicy,
        Op::Ic(op) => match op.as_ref() {
            IcOp::CreateUser { .. } | IcOp::UpdateUser { .. } | IcOp::DeleteUser { .. } => {
                Write::IcUsers
            }
            IcOp::CreateGroup { .. }
            | IcOp::UpdateGroup { .. }
            | IcOp::DeleteGroup { .. }
            | IcOp::AddMember { .. }
            | IcOp::RemoveMember { .. } => Write::IcGroups,
            IcOp::CreatePermissionSet { .. }
            | IcOp::UpdatePermissionSet { .. }
            | IcOp::DeletePermissionSet { .. } => Write::IcPermissionSets,
            IcOp::CreateAssignment { .. } | IcOp::DeleteAssignment { .. } => Write::IcAssignments,
        },
    }
}

/// The IAM actions of a kind of change (reads it makes while changing included). Deletions
/// that only `unmanaged: prune` plans (`prune` false) are left out.
pub fn actions(w: Write, prune: bool) -> Vec<&'static str> {
    let mut v = all_actions(w);
    if !prune {
        v.retain(|a| !PRUNE_ONLY.contains(a));
    }
    v
}

/// Calls only a pruning plan makes (a file in report mode never deletes these).
const PRUNE_ONLY: &[&str] = &[
    "identitystore:DeleteUser",
    "identitystore:DeleteGroup",
    "sso:DeletePermissionSet",
    "sso:DeleteAccountAssignment",
    "sso:DescribeAccountAssignmentDeletionStatus",
];

fn all_actions(w: Write) -> Vec<&'static str> {
    match w {
        // Creating with tags also needs organizations:TagResource: granted by `Write::Tag`,
        // which the management account gets when the file tags an OU or an account.
        Write::CreateOu => vec!["organizations:CreateOrganizationalUnit"],
        Write::DeleteOu => vec!["organizations:DeleteOrganizationalUnit"],
        Write::CreateAccount => vec![
            "organizations:CreateAccount",
            "organizations:DescribeCreateAccountStatus",
            "organizations:ListCreateAccountStatus",
            "organizations:MoveAccount",
        ],
        Write::MoveAccount => vec!["organizations:MoveAccount"],
        Write::Tag => vec!["organizations:TagResource", "organizations:UntagResource"],
        Write::EnableTrustedAccess => vec!["organizations:EnableAWSServiceAccess"],
        Write::DisableTrustedAccess => vec!["organizations:DisableAWSServiceAccess"],
        Write::RegisterAdmin => vec!["organizations:RegisterDelegatedAdministrator"],
        Write::DeregisterAdmin => vec![
            "organizations:RegisterDelegatedAdministrator",
            "organizations:DeregisterDelegatedAdministrator",
        ],
        Write::Native(s) => {
            let (on, off) = native_writes(s);
            let mut v = vec![on, off, native_read(s)];
            if crate::catalog::native::NATIVE
                .iter()
                .any(|n| n.id == s && n.scope == crate::catalog::AdminScope::PerRegion)
            {
                // A moved admin is also deregistered from Organizations.
                v.push("organizations:DeregisterDelegatedAdministrator");
            }
            v
        }
        Write::Teardown => TEARDOWN.to_vec(),
        Write::PutDelegationPolicy => vec!["organizations:PutResourcePolicy"],
        Write::DeleteDelegationPolicy => vec!["organizations:DeleteResourcePolicy"],
        Write::EnablePolicyType => {
            vec!["organizations:EnablePolicyType", "organizations:ListRoots"]
        }
        Write::CreatePolicy => vec!["organizations:CreatePolicy"],
        Write::UpdatePolicy => vec!["organizations:UpdatePolicy"],
        Write::AttachPolicy => vec!["organizations:AttachPolicy"],
        Write::DetachPolicy => vec!["organizations:DetachPolicy"],
        Write::DeletePolicy => vec!["organizations:DetachPolicy", "organizations:DeletePolicy"],
        Write::IcUsers => vec![
            "identitystore:CreateUser",
            "identitystore:UpdateUser",
            "identitystore:DeleteUser",
        ],
        Write::IcGroups => vec![
            "identitystore:CreateGroup",
            "identitystore:UpdateGroup",
            "identitystore:DeleteGroup",
            "identitystore:CreateGroupMembership",
            "identitystore:DeleteGroupMembership",
        ],
        Write::IcPermissionSets => vec![
            "sso:CreatePermissionSet",
            "sso:UpdatePermissionSet",
            "sso:DeletePermissionSet",
            "sso:AttachManagedPolicyToPermissionSet",
            "sso:DetachManagedPolicyFromPermissionSet",
            "sso:AttachCustomerManagedPolicyReferenceToPermissionSet",
            "sso:DetachCustomerManagedPolicyReferenceFromPermissionSet",
            "sso:PutInlinePolicyToPermissionSet",
            "sso:DeleteInlinePolicyFromPermissionSet",
            "sso:PutPermissionsBoundaryToPermissionSet",
            "sso:DeletePermissionsBoundaryFromPermissionSet",
            "sso:TagResource",
            "sso:UntagResource",
            "sso:ProvisionPermissionSet",
            "sso:DescribePermissionSetProvisioningStatus",
        ],
        Write::IcAssignments => vec![
            "sso:CreateAccountAssignment",
            "sso:DeleteAccountAssignment",
            "sso:DescribeAccountAssignmentCreationStatus",
            "sso:DescribeAccountAssignmentDeletionStatus",
        ],
    }
}
