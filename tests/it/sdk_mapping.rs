//! The SDK boundary against a canned AWS endpoint: pagination to the end (an empty page with
//! a NextToken included), throttling retried, errors mapped to what a user can act on. The
//! endpoint is a local HTTP server answering Organizations' JSON protocol from a script per
//! operation, so the real SDK (signing, retries, deserialisation) runs unchanged, without
//! the SDK's test-util features (which made test builds compile every SDK crate again).

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_organizations::config::Credentials;
use orgctl::aws::Aws;
use orgctl::live::{LiveError, LiveRead, ReadScope};

/// Answers per operation: each call takes the next one; the last repeats.
type Script = BTreeMap<&'static str, Vec<(u16, String)>>;

/// A local endpoint serving `script`; counts the calls per operation.
struct Canned {
    url: String,
    calls: Arc<Mutex<BTreeMap<String, usize>>>,
}

impl Canned {
    fn start(script: Script) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let calls: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
        let counted = calls.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let (mut op, mut len) = (String::new(), 0usize);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    let lower = line.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("x-amz-target:") {
                        op = line[line.len() - v.len()..]
                            .trim()
                            .rsplit('.')
                            .next()
                            .unwrap_or_default()
                            .to_string();
                    } else if let Some(v) = lower.strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; len];
                let _ = reader.read_exact(&mut body);
                let n = {
                    let mut c = counted.lock().unwrap();
                    let n = c.entry(op.clone()).or_insert(0);
                    *n += 1;
                    *n
                };
                let (status, text) = match script.get(op.as_str()) {
                    Some(answers) => answers[(n - 1).min(answers.len() - 1)].clone(),
                    None => (
                        400,
                        format!(
                            r#"{{"__type":"UnknownOperationException","Message":"no script for {op}"}}"#
                        ),
                    ),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
                    text.len()
                );
            }
        });
        Canned { url, calls }
    }

    fn calls(&self, op: &str) -> usize {
        self.calls.lock().unwrap().get(op).copied().unwrap_or(0)
    }

    /// orgctl's adapter, as `cli` builds it, pointed at this endpoint (few, fast retries).
    async fn aws(&self) -> Aws {
        let cfg = aws_config::defaults(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(Credentials::new("test", "test", None, None, "test"))
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(3)
                    .with_initial_backoff(Duration::from_millis(1)),
            )
            .load()
            .await;
        Aws::from_config(&cfg, 2)
    }
}

fn ok(body: &str) -> Vec<(u16, String)> {
    vec![(200, body.to_string())]
}

