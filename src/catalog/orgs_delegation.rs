//! What AWS lets the management account delegate through the Organizations resource-based
//! delegation policy (`PutResourcePolicy`): the delegable actions, those AWS reserves to the
//! management account, and the policy types. Sources: the Organizations user guide,
//! orgs_delegate_policies and orgs_delegate_policies_example_consolidate_permissions; the
//! botocore organizations model (operation docs, `PolicyType` enum); data/delegation-catalog.yaml.

/// Read-only actions every grant includes ("read-only is implied").
pub const READ_ACTIONS: &[&str] = &[
    "DescribeAccount",
    "DescribeEffectivePolicy",
    "DescribeOrganization",
    "DescribeOrganizationalUnit",
    "DescribePolicy",
    "ListAccounts",
    "ListAccountsForParent",
    "ListChildren",
    "ListOrganizationalUnitsForParent",
    "ListParents",
    "ListPolicies",
    "ListPoliciesForTarget",
    "ListRoots",
    "ListTagsForResource",
    "ListTargetsForPolicy",
];

/// Policy management, granted by `allow: [policies]` for the listed policy types.
pub const POLICY_ACTIONS: &[&str] = &[
    "AttachPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "UpdatePolicy",
];

/// Every action the delegation policy may name (AWS rejects others with
/// `UNSUPPORTED_ACTION_IN_RESOURCE_POLICY`).
pub const DELEGABLE: &[&str] = &[
    "AttachPolicy",
    "CreatePolicy",
    "DeletePolicy",
    "DescribeAccount",
    "DescribeCreateAccountStatus",
    "DescribeEffectivePolicy",
    "DescribeHandshake",
    "DescribeOrganization",
    "DescribeOrganizationalUnit",
    "DescribePolicy",
    "DescribeResourcePolicy",
    "DetachPolicy",
    "DisablePolicyType",
    "EnablePolicyType",
    "ListAWSServiceAccessForOrganization",
    "ListAccounts",
    "ListAccountsForParent",
    "ListAccountsWithInvalidEffectivePolicy",
    "ListChildren",
    "ListCreateAccountStatus",
    "ListDelegatedAdministrators",
    "ListDelegatedServicesForAccount",
    "ListEffectivePolicyValidationErrors",
    "ListHandshakesForAccount",
    "ListHandshakesForOrganization",
    "ListOrganizationalUnitsForParent",
    "ListParents",
    "ListPolicies",
    "ListPoliciesForTarget",
    "ListRoots",
    "ListTagsForResource",
    "ListTargetsForPolicy",
    "TagResource",
    "UntagResource",
    "UpdatePolicy",
];

/// Actions AWS reserves to the management account: never delegable.
pub const MANAGEMENT_ONLY: &[&str] = &[
    "CloseAccount",
    "CreateAccount",
    "CreateGovCloudAccount",
    "CreateOrganizationalUnit",
    "DeleteOrganizationalUnit",
    "DeleteResourcePolicy",
    "DeregisterDelegatedAdministrator",
    "DisableAWSServiceAccess",
    "EnableAWSServiceAccess",
    "EnableAllFeatures",
    "InviteAccountToOrganization",
    "MoveAccount",
    "PutResourcePolicy",
    "RegisterDelegatedAdministrator",
    "RemoveAccountFromOrganization",
    "UpdateOrganizationalUnit",
];

/// The Organizations policy types (botocore `PolicyType` enum).
pub const POLICY_TYPES: &[&str] = &[
    "AISERVICES_OPT_OUT_POLICY",
    "BACKUP_POLICY",
    "BEDROCK_POLICY",
    "CHATBOT_POLICY",
    "DECLARATIVE_POLICY_EC2",
    "INSPECTOR_POLICY",
    "NETWORK_SECURITY_DIRECTOR_POLICY",
    "RESOURCE_CONTROL_POLICY",
    "S3_POLICY",
    "SECURITYHUB_POLICY",
    "SERVICE_CONTROL_POLICY",
    "TAG_POLICY",
    "UPGRADE_ROLLOUT_POLICY",
];

/// AWS's maximum size of the delegation policy, in characters.
pub const MAX_POLICY_CHARS: usize = 40_000;
