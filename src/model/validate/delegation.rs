//! Validation of `organizations_delegation:`: each grant names a declared member account
//! (never the management account), allows only what AWS lets the delegation policy grant
//! (actions reserved to the management account are rejected, as AWS would with
//! UNSUPPORTED_ACTION_IN_RESOURCE_POLICY), and lists valid policy types.

use super::common::{account_ref, is_management};
use crate::model::desired::{DelegationGrant, Desired};
use crate::model::diag::{did_you_mean, Diagnostics};
use crate::model::schema::OrgFile;

pub(super) fn organizations_delegation(file: &OrgFile, d: &mut Diagnostics, out: &mut Desired) {
    use crate::catalog::orgs_delegation::{
        DELEGABLE, MANAGEMENT_ONLY, POLICY_ACTIONS, POLICY_TYPES, READ_ACTIONS,
    };
    let Some(entries) = &file.organizations_delegation else {
        return;
    };
    let mgmt = file.organization.management_account_id.value.trim();
    let mut grants: Vec<DelegationGrant> = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let base = format!("organizations_delegation[{i}]");
        let name = e.account.value.trim();
        let Some(account) = account_ref(name, &out.accounts) else {
            let hint = match did_you_mean(name, out.accounts.keys().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`? Otherwise declare the account under `accounts:` or give its 12-digit id"),
                None => "declare the account under `accounts:` or give its 12-digit id".into(),
            };
            d.error(
                &e.account,
                &format!("{base}.account"),
                format!("`{name}` names no declared account"),
                hint,
            );
            continue;
        };
        let is_mgmt = is_management(&account, mgmt, &out.accounts);
        if is_mgmt {
            d.error(&e.account, &format!("{base}.account"), "the management account already holds every permission; the delegation policy names member accounts", "name a member account");
            continue;
        }
        if grants.iter().any(|g| g.account == account) {
            d.error(
                &e.account,
                &format!("{base}.account"),
                format!("`{name}` has two entries"),
                "merge them into one entry",
            );
            continue;
        }
        let mut g = DelegationGrant {
            account,
            actions: READ_ACTIONS.iter().map(|s| s.to_string()).collect(),
            policy_actions: Default::default(),
            policy_types: Default::default(),
        };
        for a in &e.allow.value {
            let a = a.trim();
            if a == "policies" {
                g.policy_actions
                    .extend(POLICY_ACTIONS.iter().map(|s| s.to_string()));
                continue;
            }
            let action = a.strip_prefix("organizations:").unwrap_or(a);
            if MANAGEMENT_ONLY.contains(&action) {
                d.error(&e.allow, &format!("{base}.allow"), format!("`organizations:{action}` cannot be delegated: AWS reserves it to the management account (UNSUPPORTED_ACTION_IN_RESOURCE_POLICY)"), "remove it; run that change from the management account");
            } else if DELEGABLE.contains(&action) {
                g.actions.insert(action.to_string());
            } else {
                let hint = did_you_mean(action, DELEGABLE.iter().copied())
                    .map(|s| format!("did you mean `organizations:{s}`?"))
                    .unwrap_or_else(|| {
                        "use `policies` or a delegable action such as organizations:TagResource"
                            .into()
                    });
                d.error(
                    &e.allow,
                    &format!("{base}.allow"),
                    format!("`{a}` is not an action AWS lets the delegation policy grant"),
                    hint,
                );
            }
        }
        match &e.policy_types {
            Some(t) => {
                for ty in &t.value {
                    if POLICY_TYPES.contains(&ty.as_str()) {
                        g.policy_types.insert(ty.clone());
                    } else {
                        let hint = did_you_mean(ty, POLICY_TYPES.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"))
                            .unwrap_or_else(|| format!("use one of {}", POLICY_TYPES.join(", ")));
                        d.error(
                            t,
                            &format!("{base}.policy_types"),
                            format!("`{ty}` is not an Organizations policy type"),
                            hint,
                        );
                    }
                }
                if g.policy_actions.is_empty() && !t.value.is_empty() {
                    d.warning(
                        t,
                        &format!("{base}.policy_types"),
                        "policy_types has no effect without `allow: [policies]`",
                        "add `policies` to `allow`, or remove policy_types",
                    );
                }
            }
            None if !g.policy_actions.is_empty() => {
                d.error(
                    &e.allow,
                    &format!("{base}.policy_types"),
                    "`allow: [policies]` needs the policy types it covers",
                    "add e.g. `policy_types: [SERVICE_CONTROL_POLICY, TAG_POLICY]`",
                );
            }
            None => {}
        }
        grants.push(g);
    }
    grants.sort();
    out.organizations_delegation = Some(grants);
}
