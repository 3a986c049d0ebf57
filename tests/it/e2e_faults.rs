//! AWS going wrong, and orgctl surviving it (issue 11): Organizations writes that AWS answers
//! with ConcurrentModificationException (R29, which the SDK does not retry), and account
//! creations refused while five are in progress (R30, e.g. another tool's). orgctl retries
//! both with backoff; the apply converges and the next plan is empty.

use crate::e2e::{accounts, new_org};
use crate::emulator::{example, Creds, Emulator, MGMT};

#[tokio::test]
async fn concurrent_modification_on_a_fifth_of_the_writes_is_retried_and_the_apply_converges() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    emu.seed(&["demo"]);
    emu.configure(r#"{"cme_rate": 0.2, "throttle_seed": 7}"#);
    let f = example();
    let f = f.to_str().unwrap();
    emu.orgctl(&["apply", "-f", f, "--executor", MGMT, "--auto-approve"])
        .expect(0);
    let stats = emu.stats();
    let refused: u64 = stats["concurrent_modifications"]
        .as_object()
        .map(|m| m.values().filter_map(|v| v.as_u64()).sum())
        .unwrap_or(0);
    assert!(
        refused > 0,
        "the knob refused no write, so the test proves nothing: {stats}"
    );
    emu.configure(r#"{"cme_rate": 0}"#);
    emu.orgctl(&["plan", "-f", f, "--executor", MGMT, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn a_creation_refused_while_five_are_in_progress_waits_for_them() {
    let emu = Emulator::start(&["--create-delay", "2"]);
    new_org(&emu).await;
    let org = emu.org(&Creds::management());
    // Another tool's five creations, still in progress when orgctl starts its own.
    for i in 0..5 {
        org.create_account()
            .email(format!("other{i}@example.com"))
            .account_name(format!("other{i}"))
            .send()
            .await
            .unwrap();
    }
    let f = emu.write(
        "org.yaml",
        "version: 1\norganization:\n  management_account_id: \"123456789012\"\naccounts:\n  - { name: late, email: late@example.com, ou: root }\n",
    );
    let f = f.to_str().unwrap();
    emu.orgctl(&["apply", "-f", f, "--auto-approve"]).expect(0);
    assert!(accounts(&org).await.contains_key("late"));
    emu.orgctl(&["plan", "-f", f, "--detailed-exitcode"])
        .expect(0);
}
