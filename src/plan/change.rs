//! The plan's data types: one [`Change`] per address (action, before/after, executor,
//! risk, dependencies) and the machine-readable [`Op`] that `apply` carries out. The action
//! enum is tiny on purpose (Terraform's lesson); everything a reviewer reads is data.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::catalog::NativeId;
use crate::model::vocab::{AccountId, AccountRef, Parent, Tags};

/// What a change does to its address.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Update,
    Delete,
    Replace,
}

impl Action {
    /// `delete` and `replace` need `apply --allow-destroy`.
    pub fn is_destructive(self) -> bool {
        matches!(self, Action::Delete | Action::Replace)
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Replace => "replace",
        }
    }
}

/// Review risk of a change.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Risk {
    Low,
    High,
}

/// The account whose credentials must make a change's calls, and the AWS rule why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Executor {
    /// 12 digits; empty for an account this plan creates.
    pub account_id: String,
    /// The account's name in org.yaml (`management` for the management account).
    pub account_name: String,
    /// The AWS rule that makes it this account.
    pub why: String,
}

/// Something tags can be set on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "ref")]
pub enum TagTarget {
    Ou(String),
    Account(AccountRef),
    /// A policy, by name.
    Policy(String),
}

/// What `apply` does for a change (Organizations calls, resolved at execution time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "op")]
pub enum Op {
    /// `CreateOrganizationalUnit` under `parent`.
    CreateOu {
        path: String,
        parent: Parent,
        name: String,
        tags: Tags,
    },
    /// `DeleteOrganizationalUnit` (must be empty by then).
    DeleteOu { path: String, id: String },
    /// `CreateAccount` (asynchronous), then `MoveAccount` from the root to `parent`.
    CreateAccount {
        name: String,
        email: String,
        parent: Parent,
        tags: Tags,
    },
    /// `MoveAccount`.
    MoveAccount {
        id: AccountId,
        from: Parent,
        to: Parent,
    },
    /// `TagResource` with `set`, `UntagResource` with `remove`.
    Tag {
        target: TagTarget,
        set: Tags,
        remove: Vec<String>,
    },
    /// `EnableAWSServiceAccess`.
    EnableTrustedAccess { principal: String },
    /// `DisableAWSServiceAccess`.
    DisableTrustedAccess { principal: String },
    /// `DeregisterDelegatedAdministrator` for each of `deregister`, then
    /// `RegisterDelegatedAdministrator` for each of `register`.
    DelegatedAdmins {
        principal: String,
        deregister: Vec<AccountId>,
        register: Vec<AccountRef>,
        /// Register/deregister through this service's own API (CloudTrail) instead of
        /// Organizations'.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        via: Option<NativeId>,
    },
    /// `PutResourcePolicy` with the document built from `grants` (ids resolved at apply).
    PutDelegationPolicy {
        grants: Vec<crate::model::desired::DelegationGrant>,
    },
    /// `DeleteResourcePolicy`.
    DeleteDelegationPolicy,
    /// A service's own delegated-admin API (GuardDuty): disable the old admin in each Region
    /// listed, deregister it from Organizations, then enable `admin` in each Region of
    /// `enable` — the order AWS documents for changing the admin.
    ServiceAdmins {
        service: NativeId,
        principal: String,
        admin: AccountRef,
        #[serde(default)]
        disable: Vec<(String, AccountId)>,
        #[serde(default)]
        deregister: Vec<AccountId>,
        enable: Vec<String>,
    },
    /// The outgoing administrator's part of moving a service's admin (GuardDuty): in each
    /// Region, stop auto-enabling members, then disassociate and delete its members.
    ServiceTeardown {
        service: NativeId,
        admin: AccountId,
        regions: Vec<String>,
    },
    /// An IAM Identity Center operation.
    Ic(Box<super::change_ic::IcOp>),
    /// `EnablePolicyType` on the root, then wait until it is ENABLED.
    EnablePolicyType { policy_type: String },
    /// `CreatePolicy`.
    CreatePolicy {
        name: String,
        policy_type: String,
        description: String,
        content: Value,
        #[serde(default)]
        tags: Tags,
    },
    /// `UpdatePolicy` (content and description).
    UpdatePolicy {
        id: String,
        name: String,
        description: String,
        content: Value,
    },
    /// `AttachPolicy` (the policy by name: it may be created earlier in the run).
    AttachPolicy {
        policy: String,
        target: crate::model::vocab::PolicyTarget,
    },
    /// `DetachPolicy`.
    DetachPolicy {
        policy_id: String,
        target_id: String,
    },
    /// `DetachPolicy` from every target, then `DeletePolicy`.
    DeletePolicy { id: String, targets: Vec<String> },
}

