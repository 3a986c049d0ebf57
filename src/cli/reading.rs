//! Progress while orgctl reads a large organization (`import`, which may take minutes on
//! thousands of accounts): nothing for a read that ends quickly; then, on a terminal, a
//! spinner line with the AWS calls made so far and the time spent (indicatif), and without
//! one a line every [`EVERY`], so a CI log is never silent through a long read. The counts
//! come from the run's call counter (`--api-stats`' source).

use std::future::Future;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::aws::ApiStats;

/// Without a terminal: a line at most this often.
const EVERY: Duration = Duration::from_secs(10);
/// On a terminal: the spinner appears after this long.
const QUIET: Duration = Duration::from_secs(2);

/// Runs `read`, showing what it has done so far while it runs.
pub async fn with_progress<T>(
    stats: &ApiStats,
    what: &str,
    every_ms: Option<u64>,
    read: impl Future<Output = T>,
) -> T {
    let terminal = std::io::stderr().is_terminal();
    let every = every_ms.map_or(EVERY, |ms| Duration::from_millis(ms.max(1)));
    let start = Instant::now();
    let bar = terminal.then(|| {
        let b = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        b
    });
    let mut read = std::pin::pin!(read);
    let mut tick = tokio::time::interval(if terminal {
        Duration::from_millis(200)
    } else {
        every
    });
    // A stalled runtime prints one line late, not a burst of them.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    let out = loop {
        tokio::select! {
            out = &mut read => break out,
            _ = tick.tick() => {
                let line = summary(stats, what, start.elapsed());
                match &bar {
                    Some(b) if start.elapsed() >= QUIET => {
                        b.set_message(line);
                        b.tick();
                    }
                    Some(_) => {}
                    None => errln!("{line}"),
                }
            }
        }
    };
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    out
}

/// `reading the organization: 1,234 AWS calls so far (1,101 tag reads), 42 s`.
fn summary(stats: &ApiStats, what: &str, elapsed: Duration) -> String {
    let counts = stats.snapshot();
    let calls: u64 = counts.values().map(|c| c.calls).sum();
    let tags: u64 = counts
        .iter()
        .filter(|(k, _)| k.ends_with(":ListTagsForResource"))
        .map(|(_, c)| c.calls)
        .sum();
    let tags = if tags > 0 {
        format!(" ({} tag reads)", thousands(tags))
    } else {
        String::new()
    };
    format!(
        "{what}: {} AWS calls so far{tags}, {} s",
        thousands(calls),
        elapsed.as_secs()
    )
}

fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_numbers_do() {
        assert_eq!(thousands(7), "7");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(1_234_567), "1,234,567");
        let line = summary(&ApiStats::default(), "reading", Duration::from_secs(3));
        assert_eq!(line, "reading: 0 AWS calls so far, 3 s");
    }

    #[tokio::test]
    async fn a_zero_period_is_one_millisecond_not_a_panic() {
        let slow = async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            7
        };
        assert_eq!(
            with_progress(&ApiStats::default(), "r", Some(0), slow).await,
            7
        );
    }
}
