//! The generated roles: every AWS call in the adapter is known here, each account gets its
//! own share only, and report mode grants no deletion.

use super::*;
use crate::tests::desired;

/// Every `svc:Operation` (or bare Organizations operation) the adapter calls.
fn calls_in_the_adapter() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut stack = vec![std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/aws")];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            for part in text.split("map_sdk_error(").skip(1) {
                let lit = part.trim_start();
                if let Some(rest) = lit.strip_prefix('"') {
                    let op = rest.split('"').next().unwrap();
                    out.insert(if op.contains(':') {
                        op.to_string()
                    } else if op == "GetCallerIdentity" {
                        format!("sts:{op}")
                    } else {
                        format!("organizations:{op}")
                    });
                }
            }
            // The Macie / Security Hub adapter: `concat!($prefix, ":Operation")`.
            if text.contains("organization_admin_api!(") {
                for op in [
                    "ListOrganizationAdminAccounts",
                    "EnableOrganizationAdminAccount",
                    "DisableOrganizationAdminAccount",
                ] {
                    for prefix in ["macie2", "securityhub"] {
                        out.insert(format!("{prefix}:{op}"));
                    }
                }
            }
        }
    }
    out
}

fn known() -> BTreeSet<&'static str> {
    use actions::*;
    let mut k: BTreeSet<&'static str> = BTreeSet::new();
    k.extend(ORG_READS);
    k.extend(TAG_READS);
    k.extend(POLICY_READS);
    k.extend(CREATION_READS);
    k.extend(IC_READS);
    k.extend(TEARDOWN);
    for n in crate::catalog::native::NATIVE {
        k.insert(native_read(n.id));
        k.extend(actions(Write::Native(n.id), true));
    }
    for w in [
        Write::CreateOu,
        Write::DeleteOu,
        Write::CreateAccount,
        Write::MoveAccount,
        Write::Tag,
        Write::EnableTrustedAccess,
        Write::DisableTrustedAccess,
        Write::RegisterAdmin,
        Write::DeregisterAdmin,
        Write::PutDelegationPolicy,
        Write::DeleteDelegationPolicy,
        Write::EnablePolicyType,
        Write::CreatePolicy,
        Write::UpdatePolicy,
        Write::AttachPolicy,
        Write::DetachPolicy,
        Write::DeletePolicy,
        Write::IcUsers,
        Write::IcGroups,
        Write::IcPermissionSets,
        Write::IcAssignments,
    ] {
        k.extend(actions(w, true));
    }
    k
}

