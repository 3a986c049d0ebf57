//! The live side: a plain-data snapshot of the organization ([`LiveState`]), the read
//! trait ([`LiveRead`]) and its AWS SDK implementation in `aws/`. What gets read is
//! bounded by a [`ReadScope`] (tags only of objects whose tags the file declares), which
//! a plan file stores so `apply` re-reads exactly the same things.

mod error;
pub mod ic;
pub mod ic_write;
pub mod write;

pub use error::{ErrorKind, LiveError};
pub use ic_write::IcWrite;
pub use write::LiveWrite;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::vocab::{AccountId, Parent, Tags};

/// The organization itself.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgInfo {
    pub id: String,
    pub arn: String,
    pub management_account_id: String,
    pub feature_set: String,
}

/// One live OU.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveOu {
    pub id: String,
    pub name: String,
    pub parent_id: String,
    /// Path from the root (`Workloads/Prod`).
    pub path: String,
}

/// One live member account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveAccount {
    pub id: AccountId,
    pub name: String,
    pub email: String,
    /// ACTIVE, SUSPENDED, PENDING_CLOSURE (the `Status`/`State` AWS reports).
    pub status: String,
    pub parent_id: String,
}

/// One live Organizations policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LivePolicy {
    pub id: String,
    pub name: String,
    pub policy_type: String,
    pub description: String,
    pub aws_managed: bool,
    /// The document as AWS returns it.
    pub content: String,
    /// Root, OU and account ids it is attached to.
    pub targets: BTreeSet<String>,
    /// Its tags, when the read scope asked for them.
    #[serde(default)]
    pub tags: Option<Tags>,
}

/// An account-creation request that has not finished.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateRequest {
    pub id: String,
    pub account_name: String,
    pub state: String,
    pub account_id: Option<String>,
    pub failure_reason: Option<String>,
}

/// Everything orgctl read about the organization. No timestamps: two reads of an
/// unchanged organization are equal, which the plan fingerprint relies on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LiveState {
    pub organization: OrgInfo,
    pub root_id: String,
    /// OUs by id.
    pub ous: BTreeMap<String, LiveOu>,
    /// Accounts by id (the management account included).
    pub accounts: BTreeMap<AccountId, LiveAccount>,
    /// Tags of the resources in the read scope, by resource id (root, OU or account id).
    pub tags: BTreeMap<String, Tags>,
    /// Principals with trusted access enabled.
    pub trusted_access: BTreeSet<String>,
    /// Delegated administrators by service principal.
    pub delegated_admins: BTreeMap<String, BTreeSet<AccountId>>,
    /// The Organizations delegation policy document, as AWS returns it (`None`: no policy).
    #[serde(default)]
    pub delegation_policy: Option<String>,
    /// Policy types on the root and their status (ENABLED, PENDING_ENABLE, PENDING_DISABLE).
    #[serde(default)]
    pub root_policy_types: BTreeMap<String, String>,
    /// Policies of the types in the read scope, by id.
    #[serde(default)]
    pub policies: BTreeMap<String, LivePolicy>,
    /// Service-side delegated administrators (GuardDuty, …): principal → Region → account →
    /// status (ENABLED, DISABLE_IN_PROGRESS).
    #[serde(default)]
    pub service_admins: BTreeMap<String, BTreeMap<String, BTreeMap<String, String>>>,
    /// IAM Identity Center, when the file has `identity_center:`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center: Option<ic::LiveIc>,
    /// Why Identity Center could not be read with these credentials (no instance visible:
    /// neither the management account nor its delegated administrator). Not part of the
    /// fingerprint.
    #[serde(skip)]
    pub identity_center_unreadable: Option<LiveErrorText>,
    /// Service-side regional administrators were not read: only the management account may
    /// list them. Not part of the fingerprint.
    #[serde(skip)]
    pub service_admins_unreadable: bool,
}

/// An error kept as text in a snapshot.
pub type LiveErrorText = String;

/// Which objects' tags to read: those whose tags the file declares.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadScope {
    pub tag_ou_paths: BTreeSet<String>,
    /// Accounts by id, or by email for accounts declared without id.
    pub tag_account_ids: BTreeSet<AccountId>,
    pub tag_account_emails: BTreeSet<String>,
    /// Policy types whose policies (content and targets) are read.
    #[serde(default)]
    pub policy_types: BTreeSet<String>,
    /// Also read the policies of every type enabled on the root (set when the file manages
    /// policies, so policies it dropped are seen: reported, or pruned).
    #[serde(default)]
    pub enabled_policy_types: bool,
    /// Policies (by name) whose tags are read.
    #[serde(default)]
    pub tag_policy_names: BTreeSet<String>,
    /// Service principals whose own delegated-admin API is read, and in which Regions.
    #[serde(default)]
    pub service_regions: BTreeMap<String, BTreeSet<String>>,
    /// What to read of Identity Center (`None`: nothing).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_center: Option<ic::IcScope>,
    /// Read everything readable: the tags of every OU, account and policy, the policies of
    /// every enabled type (`orgctl import`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub everything: bool,
    /// With `everything`: leave out the tags of OUs and accounts (one call per OU and account,
    /// the only way Organizations gives them).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip_resource_tags: bool,
}

