//! The AWS SDK implementation of the live side: SDK configuration (credentials chain,
//! Region, endpoint, retries), a call counter, error mapping at the boundary, the
//! organization read (`read.rs`), the writes used by `apply` (`write.rs`) and each service's own
//! delegation API (`delegation/`). Constructed only by `cli/`, the composition root.

/// A client of SDK crate `$sdk` sharing the configuration (credentials, endpoint, retries)
/// and the call counter; `region` is `Some(Region)` to override the configured Region.
/// Evaluates to `Result<Client, LiveError>`.
macro_rules! service_client {
    ($aws:expr, $sdk:ident, $region:expr) => {
        $aws.sdk_config().map(|cfg| {
            // The pacer bounds throttling; the SDK's shared retry quota would fail a plan under
            // sustained throttling however the calls are paced (measured: "not enough retry
            // quota" after a few hundred throttled answers), so each call keeps only its own
            // bound (--max-attempts).
            let mut b = $sdk::config::Builder::from(cfg)
                .interceptor($aws.stats.clone())
                .retry_partition(
                    $sdk::config::retry::RetryPartition::custom(concat!(
                        "orgctl-",
                        stringify!($sdk)
                    ))
                    .token_bucket($sdk::config::retry::TokenBucket::unlimited())
                    .build(),
                );
            if let Some(r) = $region {
                b = b.region(r);
            }
            $sdk::Client::from_conf(b.build())
        })
    };
}

mod delegation;
mod errors;
mod ic_read;
mod ic_write;
pub mod pace;
mod read;
mod retries;
mod stats;
mod write;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};

pub use errors::map_sdk_error;

#[cfg(test)]
#[path = "endpoint_tests.rs"]
mod endpoint_tests;
pub use stats::{ApiStats, CallCounts};

/// The most calls in flight per service and Region, however fast AWS answers.
pub const PACE_CEILING: usize = 64;

/// How to reach AWS (from global CLI flags; the standard AWS variables work too).
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    /// Attempts per call including retries (throttling is retried with backoff).
    pub max_attempts: Option<u32>,
    /// Parents (OUs) read at once; also bounds other fan-out reads.
    pub concurrency: usize,
    /// Time limits of every call.
    pub timeouts: Timeouts,
}

/// Time limits of every AWS call: an endpoint that accepts the connection and never
/// answers must not hang a plan or an apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Establishing the connection.
    pub connect: Duration,
    /// One attempt (request sent → response read).
    pub attempt: Duration,
    /// One operation, its retries and their backoff included.
    pub operation: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            connect: Duration::from_secs(10),
            attempt: Duration::from_secs(60),
            operation: Duration::from_secs(300),
        }
    }
}

/// Checks the endpoint settings before any client is built: `--endpoint-url` and every
/// `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` variable must be an `http(s)://host`
/// URL without credentials in it. (An empty value made the SDK panic, at start-up or in
/// the middle of an apply, at the first call to that service.)
pub fn check_endpoints(
    flag: Option<&str>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<(), String> {
    let mut bad = Vec::new();
    if let Some(v) = flag {
        if let Err(why) = endpoint_problem(v) {
            bad.push(format!("--endpoint-url {v:?}: {why}\n  fix: give a URL such as http://127.0.0.1:5000, or leave the flag out to use AWS's endpoints"));
        }
    }
    let mut vars: Vec<(String, String)> = env
        .into_iter()
        .filter(|(k, _)| k == "AWS_ENDPOINT_URL" || k.starts_with("AWS_ENDPOINT_URL_"))
        .collect();
    vars.sort();
    for (k, v) in vars {
        if let Err(why) = endpoint_problem(&v) {
            bad.push(format!("{k}={v:?}: {why}\n  fix: unset it (`unset {k}`) or set it to a URL such as http://127.0.0.1:5000"));
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(bad.join("\n"))
    }
}

/// Why `v` is not a usable endpoint URL.
fn endpoint_problem(v: &str) -> Result<(), &'static str> {
    if v.trim().is_empty() {
        return Err("empty");
    }
    if v.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("contains white space or control characters");
    }
    let rest = v
        .strip_prefix("https://")
        .or_else(|| v.strip_prefix("http://"))
        .ok_or("not an http:// or https:// URL")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.contains('@') {
        return Err("has a user name or password in it (credentials never go in the endpoint)");
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(r) => {
            let (h, after) = r.split_once(']').ok_or("has an unclosed [ in its host")?;
            (h, after.strip_prefix(':'))
        }
        None => match authority.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err("has no host");
    }
    if port.is_some_and(|p| p.parse::<u16>().map_or(true, |p| p == 0)) {
        return Err("has an invalid port");
    }
    Ok(())
}

