//! End to end, organization policies and the Organizations delegation policy: every policy
//! type applied by the delegated account, document updates, attachment moves, the SCP limits,
//! refusals without a grant, and prune only with `--allow-destroy`.

use std::collections::BTreeMap;

use crate::e2e::{accounts, new_org, ous, DELEGATION, SMALL};
use crate::emulator::{changes, Emulator, MGMT};

#[tokio::test]
async fn the_delegation_policy_is_created_updated_and_only_pruned_with_allow_destroy() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    let f = emu.write("org.yaml", &format!("{SMALL}{DELEGATION}"));
    let f = f.to_str().unwrap().to_string();
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
    let org = emu.mgmt();
    let sec = accounts(&org).await["sec-ops"].0.clone();
    let doc: serde_json::Value = serde_json::from_str(
        org.describe_resource_policy()
            .send()
            .await
            .unwrap()
            .resource_policy()
            .unwrap()
            .content()
            .unwrap(),
    )
    .unwrap();
    assert!(
        doc.to_string()
            .contains(&format!("arn:aws:iam::{sec}:root")),
        "{doc}"
    );
    assert!(
        doc.to_string().contains("organizations:CreatePolicy"),
        "{doc}"
    );
    // sec-ops (Identity Center's delegated administrator) may read it, as on AWS.
    let as_sec = emu.org(&emu.member(&sec).await);
    assert!(as_sec.describe_resource_policy().send().await.is_ok());

    // A new policy type: one update, shown as a diff of the documents.
    std::fs::write(
        &f,
        format!(
            "{SMALL}{}",
            DELEGATION.replace(
                "[SERVICE_CONTROL_POLICY]",
                "[SERVICE_CONTROL_POLICY, TAG_POLICY]"
            )
        ),
    )
    .unwrap();
    let plan = emu.orgctl(&["plan", "-f", &f]).expect(0).stdout();
    assert!(
        plan.contains("~ organizations_delegation  [high risk]"),
        "{plan}"
    );
    assert!(
        plan.lines()
            .any(|l| l.trim_start().starts_with('+') && l.contains("\"TAG_POLICY\"")),
        "{plan}"
    );
    emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);

    // Dropped from the file: listed, not deleted; under prune: deleted only with --allow-destroy.
    std::fs::write(&f, SMALL).unwrap();
    let p = emu
        .orgctl(&["plan", "-f", &f, "--format", "json", "--detailed-exitcode"])
        .expect(0)
        .json();
    assert!(p["unmanaged"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["address"] == "organizations_delegation"));
    std::fs::write(
        &f,
        SMALL.replace(
            "management_account_id: \"123456789012\"",
            "management_account_id: \"123456789012\"\n  unmanaged: prune",
        ),
    )
    .unwrap();
    let r = emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(1);
    assert!(
        r.stderr().contains("organizations_delegation (delete)"),
        "{}",
        r.stderr()
    );
    assert!(
        org.describe_resource_policy().send().await.is_ok(),
        "still there"
    );
    emu.orgctl(&["apply", "-f", &f, "--auto-approve", "--allow-destroy"])
        .expect(0);
    assert!(
        org.describe_resource_policy().send().await.is_err(),
        "deleted"
    );
}

const POLICIES: &str = r#"organizations_delegation:
  - account: sec-ops
    allow: [policies, organizations:TagResource]
    policy_types: [SERVICE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY]
policies:
  - name: deny-leave
    type: SERVICE_CONTROL_POLICY
    description: members may not leave
    file: policies/deny-leave.json
    targets: ["ou:Workloads/Prod", "account:app"]
    tags: { owner: security }
  - name: team-tag
    type: TAG_POLICY
    content: { tags: { team: { tag_key: { "@@assign": team } } } }
    targets: [root]
  - name: daily-backups
    type: BACKUP_POLICY
    content: { plans: { daily: { regions: { "@@assign": [us-east-1] } } } }
    targets: ["ou:Security"]
  - name: ai-opt-out
    type: AISERVICES_OPT_OUT_POLICY
    content: { services: { default: { opt_out_policy: { "@@assign": optOut } } } }
    targets: [root]
