//! Amazon Macie's own delegated-administrator API, per Region: ListOrganizationAdminAccounts,
//! EnableOrganizationAdminAccount and DisableOrganizationAdminAccount with `admin_account_id`
//! (the shape Security Hub shares: [`super::organization_admin_api`]).

super::organization_admin_api!(Macie, aws_sdk_macie2, "macie2");
