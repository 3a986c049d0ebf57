//! Counts SDK calls per operation (operations and attempts), for `--api-stats` and the
//! benchmark. An interceptor on every client built by `Aws`.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeSerializationInterceptorContextRef, BeforeTransmitInterceptorContextRef,
};
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde::Serialize;

/// Calls and attempts (calls plus retries) for one operation.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CallCounts {
    pub calls: u64,
    pub attempts: u64,
}

/// Shared counter, keyed `service:Operation`.
#[derive(Debug, Clone, Default)]
pub struct ApiStats(Arc<Mutex<BTreeMap<String, CallCounts>>>);

impl ApiStats {
    /// A copy of the counts so far.
    pub fn snapshot(&self) -> BTreeMap<String, CallCounts> {
        self.0.lock().map(|m| m.clone()).unwrap_or_default()
    }

    fn bump(&self, cfg: &ConfigBag, attempt: bool) {
        let key = cfg
            .load::<Metadata>()
            .map(|m| format!("{}:{}", m.service().to_ascii_lowercase(), m.name()))
            .unwrap_or_else(|| "unknown".into());
        if let Ok(mut m) = self.0.lock() {
            let c = m.entry(key).or_default();
            if attempt {
                c.attempts += 1;
            } else {
                c.calls += 1;
            }
        }
    }
}

impl Intercept for ApiStats {
    fn name(&self) -> &'static str {
        "orgctl::ApiStats"
    }

    // Not `read_before_execution`: for a client-level interceptor that runs before the
    // operation's configuration (and its `Metadata`) is in the bag.
    fn read_before_serialization(
        &self,
        _: &BeforeSerializationInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, false);
        Ok(())
    }

    fn read_before_attempt(
        &self,
        _: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.bump(cfg, true);
        Ok(())
    }
}
