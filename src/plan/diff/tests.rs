//! `diff` on hand-built live states: greenfield, brownfield, no-op, prune, refusals, and
//! snapshots of the rendered plans (human, Markdown, JSON).

use std::collections::{BTreeMap, BTreeSet};

use crate::live::LiveState;
use crate::plan::change::{Action, Op, Plan, Risk};
use crate::plan::diff::diff;
use crate::plan::order;
use crate::render;
use crate::tests::{add_account, add_ou, desired, empty_org, id, MGMT};

const BROWNFIELD_FILE: &str = r#"organizational_units:
  - path: Security
  - path: Infrastructure
  - path: Workloads/Prod
    tags: { env: prod }
accounts:
  - { name: sec-ops, email: sec@example.com, ou: Security, tags: { team: security } }
  - { name: infra-ops, email: infra@example.com, ou: Infrastructure }
  - { name: networking, email: net@example.com, ou: Infrastructure }
delegations:
  sso: { admin: sec-ops }
  trusted-advisor: { admin: networking }
trusted_access:
  - tagpolicies.tag.amazonaws.com
"#;

/// Accounts in the wrong OUs, a wrong Identity Center admin, an unmanaged OU, account
/// and trusted service.
fn brownfield() -> LiveState {
    let mut l = empty_org();
    add_ou(&mut l, "ou-sec", "Security", "r-root");
    add_ou(&mut l, "ou-sand", "Sandbox", "r-root");
    add_account(
        &mut l,
        "222222222222",
        "sec-ops",
        "SEC@example.com",
        "r-root",
    );
    add_account(
        &mut l,
        "333333333333",
        "infra-ops",
        "infra@example.com",
        "ou-sec",
    );
    add_account(
        &mut l,
        "444444444444",
        "legacy",
        "legacy@example.com",
        "ou-sand",
    );
    l.tags.insert("222222222222".into(), BTreeMap::new());
    l.trusted_access = ["sso.amazonaws.com", "ram.amazonaws.com"]
        .map(String::from)
        .into();
    l.delegated_admins.insert(
        "sso.amazonaws.com".into(),
        BTreeSet::from([id("333333333333")]),
    );
    l
}

pub(super) fn addresses(p: &Plan) -> Vec<(String, Action)> {
    p.changes
        .iter()
        .map(|c| (c.address.clone(), c.action))
        .collect()
}

#[test]
fn brownfield_plan_is_exactly_the_difference_in_aws_order() {
    let p = diff(&desired(BROWNFIELD_FILE), &brownfield()).unwrap();
    let got = addresses(&p);
    let want: Vec<(String, Action)> = [
        (
            "trusted_access[\"reporting.trustedadvisor.amazonaws.com\"]",
            Action::Create,
        ),
        (
            "trusted_access[\"tagpolicies.tag.amazonaws.com\"]",
            Action::Create,
        ),
        ("ou[\"Infrastructure\"]", Action::Create),
        ("ou[\"Workloads\"]", Action::Create),
        ("ou[\"Workloads/Prod\"]", Action::Create),
        ("account[\"networking\"]", Action::Create),
        ("account[\"infra-ops\"]", Action::Update),
        ("account[\"sec-ops\"]", Action::Update),
        ("account[\"sec-ops\"].tags", Action::Update),
        (
            "delegation[\"reporting.trustedadvisor.amazonaws.com\"]",
            Action::Create,
        ),
        ("delegation[\"sso.amazonaws.com\"]", Action::Replace),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), *b))
    .collect();
    assert_eq!(got, want);
    assert!(
        order::violations(&p.changes).is_empty(),
        "{:?}",
        order::violations(&p.changes)
    );
    assert_eq!(
        (
            p.summary.create,
            p.summary.update,
            p.summary.replace,
            p.summary.delete
        ),
        (7, 3, 1, 0)
    );
    let unmanaged: Vec<&str> = p.unmanaged.iter().map(|u| u.address.as_str()).collect();
    assert_eq!(
        unmanaged,
        [
            "account[\"legacy\"]",
            "ou[\"Sandbox\"]",
            "trusted_access[\"ram.amazonaws.com\"]"
        ]
    );
}

