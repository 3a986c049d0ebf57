//! End to end, least privilege (issue 13, part 2): the emulator logs every call with the
//! account that made it while each executor plans and applies the example; every call is
//! allowed by the policy `orgctl permissions` generates for that account, and the policy
//! grants no write the account's share did not make (other than the documented ones a later
//! edit of the file can need).

use std::collections::{BTreeMap, BTreeSet};

use crate::e2e::save_plan;
use crate::emulator::{example, Creds, Emulator, MGMT};

/// `orgctl permissions --plan PLAN --executor NAME --for PURPOSE`.
fn policy(emu: &Emulator, plan: &str, name: &str, purpose: &str) -> serde_json::Value {
    emu.orgctl(&[
        "permissions",
        "--plan",
        plan,
        "--executor",
        name,
        "--for",
        purpose,
    ])
    .expect(0)
    .json()
}

fn allowed(policy: &serde_json::Value) -> BTreeSet<String> {
    policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

/// Calls by account, leaving out sts:GetCallerIdentity (which no policy can deny).
fn by_account(calls: &[(String, String, u64)]) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (account, action, _) in calls {
        if action != "sts:GetCallerIdentity" {
            out.entry(account.clone())
                .or_default()
                .insert(action.clone());
        }
    }
    out
}

fn is_read(a: &str) -> bool {
    let op = a.split(':').nth(1).unwrap_or("");
    ["List", "Describe", "Get"]
        .iter()
        .any(|p| op.starts_with(p))
}

#[tokio::test]
async fn every_call_of_each_executor_is_allowed_by_its_generated_policy_and_no_more() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    let seeded = emu.seed(&["demo", "--legacy"]);
    let f = example();
    let f = f.to_str().unwrap();
    let (plan, pf) = save_plan(&emu, f);
    let pf = pf.as_str();
    // Executors, by the name the plan gives them, with their credentials (taken before the
    // log starts: the test's own AssumeRole calls are not orgctl's).
    let mut who: BTreeMap<String, (String, Creds)> = BTreeMap::new();
    who.insert("management".into(), (MGMT.to_string(), Creds::management()));
    for s in plan["stages"].as_array().unwrap() {
        let name = s["account_name"].as_str().unwrap();
        if name != "master" && !who.contains_key(name) {
            let id = seeded["accounts"][name].as_str().unwrap().to_string();
            let c = emu.member(&id).await;
            who.insert(name.to_string(), (id, c));
        }
    }

    // Applies, stage by stage: every call allowed by the apply policy.
    emu.reset_calls();
    for s in plan["stages"].as_array().unwrap() {
        let name = s["account_name"].as_str().unwrap();
        let n = s["number"].to_string();
        let key = if name == "master" { "management" } else { name };
        let creds = &who[key].1;
        let r = emu.orgctl_as(
            creds,
            &[
                "apply",
                pf,
                "--executor",
                name,
                "--stage",
                &n,
                "--allow-destroy",
            ],
        );
        assert_eq!(
            r.code(),
            0,
            "stage {n} ({name}): {}\n{}",
            r.stdout(),
            r.stderr()
        );
    }
    let made = by_account(&emu.calls());
    let mut unused_writes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, (id, _)) in &who {
        let allow = allowed(&policy(&emu, pf, name, "apply"));
        let calls = made.get(id).cloned().unwrap_or_default();
        let denied: Vec<&String> = calls.difference(&allow).collect();
        assert!(
            denied.is_empty(),
            "{name}'s apply made calls its policy denies: {denied:?}"
        );
        let unused: Vec<String> = allow
            .iter()
            .filter(|a| !is_read(a) && !calls.contains(*a))
            .cloned()
            .collect();
        unused_writes.insert(name.clone(), unused);
    }
    // Writes granted but not made by this apply are those a later edit of the file needs
    // (an updated document, a moved account, a changed admin, tags): never another
    // account's share, never a deletion (the example does not prune).
    let later: BTreeSet<&str> = [
        "organizations:UpdatePolicy",
        "organizations:MoveAccount",
        "organizations:UntagResource",
        "organizations:RegisterDelegatedAdministrator",
        "organizations:DeregisterDelegatedAdministrator",
        "organizations:CreateOrganizationalUnit",
        "organizations:CreateAccount",
        "organizations:TagResource",
        "organizations:EnablePolicyType",
        "organizations:AttachPolicy",
        "organizations:CreatePolicy",
        "guardduty:DisableOrganizationAdminAccount",
        "inspector2:DisableDelegatedAdminAccount",
        "ec2:DisableIpamOrganizationAdminAccount",
        "identitystore:UpdateUser",
        "identitystore:UpdateGroup",
        "identitystore:DeleteGroupMembership",
        "sso:UpdatePermissionSet",
        "sso:DetachManagedPolicyFromPermissionSet",
        "sso:DetachCustomerManagedPolicyReferenceFromPermissionSet",
        "sso:AttachCustomerManagedPolicyReferenceToPermissionSet",
        "sso:DeleteInlinePolicyFromPermissionSet",
        "sso:PutPermissionsBoundaryToPermissionSet",
        "sso:DeletePermissionsBoundaryFromPermissionSet",
        "sso:UntagResource",
        "sso:DescribeAccountAssignmentCreationStatus",
        // A permission set's tags after its creation; re-provisioning after an update.
        "sso:TagResource",
        "sso:ProvisionPermissionSet",
        // The outgoing GuardDuty admin's teardown removes its members: none in this seed.
        "guardduty:DisassociateMembers",
        "guardduty:DeleteMembers",
    ]
    .into_iter()
    .collect();
    for (name, unused) in &unused_writes {
        let surprising: Vec<&String> = unused
            .iter()
            .filter(|a| !later.contains(a.as_str()))
            .collect();
        assert!(
            surprising.is_empty(),
            "{name}'s policy grants writes its share never needs: {surprising:?} (all unused: {unused:?})"
        );
        // No deletion of an organization object (the example does not prune).
        assert!(
            !unused.iter().any(|a| a.starts_with("organizations:Delete")),
            "{name}: {unused:?}"
        );
    }
    // Then plans, each with its own credentials (sec-ops may read the organization once it is
    // a delegated administrator): reads only, each allowed by the plan policy.
    for (name, (id, creds)) in &who {
        emu.reset_calls();
        let args = if name == "management" {
            vec!["plan", "-f", f]
        } else {
            vec!["plan", "-f", f, "--executor", name.as_str()]
        };
        let r = emu.orgctl_as(creds, &args);
        assert_eq!(r.code(), 0, "{name}: {}", r.stderr());
        let made = by_account(&emu.calls()).remove(id).unwrap_or_default();
        let allow = allowed(&policy(&emu, pf, name, "plan"));
        let denied: Vec<&String> = made.difference(&allow).collect();
        assert!(
            denied.is_empty(),
            "{name}'s plan made calls its plan policy denies: {denied:?}"
        );
        assert!(allow.iter().all(|a| is_read(a)), "{name}: {allow:?}");
    }

    // Each account's writes stay in its lane.
    let mgmt_allow = allowed(&policy(&emu, pf, "management", "apply"));
    assert!(
        !mgmt_allow.contains("organizations:CreatePolicy"),
        "policies are delegated"
    );
    assert!(
        !mgmt_allow.contains("sso:CreatePermissionSet"),
        "Identity Center is sec-ops'"
    );
    let sec_allow = allowed(&policy(&emu, pf, "sec-ops", "apply"));
    assert!(!sec_allow.contains("organizations:CreateAccount"));
}
