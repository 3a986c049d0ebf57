//! Maps SDK errors to [`LiveError`] at the boundary: access denied, not in an
//! organization, an operation the endpoint does not implement (no error code), other
//! service errors with their AWS code, time limits that ran out, and transport failures.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
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
            message: DisplayErrorContext(&e).to_string(),
        },
        _ => LiveError::Transport {
            operation,
            message: DisplayErrorContext(&e).to_string(),
        },
    }
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