#[test]
fn every_call_the_adapter_makes_has_its_iam_action_here() {
    let calls = calls_in_the_adapter();
    assert!(calls.len() > 60, "{calls:?}");
    let known = known();
    // IAM names that differ from the API operation's.
    let iam = |c: &str| match c {
        "detective:ListOrganizationAdminAccounts" => {
            "detective:ListOrganizationAdminAccount".to_string()
        }
        other => other.to_string(),
    };
    let missing: Vec<String> = calls
        .iter()
        .map(|c| iam(c))
        .filter(|c| c.as_str() != "sts:GetCallerIdentity" && !known.contains(c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "calls without a permission: {missing:?}"
    );
}

const FILE: &str = "organizational_units:\n  - path: Security\naccounts:\n  - { name: sec-ops, email: sec@example.com, ou: Security }\n  - { name: infra-ops, id: \"222222222222\", ou: root }\ndelegations:\n  sso: { admin: sec-ops }\n  guardduty: { admin: sec-ops, regions: [us-east-1] }\norganizations_delegation:\n  - { account: sec-ops, allow: [policies], policy_types: [SERVICE_CONTROL_POLICY] }\n  - { account: infra-ops, allow: [policies], policy_types: [BACKUP_POLICY] }\npolicies:\n  - name: deny\n    type: SERVICE_CONTROL_POLICY\n    content: {Statement: [{Effect: Deny, Action: \"s3:*\", Resource: \"*\"}]}\n    targets: [root]\n  - name: backups\n    type: BACKUP_POLICY\n    content: {plans: {}}\n    targets: [root]\nidentity_center:\n  users:\n    - { user_name: alice, display_name: A, given_name: A, family_name: B }\n  groups: []\n  permission_sets:\n    - { name: Admin, managed_policies: [\"arn:aws:iam::aws:policy/AdministratorAccess\"] }\n  assignments:\n    - { permission_set: Admin, user: alice, targets: [\"account:sec-ops\"] }\n";

fn actions_of(r: &Role) -> BTreeSet<String> {
    r.policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["Action"].as_array().unwrap().iter())
        .map(|a| a.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn each_account_gets_its_own_share() {
    let r = roles(&desired(FILE), None, Purpose::Apply);
    assert_eq!(
        r.keys().map(String::as_str).collect::<Vec<_>>(),
        ["infra-ops", "management", "sec-ops"]
    );
    let m = actions_of(&r["management"]);
    for a in [
        "organizations:CreateAccount",
        "organizations:CreateOrganizationalUnit",
        "organizations:EnableAWSServiceAccess",
        "organizations:RegisterDelegatedAdministrator",
        "guardduty:EnableOrganizationAdminAccount",
        "guardduty:ListOrganizationAdminAccounts",
        "organizations:PutResourcePolicy",
    ] {
        assert!(m.contains(a), "management lacks {a}: {m:?}");
    }
    // Policies are the delegates' (every type is delegated here); Identity Center is sec-ops'.
    for a in [
        "organizations:CreatePolicy",
        "organizations:AttachPolicy",
        "sso:CreatePermissionSet",
        "identitystore:CreateUser",
    ] {
        assert!(!m.contains(a), "management has {a}");
    }
    let sec = actions_of(&r["sec-ops"]);
    for a in [
        "organizations:CreatePolicy",
        "organizations:AttachPolicy",
        "sso:CreatePermissionSet",
        "sso:CreateAccountAssignment",
        "identitystore:CreateUser",
    ] {
        assert!(sec.contains(a), "sec-ops lacks {a}");
    }
    for a in [
        "organizations:CreateAccount",
        "organizations:RegisterDelegatedAdministrator",
        "guardduty:EnableOrganizationAdminAccount",
    ] {
        assert!(!sec.contains(a), "sec-ops has {a}");
    }
    let sec_policies = r["sec-ops"].policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "OrgctlPolicies")
        .unwrap();
    assert_eq!(
        sec_policies["Condition"]["StringEquals"]["organizations:PolicyType"],
        json!(["SERVICE_CONTROL_POLICY"])
    );
    let infra = actions_of(&r["infra-ops"]);
    assert!(infra.contains("organizations:CreatePolicy"));
    assert!(
        !infra
            .iter()
            .any(|a| a.starts_with("sso:C") || a.starts_with("identitystore:C")),
        "{infra:?}"
    );
    assert_eq!(r["infra-ops"].account_id.as_deref(), Some("222222222222"));
}

#[test]
fn report_mode_grants_no_deletion_and_plan_roles_only_read() {
    let r = roles(&desired(FILE), None, Purpose::Apply);
    for role in r.values() {
        let a = actions_of(role);
        for del in [
            "organizations:DeletePolicy",
            "organizations:DetachPolicy",
            "organizations:DeleteOrganizationalUnit",
            "organizations:DisableAWSServiceAccess",
            "identitystore:DeleteUser",
            "sso:DeletePermissionSet",
        ] {
            assert!(!a.contains(del), "{} has {del}", role.account);
        }
    }
    let mut d = desired(FILE);
    d.unmanaged = Unmanaged::Prune;
    let pruning = roles(&d, None, Purpose::Apply);
    assert!(actions_of(&pruning["sec-ops"]).contains("organizations:DeletePolicy"));
    assert!(actions_of(&pruning["management"]).contains("organizations:DeleteOrganizationalUnit"));
    for role in roles(&desired(FILE), None, Purpose::Plan).values() {
        let statements = role.policy["Statement"].as_array().unwrap();
        assert_eq!(statements.len(), 1, "{}", role.account);
        for a in actions_of(role) {
            let op = a.split(':').nth(1).unwrap();
            assert!(
                op.starts_with("List") || op.starts_with("Describe") || op.starts_with("Get"),
                "{} may {a}",
                role.account
            );
        }
    }
}

#[test]
fn tagging_beyond_the_lock_only_for_the_tags_the_file_manages() {
    // The lock's statement is narrowed to the root and the lock's key; an unconditioned
    // TagResource on "*" appears only when the file manages OU or account tags.
    let unrestricted = |file: &str| {
        let r = roles(&desired(file), None, Purpose::Apply);
        r["management"].policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["Sid"] != "OrgctlLock")
            .any(|s| {
                s["Action"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|a| a == "organizations:TagResource")
            })
    };
    let base = "organizational_units:\n  - path: Security\naccounts:\n  - { name: a, email: a@example.com, ou: Security }\n";
    assert!(!unrestricted(base));
    let lock = roles(&desired(base), None, Purpose::Apply)["management"].policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["Sid"] == "OrgctlLock")
        .cloned()
        .unwrap();
    assert_eq!(
        lock["Condition"]["ForAllValues:StringEquals"]["aws:TagKeys"],
        json!(["orgctl-lock"])
    );
    assert!(unrestricted(
        &base.replace("ou: Security }", "ou: Security, tags: { team: x } }")
    ));
    assert!(unrestricted(&base.replace(
        "- path: Security\n",
        "- path: Security\n    tags: { team: x }\n"
    )));
}
