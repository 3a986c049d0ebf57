//! Adaptive pacing: every AWS call of the run goes through one HTTP connector that holds a
//! concurrency limit per service and Region, raised while calls succeed and halved when AWS
//! throttles (additive increase, multiplicative decrease), between 1 and a ceiling. AWS
//! publishes no rate for Organizations and ~20 requests/s for Identity Center: a fixed
//! concurrency is either too slow or throttled; this one finds the service's pace, for reads
//! and applies alike. A throttled answer is sent again from here, after a short growing wait
//! with jitter (at most [`RESENDS`] times within [`RESEND_BUDGET`]; AWS did not act on a
//! throttled request, so this is safe for writes too): at a steady 30–40% of throttled
//! answers, a call would otherwise spend the SDK's attempts, and the SDK's backoff (up to 20 s)
//! leaves the quota idle. Throttling that outlasts this reaches the SDK, which retries it in
//! standard mode; each attempt passes the gate again.
//!
//! The service comes from the request's SigV4 credential scope (`…/REGION/SERVICE/aws4_request`),
//! so it works behind one endpoint URL too. A response is throttling when its status is 429,
//! or a 400 or 503 whose error code (the body, or the `x-amzn-ErrorType` header where REST-JSON
//! services such as GuardDuty name it) is `ThrottlingException`, `TooManyRequestsException`,
//! `Throttling` or `RequestLimitExceeded` (EC2 throttles with that code at HTTP 503; any other
//! 503 is an outage, left to the SDK's transient-error retry). Error bodies are small; they are
//! read here and handed on intact.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;
use tokio::sync::Notify;

/// One service's limit.
#[derive(Debug, Clone)]
struct Limit {
    limit: f64,
    in_flight: usize,
    last_cut: Option<Instant>,
}

/// Throttled answers sent again by the pacer, per call, before the SDK sees one.
pub const RESENDS: u32 = 8;
/// ... and for at most this long per call (well inside the attempt timeout).
pub const RESEND_BUDGET: Duration = Duration::from_secs(20);

/// The wait before resend `n` (0-based): 100 ms doubling to 2 s, times a jitter in [0.5, 1).
pub fn resend_delay(n: u32, jitter: f64) -> Duration {
    let base = (100u64 << n.min(5)).min(2_000) as f64;
    Duration::from_millis((base * (0.5 + jitter.clamp(0.0, 1.0) / 2.0)) as u64)
}

/// A jitter in [0, 1) from the clock's nanoseconds (no random-number crate for this).
fn jitter() -> f64 {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    f64::from(n.wrapping_mul(2_654_435_761) % 1_000) / 1_000.0
}

/// The limits of a run, shared by every client.
#[derive(Debug, Clone)]
pub struct Pacer {
    /// Throttled answers sent again (for `--api-stats`).
    resent: Arc<AtomicU64>,
    state: Arc<Mutex<BTreeMap<String, Limit>>>,
    notify: Arc<Notify>,
    initial: f64,
    ceiling: f64,
}

/// A call in flight; releases its place when dropped.
pub struct Slot {
    pacer: Pacer,
    key: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Ok(mut m) = self.pacer.state.lock() {
            if let Some(l) = m.get_mut(&self.key) {
                l.in_flight = l.in_flight.saturating_sub(1);
            }
        }
        self.pacer.notify.notify_waiters();
    }
}

impl Pacer {
    /// Limits starting at `initial` calls in flight per service, never above `ceiling`.
    pub fn new(initial: usize, ceiling: usize) -> Self {
        let ceiling = ceiling.max(1) as f64;
        Pacer {
            resent: Arc::default(),
            state: Arc::default(),
            notify: Arc::new(Notify::new()),
            initial: (initial.max(1) as f64).min(ceiling),
            ceiling,
        }
    }

    /// Waits for a place under `key`'s limit.
    pub async fn acquire(&self, key: &str) -> Slot {
        loop {
            let notified = self.notify.notified();
            {
                let Ok(mut m) = self.state.lock() else {
                    break;
                };
                let l = m.entry(key.to_string()).or_insert(Limit {
                    limit: self.initial,
                    in_flight: 0,
                    last_cut: None,
                });
                if (l.in_flight as f64) < l.limit.floor().max(1.0) {
                    l.in_flight += 1;
                    break;
                }
            }
            notified.await;
        }
        Slot {
            pacer: self.clone(),
            key: key.to_string(),
        }
    }

    /// A call succeeded: one more place, spread over a window of calls (+1/limit each).
    pub fn succeeded(&self, key: &str) {
        if let Ok(mut m) = self.state.lock() {
            if let Some(l) = m.get_mut(key) {
                l.limit = (l.limit + 1.0 / l.limit.max(1.0)).min(self.ceiling);
            }
        }
        self.notify.notify_waiters();
    }

    /// AWS throttled a call: half the places (once per 100 ms: one burst of throttled
    /// answers is one signal).
    pub fn throttled(&self, key: &str) {
        if let Ok(mut m) = self.state.lock() {
            if let Some(l) = m.get_mut(key) {
                let now = Instant::now();
                if l.last_cut
                    .is_none_or(|t| now.duration_since(t) > Duration::from_millis(100))
                {
                    l.limit = (l.limit / 2.0).max(1.0);
                    l.last_cut = Some(now);
                }
            }
        }
    }

