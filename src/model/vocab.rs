//! The organization's shared vocabulary: account ids, references to accounts, parents,
//! policy targets and tags. Every layer speaks it (the file's model, the live snapshot, the
//! plan), so it sits apart from the desired state and imports nothing of the crate.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// Tags as a sorted map.
pub type Tags = BTreeMap<String, String>;

/// A 12-digit AWS account id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AccountId(String);

impl AccountId {
    /// Accepts exactly 12 ASCII digits.
    pub fn parse(s: &str) -> Option<Self> {
        (s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())).then(|| Self(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AccountId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an account or OU sits: the root, or an OU path like `Workloads/Prod`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(into = "String", from = "String")]
pub enum Parent {
    Root,
    Ou(String),
}

impl Parent {
    /// The parent of OU path `p` (`A/B` → `A`, `A` → root).
    pub fn of_path(p: &str) -> Parent {
        match p.rsplit_once('/') {
            Some((parent, _)) => Parent::Ou(parent.to_string()),
            None => Parent::Root,
        }
    }
}

impl fmt::Display for Parent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Parent::Root => f.write_str("root"),
            Parent::Ou(p) => f.write_str(p),
        }
    }
}

impl From<Parent> for String {
    fn from(p: Parent) -> String {
        p.to_string()
    }
}

impl From<String> for Parent {
    fn from(s: String) -> Self {
        if s == "root" {
            Parent::Root
        } else {
            Parent::Ou(s)
        }
    }
}

/// An administrator reference as written: a declared account's name, or an id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountRef {
    Name(String),
    Id(AccountId),
}

impl fmt::Display for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountRef::Name(n) => f.write_str(n),
            AccountRef::Id(i) => f.write_str(i.as_str()),
        }
    }
}

/// Where a policy is attached.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "ref")]
pub enum PolicyTarget {
    Root,
    Ou(String),
    Account(AccountRef),
}

impl fmt::Display for PolicyTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyTarget::Root => f.write_str("root"),
            PolicyTarget::Ou(p) => write!(f, "ou:{p}"),
            PolicyTarget::Account(a) => write!(f, "account:{a}"),
        }
    }
}
