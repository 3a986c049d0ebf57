//! Organizations errors that AWS asks the caller to retry later but the SDK does not retry:
//! `ConcurrentModificationException` ("the target of the operation is currently being modified
//! by a different request; try again later") and `ConstraintViolationException` with reason
//! `ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED` (five creations already in progress, e.g. another
//! tool's). Classified from the raw error response as throttling, so the SDK's standard retry
//! (exponential backoff with jitter, `--max-attempts`) waits them out like throttling, in one
//! place for every Organizations call.

use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority,
};

/// The classifier added to the Organizations client.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct TryAgainLater;

/// Whether an Organizations error body (JSON 1.1) is one to retry later.
pub(crate) fn try_again_later(body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return false;
    };
    let code = v
        .get("__type")
        .and_then(|t| t.as_str())
        .map(|t| t.rsplit('#').next().unwrap_or(t))
        .unwrap_or_default();
    let reason = v.get("Reason").and_then(|r| r.as_str());
    code == "ConcurrentModificationException"
        || (code == "ConstraintViolationException"
            && reason == Some("ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED"))
}

impl ClassifyRetry for TryAgainLater {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.response() {
            Some(r) if !r.status().is_success() => match r.body().bytes() {
                Some(b) if try_again_later(b) => RetryAction::throttling_error(),
                _ => RetryAction::NoActionIndicated,
            },
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "orgctl: Organizations asks to try again later"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(
            RetryClassifierPriority::modeled_as_retryable_classifier(),
        )
    }
}

#[cfg(test)]
#[path = "retries_tests.rs"]
mod tests;