/// SDK clients built from one configuration, plus a call counter.
#[derive(Clone, Debug)]
pub struct Aws {
    pub org: aws_sdk_organizations::Client,
    pub sts: aws_sdk_sts::Client,
    pub stats: ApiStats,
    pub concurrency: usize,
    /// The shared configuration, for per-Region clients of regional services (`None` in
    /// tests that mock only Organizations).
    pub config: Option<aws_config::SdkConfig>,
    /// Who the credentials belong to, once `caller()` has asked STS (asked once per run).
    pub caller_account: std::sync::Arc<tokio::sync::OnceCell<crate::live::Caller>>,
    /// The run's pacer (`None` when the clients were built from a configuration without it).
    pub pacer: Option<pace::Pacer>,
}

impl Aws {
    /// The shared SDK configuration, for service clients.
    pub(crate) fn sdk_config(&self) -> Result<&aws_config::SdkConfig, crate::live::LiveError> {
        self.config.as_ref().ok_or_else(|| {
            crate::live::LiveError::Inconsistent("no AWS configuration for service clients".into())
        })
    }

    /// Loads the standard credential chain and builds the clients.
    pub async fn connect(opts: &AwsOptions) -> Self {
        let mut loader = aws_config::defaults(BehaviorVersion::latest());
        if let Some(p) = &opts.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &opts.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &opts.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        // Organizations throttles with TooManyRequestsException (HTTP 400); the SDK classifies
        // it as throttling. Standard mode: exponential backoff with jitter. (Adaptive mode was
        // measured to slow a run with 1-in-4 throttled calls from seconds to minutes.)
        let t = opts.timeouts;
        loader = loader.timeout_config(
            aws_config::timeout::TimeoutConfig::builder()
                .connect_timeout(t.connect)
                .read_timeout(t.attempt)
                .operation_attempt_timeout(t.attempt)
                .operation_timeout(t.operation)
                .build(),
        );
        let attempts = opts.max_attempts.unwrap_or(8).max(1);
        loader = loader.retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(20)),
        );
        let mut cfg = loader.load().await;
        // Every call goes through the adaptive pacer (per service and Region: raised while
        // calls succeed, halved when AWS throttles), starting at twice the read fan-out.
        // aws-config leaves the HTTP client unset (each service client picks the default
        // later), so the default is built here to be wrapped: without this the pacer was
        // never installed.
        let http = cfg.http_client().unwrap_or_else(Self::default_https_client);
        let pacer = pace::Pacer::new(opts.concurrency.max(1) * 2, PACE_CEILING);
        let paced = Some(pacer.clone());
        cfg = cfg
            .into_builder()
            .http_client(pace::PacedClient::new(http, pacer))
            .build();
        if cfg.region().is_none() {
            // Organizations is a global service served from us-east-1.
            cfg = cfg
                .into_builder()
                .region(Region::from_static("us-east-1"))
                .build();
        }
        let mut aws = Self::from_config(&cfg, opts.concurrency);
        aws.pacer = paced;
        aws
    }

    /// The SDK's default HTTPS client, as `aws-smithy-runtime`'s `default-https-client` builds it:
    /// hyper with rustls (aws-lc), the connector settings and sleep of each client, and the
    /// proxy settings of the environment (HTTPS_PROXY, NO_PROXY).
    fn default_https_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
        use aws_smithy_http_client::proxy::ProxyConfig;
        use aws_smithy_http_client::{tls, Builder, ConnectorBuilder};
        Builder::new().build_with_connector_fn(|settings, components| {
            let mut b = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ));
            b.set_connector_settings(settings.cloned());
            if let Some(c) = components {
                b.set_sleep_impl(c.sleep_impl());
            }
            b.set_proxy_config(Some(ProxyConfig::from_env()));
            b.build()
        })
    }

    /// Builds clients from an existing SDK configuration.
    pub fn from_config(cfg: &aws_config::SdkConfig, concurrency: usize) -> Self {
        let stats = ApiStats::default();
        let org = aws_sdk_organizations::Client::from_conf(
            aws_sdk_organizations::config::Builder::from(cfg)
                .interceptor(stats.clone())
                .retry_classifier(retries::TryAgainLater)
                // See service_client!: the pacer, not a shared retry quota, bounds throttling.
                .retry_partition(
                    aws_sdk_organizations::config::retry::RetryPartition::custom(
                        "orgctl-organizations",
                    )
                    .token_bucket(aws_sdk_organizations::config::retry::TokenBucket::unlimited())
                    .build(),
                )
                .build(),
        );
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(cfg)
                .interceptor(stats.clone())
                .build(),
        );
        Aws {
            org,
            sts,
            stats,
            concurrency: concurrency.max(1),
            config: Some(cfg.clone()),
            caller_account: Default::default(),
            pacer: None,
        }
    }
}
