//! AWS Security Hub's own delegated-administrator API, per Region: ListOrganizationAdminAccounts,
//! EnableOrganizationAdminAccount and DisableOrganizationAdminAccount with `admin_account_id`
//! (the shape Macie shares: [`super::organization_admin_api`]).

super::organization_admin_api!(SecurityHub, aws_sdk_securityhub, "securityhub");
