//! Unit tests of `ops::lock`.

use super::*;
use std::sync::Mutex;

/// The root's lock tag in memory; `steal` is written right after our write (a racing
/// writer that wins).
#[derive(Default)]
struct Mem {
    value: Mutex<Option<String>>,
    steal: Option<String>,
    denied: bool,
}

impl LockStore for Mem {
    async fn read(&self) -> Result<(String, Option<String>), LiveError> {
        if self.denied {
            return Err(LiveError::AccessDenied {
                operation: "ListTagsForResource",
                message: String::new(),
            });
        }
        Ok(("r-root".into(), self.value.lock().unwrap().clone()))
    }
    async fn write(&self, _: &str, value: &str) -> Result<(), LiveError> {
        *self.value.lock().unwrap() = Some(self.steal.clone().unwrap_or(value.into()));
        Ok(())
    }
    async fn clear(&self, _: &str) -> Result<(), LiveError> {
        *self.value.lock().unwrap() = None;
        Ok(())
    }
}

fn owner(run: &str, what: &str, at: u64) -> Owner {
    Owner {
        run: run.into(),
        account: "123456789012".into(),
        what: what.into(),
        at,
    }
}

const NOW: u64 = 1_800_000_000;

#[tokio::test]
async fn a_free_lock_is_taken_and_released() {
    let m = Mem::default();
    let held = acquire(&m, &owner("a", "p1", NOW), Duration::ZERO, false)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(Owner::parse(&held.value), Some(owner("a", "p1", NOW)));
    release(&m, &held).await.unwrap();
    assert_eq!(*m.value.lock().unwrap(), None);
}

#[tokio::test]
async fn another_plans_lock_refuses_until_it_expires_or_is_broken() {
    let m = Mem::default();
    *m.value.lock().unwrap() = Some(owner("a", "p1", NOW).value());
    let e = acquire(&m, &owner("b", "p2", NOW + 10), Duration::ZERO, false)
        .await
        .unwrap_err();
    assert!(
        e.to_string().contains("holds the organization's lock"),
        "{e}"
    );
    // The same command again (a killed run re-run) takes it over.
    assert!(
        acquire(&m, &owner("c", "p1", NOW + 20), Duration::ZERO, false)
            .await
            .unwrap()
            .is_some()
    );
    // Expired, or broken on purpose.
    *m.value.lock().unwrap() = Some(owner("a", "p1", NOW).value());
    let late = NOW + TTL.as_secs();
    assert!(acquire(&m, &owner("b", "p2", late), Duration::ZERO, false)
        .await
        .unwrap()
        .is_some());
    *m.value.lock().unwrap() = Some(owner("a", "p1", NOW).value());
    assert!(
        acquire(&m, &owner("b", "p2", NOW + 1), Duration::ZERO, true)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn a_racing_writer_that_wins_makes_us_refuse_and_keeps_its_lock() {
    let m = Mem {
        steal: Some(owner("z", "p9", NOW).value()),
        ..Default::default()
    };
    let e = acquire(&m, &owner("a", "p1", NOW), Duration::ZERO, false)
        .await
        .unwrap_err();
    assert!(matches!(e, LockError::Lost { .. }), "{e}");
    let held = Held {
        root: "r-root".into(),
        value: owner("a", "p1", NOW).value(),
    };
    release(&m, &held).await.unwrap();
    assert!(m.value.lock().unwrap().is_some(), "not ours: left alone");
}

#[tokio::test]
async fn a_holder_that_may_not_untag_marks_the_lock_free() {
    struct NoUntag(Mem);
    impl LockStore for NoUntag {
        async fn read(&self) -> Result<(String, Option<String>), LiveError> {
            self.0.read().await
        }
        async fn write(&self, r: &str, v: &str) -> Result<(), LiveError> {
            self.0.write(r, v).await
        }
        async fn clear(&self, _: &str) -> Result<(), LiveError> {
            Err(LiveError::AccessDenied {
                operation: "UntagResource",
                message: String::new(),
            })
        }
    }
    let m = NoUntag(Mem::default());
    let held = acquire(&m, &owner("a", "p1", NOW), Duration::ZERO, false)
        .await
        .unwrap()
        .unwrap();
    release(&m, &held).await.unwrap();
    // Another plan may take it at once.
    assert!(
        acquire(&m, &owner("b", "p2", NOW + 1), Duration::ZERO, false)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn credentials_that_may_not_tag_the_root_go_unlocked() {
    let m = Mem {
        denied: true,
        ..Default::default()
    };
    assert!(acquire(&m, &owner("a", "p1", NOW), Duration::ZERO, false)
        .await
        .unwrap()
        .is_none());
}