impl ReadScope {
    /// Resource ids (OU or account) in scope, given the tree already read.
    pub fn resource_ids(&self, live: &LiveState) -> BTreeSet<String> {
        let mut ids = BTreeSet::new();
        for ou in live.ous.values() {
            if self.wants_ou_tags(&ou.path) {
                ids.insert(ou.id.clone());
            }
        }
        for a in live.accounts.values() {
            if self.wants_account_tags(a) {
                ids.insert(a.id.to_string());
            }
        }
        ids
    }

    /// Whether the OU at `path` has its tags read.
    pub fn wants_ou_tags(&self, path: &str) -> bool {
        if self.everything {
            return !self.skip_resource_tags;
        }
        self.tag_ou_paths.contains(path)
    }

    /// Whether account `a` has its tags read (by id, or by email for an account the file
    /// declares without one).
    pub fn wants_account_tags(&self, a: &LiveAccount) -> bool {
        if self.everything {
            return !self.skip_resource_tags;
        }
        self.tag_account_ids.contains(&a.id)
            || self.tag_account_emails.contains(&a.email.to_lowercase())
    }
}

impl LiveState {
    /// A target id as `root`, `ou:PATH` or `account:NAME`.
    pub fn target_name(&self, id: &str) -> String {
        if id == self.root_id {
            "root".into()
        } else if let Some(o) = self.ous.get(id) {
            format!("ou:{}", o.path)
        } else if let Some(a) = AccountId::parse(id).and_then(|i| self.accounts.get(&i)) {
            format!("account:{}", a.name)
        } else {
            id.to_string()
        }
    }

    /// OU id by path.
    pub fn ou_id(&self, path: &str) -> Option<&str> {
        self.ous
            .values()
            .find(|o| o.path == path)
            .map(|o| o.id.as_str())
    }

    /// The id of a parent (root or OU path).
    pub fn parent_id(&self, p: &Parent) -> Option<&str> {
        match p {
            Parent::Root => Some(self.root_id.as_str()),
            Parent::Ou(path) => self.ou_id(path),
        }
    }

    /// A parent id as a [`Parent`] (root or OU path); `None` if unknown.
    pub fn parent_of_id(&self, id: &str) -> Option<Parent> {
        if id == self.root_id {
            Some(Parent::Root)
        } else {
            self.ous.get(id).map(|o| Parent::Ou(o.path.clone()))
        }
    }

    /// The account with this email (AWS keeps emails unique, case-insensitively).
    pub fn account_by_email(&self, email: &str) -> Option<&LiveAccount> {
        self.accounts
            .values()
            .find(|a| a.email.eq_ignore_ascii_case(email))
    }

    /// A stable digest of everything read (`sha256:` + hex).
    pub fn fingerprint(&self) -> String {
        digest(self)
    }

    /// Digests of the parts that not every account may read: the Regions' service admins
    /// (management account only), Identity Center (management account and its delegated
    /// admin), and the rest. A delegated team applying a plan file checks what it can see.
    pub fn fingerprint_parts(&self) -> BTreeMap<String, String> {
        let mut rest = self.clone();
        rest.service_admins.clear();
        rest.identity_center = None;
        BTreeMap::from([
            ("organization".to_string(), digest(&rest)),
            ("service_admins".to_string(), digest(&self.service_admins)),
            ("identity_center".to_string(), digest(&self.identity_center)),
        ])
    }

    /// Whether the parts of a plan's fingerprint this reader could see are unchanged.
    pub fn same_as_planned(&self, planned: &BTreeMap<String, String>) -> bool {
        let now = self.fingerprint_parts();
        planned.iter().all(|(k, v)| match k.as_str() {
            "service_admins" if self.service_admins_unreadable => true,
            "identity_center" if self.identity_center_unreadable.is_some() => true,
            _ => now.get(k) == Some(v),
        })
    }

    /// Computes OU paths from names and parent ids (call after reading the tree).
    pub fn compute_paths(&mut self) {
        let snapshot: BTreeMap<String, (String, String)> = self
            .ous
            .iter()
            .map(|(id, o)| (id.clone(), (o.name.clone(), o.parent_id.clone())))
            .collect();
        for (id, ou) in self.ous.iter_mut() {
            let mut parts = Vec::new();
            let mut cur = Some(id.clone());
            let mut guard = 0;
            while let Some(c) = cur {
                guard += 1;
                match snapshot.get(&c) {
                    Some((name, parent)) if guard <= 16 => {
                        parts.push(name.clone());
                        cur = Some(parent.clone());
                    }
                    _ => cur = None,
                }
            }
            parts.reverse();
            ou.path = parts.join("/");
        }
    }
}

/// Who the credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    pub account_id: String,
    pub arn: String,
}

/// Reads the live organization.
#[allow(async_fn_in_trait)]
pub trait LiveRead {
    /// STS `GetCallerIdentity`.
    async fn caller(&self) -> Result<Caller, LiveError>;
    /// The whole snapshot within `scope`.
    async fn read(&self, scope: &ReadScope) -> Result<LiveState, LiveError>;
    /// Account-creation requests still in progress.
    async fn create_requests_in_progress(&self) -> Result<Vec<CreateRequest>, LiveError>;
}

fn digest<T: Serialize>(v: &T) -> String {
    let bytes = serde_json::to_vec(v).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}
