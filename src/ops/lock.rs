//! One writer at a time: `apply` holds a lock, a tag on the organization's root, while it
//! re-reads, checks and writes. Organizations has no conditional write, so the lock is
//! taken the way two writers can both see: read (refuse if another run holds it), write
//! ours, wait for the write to settle, read again (refuse if another run's write won).
//! Two runs started together thus never both proceed; the one that loses refuses before
//! any change, and a run that starts after the winner finished finds the organization
//! changed in ways its plan does not explain, and refuses too.
//!
//! The lock names its owner: the account and the digest of what it applies (the plan file,
//! or org.yaml). The same command run again (after a kill, say) takes its own lock over;
//! another plan waits until the lock expires ([`TTL`]) or `--break-lock` is given.
//! Credentials that may not tag the root (a delegated administrator, usually) apply
//! unlocked, with a warning: serialise those applies in CI.

use std::time::Duration;

use crate::live::write::LiveWrite;
use crate::live::LiveError;
use crate::model::vocab::Tags;

/// The root tag that holds the lock.
pub const KEY: &str = crate::live::write::LOCK_TAG;

/// How long a lock holds without its run (a killed run's lock expires after this).
pub const TTL: Duration = Duration::from_secs(3600);

/// Who holds (or wants) the lock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Owner {
    /// This run (unique per process).
    pub run: String,
    /// The caller's account.
    pub account: String,
    /// What the run applies: the plan file's or org.yaml's digest (first 16 hex digits).
    pub what: String,
    /// When it was taken (seconds since the epoch).
    pub at: u64,
}

impl Owner {
    /// The tag value (at most 256 characters, as AWS allows).
    pub fn value(&self) -> String {
        format!(
            "run={} account={} applies={} at={}",
            self.run, self.account, self.what, self.at
        )
        .chars()
        .take(256)
        .collect()
    }

    /// Parses a tag value; `None` for anything else.
    pub fn parse(v: &str) -> Option<Owner> {
        let mut o = Owner {
            run: String::new(),
            account: String::new(),
            what: String::new(),
            at: 0,
        };
        for part in v.split_whitespace() {
            let (k, val) = part.split_once('=')?;
            match k {
                "run" => o.run = val.into(),
                "account" => o.account = val.into(),
                "applies" => o.what = val.into(),
                "at" => o.at = val.parse().ok()?,
                _ => {}
            }
        }
        (!o.run.is_empty()).then_some(o)
    }

    /// Another run of the same command: the same account applying the same thing.
    fn same_command(&self, other: &Owner) -> bool {
        self.account == other.account && self.what == other.what
    }
}

/// Why the lock was not taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another orgctl apply holds the organization's lock (tag {KEY} on the root): account {by_account}, applying {by_what}, since {since} (unix time); nothing was applied\n  fix: wait for it to finish and make a new plan; if that run was killed, its lock expires at {expires} (unix time), or run again with --break-lock")]
    Held {
        by_account: String,
        by_what: String,
        since: u64,
        expires: u64,
    },
    #[error("another orgctl apply took the organization's lock at the same moment ({by}); nothing was applied\n  fix: let it finish, then make a new plan and apply that")]
    Lost { by: String },
    #[error(transparent)]
    Live(#[from] LiveError),
}

/// The lock, held: release it when done.
#[derive(Debug, Clone)]
pub struct Held {
    pub root: String,
    pub value: String,
}

/// Where the lock lives (the root's tags): any [`LiveWrite`].
#[allow(async_fn_in_trait)]
pub trait LockStore {
    async fn read(&self) -> Result<(String, Option<String>), LiveError>;
    async fn write(&self, root: &str, value: &str) -> Result<(), LiveError>;
    async fn clear(&self, root: &str) -> Result<(), LiveError>;
}

impl<W: LiveWrite> LockStore for W {
    async fn read(&self) -> Result<(String, Option<String>), LiveError> {
        let (root, tags) = self.root_tags().await?;
        Ok((root, tags.get(KEY).cloned()))
    }
    async fn write(&self, root: &str, value: &str) -> Result<(), LiveError> {
        self.tag(root, &Tags::from([(KEY.to_string(), value.to_string())]))
            .await
    }
    async fn clear(&self, root: &str) -> Result<(), LiveError> {
        self.untag(root, &[KEY.to_string()]).await
    }
}

/// Takes the lock for `me`. `Ok(None)`: these credentials may not keep a lock (access
/// denied); the caller warns and goes on unlocked.
pub async fn acquire<S: LockStore>(
    store: &S,
    me: &Owner,
    settle: Duration,
    break_lock: bool,
) -> Result<Option<Held>, LockError> {
    let (root, current) = match store.read().await {
        Ok(x) => x,
        Err(LiveError::AccessDenied { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if let Some(o) = current.as_deref().and_then(Owner::parse) {
        let expired = o.at + TTL.as_secs() <= me.at;
        if !expired && !break_lock && !me.same_command(&o) {
            return Err(LockError::Held {
                by_account: o.account,
                by_what: o.what,
                since: o.at,
                expires: o.at + TTL.as_secs(),
            });
        }
    }
    let value = me.value();
    match store.write(&root, &value).await {
        Ok(()) => {}
        Err(LiveError::AccessDenied { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    tokio::time::sleep(settle).await;
    let (_, now) = store.read().await?;
    if now.as_deref() != Some(value.as_str()) {
        return Err(LockError::Lost {
            by: now.unwrap_or_else(|| "the lock was removed".into()),
        });
    }
    Ok(Some(Held { root, value }))
}

/// What a lock reads when its holder could write it but not remove it: free.
const FREE: &str = "free";

/// Releases the lock if it is still ours: removes the tag, or, for credentials that may tag
/// the root but not untag it, marks it free.
pub async fn release<S: LockStore>(store: &S, held: &Held) -> Result<(), LiveError> {
    let (_, now) = store.read().await?;
    if now.as_deref() == Some(held.value.as_str()) {
        match store.clear(&held.root).await {
            Err(LiveError::AccessDenied { .. }) => store.write(&held.root, FREE).await?,
            other => other?,
        }
    }
    Ok(())
}

/// Takes the lock for the caller applying `what` (a digest of the plan file or org.yaml):
/// the held lock, or `None` with the warning to show when these credentials cannot keep one.
pub async fn take<A: crate::live::LiveRead + LiveWrite>(
    aws: &A,
    what: &str,
    settle: Duration,
    break_lock: bool,
) -> Result<(Option<Held>, Option<String>), super::OpsError> {
    let caller = aws.caller().await?;
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    let me = Owner {
        run: run_id(),
        account: caller.account_id,
        what: what.chars().take(16).collect(),
        at,
    };
    match acquire(aws, &me, settle, break_lock).await? {
        Some(h) => Ok((Some(h), None)),
        None => Ok((None, Some(format!("warning: this apply is not locked: these credentials may not tag the organization's root ({KEY}); make sure no other apply runs at the same time (a CI concurrency group)")))),
    }
}

/// A run id unique to this process.
pub fn run_id() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{:x}{:x}", nanos & 0xffff_ffff_ffff, std::process::id())
}

#[cfg(test)]
#[path = "lock_tests.rs"]
mod tests;
