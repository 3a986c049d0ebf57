//! End to end, AWS's per-type policy rules (issue 11, items 2–4) against the emulator's
//! R35–R37: RCPs applied under prune while AWS keeps RCPFullAWSAccess attached everywhere
//! (R36), and a malformed document stopped offline before any call (R35's rule, checked by
//! orgctl first).

use crate::e2e::{new_org, SMALL};
use crate::emulator::Emulator;

const RCP: &str = r#"{ Version: "2012-10-17", Statement: [{ Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }"#;

fn pruned(policies: &str) -> String {
    let head = SMALL.replace(
        "  management_account_id: \"123456789012\"\n",
        "  management_account_id: \"123456789012\"\n  unmanaged: prune\n",
    );
    format!("{head}policies:\n{policies}")
}

async fn rcp_full_access_targets(org: &aws_sdk_organizations::Client) -> usize {
    use aws_sdk_organizations::types::PolicyType;
    let list = org
        .list_policies()
        .filter(PolicyType::ResourceControlPolicy)
        .send()
        .await
        .unwrap();
    let id = list
        .policies()
        .iter()
        .find(|p| p.name() == Some("RCPFullAWSAccess"))
        .and_then(|p| p.id())
        .unwrap()
        .to_string();
    let mut n = 0;
    let mut token = None;
    loop {
        let page = org
            .list_targets_for_policy()
            .policy_id(&id)
            .set_next_token(token)
            .send()
            .await
            .unwrap();
        n += page.targets().len();
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return n;
        }
    }
}

#[tokio::test]
async fn rcps_converge_under_prune_while_rcpfullawsaccess_stays_everywhere() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let f = emu.write(
        "org.yaml",
        &pruned(&format!(
            "  - name: tls-only\n    type: RESOURCE_CONTROL_POLICY\n    content: {RCP}\n    targets: [\"ou:Workloads/Prod\", \"account:sec-ops\"]\n"
        )),
    );
    let f = f.to_str().unwrap();
    let r = emu
        .orgctl(&["apply", "-f", f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    assert!(
        r.stdout().contains("RESOURCE_CONTROL_POLICY"),
        "{}",
        r.stdout()
    );
    // Nothing left to do: the undeclared RCPFullAWSAccess attachments are AWS's, not orgctl's.
    let again = emu
        .orgctl(&["plan", "-f", f, "--detailed-exitcode"])
        .expect(0);
    assert!(
        !again.stdout().contains("RCPFullAWSAccess"),
        "{}",
        again.stdout()
    );
    // AWS attached it to the root, the 3 OUs and the 3 accounts when RCPs were enabled (or
    // when the OU or account was created afterwards).
    assert_eq!(rcp_full_access_targets(&emu.mgmt()).await, 7);
}

#[tokio::test]
async fn a_document_breaking_its_types_grammar_stops_before_any_call() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let f = emu.write(
        "org.yaml",
        &pruned("  - name: tags\n    type: TAG_POLICY\n    content: { Version: \"2012-10-17\", tags: { team: { tag_key: { \"@@assign\": Team } } } }\n    targets: [root]\n"),
    );
    let r = emu
        .orgctl(&["apply", "-f", f.to_str().unwrap(), "--auto-approve"])
        .expect(1);
    assert!(
        r.stderr()
            .contains("`Version` is not a top-level key of a TAG_POLICY policy"),
        "{}",
        r.stderr()
    );
    assert!(r.stderr().contains("org.yaml:"), "{}", r.stderr());
    // Nothing was made: no OU, no account.
    let ous = emu.mgmt().list_roots().send().await.unwrap();
    let root = ous.roots()[0].id().unwrap().to_string();
    let children = emu
        .mgmt()
        .list_organizational_units_for_parent()
        .parent_id(root)
        .send()
        .await
        .unwrap();
    assert!(children.organizational_units().is_empty());
}