"#;

const DENY_LEAVE: &str = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}"#;

/// Policy names → (type, attached target ids).
async fn policies(org: &aws_sdk_organizations::Client) -> BTreeMap<String, (String, Vec<String>)> {
    use aws_sdk_organizations::types::PolicyType;
    let mut out = BTreeMap::new();
    for ty in [
        "SERVICE_CONTROL_POLICY",
        "TAG_POLICY",
        "BACKUP_POLICY",
        "AISERVICES_OPT_OUT_POLICY",
    ] {
        let list = org
            .list_policies()
            .filter(PolicyType::from(ty))
            .send()
            .await
            .unwrap();
        for p in list.policies() {
            let id = p.id().unwrap();
            let mut targets: Vec<String> = org
                .list_targets_for_policy()
                .policy_id(id)
                .send()
                .await
                .unwrap()
                .targets()
                .iter()
                .map(|t| t.target_id().unwrap().to_string())
                .collect();
            targets.sort();
            out.insert(p.name().unwrap().to_string(), (ty.to_string(), targets));
        }
    }
    out
}

#[tokio::test]
async fn policies_of_every_type_apply_from_the_delegated_account() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    std::fs::create_dir_all(emu.dir.path().join("policies")).unwrap();
    emu.write("policies/deny-leave.json", DENY_LEAVE);
    // Every other policy type too, granted to sec-ops and attached to the root.
    let others = [
        "BEDROCK_POLICY",
        "CHATBOT_POLICY",
        "DECLARATIVE_POLICY_EC2",
        "INSPECTOR_POLICY",
        "NETWORK_SECURITY_DIRECTOR_POLICY",
        "RESOURCE_CONTROL_POLICY",
        "S3_POLICY",
        "SECURITYHUB_POLICY",
        "UPGRADE_ROLLOUT_POLICY",
    ];
    let mut all = POLICIES.replace(
        "[SERVICE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY]",
        &format!(
            "[SERVICE_CONTROL_POLICY, TAG_POLICY, BACKUP_POLICY, AISERVICES_OPT_OUT_POLICY, {}]",
            others.join(", ")
        ),
    );
    for ty in others {
        // A valid document of each type (R35 refuses one that breaks its type's grammar).
        let content = match ty {
            "RESOURCE_CONTROL_POLICY" => {
                r#"{ Version: "2012-10-17", Statement: [{ Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }"#
            }
            "BEDROCK_POLICY" => {
                r#"{ bedrock: { guardrail_inference: { us-east-1: { config_1: { identifier: { "@@assign": "arn:aws:bedrock:us-east-1:111111111111:guardrail/abcdefghij01:1" }, input_tags: { "@@assign": honor } } } } } }"#
            }
            "CHATBOT_POLICY" => {
                r#"{ chatbot: { platforms: { slack: { client: { "@@assign": disabled } } } } }"#
            }
            "DECLARATIVE_POLICY_EC2" => {
                r#"{ ec2_attributes: { image_block_public_access: { state: { "@@assign": block_new_sharing } } } }"#
            }
            "INSPECTOR_POLICY" => {
                r#"{ inspector: { enablement: { ec2_scanning: { enable_in_regions: { "@@append": [us-east-1] }, disable_in_regions: { "@@append": [] } } } } }"#
            }
            "NETWORK_SECURITY_DIRECTOR_POLICY" => {
                r#"{ network_security_director: { scan_enablement: { network_scan: { enable_in_regions: { "@@append": [us-east-1] }, disable_in_regions: { "@@append": [] } } } } }"#
            }
            "S3_POLICY" => {
                r#"{ s3_attributes: { public_access_block: { block_all: { "@@assign": enabled } } } }"#
            }
            "SECURITYHUB_POLICY" => {
                r#"{ securityhub: { enable_in_regions: { "@@append": [us-east-1] }, disable_in_regions: { "@@append": [] } } }"#
            }
            "UPGRADE_ROLLOUT_POLICY" => {
                r#"{ upgrade_rollout: { default: { patch_order: { "@@assign": last } } } }"#
            }
            other => panic!("no document for {other}"),
        };
        all.push_str(&format!(
            "  - name: p-{}\n    type: {ty}\n    content: {content}\n    targets: [root]\n",
            ty.to_lowercase()
        ));
    }
    let f = emu.write("org.yaml", &format!("{SMALL}{all}"));
    let f = f.to_str().unwrap().to_string();

    // The management account does its share and leaves sec-ops' share, saying so (exit 0:
    // nothing it could run failed).
    let r = emu.orgctl(&["apply", "-f", &f, "--auto-approve"]).expect(0);
    assert!(
        r.stdout().contains("done organizations_delegation"),
        "{}",
        r.stdout()
    );
    let sec = accounts(&emu.mgmt()).await["sec-ops"].0.clone();
    assert!(
        r.stdout().contains(&format!(
            "left policy[\"ai-opt-out\"] — run it from sec-ops ({sec}, stage"
        )),
        "{}",
        r.stdout()
    );
    assert!(
        r.stdout()
            .contains("left policy[\"deny-leave\"] — run it from sec-ops"),
        "{}",
        r.stdout()
    );
    let org = emu.mgmt();
    let sec = accounts(&org).await["sec-ops"].0.clone();
    let as_sec = emu.member(&sec).await;

    // sec-ops plans and applies its own share, without the management account.
    let plan = emu
        .orgctl_as(
            &as_sec,
            &[
                "plan",
                "-f",
                &f,
                "--executor",
                "sec-ops",
                "--format",
                "json",
            ],
        )
        .expect(0)
        .json();
    let preview = plan["effective_scps"].as_array().unwrap();
    let prod = preview
        .iter()
        .find(|e| e["target"] == "ou:Workloads/Prod")
        .unwrap_or_else(|| panic!("{plan}"));
    let in_force: Vec<String> = prod["in_force"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{}@{}",
                s["policy"].as_str().unwrap(),
                s["attached_to"].as_str().unwrap()
            )
        })
        .collect();
    assert!(
        in_force.contains(&"deny-leave@ou:Workloads/Prod".to_string())
            && in_force.contains(&"FullAWSAccess@root".to_string()),
        "{in_force:?}"
    );
    assert!(
        changes(&plan).iter().all(|(a, _)| a.starts_with("policy")),
        "{plan}"
    );
    assert!(plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["executor"]["account_name"] == "sec-ops"));
    emu.orgctl_as(
        &as_sec,
        &["apply", "-f", &f, "--executor", "sec-ops", "--auto-approve"],
    )
    .expect(0);
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);

    let (ous, accts, pols) = (ous(&org).await, accounts(&org).await, policies(&org).await);
    let mut deny_targets = vec![ous["Workloads/Prod"].clone(), accts["app"].0.clone()];
    deny_targets.sort();
    assert_eq!(
        pols["deny-leave"],
        ("SERVICE_CONTROL_POLICY".to_string(), deny_targets)
    );
    assert_eq!(pols["daily-backups"].1, vec![ous["Security"].clone()]);
    assert_eq!(pols["team-tag"].0, "TAG_POLICY");
    let deny_id = org
        .list_policies()
        .filter(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .send()
        .await
        .unwrap()
        .policies()
        .iter()
        .find(|p| p.name() == Some("deny-leave"))
        .unwrap()
        .id()
        .unwrap()
        .to_string();
    let tags = org
        .list_tags_for_resource()
        .resource_id(&deny_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        (tags.tags()[0].key(), tags.tags()[0].value()),
        ("owner", "security"),
        "tags set by sec-ops at creation"
    );
    assert_eq!(pols["ai-opt-out"].0, "AISERVICES_OPT_OUT_POLICY");
    for ty in others {
        let root = org.list_roots().send().await.unwrap().roots()[0].clone();
        assert!(
            root.policy_types()
                .iter()
                .any(|t| t.r#type().map(|x| x.as_str()) == Some(ty)
                    && t.status().map(|x| x.as_str()) == Some("ENABLED")),
            "{ty} enabled"
        );
        let listed = org
            .list_policies()
            .filter(aws_sdk_organizations::types::PolicyType::from(ty))
            .send()
            .await
            .unwrap();
        let p = listed
            .policies()
            .iter()
            .find(|p| p.name() == Some(&format!("p-{}", ty.to_lowercase())))
            .unwrap_or_else(|| panic!("{ty} policy"));
        let targets = org
            .list_targets_for_policy()
            .policy_id(p.id().unwrap())
            .send()
            .await
            .unwrap();
        assert_eq!(
            targets.targets()[0].target_id(),
            root.id(),
            "{ty} attached to the root"
        );
    }

    // A document change: one update, shown as a diff, applied by sec-ops.
    emu.write(
        "policies/deny-leave.json",
        &DENY_LEAVE.replace(
            "organizations:LeaveOrganization",
            "organizations:CloseAccount",
        ),
    );
    let text = emu
        .orgctl_as(&as_sec, &["plan", "-f", &f])
        .expect(0)
        .stdout();
    assert!(
        text.contains("~ policy[\"deny-leave\"]  [high risk]"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with('+') && l.contains("organizations:CloseAccount")),
        "{text}"
    );
    emu.orgctl_as(
        &as_sec,
        &["apply", "-f", &f, "--executor", "sec-ops", "--auto-approve"],
    )
    .expect(0);

    // Pruning a policy the file dropped needs --allow-destroy.
    let pruned = format!("{SMALL}{all}").replace(
        "management_account_id: \"123456789012\"",
        "management_account_id: \"123456789012\"\n  unmanaged: prune",
    );
    let i = pruned.find("  - name: team-tag").unwrap();
    let j = pruned.find("  - name: daily-backups").unwrap();
    std::fs::write(&f, format!("{}{}", &pruned[..i], &pruned[j..])).unwrap();
    let r = emu
        .orgctl_as(
            &as_sec,
            &["apply", "-f", &f, "--executor", "sec-ops", "--auto-approve"],
        )
        .expect(1);
    assert!(
        r.stderr().contains("policy[\"team-tag\"] (delete)"),
        "{}",
        r.stderr()
    );
    assert!(policies(&org).await.contains_key("team-tag"));
    emu.orgctl_as(
        &as_sec,
        &[
            "apply",
            "-f",
            &f,
            "--executor",
            "sec-ops",
            "--auto-approve",
            "--allow-destroy",
        ],
    )
    .expect(0);
    assert!(!policies(&org).await.contains_key("team-tag"));
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);
}