#[test]
fn replace_deregisters_the_old_admin_before_registering_the_new_one() {
    let p = diff(&desired(BROWNFIELD_FILE), &brownfield()).unwrap();
    let c = p
        .changes
        .iter()
        .find(|c| c.address == "delegation[\"sso.amazonaws.com\"]")
        .unwrap();
    assert_eq!(c.risk, Risk::High);
    assert!(c.action.is_destructive());
    match &c.op {
        Op::DelegatedAdmins {
            deregister,
            register,
            ..
        } => {
            assert_eq!(deregister, &vec![id("333333333333")]);
            assert_eq!(register.len(), 1);
        }
        other => panic!("{other:?}"),
    }
    assert!(c.summary.starts_with("replace delegated administrator of sso.amazonaws.com: deregister infra-ops (333333333333), then register sec-ops (222222222222)"), "{}", c.summary);
}

#[test]
fn a_new_admin_account_is_created_before_it_is_registered() {
    let p = diff(&desired(BROWNFIELD_FILE), &brownfield()).unwrap();
    let c = p
        .changes
        .iter()
        .find(|c| c.address == "delegation[\"reporting.trustedadvisor.amazonaws.com\"]")
        .unwrap();
    assert_eq!(
        c.depends_on,
        vec![
            "account[\"networking\"]".to_string(),
            "trusted_access[\"reporting.trustedadvisor.amazonaws.com\"]".to_string()
        ]
    );
}

#[test]
fn every_change_names_the_management_account_and_the_aws_rule() {
    let p = diff(&desired(BROWNFIELD_FILE), &brownfield()).unwrap();
    for c in &p.changes {
        assert_eq!(c.executor.account_id, MGMT, "{}", c.address);
        assert_eq!(c.executor.account_name, "management");
        assert!(
            c.executor.why.contains("management account")
                && c.executor.why.contains("Organizations")
                || c.executor.why.contains("AWS reserves"),
            "{}",
            c.executor.why
        );
    }
}

#[test]
fn moves_are_high_risk_and_say_from_where_to_where() {
    let p = diff(&desired(BROWNFIELD_FILE), &brownfield()).unwrap();
    let c = p
        .changes
        .iter()
        .find(|c| c.address == "account[\"infra-ops\"]")
        .unwrap();
    assert_eq!(c.risk, Risk::High);
    assert_eq!(
        c.summary,
        "move account 333333333333 from Security to Infrastructure"
    );
    assert_eq!(c.depends_on, vec!["ou[\"Infrastructure\"]".to_string()]);
}

/// The live state `apply` would leave behind for the brownfield file.
fn converged() -> LiveState {
    let mut l = brownfield();
    add_ou(&mut l, "ou-inf", "Infrastructure", "r-root");
    add_ou(&mut l, "ou-wl", "Workloads", "r-root");
    add_ou(&mut l, "ou-prod", "Prod", "ou-wl");
    l.tags.insert(
        "ou-prod".into(),
        BTreeMap::from([("env".to_string(), "prod".to_string())]),
    );
    l.accounts.get_mut(&id("222222222222")).unwrap().parent_id = "ou-sec".into();
    l.accounts.get_mut(&id("333333333333")).unwrap().parent_id = "ou-inf".into();
    add_account(
        &mut l,
        "555555555555",
        "networking",
        "net@example.com",
        "ou-inf",
    );
    l.tags.insert(
        "222222222222".into(),
        BTreeMap::from([("team".to_string(), "security".to_string())]),
    );
    l.trusted_access.extend([
        "reporting.trustedadvisor.amazonaws.com".to_string(),
        "tagpolicies.tag.amazonaws.com".to_string(),
    ]);
    l.delegated_admins.insert(
        "sso.amazonaws.com".into(),
        BTreeSet::from([id("222222222222")]),
    );
    l.delegated_admins.insert(
        "reporting.trustedadvisor.amazonaws.com".into(),
        BTreeSet::from([id("555555555555")]),
    );
    l
}