fn error(status: u16, code: &str, message: &str) -> (u16, String) {
    (
        status,
        format!(r#"{{"__type":"{code}","Message":"{message}"}}"#),
    )
}

fn accounts(range: std::ops::Range<usize>) -> String {
    let a: Vec<String> = range
        .map(|i| {
            format!(
                r#"{{"Id":"{:012}","Name":"a{i}","Email":"a{i}@example.com"}}"#,
                200_000_000_000u64 + i as u64
            )
        })
        .collect();
    a.join(",")
}

/// An organization with a root and nothing else; no delegation policy (AWS answers
/// ResourcePolicyNotFoundException, which means "none").
fn organization() -> Script {
    let mut s = Script::new();
    s.insert(
        "DescribeOrganization",
        ok(r#"{"Organization":{"Id":"o-x","MasterAccountId":"111111111111"}}"#),
    );
    s.insert(
        "DescribeResourcePolicy",
        vec![error(
            400,
            "ResourcePolicyNotFoundException",
            "We can't find a resource policy.",
        )],
    );
    s.insert("ListRoots", ok(r#"{"Roots":[{"Id":"r-1"}]}"#));
    s.insert(
        "ListOrganizationalUnitsForParent",
        ok(r#"{"OrganizationalUnits":[]}"#),
    );
    s.insert(
        "ListAWSServiceAccessForOrganization",
        ok(r#"{"EnabledServicePrincipals":[]}"#),
    );
    s.insert(
        "ListDelegatedAdministrators",
        ok(r#"{"DelegatedAdministrators":[]}"#),
    );
    s.insert("ListAccountsForParent", ok(r#"{"Accounts":[]}"#));
    s
}

#[tokio::test]
async fn pages_to_the_end_through_an_empty_page_that_has_a_next_token() {
    let mut script = organization();
    script.insert(
        "ListAccountsForParent",
        vec![
            (
                200,
                format!(r#"{{"Accounts":[{}],"NextToken":"t1"}}"#, accounts(0..20)),
            ),
            (200, r#"{"Accounts":[],"NextToken":"t2"}"#.to_string()),
            (200, format!(r#"{{"Accounts":[{}]}}"#, accounts(20..25))),
        ],
    );
    let aws = Canned::start(script);
    let live = aws.aws().await.read(&ReadScope::default()).await.unwrap();
    assert_eq!(live.accounts.len(), 25);
    assert_eq!(aws.calls("ListAccountsForParent"), 3);
    assert!(live.accounts.values().all(|a| a.parent_id == "r-1"));
    assert_eq!(
        live.delegation_policy, None,
        "ResourcePolicyNotFoundException is read as no policy"
    );
}

#[tokio::test]
async fn throttling_is_retried_then_succeeds() {
    let mut script = organization();
    script.insert(
        "DescribeOrganization",
        vec![
            error(400, "TooManyRequestsException", "AWS Organizations can't complete your request because another request is already in progress."),
            (200, r#"{"Organization":{"Id":"o-x","MasterAccountId":"111111111111"}}"#.into()),
        ],
    );
    let aws = Canned::start(script);
    let live = aws.aws().await.read(&ReadScope::default()).await.unwrap();
    assert_eq!(live.organization.management_account_id, "111111111111");
    assert_eq!(
        aws.calls("DescribeOrganization"),
        2,
        "one throttled attempt, one success"
    );
}

#[tokio::test]
async fn access_denied_says_who_may_read_the_organization() {
    let mut script = organization();
    script.insert(
        "DescribeOrganization",
        vec![error(
            400,
            "AccessDeniedException",
            "You don't have permissions to access this resource.",
        )],
    );
    let aws = Canned::start(script);
    let e = aws
        .aws()
        .await
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
    let mut script = organization();
    script.insert(
        "DescribeOrganization",
        vec![(500, "<html>Internal Server Error</html>".into())],
    );
    let aws = Canned::start(script);
    let e = aws
        .aws()
        .await
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
    let mut script = organization();
    script.insert(
        "DescribeOrganization",
        vec![error(
            400,
            "AWSOrganizationsNotInUseException",
            "Your account is not a member of an organization.",
        )],
    );
    let aws = Canned::start(script);
    let e = aws
        .aws()
        .await
        .read(&ReadScope::default())
        .await
        .unwrap_err();
    assert!(matches!(e, LiveError::NotInOrganization { .. }), "{e:?}");
}

/// Keys AWS refuses (expired, unknown) are a credentials error with the fix, in two lines.
#[tokio::test]
async fn refused_credentials_say_so_in_two_lines_with_the_fix() {
    for code in ["ExpiredTokenException", "UnrecognizedClientException"] {
        let mut script = organization();
        script.insert(
            "DescribeOrganization",
            vec![error(
                400,
                code,
                "The security token included in the request is expired",
            )],
        );
        let aws = Canned::start(script);
        let e = aws
            .aws()
            .await
            .read(&ReadScope::default())
            .await
            .unwrap_err();
        assert!(matches!(e, LiveError::Credentials { .. }), "{code}: {e:?}");
        let text = e.to_string();
        assert_eq!(text.lines().count(), 2, "{text}");
        assert!(text.contains(code) && text.contains("fix: "), "{text}");
    }
}
