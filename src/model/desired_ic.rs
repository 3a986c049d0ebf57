//! Validated Identity Center types: users, groups, permission sets (documents loaded, session
//! duration checked) and assignment rules with their targets resolved to declared names.
//! OU and root targets are expanded to accounts by the diff, which knows the live
//! organization too.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::vocab::{PolicyTarget, Tags};

/// The `identity_center:` section.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DesiredIc {
    /// By user name.
    pub users: BTreeMap<String, IcUser>,
    /// By group name.
    pub groups: BTreeMap<String, IcGroup>,
    /// By permission-set name.
    pub permission_sets: BTreeMap<String, IcPermissionSet>,
    pub assignments: Vec<IcAssignmentRule>,
}

/// A user. External users carry only their name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcUser {
    pub user_name: String,
    pub display_name: String,
    pub given_name: String,
    pub family_name: String,
    pub email: Option<String>,
    pub external: bool,
}

/// A group; `members: None` leaves membership unmanaged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcGroup {
    pub name: String,
    pub description: Option<String>,
    pub members: Option<BTreeSet<String>>,
    pub external: bool,
}

/// A customer-managed policy reference (name, path).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct PolicyRef {
    pub name: String,
    pub path: String,
}

/// A permissions boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Boundary {
    Managed(String),
    Customer(PolicyRef),
}

/// A permission set as it must be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcPermissionSet {
    pub name: String,
    pub description: Option<String>,
    /// Normalised ISO-8601 (`PT4H`, `PT1H30M`).
    pub session_duration: String,
    pub relay_state: Option<String>,
    pub managed_policies: BTreeSet<String>,
    pub customer_managed_policies: BTreeSet<PolicyRef>,
    pub inline_policy: Option<serde_json::Value>,
    pub boundary: Option<Boundary>,
    /// `None`: tags not managed.
    pub tags: Option<Tags>,
}

/// A user or a group, by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type", content = "name")]
pub enum Principal {
    User(String),
    Group(String),
}

impl Principal {
    /// `user:alice` / `group:auditors` (the address form).
    pub fn label(&self) -> String {
        match self {
            Principal::User(n) => format!("user:{n}"),
            Principal::Group(n) => format!("group:{n}"),
        }
    }
    /// The API's `PrincipalType`.
    pub fn kind(&self) -> &'static str {
        match self {
            Principal::User(_) => "USER",
            Principal::Group(_) => "GROUP",
        }
    }
    pub fn name(&self) -> &str {
        match self {
            Principal::User(n) | Principal::Group(n) => n,
        }
    }
}

/// One assignment rule of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcAssignmentRule {
    pub permission_set: String,
    pub principal: Principal,
    pub targets: BTreeSet<PolicyTarget>,
    pub include_nested_ous: bool,
}

/// Parses an ISO-8601 duration of hours/minutes/seconds (`PT4H`, `PT1H30M`) into seconds.
pub fn duration_secs(s: &str) -> Option<u64> {
    let rest = s.strip_prefix("PT")?;
    if rest.is_empty() {
        return None;
    }
    let mut total = 0u64;
    let mut num = String::new();
    let mut seen = String::new();
    for c in rest.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let unit = match c {
            'H' => 3600,
            'M' => 60,
            'S' => 1,
            _ => return None,
        };
        // Units in order, each once, each with a number.
        if num.is_empty() || seen.contains(c) || seen.chars().any(|p| "HMS".find(p) > "HMS".find(c))
        {
            return None;
        }
        seen.push(c);
        total = total.checked_add(num.parse::<u64>().ok()?.checked_mul(unit)?)?;
        num.clear();
    }
    num.is_empty().then_some(total)
}

/// The canonical ISO-8601 form of `secs` (`PT4H`, `PT1H30M`), as AWS returns it.
pub fn duration_iso(secs: u64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = String::from("PT");
    if h > 0 {
        out.push_str(&format!("{h}H"));
    }
    if m > 0 {
        out.push_str(&format!("{m}M"));
    }
    if s > 0 || secs == 0 {
        out.push_str(&format!("{s}S"));
    }
    out
}