#[test]
fn converged_organization_plans_no_changes() {
    let p = diff(&desired(BROWNFIELD_FILE), &converged()).unwrap();
    assert!(p.changes.is_empty(), "{:?}", addresses(&p));
    assert_eq!(p.summary.total(), 0);
    assert_eq!(p.unmanaged.len(), 3, "unmanaged objects are still listed");
}

#[test]
fn greenfield_creates_parents_first_and_trusted_access_first() {
    let p = diff(&desired(BROWNFIELD_FILE), &empty_org()).unwrap();
    assert!(order::violations(&p.changes).is_empty());
    let pos = |a: &str| {
        p.changes
            .iter()
            .position(|c| c.address == a)
            .unwrap_or_else(|| panic!("{a} missing"))
    };
    assert!(pos("ou[\"Workloads\"]") < pos("ou[\"Workloads/Prod\"]"));
    assert!(
        pos("trusted_access[\"sso.amazonaws.com\"]") < pos("delegation[\"sso.amazonaws.com\"]")
    );
    assert!(pos("ou[\"Security\"]") < pos("account[\"sec-ops\"]"));
    assert!(pos("account[\"sec-ops\"]") < pos("delegation[\"sso.amazonaws.com\"]"));
    assert!(p.changes.iter().all(|c| c.action == Action::Create));
    let c = &p.changes[pos("account[\"sec-ops\"]")];
    assert_eq!(
        c.after.as_ref().unwrap()["tags"]["team"],
        "security",
        "tags travel with CreateAccount"
    );
}

#[test]
fn absence_is_not_deletion_but_prune_deletes_in_safe_order() {
    let mut l = converged();
    add_ou(&mut l, "ou-empty", "Old", "r-root");
    add_ou(&mut l, "ou-empty2", "Child", "ou-empty");
    l.tags
        .get_mut("222222222222")
        .unwrap()
        .insert("stale".into(), "x".into());
    l.delegated_admins.insert(
        "ssm.amazonaws.com".into(),
        BTreeSet::from([id("444444444444")]),
    );
    l.trusted_access.insert("ssm.amazonaws.com".into());
    let report = diff(&desired(BROWNFIELD_FILE), &l).unwrap();
    assert!(report.changes.is_empty(), "{:?}", addresses(&report));
    let mut d = desired(BROWNFIELD_FILE);
    d.unmanaged = crate::model::desired::Unmanaged::Prune;
    let p = diff(&d, &l).unwrap();
    let got = addresses(&p);
    assert_eq!(
        got,
        [
            ("account[\"sec-ops\"].tags[\"stale\"]", Action::Delete),
            ("delegation[\"ssm.amazonaws.com\"]", Action::Delete),
            ("trusted_access[\"ram.amazonaws.com\"]", Action::Delete),
            ("trusted_access[\"ssm.amazonaws.com\"]", Action::Delete),
            ("ou[\"Old/Child\"]", Action::Delete),
            ("ou[\"Old\"]", Action::Delete),
        ]
        .map(|(a, b)| (a.to_string(), b))
    );
    assert!(order::violations(&p.changes).is_empty());
    // Sandbox still holds the unmanaged account `legacy`: never deleted, and the plan says why.
    assert!(
        p.warnings
            .iter()
            .any(|w| w.contains("ou[\"Sandbox\"]") && w.contains("still holds accounts")),
        "{:?}",
        p.warnings
    );
    // Accounts are never closed, even under prune.
    assert!(p
        .unmanaged
        .iter()
        .any(|u| u.address == "account[\"legacy\"]"));
    assert!(p
        .changes
        .iter()
        .all(|c| c.action.is_destructive() && c.risk == Risk::High));
}

#[test]
fn service_api_delegations_are_refused_with_the_mechanism_named() {
    let head_regions = "accounts:\n  - { name: sec-ops, email: sec@example.com, ou: root }\ndelegations:\n  security-ir: { admin: sec-ops }\n";
    let e = diff(&desired(head_regions), &empty_org()).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("delegation[\"security-ir.amazonaws.com\"]")
            && msg.contains("security-ir:CreateMembership"),
        "{msg}"
    );
}

