//! The one wait policy: every asynchronous AWS state orgctl waits for (an account creation,
//! a policy type being enabled, a Region's administrator, Firewall Manager's role, Identity
//! Center requests) is polled through [`until`]: exponential backoff with jitter (backon),
//! a ceiling on each delay and a total deadline, with a callback on every wait so a CI log
//! never goes silent.

use std::future::Future;
use std::time::{Duration, Instant};

use backon::{ExponentialBuilder, Retryable};

/// How long to wait between looks and how long in all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    /// The first delay (then doubled, with jitter).
    pub initial: Duration,
    /// The longest delay between two looks.
    pub max: Duration,
    /// The longest total wait.
    pub timeout: Duration,
}

impl Default for PollPolicy {
    /// Half a second, doubling to 5 s between looks, 30 minutes in all. The ceiling bounds
    /// what a finished state costs in waiting (a wait ends at most 5 s after AWS is done;
    /// at 15 s, 40 rounds of 5 account creations lost minutes); what AWS lets run at once
    /// (5 account creations, 10 assignment operations) keeps the looks to a few per second.
    fn default() -> Self {
        PollPolicy {
            initial: Duration::from_millis(500),
            max: Duration::from_secs(5),
            timeout: Duration::from_secs(30 * 60),
        }
    }
}

impl PollPolicy {
    /// The same policy with a shorter total deadline (the smaller of the two).
    pub fn within(self, timeout: Duration) -> Self {
        PollPolicy {
            timeout: self.timeout.min(timeout),
            ..self
        }
    }
}

/// One look at something asynchronous.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Look<T> {
    Ready(T),
    /// Not yet, in this state (shown in progress and in the time-out error).
    Pending(String),
}

/// Why waiting ended without the state wanted.
#[derive(Debug, thiserror::Error)]
pub enum PollError<E> {
    #[error("still {state} after {waited:?}")]
    TimedOut { state: String, waited: Duration },
    #[error(transparent)]
    Failed(E),
}

/// Looks until `look` is ready, sleeping between looks per `policy`; `on_wait(state, elapsed)`
/// runs before each sleep. An error from `look` ends the wait at once.
pub async fn until<T, E, F, Fut>(
    policy: PollPolicy,
    mut on_wait: impl FnMut(&str, Duration),
    mut look: F,
) -> Result<T, PollError<E>>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Look<T>, E>>,
{
    let start = Instant::now();
    let backoff = ExponentialBuilder::default()
        .with_min_delay(policy.initial)
        .with_max_delay(policy.max)
        .with_jitter()
        .without_max_times()
        .with_total_delay(Some(policy.timeout));
    let once = || {
        let fut = look();
        async move {
            match fut.await {
                Ok(Look::Ready(t)) => Ok(t),
                Ok(Look::Pending(state)) => Err(PollError::TimedOut {
                    state,
                    waited: Duration::ZERO,
                }),
                Err(e) => Err(PollError::Failed(e)),
            }
        }
    };
    match once
        .retry(backoff)
        .sleep(tokio::time::sleep)
        // The deadline counts the looks too, not only the sleeps (backon's total delay does
        // not): a look that itself waits (an assignment polled to its end) spends it.
        .when(|e| matches!(e, PollError::TimedOut { .. }) && start.elapsed() < policy.timeout)
        .notify(|e, _| {
            if let PollError::TimedOut { state, .. } = e {
                on_wait(state, start.elapsed());
            }
        })
        .await
    {
        Ok(t) => Ok(t),
        Err(PollError::TimedOut { state, .. }) => Err(PollError::TimedOut {
            state,
            waited: start.elapsed(),
        }),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
#[path = "poll_tests.rs"]
mod tests;
