//! Helpers shared by unit tests: a desired state from YAML, hand-built live states.

use crate::live::{LiveAccount, LiveOu, LiveState, OrgInfo};
use crate::model::desired::{AccountId, Desired};
use crate::model::load_str;

pub const MGMT: &str = "111111111111";

pub fn id(s: &str) -> AccountId {
    AccountId::parse(s).unwrap()
}

/// A desired state from the sections after `organization:`.
pub fn desired(yaml: &str) -> Desired {
    let head = format!("version: 1\norganization:\n  management_account_id: \"{MGMT}\"\n");
    load_str("org.yaml", &format!("{head}{yaml}"))
        .unwrap_or_else(|e| panic!("{e:?}"))
        .desired
}

/// An organization with only the management account.
pub fn empty_org() -> LiveState {
    let mut l = LiveState {
        organization: OrgInfo {
            id: "o-test".into(),
            arn: "arn:aws:organizations::111111111111:organization/o-test".into(),
            management_account_id: MGMT.into(),
            feature_set: "ALL".into(),
        },
        root_id: "r-root".into(),
        ..Default::default()
    };
    add_account(&mut l, MGMT, "management", "root@example.com", "r-root");
    l
}

pub fn add_ou(l: &mut LiveState, id: &str, name: &str, parent: &str) {
    l.ous.insert(
        id.into(),
        LiveOu {
            id: id.into(),
            name: name.into(),
            parent_id: parent.into(),
            path: String::new(),
        },
    );
    l.compute_paths();
}

pub fn add_account(l: &mut LiveState, aid: &str, name: &str, email: &str, parent: &str) {
    l.accounts.insert(
        id(aid),
        LiveAccount {
            id: id(aid),
            name: name.into(),
            email: email.into(),
            status: "ACTIVE".into(),
            parent_id: parent.into(),
        },
    );
}
