use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

fn quick() -> PollPolicy {
    PollPolicy {
        initial: Duration::from_millis(1),
        max: Duration::from_millis(4),
        timeout: Duration::from_millis(200),
    }
}

#[tokio::test]
async fn waits_until_ready_and_reports_each_wait() {
    let looks = AtomicUsize::new(0);
    let mut waits = Vec::new();
    let got: Result<u32, PollError<String>> = until(
        quick(),
        |state, _| waits.push(state.to_string()),
        || {
            let n = looks.fetch_add(1, Ordering::SeqCst);
            async move {
                Ok(if n < 3 {
                    Look::Pending(format!("IN_PROGRESS {n}"))
                } else {
                    Look::Ready(7)
                })
            }
        },
    )
    .await;
    assert_eq!(got.ok(), Some(7));
    assert_eq!(looks.load(Ordering::SeqCst), 4);
    assert_eq!(waits, ["IN_PROGRESS 0", "IN_PROGRESS 1", "IN_PROGRESS 2"]);
}

#[tokio::test]
async fn an_error_ends_the_wait_at_once() {
    let looks = AtomicUsize::new(0);
    let got: Result<(), PollError<String>> = until(
        quick(),
        |_, _| {},
        || {
            looks.fetch_add(1, Ordering::SeqCst);
            async { Err("AccessDenied".to_string()) }
        },
    )
    .await;
    assert!(matches!(got, Err(PollError::Failed(ref e)) if e == "AccessDenied"));
    assert_eq!(looks.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn the_deadline_ends_a_wait_that_never_settles_with_its_last_state() {
    let got: Result<(), PollError<String>> = until(
        quick(),
        |_, _| {},
        || async { Ok(Look::Pending("PENDING_ENABLE".into())) },
    )
    .await;
    match got {
        Err(PollError::TimedOut { state, waited }) => {
            assert_eq!(state, "PENDING_ENABLE");
            assert!(waited >= Duration::from_millis(100), "{waited:?}");
        }
        other => panic!("{other:?}"),
    }
}
