//! Names to ids during a run: the live ones, plus what the run creates (an OU or account
//! created earlier in the run is used by later changes).

use std::collections::{BTreeMap, BTreeSet};

use super::error::ApplyError;
use super::ic;
use crate::live::LiveState;
use crate::model::vocab::{AccountId, AccountRef, Parent};
use crate::plan::change::Plan;

/// Ids known during a run: live ones plus what the run creates.
pub(crate) struct Resolver {
    pub(crate) root_id: String,
    pub(crate) ou_ids: BTreeMap<String, String>,
    pub(crate) account_ids: BTreeMap<String, AccountId>,
    /// Policy name → id (live, plus those created by the run).
    pub(crate) policy_ids: BTreeMap<String, String>,
    /// Identity Center ids, when it was read.
    pub(crate) ic: Option<ic::IcIds>,
    /// Accounts this plan created (this run, or an earlier stage): AWS may not know them
    /// everywhere yet.
    pub(crate) fresh: BTreeSet<AccountId>,
}

impl Resolver {
    pub(crate) fn new(plan: &Plan, live: &LiveState) -> Self {
        let ou_ids = live
            .ous
            .values()
            .map(|o| (o.path.clone(), o.id.clone()))
            .collect();
        let mut account_ids: BTreeMap<String, AccountId> = live
            .accounts
            .values()
            .map(|a| (a.name.clone(), a.id.clone()))
            .collect();
        for (n, id) in &plan.account_ids {
            if let Some(id) = AccountId::parse(id) {
                account_ids.insert(n.clone(), id);
            }
        }
        // Only accounts the plan created: an earlier stage's (the run adds its own as it
        // creates them). Every other account is old, and "not found" about it is final.
        let fresh: BTreeSet<AccountId> = plan
            .created_accounts
            .iter()
            .filter_map(|id| AccountId::parse(id))
            .collect();
        let policy_ids = live
            .policies
            .values()
            .map(|p| (p.name.clone(), p.id.clone()))
            .collect();
        Resolver {
            root_id: live.root_id.clone(),
            ou_ids,
            account_ids,
            policy_ids,
            ic: live.identity_center.as_ref().map(ic::IcIds::of),
            fresh,
        }
    }

    pub(crate) fn parent(&self, p: &Parent) -> Result<String, ApplyError> {
        match p {
            Parent::Root => Ok(self.root_id.clone()),
            Parent::Ou(path) => self.ou_ids.get(path).cloned().ok_or_else(|| {
                ApplyError::Unresolved(format!(
                    "OU {path} does not exist (was its creation skipped?)"
                ))
            }),
        }
    }

    pub(crate) fn account(&self, r: &AccountRef) -> Result<AccountId, ApplyError> {
        match r {
            AccountRef::Id(id) => Ok(id.clone()),
            AccountRef::Name(n) => self.account_ids.get(n).cloned().ok_or_else(|| {
                ApplyError::Unresolved(format!(
                    "account {n} has no id yet (was its creation skipped?)"
                ))
            }),
        }
    }

    pub(crate) fn target(
        &self,
        t: &crate::model::vocab::PolicyTarget,
    ) -> Result<String, ApplyError> {
        use crate::model::vocab::PolicyTarget;
        match t {
            PolicyTarget::Root => Ok(self.root_id.clone()),
            PolicyTarget::Ou(p) => self.parent(&Parent::Ou(p.clone())),
            PolicyTarget::Account(a) => self.account(a).map(|i| i.to_string()),
        }
    }

    pub(crate) fn policy(&self, name: &str) -> Result<String, ApplyError> {
        self.policy_ids.get(name).cloned().ok_or_else(|| {
            ApplyError::Unresolved(format!(
                "policy {name} has no id yet (was its creation skipped?)"
            ))
        })
    }
}
