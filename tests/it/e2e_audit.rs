//! End to end, the audit (issue 13, part 3) on the demo's brownfield organization, against an
//! expectation checked by hand from what emulator/seed.py makes (and one call of the test):
//! GuardDuty is administered by infra-ops (no finding); Trusted Advisor by infra-ops (none);
//! RAM has trusted access but no delegated administrator exists for it (not a finding: AWS
//! offers none); AWS Backup has trusted access (enabled by the test) and no delegated
//! administrator although AWS offers one (a finding); SCPs are enabled and no delegation
//! policy exists (a finding); Identity Center has no delegated administrator (a finding). A
//! small file whose policy and Identity Center changes the management account would run shows
//! them as changes that could move. With the example file, the plan's management-account
//! changes are the ones AWS reserves to it, and, once applied, the findings are gone.

use crate::e2e::apply_stages;
use crate::emulator::{example, Emulator};

fn kinds(v: &serde_json::Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap().to_string(),
                f["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn the_audit_of_the_demo_brownfield_matches_the_hand_checked_findings() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    emu.seed(&["demo", "--legacy"]);
    // SCPs are enabled asynchronously (R11): wait until the root says ENABLED.
    std::thread::sleep(std::time::Duration::from_millis(500));
    // AWS Backup: trusted access on, no delegated administrator (the example delegates it).
    emu.mgmt()
        .enable_aws_service_access()
        .service_principal("backup.amazonaws.com")
        .send()
        .await
        .unwrap();
    let r = emu.orgctl(&["audit", "--format", "json"]).expect(2);
    assert_eq!(
        kinds(&r.json()),
        [
            (
                "no-delegated-admin".to_string(),
                "backup.amazonaws.com".to_string()
            ),
            (
                "policy-type-not-delegated".to_string(),
                "SERVICE_CONTROL_POLICY".to_string()
            ),
            (
                "identity-center-in-management".to_string(),
                "sso.amazonaws.com".to_string()
            ),
        ],
        "{}",
        r.stdout()
    );
    human_names_each_finding(&emu);
    changes_that_could_move(&emu);
    // With the example: its management-account changes are all AWS-reserved (policies and
    // Identity Center are delegated by the file), and each says why.
    let f = example();
    let f = f.to_str().unwrap();
    let with_file = emu
        .orgctl(&["audit", "-f", f, "--format", "json"])
        .expect(2)
        .json();
    let reserved = with_file["management_only"].as_array().unwrap();
    assert!(reserved
        .iter()
        .any(|r| r["address"] == "delegation[\"sso.amazonaws.com\"]"));
    assert!(
        reserved
            .iter()
            .all(|r| r["why"].as_str().unwrap().contains("management account")),
        "{with_file}"
    );
    assert!(
        !kinds(&with_file)
            .iter()
            .any(|(k, _)| k == "change-could-move"),
        "{with_file}"
    );
    // Markdown for an issue.
    let md = emu.orgctl(&["audit", "--format", "markdown"]).expect(2);
    assert!(
        md.stdout()
            .contains("| policy-type-not-delegated | `SERVICE_CONTROL_POLICY` |"),
        "{}",
        md.stdout()
    );

    // Applied (every stage), the organization delegates what it can: no finding, exit 0.
    apply_stages(&emu, f).await;
    let after = emu.orgctl(&["audit", "--format", "json"]);
    assert_eq!(after.code(), 0, "{}", after.stdout());
    assert!(kinds(&after.json()).is_empty());
    let human = emu.orgctl(&["audit"]).expect(0);
    assert!(
        human
            .stdout()
            .contains("No finding: the management account does nothing a delegated account could."),
        "{}",
        human.stdout()
    );
}

/// Asserts `text` holds each of `wants`.
#[track_caller]
fn holds(text: &str, wants: &[&str]) {
    for w in wants {
        assert!(text.contains(w), "missing {w:?} in\n{text}");
    }
}

/// The human format (the default) says each finding: its kind and subject, why, and the fix.
fn human_names_each_finding(emu: &Emulator) {
    let r = emu.orgctl(&["audit"]).expect(2);
    holds(
        &r.stdout(),
        &[
            "3 finding(s): the management account does what a member account could.\n",
            "  ! no-delegated-admin backup.amazonaws.com\n      trusted access for AWS Backup is on and AWS lets a member account administer it, but it has no delegated administrator",
            "      fix: declare `delegations: { backup: { admin: ACCOUNT } }` in org.yaml\n",
            "  ! policy-type-not-delegated SERVICE_CONTROL_POLICY\n      SERVICE_CONTROL_POLICY is enabled (1 policy of the type read) and no delegation-policy grant hands it to a member account",
            "      fix: add `organizations_delegation: [{ account: ACCOUNT, allow: [policies], policy_types: [SERVICE_CONTROL_POLICY] }]` to org.yaml\n",
            "  ! identity-center-in-management sso.amazonaws.com\n      IAM Identity Center has no delegated administrator",
            "      fix: declare `delegations: { sso: { admin: ACCOUNT } }` in org.yaml",
        ],
    );
}

/// A file with a new SCP (no grant hands SCPs to a member account) and a new Identity Center
/// user (Identity Center has no delegated administrator): the management account would run
/// those changes, and each is a `change-could-move` finding saying how it could move.
fn changes_that_could_move(emu: &Emulator) {
    let f = emu.write(
        "could-move.yaml",
        r#"version: 1
organization:
  management_account_id: "123456789012"
policies:
  - name: deny-s3-delete
    type: SERVICE_CONTROL_POLICY
    content: { Version: "2012-10-17", Statement: [{ Effect: Deny, Action: "s3:DeleteBucket", Resource: "*" }] }
    targets: [root]
identity_center:
  users:
    - { user_name: carol, display_name: Carol Example, given_name: Carol, family_name: Example, email: carol@example.com }
"#,
    );
    let f = f.to_str().unwrap();
    let r = emu
        .orgctl(&["audit", "-f", f, "--format", "json"])
        .expect(2);
    let moving: Vec<String> = kinds(&r.json())
        .into_iter()
        .filter(|(k, _)| k == "change-could-move")
        .map(|(_, s)| s)
        .collect();
    assert_eq!(
        moving,
        [
            "identity_center.user[\"carol\"]",
            "policy[\"deny-s3-delete\"]",
            "policy[\"deny-s3-delete\"].attachment[\"root\"]",
        ],
        "{}",
        r.stdout()
    );
    let human = emu.orgctl(&["audit", "-f", f]).expect(2);
    holds(
        &human.stdout(),
        &[
            "6 finding(s)",
            "  ! change-could-move identity_center.user[\"carol\"]\n",
            "run by the management account because Identity Center has no delegated administrator",
            "      fix: declare `delegations: { sso: { admin: ACCOUNT } }`; its administrator then runs this\n",
            "  ! change-could-move policy[\"deny-s3-delete\"]\n",
            "  ! change-could-move policy[\"deny-s3-delete\"].attachment[\"root\"]\n",
            "no organizations_delegation grant covers SERVICE_CONTROL_POLICY",
            "      fix: add an organizations_delegation grant for the policy type; the account it names then runs this\n",
        ],
    );
}
