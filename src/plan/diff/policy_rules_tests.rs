//! `diff` against AWS's per-type policy rules: attachment limits counting the undetachable
//! RCPFullAWSAccess, the tag-policy limit of 10, and the trusted access a policy type needs
//! (enabled first; never disabled while the type is enabled).

use crate::live::{LivePolicy, LiveState};
use crate::model::desired::Unmanaged;
use crate::plan::change::Action;
use crate::plan::diff::diff;
use crate::plan::order;
use crate::tests::{add_ou, desired, empty_org};

fn live_policy(id: &str, name: &str, ty: &str, managed: bool, targets: &[&str]) -> LivePolicy {
    LivePolicy {
        id: id.into(),
        name: name.into(),
        policy_type: ty.into(),
        description: String::new(),
        aws_managed: managed,
        content: "{}".into(),
        targets: targets.iter().map(|s| s.to_string()).collect(),
        tags: None,
    }
}

fn org_with_rcps(customer: usize) -> LiveState {
    let mut l = empty_org();
    add_ou(&mut l, "ou-wl", "Workloads", "r-root");
    l.root_policy_types
        .insert("RESOURCE_CONTROL_POLICY".into(), "ENABLED".into());
    l.policies.insert(
        "p-rcpfull".into(),
        live_policy(
            "p-rcpfull",
            "RCPFullAWSAccess",
            "RESOURCE_CONTROL_POLICY",
            true,
            &["r-root", "ou-wl"],
        ),
    );
    for i in 0..customer {
        let id = format!("p-r{i}");
        l.policies.insert(
            id.clone(),
            live_policy(
                &id,
                &format!("live-rcp-{i}"),
                "RESOURCE_CONTROL_POLICY",
                false,
                &["ou-wl"],
            ),
        );
    }
    l
}

const RCP: &str = "{Version: \"2012-10-17\", Statement: [{Effect: Deny, Principal: \"*\", Action: \"s3:*\", Resource: \"*\", Condition: {Bool: {\"aws:SecureTransport\": \"false\"}}}]}";

fn rcp_file() -> String {
    format!("organizational_units:\n  - path: Workloads\npolicies:\n  - name: tls-only\n    type: RESOURCE_CONTROL_POLICY\n    content: {RCP}\n    targets: [\"ou:Workloads\"]\n")
}

#[test]
fn rcpfullawsaccess_takes_one_of_the_five_rcp_places() {
    // Three customer RCPs + RCPFullAWSAccess + the new one = 5: allowed.
    let p = diff(&desired(&rcp_file()), &org_with_rcps(3)).unwrap();
    assert!(p
        .changes
        .iter()
        .any(|c| c.address == "policy[\"tls-only\"].attachment[\"ou:Workloads\"]"));
    // Four customer RCPs + RCPFullAWSAccess + the new one = 6: refused, naming the default.
    let e = diff(&desired(&rcp_file()), &org_with_rcps(4))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("ou:Workloads: 5 RESOURCE_CONTROL_POLICY policies would be attached (live-rcp-0, live-rcp-1, live-rcp-2, live-rcp-3, tls-only) plus RCPFullAWSAccess, which AWS keeps attached; AWS allows at most 5"),
        "{e}"
    );
}

#[test]
fn rcpfullawsaccess_is_never_detached_even_under_prune() {
    let mut d = desired(&rcp_file());
    d.unmanaged = Unmanaged::Prune;
    let p = diff(&d, &org_with_rcps(0)).unwrap();
    assert!(
        p.changes
            .iter()
            .all(|c| !c.address.contains("RCPFullAWSAccess")),
        "{:?}",
        p.changes.iter().map(|c| &c.address).collect::<Vec<_>>()
    );
}

#[test]
fn more_than_ten_tag_policies_on_a_target_is_refused() {
    let mut l = empty_org();
    l.root_policy_types
        .insert("TAG_POLICY".into(), "ENABLED".into());
    for i in 0..10 {
        let id = format!("p-t{i}");
        l.policies.insert(
            id.clone(),
            live_policy(
                &id,
                &format!("live-tag-{i}"),
                "TAG_POLICY",
                false,
                &["r-root"],
            ),
        );
    }
    let f = "policies:\n  - name: one-more\n    type: TAG_POLICY\n    content: {tags: {team: {tag_key: {\"@@assign\": Team}}}}\n    targets: [root]\n";
    let e = diff(&desired(f), &l).unwrap_err().to_string();
    assert!(
        e.contains("root: 11 TAG_POLICY policies would be attached"),
        "{e}"
    );
    assert!(e.contains("AWS allows at most 10"), "{e}");
}

const HUB: &str = "policies:\n  - name: hub\n    type: SECURITYHUB_POLICY\n    content: {securityhub: {enable_in_regions: {\"@@assign\": [eu-west-1]}, disable_in_regions: {\"@@assign\": []}}}\n    targets: [root]\n";

#[test]
fn a_service_policy_type_waits_for_its_trusted_access() {
    let p = diff(&desired(HUB), &empty_org()).unwrap();
    let ta = p
        .changes
        .iter()
        .find(|c| c.address == "trusted_access[\"securityhub.amazonaws.com\"]")
        .expect("trusted access is planned");
    assert_eq!(ta.action, Action::Create);
    assert!(
        ta.summary
            .contains("needed before enabling the SECURITYHUB_POLICY policy type"),
        "{}",
        ta.summary
    );
    let ty = p
        .changes
        .iter()
        .find(|c| c.address == "policy_type[\"SECURITYHUB_POLICY\"]")
        .unwrap();
    assert!(ty.depends_on.contains(&ta.address), "{:?}", ty.depends_on);
    assert!(order::violations(&p.changes).is_empty());

    // Trusted access already on: nothing to wait for.
    let mut l = empty_org();
    l.trusted_access.insert("securityhub.amazonaws.com".into());
    let p = diff(&desired(HUB), &l).unwrap();
    let ty = p
        .changes
        .iter()
        .find(|c| c.address == "policy_type[\"SECURITYHUB_POLICY\"]")
        .unwrap();
    assert!(ty.depends_on.is_empty(), "{:?}", ty.depends_on);
}

#[test]
fn trusted_access_is_not_disabled_while_its_policy_type_is_enabled() {
    let mut l = empty_org();
    l.trusted_access.insert("securityhub.amazonaws.com".into());
    l.root_policy_types
        .insert("SECURITYHUB_POLICY".into(), "ENABLED".into());
    let mut d = desired("");
    d.unmanaged = Unmanaged::Prune;
    let e = diff(&d, &l).unwrap_err().to_string();
    assert!(
        e.contains("trusted_access[\"securityhub.amazonaws.com\"]: trusted access cannot be disabled while the SECURITYHUB_POLICY policy type is enabled (AWS: POLICY_TYPE_ENABLED_FOR_THIS_SERVICE)"),
        "{e}"
    );
    assert!(e.contains("aws organizations disable-policy-type --root-id r-root --policy-type SECURITYHUB_POLICY"), "{e}");
    // Without the policy type, prune disables it as before.
    l.root_policy_types.clear();
    let p = diff(&d, &l).unwrap();
    assert!(p.changes.iter().any(
        |c| c.address == "trusted_access[\"securityhub.amazonaws.com\"]"
            && c.action == Action::Delete
    ));
}
