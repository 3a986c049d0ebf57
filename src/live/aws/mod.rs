//! The AWS SDK implementation of the live side: SDK configuration (credentials chain,
//! Region, endpoint, retries), a call counter, error mapping at the boundary, the
//! organization read (`read.rs`) and the writes used by `apply` (`write.rs`).

/// A client of SDK crate `$sdk` sharing the configuration (credentials, endpoint, retries)
/// and the call counter; `region` is `Some(Region)` to override the configured Region.
/// Evaluates to `Result<Client, LiveError>`.
macro_rules! service_client {
    ($aws:expr, $sdk:ident, $region:expr) => {
        $aws.sdk_config().map(|cfg| {
            let mut b = $sdk::config::Builder::from(cfg).interceptor($aws.stats.clone());
            if let Some(r) = $region {
                b = b.region(r);
            }
            $sdk::Client::from_conf(b.build())
        })
    };
}

mod cloudtrail;
mod detective;
mod errors;
mod fms;
mod guardduty;
mod ic_read;
mod ic_write;
mod inspector2;
mod ipam;
mod macie_securityhub;
mod read;
mod stats;
mod write;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region};

pub use errors::map_sdk_error;
pub use stats::{ApiStats, CallCounts};

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
    /// The caller's account, once `caller()` has asked STS.
    pub caller_account: std::sync::Arc<std::sync::OnceLock<String>>,
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
        let attempts = opts.max_attempts.unwrap_or(8).max(1);
        loader = loader.retry_config(
            RetryConfig::standard()
                .with_max_attempts(attempts)
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(Duration::from_secs(20)),
        );
        let mut cfg = loader.load().await;
        if cfg.region().is_none() {
            // Organizations is a global service served from us-east-1.
            cfg = cfg
                .into_builder()
                .region(Region::from_static("us-east-1"))
                .build();
        }
        Self::from_config(&cfg, opts.concurrency)
    }

    /// Builds clients from an existing SDK configuration.
    pub fn from_config(cfg: &aws_config::SdkConfig, concurrency: usize) -> Self {
        let stats = ApiStats::default();
        let org = aws_sdk_organizations::Client::from_conf(
            aws_sdk_organizations::config::Builder::from(cfg)
                .interceptor(stats.clone())
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
        }
    }
}
