//! End to end, the product's promise: one plan, reviewed once, applied by every account in
//! turn with its own credentials (STS AssumeRole on the emulator), in the order the plan's
//! stages name, with no re-plan in between. Also: an account running before its turn does
//! what it may and exits 0; a policy edited by hand between two applies makes the next one
//! refuse, naming it; an apply killed half way completes with the same command.

use std::time::{Duration, Instant};

use crate::e2e::{accounts, admins, creations_in_progress};
use crate::emulator::{example, Creds, Emulator, MGMT};

/// The stage list of a JSON plan: (number, account name, addresses).
fn stages(plan: &serde_json::Value) -> Vec<(u64, String, Vec<String>)> {
    plan["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["number"].as_u64().unwrap(),
                s["account_name"].as_str().unwrap().to_string(),
                s["changes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

/// The stage number that runs `address`.
fn stage_of(plan: &serde_json::Value, address: &str) -> u64 {
    stages(plan)
        .into_iter()
        .find(|(_, _, a)| a.iter().any(|x| x == address))
        .unwrap_or_else(|| panic!("no stage runs {address}"))
        .0
}

/// The SCP deny-leave-organization's document, as the management account reads it.
async fn scp(org: &aws_sdk_organizations::Client) -> (String, String) {
    let list = org
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap();
    let id = list
        .policies()
        .iter()
        .find(|p| p.name() == Some("deny-leave-organization"))
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let p = org.describe_policy().policy_id(&id).send().await.unwrap();
    (id, p.policy().unwrap().content().unwrap().to_string())
}

#[tokio::test]
async fn one_reviewed_plan_is_applied_by_every_account_in_turn() {
    let emu = Emulator::start(&["--create-delay", "3"]);
    let seeded = emu.seed(&["demo", "--legacy"]);
    let id = |n: &str| seeded["accounts"][n].as_str().unwrap().to_string();
    let (sec_id, infra_id) = (id("sec-ops"), id("infra-ops"));
    let mgmt = Creds::management();
    let infra = emu.member(&infra_id).await;
    let f = example();
    let pf = emu.dir.path().join("plan.json");
    let pf = pf.to_str().unwrap();

    // The pull request: one plan, saved; reviewed as Markdown without AWS access.
    let plan = emu
        .orgctl(&[
            "plan",
            "-f",
            f.to_str().unwrap(),
            "--out",
            pf,
            "--format",
            "json",
        ])
        .expect(0)
        .json();
    let teardown = format!("delegation[\"guardduty.amazonaws.com\"].teardown[\"{infra_id}\"]");
    let replace = "delegation[\"guardduty.amazonaws.com\"]";
    let sso = "delegation[\"sso.amazonaws.com\"]";
    let user = "identity_center.user[\"alice\"]";
    let scp_addr = "policy[\"deny-leave-organization\"]";
    let backup = "policy[\"daily-backups\"]";
    // Order between accounts is data: the outgoing admin's teardown before the replace,
    // the Identity Center admin's registration before sec-ops creates users there, the
    // delegation policy before the delegated teams' policies.
    let st = stages(&plan);
    assert_eq!(
        st[0].1, "master",
        "the management account goes first: {st:?}"
    );
    assert!(
        stage_of(&plan, &teardown) < stage_of(&plan, replace),
        "{st:?}"
    );
    assert!(stage_of(&plan, sso) < stage_of(&plan, user), "{st:?}");
    assert!(
        stage_of(&plan, "organizations_delegation") < stage_of(&plan, backup),
        "{st:?}"
    );
    let owner = |addr: &str| st[stage_of(&plan, addr) as usize - 1].1.clone();
    assert_eq!(owner(&teardown), "infra-ops");
    assert_eq!(owner(replace), "master");
    assert_eq!(owner(user), "sec-ops");
    assert_eq!(owner(scp_addr), "sec-ops");
    assert_eq!(owner(backup), "infra-ops");
    for (n, _, _) in &st {
        let after = &plan["stages"][(*n - 1) as usize]["after"];
        assert!(
            after
                .as_array()
                .is_none_or(|a| a.iter().all(|x| x.as_u64().unwrap() < *n)),
            "stage {n} depends only on earlier ones: {after}"
        );
    }
    let md = emu
        .orgctl(&["show", pf, "--format", "markdown"])
        .expect(0)
        .stdout();
    assert!(
        md.contains("| stage | run from | changes | after |"),
        "{md}"
    );
    assert!(md.contains("```diff"), "{md}");

    // infra-ops runs before its turn: its teardown may run (nothing precedes it), its
    // backup policy waits for the management account's delegation policy. Exit 0.
    let early = emu
        .orgctl_as(
            &infra,
            &[
                "apply",
                pf,
                "--executor",
                "infra-ops",
                "--allow-destroy",
                "--format",
                "json",
            ],
        )
        .expect(0)
        .json();
    assert!(early["counts"]["done"].as_u64().unwrap() >= 1, "{early}");
    assert!(early["counts"]["waiting"].as_u64().unwrap() >= 1, "{early}");
    let waits: Vec<&serde_json::Value> = early["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|o| o["status"] == "waiting")
        .collect();
    assert!(
        waits
            .iter()
            .any(|o| o["address"] == backup && o["account_id"] == MGMT),
        "{early}"
    );
    assert!(early["remaining"].as_array().unwrap().len() >= 3, "{early}");

    // Stage by stage, each account with its own credentials, the same file throughout.
    let mut killed = false;
    for (n, name, _) in stages(&plan) {
        let creds = match name.as_str() {
            "master" => mgmt.clone(),
            "infra-ops" => infra.clone(),
            "sec-ops" => emu.member(&sec_id).await,
            other => panic!("unexpected stage account {other}"),
        };
        let stage = n.to_string();
        let args = [
            "apply",
            pf,
            "--executor",
            name.as_str(),
            "--stage",
            stage.as_str(),
            "--allow-destroy",
        ];
        if name == "sec-ops" {
            // Someone edits the SCP the plan updates, by hand, before sec-ops' turn.
            let org = emu.mgmt();
            let (scp_id, reviewed) = scp(&org).await;
            org.update_policy()
                .policy_id(&scp_id)
                .content(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#)
                .send()
                .await
                .unwrap();
            let r = emu.orgctl_as(&creds, &args).expect(1);
            assert!(
                r.stderr().contains("changed since the plan was reviewed")
                    && r.stderr().contains(scp_addr),
                "{}",
                r.stderr()
            );
            assert!(
                scp(&org).await.1.contains("\"Action\":\"*\""),
                "nothing applied"
            );
            // Put back as reviewed: the plan is good again.
            org.update_policy()
                .policy_id(&scp_id)
                .content(reviewed)
                .send()
                .await
                .unwrap();
        }
        if name == "master" && !killed {
            // The management account's first run is killed while an account is being
            // created; the same command then completes its share, with no second account.
            killed = true;
            let mut child = emu
                .orgctl_cmd(&creds, &args)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            creations_in_progress(&emu.mgmt(), 1).await;
            child.kill().unwrap();
            let _ = child.wait();
        }
        let r = emu.orgctl_as(&creds, &args).expect(0);
        assert!(
            !r.stdout().contains("FAIL"),
            "stage {n} ({name}):\n{}",
            r.stdout()
        );
    }

    // Nothing is left: the organization is the file, reached through one reviewed plan.
    emu.orgctl(&["plan", "-f", f.to_str().unwrap(), "--detailed-exitcode"])
        .expect(0);
    let org = emu.mgmt();
    let all = org.list_create_account_status().send().await.unwrap();
    let networking: Vec<_> = all
        .create_account_statuses()
        .iter()
        .filter(|s| s.account_name() == Some("networking"))
        .collect();
    assert_eq!(networking.len(), 1, "CreateAccount was sent once");
    let accts = accounts(&org).await;
    assert_eq!(
        admins(&org, "guardduty.amazonaws.com").await,
        vec![sec_id.clone()]
    );
    assert_eq!(
        admins(&org, "sso.amazonaws.com").await,
        vec![sec_id.clone()]
    );
    assert!(accts.contains_key("networking"));
    assert!(scp(&org).await.1.contains("DenyLeaveOrganization"));
    // Applying the finished plan again is a no-op that says so.
    let again = emu.orgctl_as(&infra, &["apply", pf]).expect(0);
    assert!(
        again.stdout().contains("No changes left"),
        "{}",
        again.stdout()
    );
}

#[tokio::test]
async fn a_ci_log_is_never_silent_through_a_long_account_creation() {
    use std::io::BufRead;
    // 12 s per creation: without a terminal, apply must still print while it waits.
    let emu = Emulator::start(&["--create-delay", "12"]);
    crate::e2e::new_org(&emu).await;
    let f = emu.write(
        "org.yaml",
        "version: 1\norganization:\n  management_account_id: \"123456789012\"\naccounts:\n  - { name: app, email: aws+app@example.com, ou: root }\n",
    );
    let mut child = emu
        .orgctl_cmd(
            &Creds::management(),
            &["apply", "-f", f.to_str().unwrap(), "--auto-approve"],
        )
        .stderr(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let (mut beats, mut all) = (Vec::new(), Vec::new());
    for line in std::io::BufReader::new(child.stderr.take().unwrap())
        .lines()
        .map_while(Result::ok)
    {
        if line.contains("still running account[\"app\"]") {
            beats.push((started.elapsed(), line.clone()));
        }
        all.push(line);
    }
    assert!(child.wait().unwrap().success(), "{all:?}");
    assert!(!beats.is_empty(), "no progress line during a 12 s wait");
    let (at, line) = &beats[0];
    assert!(
        *at < Duration::from_secs(12) && line.contains("s)"),
        "{at:?} {line}"
    );
}
