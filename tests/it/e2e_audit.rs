//! End to end, the audit (issue 13, part 3) on the demo's brownfield organization, against an
//! expectation checked by hand from what emulator/seed.py makes: GuardDuty is administered
//! by infra-ops (no finding); Trusted Advisor by infra-ops (none); RAM has trusted access
//! but no delegated administrator exists for it (not a finding: AWS offers none); SCPs are
//! enabled and no delegation policy exists (a finding); Identity Center has no delegated
//! administrator (a finding). With the example file, the plan's management-account changes
//! are the ones AWS reserves to it, and, once applied, the findings are gone.

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
    let r = emu.orgctl(&["audit", "--format", "json"]).expect(2);
    assert_eq!(
        kinds(&r.json()),
        [
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
}