/// One planned change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Change {
    /// What the change is to, unique in the plan (`account["sec-ops"]`, `ou["Security"]`,
    /// `policy["deny-leave"]`, `delegated_admin["guardduty.amazonaws.com"]`, …).
    pub address: String,
    /// create, update, delete or replace (delete and replace need `--allow-destroy`).
    pub action: Action,
    /// One line for humans: what happens.
    pub summary: String,
    /// The object as it is (absent for a create).
    pub before: Option<Value>,
    /// The object as it will be (absent for a delete).
    pub after: Option<Value>,
    /// The account whose credentials make the change, and the AWS rule why.
    pub executor: Executor,
    /// high for changes a reviewer must look at twice (see `risk_reason`).
    pub risk: Risk,
    /// Why the risk is high (empty when low).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub risk_reason: String,
    /// Addresses of changes that must be applied first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// What `apply` does, for orgctl itself: not part of the format's promise.
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub op: Op,
}

/// A [`Change`] being built: the required parts first, then what the change does to
/// before/after, its risk and dependencies, and last its operation ([`ChangeDraft::op`]),
/// in the order a reader of the plan meets them.
#[derive(Debug, Clone)]
pub struct ChangeDraft {
    address: String,
    action: Action,
    summary: String,
    before: Option<Value>,
    after: Option<Value>,
    executor: Executor,
    risk: Risk,
    risk_reason: String,
    depends_on: Vec<String>,
}

impl Change {
    /// Starts a low-risk change without before/after states or dependencies.
    pub fn draft(
        address: impl Into<String>,
        action: Action,
        summary: impl Into<String>,
        executor: Executor,
    ) -> ChangeDraft {
        ChangeDraft {
            address: address.into(),
            action,
            summary: summary.into(),
            before: None,
            after: None,
            executor,
            risk: Risk::Low,
            risk_reason: String::new(),
            depends_on: Vec::new(),
        }
    }
}

impl ChangeDraft {
    /// The state before the change (as the plan shows it).
    pub fn before(mut self, v: Value) -> Self {
        self.before = Some(v);
        self
    }

    /// The state after the change.
    pub fn after(mut self, v: Value) -> Self {
        self.after = Some(v);
        self
    }

    /// The state before the change, where there may be none.
    pub fn maybe_before(mut self, v: Option<Value>) -> Self {
        self.before = v;
        self
    }

    /// The state after the change, where there may be none.
    pub fn maybe_after(mut self, v: Option<Value>) -> Self {
        self.after = v;
        self
    }

    /// The review risk, and why (empty when low).
    pub fn risk(mut self, risk: Risk, reason: impl Into<String>) -> Self {
        self.risk = risk;
        self.risk_reason = reason.into();
        self
    }

    /// A high-risk change, and why.
    pub fn high_risk(self, reason: impl Into<String>) -> Self {
        self.risk(Risk::High, reason)
    }

    /// The addresses that must be applied first.
    pub fn depends_on(mut self, deps: Vec<String>) -> Self {
        self.depends_on = deps;
        self
    }

    /// What `apply` does: completes the change.
    pub fn op(self, op: Op) -> Change {
        Change {
            address: self.address,
            action: self.action,
            summary: self.summary,
            before: self.before,
            after: self.after,
            executor: self.executor,
            risk: self.risk,
            risk_reason: self.risk_reason,
            depends_on: self.depends_on,
            op,
        }
    }
}