#[tokio::test]
async fn without_a_delegation_policy_sec_ops_cannot_manage_policies() {
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    new_org(&emu).await;
    std::fs::create_dir_all(emu.dir.path().join("policies")).unwrap();
    emu.write("policies/deny-leave.json", DENY_LEAVE);
    let no_grant = POLICIES
        .split("policies:\n  - name: deny-leave")
        .nth(1)
        .map(|rest| format!("policies:\n  - name: deny-leave{rest}"))
        .unwrap();
    let f = emu.write("org.yaml", &format!("{SMALL}{no_grant}"));
    let f = f.to_str().unwrap().to_string();
    emu.orgctl(&["apply", "-f", &f, "--executor", MGMT, "--auto-approve"])
        .expect(0);
    // A new SCP: planned for the management account, and sec-ops may not make it.
    std::fs::write(&f, format!("{SMALL}{no_grant}  - name: extra\n    type: SERVICE_CONTROL_POLICY\n    file: policies/deny-leave.json\n")).unwrap();
    let sec = accounts(&emu.mgmt()).await["sec-ops"].0.clone();
    let as_sec = emu.member(&sec).await;
    let r = emu
        .orgctl_as(&as_sec, &["apply", "-f", &f, "--auto-approve"])
        .expect(0);
    assert!(
        r.stdout()
            .contains("left policy[\"extra\"] — run it from master (123456789012, stage"),
        "{}",
        r.stdout()
    );
    let e = emu
        .org(&as_sec)
        .create_policy()
        .name("x")
        .r#type(aws_sdk_organizations::types::PolicyType::ServiceControlPolicy)
        .content(DENY_LEAVE)
        .description("")
        .send()
        .await
        .unwrap_err();
    assert_eq!(
        e.into_service_error().meta().code(),
        Some("AccessDeniedException")
    );
}