#[test]
fn adopting_an_id_outside_the_organization_is_an_error() {
    let e = diff(
        &desired("accounts:\n  - { name: x, id: \"999999999999\", ou: root }\n"),
        &empty_org(),
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("account id 999999999999 is not a member of organization o-test"),
        "{e}"
    );
}

#[test]
fn adopted_account_by_id_with_another_live_name_is_a_warning() {
    let mut l = empty_org();
    add_account(
        &mut l,
        "222222222222",
        "Old Name",
        "x@example.com",
        "r-root",
    );
    let p = diff(
        &desired("accounts:\n  - { name: app, id: \"222222222222\", ou: root }\n"),
        &l,
    )
    .unwrap();
    assert!(p.changes.is_empty());
    assert!(
        p.warnings.iter().any(|w| w.contains("is named `Old Name`")),
        "{:?}",
        p.warnings
    );
}

#[test]
fn adding_an_admin_where_several_are_allowed_is_an_update() {
    let mut l = empty_org();
    add_account(&mut l, "222222222222", "a", "a@example.com", "r-root");
    add_account(&mut l, "333333333333", "b", "b@example.com", "r-root");
    l.trusted_access.insert("config.amazonaws.com".into());
    l.delegated_admins.insert(
        "config.amazonaws.com".into(),
        BTreeSet::from([id("222222222222")]),
    );
    let f = "accounts:\n  - { name: a, email: a@example.com, ou: root }\n  - { name: b, email: b@example.com, ou: root }\ndelegations:\n  config: { admins: [a, b] }\n";
    let p = diff(&desired(f), &l).unwrap();
    assert_eq!(
        addresses(&p),
        vec![(
            "delegation[\"config.amazonaws.com\"]".to_string(),
            Action::Update
        )]
    );
    assert_eq!(p.changes[0].risk, Risk::Low);
}

#[test]
fn diff_is_deterministic() {
    let (d, l) = (desired(BROWNFIELD_FILE), brownfield());
    let a = serde_json::to_string(&diff(&d, &l).unwrap()).unwrap();
    let b = serde_json::to_string(&diff(&d, &l).unwrap()).unwrap();
    assert_eq!(a, b);
}

fn snapshot_plan() -> Plan {
    let mut p = diff(&desired(BROWNFIELD_FILE), &brownfield()).unwrap();
    p.orgctl_version = "0.0.0-test".into();
    p
}

#[test]
fn snapshot_human() {
    insta::assert_snapshot!(render::human::plan(&snapshot_plan(), false));
}

#[test]
fn snapshot_markdown() {
    insta::assert_snapshot!(render::markdown::plan(
        &snapshot_plan(),
        render::markdown::DEFAULT_MAX_CHARS
    ));
}

#[test]
fn snapshot_json() {
    insta::assert_snapshot!(render::json(&snapshot_plan()));
}

#[test]
fn no_changes_renders_as_such() {
    let p = diff(&desired(BROWNFIELD_FILE), &converged()).unwrap();
    assert!(
        render::human::plan(&p, false).contains("No changes. The organization matches the file.")
    );
    assert!(
        render::markdown::plan(&p, render::markdown::DEFAULT_MAX_CHARS).contains("**No changes.**")
    );
}

const DELEGATION: &str = "accounts:\n  - { name: sec-ops, email: sec@example.com, ou: root }\norganizations_delegation:\n  - account: sec-ops\n    allow: [policies]\n    policy_types: [SERVICE_CONTROL_POLICY]\n";

pub(super) fn with_sec_ops() -> LiveState {
    let mut l = empty_org();
    add_account(
        &mut l,
        "222222222222",
        "sec-ops",
        "sec@example.com",
        "r-root",
    );
    l
}

