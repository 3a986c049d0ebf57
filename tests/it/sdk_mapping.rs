//! The SDK boundary without a server: pagination to the end (an empty page with a
//! NextToken included), throttling retried, errors mapped to what a user can act on.

use std::time::Duration;

use aws_sdk_organizations::config::retry::RetryConfig;
use aws_sdk_organizations::operation::describe_organization::DescribeOrganizationOutput;
use aws_sdk_organizations::operation::list_accounts_for_parent::ListAccountsForParentOutput;
use aws_sdk_organizations::operation::list_aws_service_access_for_organization::ListAwsServiceAccessForOrganizationOutput;
use aws_sdk_organizations::operation::list_delegated_administrators::ListDelegatedAdministratorsOutput;
use aws_sdk_organizations::operation::list_organizational_units_for_parent::ListOrganizationalUnitsForParentOutput;
use aws_sdk_organizations::operation::list_roots::ListRootsOutput;
use aws_sdk_organizations::types::{Account, Organization, Root};
use aws_sdk_organizations::Client as OrgClient;
use aws_smithy_mocks::{mock, mock_client, Rule, RuleMode};
use orgctl::aws::{ApiStats, Aws};
use orgctl::live::{LiveError, LiveRead, ReadScope};

fn account(i: usize) -> Account {
    Account::builder()
        .id(format!("{:012}", 200_000_000_000u64 + i as u64))
        .name(format!("a{i}"))
        .email(format!("a{i}@example.com"))
        .build()
}

fn org_rule() -> Rule {
    mock!(OrgClient::describe_organization).then_output(|| {
        DescribeOrganizationOutput::builder()
            .organization(
                Organization::builder()
                    .id("o-x")
                    .master_account_id("111111111111")
                    .build(),
            )
            .build()
    })
}

fn common_rules() -> Vec<Rule> {
    // No delegation policy: AWS answers ResourcePolicyNotFoundException, which means "none".
    let no_policy = r#"{"__type":"ResourcePolicyNotFoundException","Message":"We can't find a resource policy."}"#;
    vec![
        mock!(OrgClient::describe_resource_policy)
            .sequence()
            .http_status(400, Some(no_policy.to_string()))
            .repeatedly()
            .build(),
        mock!(OrgClient::list_roots).then_output(|| {
            ListRootsOutput::builder()
                .roots(Root::builder().id("r-1").build())
                .build()
        }),
        mock!(OrgClient::list_organizational_units_for_parent)
            .then_output(|| ListOrganizationalUnitsForParentOutput::builder().build()),
        mock!(OrgClient::list_aws_service_access_for_organization)
            .then_output(|| ListAwsServiceAccessForOrganizationOutput::builder().build()),
        mock!(OrgClient::list_delegated_administrators)
            .then_output(|| ListDelegatedAdministratorsOutput::builder().build()),
    ]
}

fn aws_with(rules: &[&Rule]) -> Aws {
    let org = mock_client!(aws_sdk_organizations, RuleMode::MatchAny, rules, |c| c
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(1))
        )
        .interceptor(ApiStats::default()));
    let sts = mock_client!(aws_sdk_sts, RuleMode::MatchAny, &[] as &[&Rule]);
    Aws {
        org,
        sts,
        stats: ApiStats::default(),
        concurrency: 2,
        config: None,
        caller_account: Default::default(),
    }
}

#[tokio::test]
async fn pages_to_the_end_through_an_empty_page_that_has_a_next_token() {
    let accounts = mock!(OrgClient::list_accounts_for_parent)
        .sequence()
        .output(|| {
            ListAccountsForParentOutput::builder()
                .set_accounts(Some((0..20).map(account).collect()))
                .next_token("t1")
                .build()
        })
        .output(|| {
            ListAccountsForParentOutput::builder()
                .next_token("t2")
                .build()
        })
        .output(|| {
            ListAccountsForParentOutput::builder()
                .set_accounts(Some((20..25).map(account).collect()))
                .build()
        })
        .build();
    let org = org_rule();
    let common = common_rules();
    let mut rules: Vec<&Rule> = vec![&org, &accounts];
    rules.extend(common.iter());
    let live = aws_with(&rules).read(&ReadScope::default()).await.unwrap();
    assert_eq!(live.accounts.len(), 25);
    assert_eq!(accounts.num_calls(), 3);
    assert!(live.accounts.values().all(|a| a.parent_id == "r-1"));
    assert_eq!(
        live.delegation_policy, None,
        "ResourcePolicyNotFoundException is read as no policy"
    );
}

#[tokio::test]
async fn throttling_is_retried_then_succeeds() {
    let body = r#"{"__type":"TooManyRequestsException","Message":"AWS Organizations can't complete your request because another request is already in progress."}"#;
    let org = mock!(OrgClient::describe_organization)
        .sequence()
        .http_status(400, Some(body.to_string()))
        .output(|| {
            DescribeOrganizationOutput::builder()
                .organization(
                    Organization::builder()
                        .id("o-x")
                        .master_account_id("111111111111")
                        .build(),
                )
                .build()
        })
        .build();
    let accounts = mock!(OrgClient::list_accounts_for_parent)
        .then_output(|| ListAccountsForParentOutput::builder().build());
    let common = common_rules();
    let mut rules: Vec<&Rule> = vec![&org, &accounts];
    rules.extend(common.iter());
    let live = aws_with(&rules).read(&ReadScope::default()).await.unwrap();
    assert_eq!(live.organization.management_account_id, "111111111111");
    assert_eq!(org.num_calls(), 2, "one throttled attempt, one success");
}

#[tokio::test]
async fn access_denied_says_who_may_read_the_organization() {
    let body = r#"{"__type":"AccessDeniedException","Message":"You don't have permissions to access this resource."}"#;
    let org = mock!(OrgClient::describe_organization)
        .sequence()
        .http_status(400, Some(body.to_string()))
        .build();
    let e = aws_with(&[&org])
        .read(&ReadScope::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            LiveError::AccessDenied {
                operation: "DescribeOrganization",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(
        e.to_string()
            .contains("management account or a delegated administrator"),
        "{e}"
    );
}

#[tokio::test]
async fn an_operation_the_endpoint_lacks_is_named_as_such() {
    let org = mock!(OrgClient::describe_organization)
        .sequence()
        .http_status(500, Some("<html>Internal Server Error</html>".into()))
        .times(3)
        .build();
    let e = aws_with(&[&org])
        .read(&ReadScope::default())
        .await
        .unwrap_err();
    assert!(
        matches!(e, LiveError::Unsupported { status: 500, .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("does not support this operation"),
        "{e}"
    );
}

#[tokio::test]
async fn other_service_errors_keep_their_aws_code() {
    let body = r#"{"__type":"AWSOrganizationsNotInUseException","Message":"Your account is not a member of an organization."}"#;
    let org = mock!(OrgClient::describe_organization)
        .sequence()
        .http_status(400, Some(body.to_string()))
        .build();
    let e = aws_with(&[&org])
        .read(&ReadScope::default())
        .await
        .unwrap_err();
    assert!(matches!(e, LiveError::NotInOrganization { .. }), "{e:?}");
}