    /// How many throttled answers were sent again so far.
    pub fn resent(&self) -> u64 {
        self.resent.load(Ordering::Relaxed)
    }

    /// The current limit of `key` (for tests and statistics).
    pub fn limit(&self, key: &str) -> Option<f64> {
        self.state.lock().ok()?.get(key).map(|l| l.limit)
    }
}

/// The service and Region a request is signed for: `organizations/us-east-1`.
pub fn key_of(authorization: Option<&str>) -> String {
    authorization
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| {
            let parts: Vec<&str> = c.split(['/', ',']).collect();
            // AKID / date / region / service / aws4_request
            Some(format!("{}/{}", parts.get(3)?, parts.get(2)?))
        })
        .unwrap_or_else(|| "unsigned".into())
}

/// The error codes AWS throttles with: JSON `__type` / REST-JSON header (Organizations,
/// Identity Center, GuardDuty, Inspector, ...), EC2's query XML, and the query protocols' plain
/// `Throttling`.
const THROTTLING_CODES: [&str; 4] = [
    "ThrottlingException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "Throttling",
];

/// Whether an answer is AWS throttling: any 429, or a 400 or 503 whose error code is one of
/// [`THROTTLING_CODES`], read from `error_type` (the `x-amzn-ErrorType` header, which REST-JSON
/// services such as GuardDuty send with a body of only a message) or the body. A 503 without
/// such a code (ServiceUnavailable) is not throttling.
pub fn is_throttling(status: u16, error_type: Option<&str>, body: &[u8]) -> bool {
    if status == 429 {
        return true;
    }
    if status != 400 && status != 503 {
        return false;
    }
    // `ThrottlingException:http://internal.amazon.com/...` or `aws.foo#ThrottlingException`.
    let header = error_type
        .and_then(|t| t.split(':').next())
        .map(|t| t.rsplit('#').next().unwrap_or(t).trim());
    // The header names the error when it is there: a message that quotes a throttling code
    // (a ValidationException about a request limit) is not throttling.
    if let Some(h) = header.filter(|h| !h.is_empty()) {
        return THROTTLING_CODES.contains(&h);
    }
    let text = String::from_utf8_lossy(body);
    [
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "<Code>Throttling<",
        "\"Throttling\"",
    ]
    .iter()
    .any(|c| text.contains(c))
}

/// The HTTP client of the run: the SDK's, behind the pacer.
#[derive(Debug, Clone)]
pub struct PacedClient {
    inner: SharedHttpClient,
    pacer: Pacer,
}

impl PacedClient {
    pub fn new(inner: SharedHttpClient, pacer: Pacer) -> Self {
        PacedClient { inner, pacer }
    }
}

impl HttpClient for PacedClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(PacedConnector {
            inner: self.inner.http_connector(settings, components),
            pacer: self.pacer.clone(),
        })
    }
}

#[derive(Debug)]
struct PacedConnector {
    inner: SharedHttpConnector,
    pacer: Pacer,
}

impl HttpConnector for PacedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let key = key_of(request.headers().get("authorization"));
        let inner = self.inner.clone();
        let pacer = self.pacer.clone();
        HttpConnectorFuture::new(async move {
            let started = Instant::now();
            let mut request = request;
            let mut n = 0;
            loop {
                // A copy to send again if this one is throttled (bodies in memory clone).
                let again = (n < RESENDS).then(|| request.try_clone()).flatten();
                let slot = pacer.acquire(&key).await;
                let (resp, throttled) = send(&inner, request).await?;
                drop(slot);
                if !throttled {
                    if (200..300).contains(&resp.status().as_u16()) {
                        pacer.succeeded(&key);
                    }
                    return Ok(resp);
                }
                pacer.throttled(&key);
                let wait = resend_delay(n, jitter());
                match again {
                    Some(next) if started.elapsed() + wait < RESEND_BUDGET => {
                        pacer.resent.fetch_add(1, Ordering::Relaxed);
                        tokio::time::sleep(wait).await;
                        request = next;
                        n += 1;
                    }
                    _ => return Ok(resp),
                }
            }
        })
    }
}

/// Sends `request`; the response (body intact) and whether it is AWS throttling.
async fn send(
    inner: &SharedHttpConnector,
    request: HttpRequest,
) -> Result<
    (
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
        bool,
    ),
    aws_smithy_runtime_api::client::result::ConnectorError,
> {
    let mut resp = inner.call(request).await?;
    let status = resp.status().as_u16();
    if status != 400 && status != 503 {
        return Ok((resp, status == 429));
    }
    // A 400 may be throttling (Organizations, Identity Center, GuardDuty), a 503 too (EC2's
    // RequestLimitExceeded): read the (small) error body, then hand it on unchanged.
    let error_type = resp
        .headers()
        .get("x-amzn-errortype")
        .map(|t| t.to_string());
    let body = resp.take_body();
    let bytes = ByteStream::new(body)
        .collect()
        .await
        .map_err(|e| aws_smithy_runtime_api::client::result::ConnectorError::io(e.into()))?
        .into_bytes();
    let throttled = is_throttling(status, error_type.as_deref(), &bytes);
    *resp.body_mut() = SdkBody::from(bytes);
    Ok((resp, throttled))
}

#[cfg(test)]
#[path = "pace_tests.rs"]
mod tests;