#[test]
fn delegation_policy_is_created_then_converges() {
    let mut l = with_sec_ops();
    let p = diff(&desired(DELEGATION), &l).unwrap();
    assert_eq!(
        addresses(&p),
        vec![("organizations_delegation".to_string(), Action::Create)]
    );
    let c = &p.changes[0];
    assert_eq!(c.risk, Risk::High);
    assert!(c.executor.why.contains("PutResourcePolicy"));
    let after = c.after.clone().unwrap();
    // Shown in canonical form (principals as lists, sorted), so a diff shows only real changes.
    assert_eq!(
        after["Statement"][0]["Principal"]["AWS"],
        serde_json::json!(["arn:aws:iam::222222222222:root"])
    );
    // AWS returns the document as stored, possibly reformatted: still no change.
    l.delegation_policy = Some(serde_json::to_string_pretty(&after).unwrap());
    assert!(diff(&desired(DELEGATION), &l).unwrap().changes.is_empty());
}

#[test]
fn a_changed_grant_is_an_update_with_the_difference_shown() {
    let mut l = with_sec_ops();
    let old = diff(&desired(DELEGATION), &l).unwrap().changes[0]
        .after
        .clone()
        .unwrap();
    l.delegation_policy = Some(old.to_string());
    let p = diff(
        &desired(&DELEGATION.replace(
            "[SERVICE_CONTROL_POLICY]",
            "[SERVICE_CONTROL_POLICY, TAG_POLICY]",
        )),
        &l,
    )
    .unwrap();
    assert_eq!(
        addresses(&p),
        vec![("organizations_delegation".to_string(), Action::Update)]
    );
    let text = render::human::plan(&p, false);
    assert!(
        text.lines()
            .any(|l| l.trim() == "+             \"TAG_POLICY\""
                || (l.trim_start().starts_with('+') && l.contains("\"TAG_POLICY\""))),
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.trim_start().starts_with('-') && l.contains("OrgctlRead")),
        "unchanged statements are not shown as removed:\n{text}"
    );
}

