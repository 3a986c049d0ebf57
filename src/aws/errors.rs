//! Maps SDK errors to [`LiveError`] at the boundary: access denied, not in an
//! organization, an operation the endpoint does not implement (no error code), other
//! service errors with their AWS code, time limits that ran out, credentials that could not
//! be loaded or were refused (two lines with the fix, never the SDK's debug dump), and
//! transport failures (the chain of causes, each once).

use aws_credential_types::provider::error::CredentialsError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::live::LiveError;

/// Converts an SDK error from `operation`.
pub fn map_sdk_error<E>(operation: &'static str, e: SdkError<E, HttpResponse>) -> LiveError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &e {
        SdkError::ServiceError(se) => {
            let status = se.raw().status().as_u16();
            let message = se.err().message().unwrap_or_default().to_string();
            match se.err().code() {
                Some(code) if REFUSED_CREDENTIALS.contains(&code) => LiveError::Credentials {
                    problem: format!("AWS refused the credentials ({code}: {message})"),
                    fix: "the keys are wrong, expired or for another partition: renew them (`aws sso login --profile …` for SSO, a fresh session for an assumed role) or unset stale AWS_ACCESS_KEY_ID / AWS_SESSION_TOKEN variables that shadow your profile",
                },
                Some("AccessDeniedException") | Some("AccessDenied") => {
                    LiveError::AccessDenied { operation, message }
                }
                Some("AWSOrganizationsNotInUseException") => {
                    LiveError::NotInOrganization { operation }
                }
                Some(code) => LiveError::Service {
                    operation,
                    code: code.to_string(),
                    message,
                    reason: reason_of(se.raw()),
                },
                None => LiveError::Unsupported { operation, status },
            }
        }
        // An error body that is not an AWS error document (an emulator's HTML 500 page for an
        // operation it does not implement): there is no error code to act on.
        SdkError::ResponseError(re) if re.raw().status().as_u16() >= 400 => {
            LiveError::Unsupported {
                operation,
                status: re.raw().status().as_u16(),
            }
        }
        SdkError::TimeoutError(_) => LiveError::Timeout {
            operation,
            message: "the SDK's time limit for the call ran out".into(),
        },
        SdkError::DispatchFailure(d) if d.is_timeout() => LiveError::Timeout {
            operation,
            message: causes(&e),
        },
        _ => match credentials_error(&e) {
            Some(c) => credentials(c),
            None => LiveError::Transport {
                operation,
                message: causes(&e),
            },
        },
    }
}

/// Error codes with which AWS refuses the credentials themselves (STS, the services).
const REFUSED_CREDENTIALS: [&str; 6] = [
    "ExpiredToken",
    "ExpiredTokenException",
    "InvalidClientTokenId",
    "UnrecognizedClientException",
    "SignatureDoesNotMatch",
    "AuthFailure",
];

/// The credential provider's error somewhere in `e`'s chain of causes.
fn credentials_error<'e>(e: &'e (dyn std::error::Error + 'static)) -> Option<&'e CredentialsError> {
    let mut cur = Some(e);
    while let Some(x) = cur {
        if let Some(c) = x.downcast_ref::<CredentialsError>() {
            return Some(c);
        }
        cur = x.source();
    }
    None
}

/// What went wrong loading credentials, and what to do.
fn credentials(c: &CredentialsError) -> LiveError {
    let inner = std::error::Error::source(c).map(causes).unwrap_or_default();
    match c {
        CredentialsError::CredentialsNotLoaded(_) => LiveError::Credentials {
            problem: "no AWS credentials found (tried: environment variables, the shared config and credentials files, web identity, the container and instance metadata)".into(),
            fix: "set AWS_PROFILE (after `aws sso login --profile NAME` for SSO) or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; in CI, AWS_ROLE_ARN with AWS_WEB_IDENTITY_TOKEN_FILE (or your CI's AWS credentials step)",
        },
        CredentialsError::ProviderTimedOut(t) => LiveError::Credentials {
            problem: format!(
                "loading AWS credentials took more than {:?}",
                t.timeout_duration()
            ),
            fix: "check the network path to the credential source (SSO portal, STS, instance metadata), or use another profile",
        },
        _ => LiveError::Credentials {
            problem: if inner.is_empty() {
                format!("the AWS credentials could not be loaded: {c}")
            } else {
                format!("the AWS credentials could not be loaded: {inner}")
            },
            fix: "check the profile's entry in ~/.aws/config (an SSO session may need `aws sso login`; a role's source_profile needs credentials of its own)",
        },
    }
}

/// The messages of `e` and its causes, joined by ": ", each once (an SDK error repeats its
/// source's message in its own), without the debug representation.
pub(crate) fn causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(e);
    while let Some(x) = cur {
        let text = x.to_string();
        if !text.is_empty() && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = x.source();
    }
    parts.join(": ")
}

/// The `Reason` member of a JSON error body (Organizations' ConstraintViolationException,
/// InvalidInputException, …). The SDK keeps it in the modeled error of each operation only;
/// read from the raw response, it is classified once, here, for every operation.
fn reason_of(raw: &HttpResponse) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(raw.body().bytes()?).ok()?;
    body.get("Reason")
        .or_else(|| body.get("reason"))
        .and_then(|r| r.as_str())
        .map(str::to_string)
}