/// A live object the file does not mention, left alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct UnmanagedItem {
    /// The live object's address.
    pub address: String,
    /// What it is and why it is left alone.
    pub note: String,
}

/// One SCP in force on a target, and where it is attached (the target or an ancestor).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ScpInForce {
    /// The policy's name.
    pub policy: String,
    /// `root`, `ou:PATH` or `account:NAME`: the target itself or an ancestor.
    pub attached_to: String,
}

/// The SCPs in force on a target after the plan (effective-policy preview).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct EffectiveScps {
    /// `root`, `ou:PATH` or `account:NAME`.
    pub target: String,
    /// Every SCP in force on it after the plan.
    pub in_force: Vec<ScpInForce>,
}

/// Counts per action.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Changes that create.
    pub create: usize,
    /// Changes that update in place.
    pub update: usize,
    /// Changes that delete (need `--allow-destroy`).
    pub delete: usize,
    /// Changes that remove and make again (need `--allow-destroy`).
    pub replace: usize,
}

impl Summary {
    pub fn of(changes: &[Change]) -> Self {
        let mut s = Summary::default();
        for c in changes {
            match c.action {
                Action::Create => s.create += 1,
                Action::Update => s.update += 1,
                Action::Delete => s.delete += 1,
                Action::Replace => s.replace += 1,
            }
        }
        s
    }
    pub fn total(&self) -> usize {
        self.create + self.update + self.delete + self.replace
    }
}

/// The whole plan. Renderers consume this and nothing else; the JSON plan file is its
/// serialization.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    /// The format's version ([`FORMAT_VERSION`]): raised only
    /// when a field a reader relies on is removed, renamed or changes meaning.
    pub format_version: u32,
    /// The orgctl that made the plan.
    pub orgctl_version: String,
    /// The organization read (`o-…`); `apply` refuses another.
    pub organization_id: String,
    /// Its management account's id.
    pub management_account_id: String,
    /// Digest of everything the plan read; `apply PLANFILE` refuses if it changed.
    pub live_fingerprint: String,
    /// The same by part (organization, service_admins, identity_center), so an account that
    /// may not read a part checks the rest.
    #[serde(default)]
    pub live_fingerprints: BTreeMap<String, String>,
    /// What the plan read (so `apply` re-reads the same); for orgctl itself.
    #[schemars(with = "serde_json::Map<String, Value>")]
    pub read_scope: crate::live::ReadScope,
    /// Counts of the changes by action.
    pub summary: Summary,
    /// The changes, in execution order.
    pub changes: Vec<Change>,
    /// Live objects the file does not mention, left alone (`unmanaged: report`).
    #[serde(default)]
    pub unmanaged: Vec<UnmanagedItem>,
    /// Things a reviewer should know that change nothing.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// For each target whose directly attached SCPs change: the SCPs in force after the plan,
    /// inherited ones included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub effective_scps: Vec<EffectiveScps>,
    /// Account names → ids known when planning (for display and executor lookup).
    #[serde(default)]
    pub account_ids: BTreeMap<String, String>,
    /// Ids of the accounts a reviewed plan creates that exist by now (an earlier stage or a
    /// killed run made them): AWS may not know them everywhere yet. Set when a saved plan is
    /// applied; never written to the plan file.
    #[serde(skip)]
    pub created_accounts: std::collections::BTreeSet<String>,
    /// Changes left out by `--executor` (other accounts' shares): what depends on them is
    /// not attempted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub omitted: Vec<String>,
    /// Set when the plan was restricted with `--executor`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub executor_filter: Option<String>,
    /// The order between accounts: which account runs which changes, after which stages.
    #[serde(default)]
    pub stages: Vec<super::stages::Stage>,
    /// The desired state the plan was made from (org.yaml with its policy documents), so
    /// `apply plan.json` can re-diff against it: a saved plan stays good while the
    /// organization differs only by the plan's own changes (see `plan::recheck`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<serde_json::Map<String, Value>>")]
    pub desired: Option<crate::model::Desired>,
}

/// The plan file format version this orgctl writes and reads.
pub const FORMAT_VERSION: u32 = 2;