#[test]
fn an_undeclared_delegation_policy_is_listed_or_pruned() {
    let mut l = with_sec_ops();
    l.delegation_policy = Some(r#"{"Version":"2012-10-17","Statement":[]}"#.into());
    let p = diff(
        &desired("accounts:\n  - { name: sec-ops, email: sec@example.com, ou: root }\n"),
        &l,
    )
    .unwrap();
    assert!(p.changes.is_empty());
    assert!(p
        .unmanaged
        .iter()
        .any(|u| u.address == "organizations_delegation"));
    let mut d = desired("accounts:\n  - { name: sec-ops, email: sec@example.com, ou: root }\n");
    d.unmanaged = crate::model::desired::Unmanaged::Prune;
    let p = diff(&d, &l).unwrap();
    assert_eq!(
        addresses(&p),
        vec![("organizations_delegation".to_string(), Action::Delete)]
    );
}

#[test]
fn a_grant_to_an_account_created_by_the_plan_waits_for_it() {
    let p = diff(&desired(DELEGATION), &empty_org()).unwrap();
    let c = p
        .changes
        .iter()
        .find(|c| c.address == "organizations_delegation")
        .unwrap();
    assert_eq!(c.depends_on, vec!["account[\"sec-ops\"]".to_string()]);
    assert!(order::violations(&p.changes).is_empty());
}

fn guardduty_file(admin: &str) -> String {
    format!("accounts:\n  - {{ name: sec-ops, email: sec@example.com, ou: root }}\n  - {{ name: infra-ops, email: infra@example.com, ou: root }}\ndelegations:\n  guardduty: {{ admin: {admin}, regions: [us-east-1, eu-west-1] }}\n")
}

fn gd_live() -> LiveState {
    let mut l = with_sec_ops();
    add_account(
        &mut l,
        "333333333333",
        "infra-ops",
        "infra@example.com",
        "r-root",
    );
    l.trusted_access.insert("guardduty.amazonaws.com".into());
    l
}

#[test]
fn guardduty_is_designated_per_region_where_missing() {
    let mut l = gd_live();
    l.service_admins
        .entry("guardduty.amazonaws.com".into())
        .or_default()
        .insert(
            "us-east-1".into(),
            BTreeMap::from([("222222222222".to_string(), "ENABLED".to_string())]),
        );
    l.delegated_admins.insert(
        "guardduty.amazonaws.com".into(),
        BTreeSet::from([id("222222222222")]),
    );
    let p = diff(&desired(&guardduty_file("sec-ops")), &l).unwrap();
    assert_eq!(
        addresses(&p),
        vec![(
            "delegation[\"guardduty.amazonaws.com\"].region[\"eu-west-1\"]".to_string(),
            Action::Create
        )]
    );
    match &p.changes[0].op {
        Op::ServiceAdmins {
            service,
            enable,
            disable,
            ..
        } => {
            assert_eq!(
                (service.as_str(), enable.as_slice(), disable.len()),
                ("guardduty", ["eu-west-1".to_string()].as_slice(), 0)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(p.changes[0]
        .executor
        .why
        .contains("Enable/DisableOrganizationAdminAccount"));
}

#[test]
fn moving_guardduty_is_one_replace_that_tears_down_region_by_region() {
    let mut l = gd_live();
    for r in ["us-east-1", "eu-west-1"] {
        l.service_admins
            .entry("guardduty.amazonaws.com".into())
            .or_default()
            .insert(
                r.into(),
                BTreeMap::from([("222222222222".to_string(), "ENABLED".to_string())]),
            );
    }
    l.delegated_admins.insert(
        "guardduty.amazonaws.com".into(),
        BTreeSet::from([id("222222222222")]),
    );
    let p = diff(&desired(&guardduty_file("infra-ops")), &l).unwrap();
    let teardown = "delegation[\"guardduty.amazonaws.com\"].teardown[\"222222222222\"]";
    assert_eq!(
        addresses(&p),
        vec![
            (teardown.to_string(), Action::Delete),
            (
                "delegation[\"guardduty.amazonaws.com\"]".to_string(),
                Action::Replace
            )
        ]
    );
    // AWS's first step is the old admin's: stop auto-enable, remove its members, per Region.
    let t = &p.changes[0];
    assert_eq!(t.executor.account_id, "222222222222");
    assert!(
        matches!(&t.op, Op::ServiceTeardown { regions, .. } if regions == &["eu-west-1".to_string(), "us-east-1".to_string()])
    );
    let c = &p.changes[1];
    assert!(c.summary.contains(teardown), "{}", c.summary);
    assert_eq!(c.risk, Risk::High);
    match &c.op {
        Op::ServiceAdmins {
            disable,
            deregister,
            enable,
            ..
        } => {
            assert_eq!(
                disable,
                &vec![
                    ("eu-west-1".to_string(), id("222222222222")),
                    ("us-east-1".to_string(), id("222222222222"))
                ]
            );
            assert_eq!(deregister, &vec![id("222222222222")]);
            assert_eq!(
                enable,
                &vec!["eu-west-1".to_string(), "us-east-1".to_string()]
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(c.summary.contains("disable sec-ops (222222222222) in eu-west-1, us-east-1, deregister it from Organizations, then enable infra-ops (333333333333)"), "{}", c.summary);
}

#[test]
fn trusted_access_a_delegation_enabled_itself_is_not_pruned() {
    let mut l = gd_live();
    l.trusted_access.insert("macie.amazonaws.com".into());
    for r in ["us-east-1", "eu-west-1"] {
        l.service_admins
            .entry("macie.amazonaws.com".into())
            .or_default()
            .insert(
                r.into(),
                BTreeMap::from([("222222222222".to_string(), "ENABLED".to_string())]),
            );
    }
    l.delegated_admins.insert(
        "macie.amazonaws.com".into(),
        BTreeSet::from([id("222222222222")]),
    );
    let f = "accounts:\n  - { name: sec-ops, email: sec@example.com, ou: root }\ndelegations:\n  macie: { admin: sec-ops, regions: [us-east-1, eu-west-1] }\n";
    let mut d = desired(f);
    d.unmanaged = crate::model::desired::Unmanaged::Prune;
    let p = diff(&d, &l).unwrap();
    assert!(
        !p.changes
            .iter()
            .any(|c| c.address == "trusted_access[\"macie.amazonaws.com\"]"),
        "{:?}",
        addresses(&p)
    );
    assert!(!p
        .unmanaged
        .iter()
        .any(|u| u.address == "trusted_access[\"macie.amazonaws.com\"]"));
}
