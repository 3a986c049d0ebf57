//! End to end, least privilege (issue 13, part 2): the emulator logs every call with the
//! account that made it and the request context IAM evaluates (the resource, the condition
//! keys) while each executor plans and applies the example; IAM, as evaluated here for the
//! statements orgctl writes ([`permits`]: action, Resource, Condition), allows every call under
//! the policy `orgctl permissions` generates for that account, and the policy grants no write
//! the account's share did not make (other than the documented ones a later edit of the file
//! can need).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use crate::e2e::save_plan;
use crate::emulator::{example, Creds, Emulator, MGMT};

/// `orgctl permissions --plan PLAN --executor NAME --for PURPOSE`.
fn policy(emu: &Emulator, plan: &str, name: &str, purpose: &str) -> Value {
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

/// A policy element that is a string or a list of strings, as a list.
fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::String(s) => vec![s.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    }
}

/// A policy's statements (a list, or a single statement).
fn statements(policy: &Value) -> Vec<&Value> {
    let s = &policy["Statement"];
    match s {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => vec![s],
        _ => Vec::new(),
    }
}

/// The action names a policy's Allow statements list (what it grants, by name).
fn granted(policy: &Value) -> BTreeSet<String> {
    statements(policy)
        .into_iter()
        .filter(|s| s["Effect"] == "Allow")
        .flat_map(|s| strings(&s["Action"]))
        .map(str::to_string)
        .collect()
}

/// IAM's wildcard match (Action, Resource, StringLike): `*` any run of characters, `?` one.
fn glob(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while j < t.len() {
        if i < p.len() && (p[i] == '?' || p[i] == t[j]) {
            i += 1;
            j += 1;
        } else if i < p.len() && p[i] == '*' {
            star = Some((i, j));
            i += 1;
        } else if let Some((si, sj)) = star {
            i = si + 1;
            j = sj + 1;
            star = Some((si, sj + 1));
        } else {
            return false;
        }
    }
    p[i..].iter().all(|c| *c == '*')
}

/// The value of condition key `key` in a call's request context (keys are case-insensitive).
fn context_value<'a>(call: &'a Value, key: &str) -> Option<&'a Value> {
    call["context"]["keys"]
        .as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Whether one condition (`operator`: {`key`: the policy's values}) holds for `call`, for the
/// operators orgctl's policies use. Several values for one key: any of them (OR). A
/// single-valued operator (StringEquals, StringLike) fails when the key is not in the request
/// context. `ForAllValues:` holds when every value of the key in the request matches one of
/// the policy's, and also when the key is absent or empty; `ForAnyValue:` when one value
/// does, never when the key is absent (IAM user guide, "Condition operators" and
/// "Multivalued context keys"). Any other operator stops the test: it is not evaluated here.
fn condition_holds(operator: &str, key: &str, wanted: &Value, call: &Value) -> bool {
    let (set, op) = match operator.split_once(':') {
        Some((set, op)) => (Some(set), op),
        None => (None, operator),
    };
    assert!(
        matches!(op, "StringEquals" | "StringLike")
            && matches!(set, None | Some("ForAllValues") | Some("ForAnyValue")),
        "condition operator {operator} is not evaluated by this test: extend `condition_holds`"
    );
    let wanted = strings(wanted);
    let hit = |value: &str| {
        wanted.iter().any(|w| match op {
            "StringEquals" => *w == value,
            _ => glob(w, value),
        })
    };
    match (set, context_value(call, key)) {
        (None, None) => false,
        (None, Some(Value::String(s))) => hit(s.as_str()),
        (None, Some(v)) => {
            panic!("{operator} on the multivalued {key} ({v}): IAM needs a set operator")
        }
        (Some("ForAllValues"), None) => true,
        (Some("ForAllValues"), Some(v)) => strings(v).into_iter().all(hit),
        (_, None) => false,
        (_, Some(v)) => strings(v).into_iter().any(hit),
    }
}

/// Whether `statement` names the call's action: exactly or with IAM's wildcards, ignoring
/// case (IAM action names are case-insensitive).
fn names_action(statement: &Value, call: &Value) -> bool {
    let action = call["action"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    strings(&statement["Action"])
        .into_iter()
        .any(|a| glob(&a.to_ascii_lowercase(), &action))
}

/// Whether `statement` applies to `call`: it names the action; its Resource is `*`, or an ARN
/// pattern matching the call's resource (a call whose resource is not known matches only
/// `*`); each of its conditions holds against the call's request context.
fn applies(statement: &Value, call: &Value) -> bool {
    for element in ["NotAction", "NotResource", "Principal", "NotPrincipal"] {
        assert!(
            statement.get(element).is_none(),
            "{element} is not evaluated by this test: {statement}"
        );
    }
    if !names_action(statement, call) {
        return false;
    }
    let resource = call["context"]["resource"].as_str();
    let on_resource = strings(&statement["Resource"])
        .into_iter()
        .any(|r| r == "*" || resource.is_some_and(|x| glob(r, x)));
    on_resource
        && statement["Condition"]
            .as_object()
            .into_iter()
            .flatten()
            .all(|(operator, keys)| {
                keys.as_object()
                    .into_iter()
                    .flatten()
                    .all(|(key, wanted)| condition_holds(operator, key, wanted, call))
            })
}

/// The Sid (`#index` without one) of the statement under which IAM allows `call`
/// (`{"action", "context": {"resource", "keys"}}`, as the emulator logs it) by `policy`; None
/// when a Deny applies or no Allow does.
fn allowed_by(policy: &Value, call: &Value) -> Option<String> {
    let all = statements(policy);
    if all
        .iter()
        .any(|s| s["Effect"] == "Deny" && applies(s, call))
    {
        return None;
    }
    all.iter()
        .enumerate()
        .find(|(_, s)| s["Effect"] == "Allow" && applies(s, call))
        .map(|(i, s)| {
            s["Sid"]
                .as_str()
                .map_or_else(|| format!("#{i}"), str::to_string)
        })
}

/// Whether IAM allows `call` under `policy` (see [`allowed_by`]).
fn permits(policy: &Value, call: &Value) -> bool {
    allowed_by(policy, call).is_some()
}

/// The statements naming `call`'s action, with their Resource and Condition (what a denied
/// call was checked against).
fn checked_against(policy: &Value, call: &Value) -> String {
    let named: Vec<String> = statements(policy)
        .into_iter()
        .filter(|s| names_action(s, call))
        .map(|s| {
            json!({"Sid": s["Sid"], "Effect": s["Effect"], "Resource": s["Resource"], "Condition": s["Condition"]})
                .to_string()
        })
        .collect();
    if named.is_empty() {
        "no statement names this action".into()
    } else {
        named.join("; ")
    }
}

/// Creations IAM also authorizes as `organizations:TagResource` when they carry tags ("If the
/// request includes tags, then the requester must have the organizations:TagResource
/// permission": CreateAccount, CreateOrganizationalUnit, CreatePolicy API reference).
const CREATES_WITH_TAGS: &[&str] = &[
    "organizations:CreateAccount",
    "organizations:CreateOrganizationalUnit",
    "organizations:CreatePolicy",
];

/// The distinct calls of each account (action and request context), leaving out
/// sts:GetCallerIdentity (which no policy can deny), with the TagResource a creation with
/// tags implies: the same tags, on a resource not known yet (matched by `*` only).
fn by_account(log: &[Value]) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
    for c in log {
        let action = c["action"].as_str().unwrap_or_default();
        if action == "sts:GetCallerIdentity" {
            continue;
        }
        assert!(c.get("context_error").is_none(), "{c}");
        let call = json!({"action": action, "context": c["context"]});
        let mut calls = vec![call.clone()];
        if CREATES_WITH_TAGS.contains(&action) && context_value(&call, "aws:TagKeys").is_some() {
            calls.push(json!({
                "action": "organizations:TagResource",
                "context": {"keys": c["context"]["keys"]},
                "implied_by": action
            }));
        }
        let mine = out
            .entry(c["account"].as_str().unwrap_or_default().to_string())
            .or_default();
        for call in calls {
            mine.insert(call.to_string(), call);
        }
    }
    out.into_iter()
        .map(|(account, calls)| (account, calls.into_values().collect()))
        .collect()
}

/// Asserts IAM allows each of `calls` under `policy`, naming each denied call (action,
/// context) and the statements it was checked against; prints how many were checked.
fn assert_permitted(name: &str, purpose: &str, policy: &Value, calls: &[Value]) {
    let mut denied = Vec::new();
    let mut by_statement: BTreeMap<String, usize> = BTreeMap::new();
    for c in calls {
        match allowed_by(policy, c) {
            Some(sid) => *by_statement.entry(sid).or_default() += 1,
            None => denied.push(format!(
                "{} context {}{} -- checked against: {}",
                c["action"],
                c["context"],
                c["implied_by"]
                    .as_str()
                    .map(|a| format!(" (implied by {a})"))
                    .unwrap_or_default(),
                checked_against(policy, c)
            )),
        }
    }
    let with_context = calls.iter().filter(|c| !c["context"].is_null()).count();
    println!(
        "{name} {purpose}: {} distinct calls checked against its policy, {with_context} of them with their request context (Resource and Condition evaluated); allowed by {by_statement:?}",
        calls.len()
    );
    assert!(
        denied.is_empty(),
        "{name}'s {purpose} made calls its {purpose} policy denies:\n{}",
        denied.join("\n")
    );
}

fn is_read(a: &str) -> bool {
    let op = a.split(':').nth(1).unwrap_or("");
    ["List", "Describe", "Get"]
        .iter()
        .any(|p| op.starts_with(p))
}

/// Executors, by the name the plan gives them, with their account and credentials (taken
/// before the log starts: the test's own AssumeRole calls are not orgctl's).
async fn executors(
    emu: &Emulator,
    plan: &Value,
    seeded: &Value,
) -> BTreeMap<String, (String, Creds)> {
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
    who
}

/// Applies the saved plan stage by stage, each with its executor's credentials.
fn apply(emu: &Emulator, plan: &Value, pf: &str, who: &BTreeMap<String, (String, Creds)>) {
    for s in plan["stages"].as_array().unwrap() {
        let name = s["account_name"].as_str().unwrap();
        let n = s["number"].to_string();
        let key = if name == "master" { "management" } else { name };
        let r = emu.orgctl_as(
            &who[key].1,
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
}

/// Writes granted but not made by this apply are those a later edit of the file needs (an
/// updated document, a moved account, a changed admin, tags): never another account's
/// share, never a deletion (the example does not prune).
fn assert_unused_writes_are_later_ones(unused_writes: &BTreeMap<String, Vec<String>>) {
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
    for (name, unused) in unused_writes {
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
}

#[tokio::test]
async fn every_call_of_each_executor_is_allowed_by_its_generated_policy_and_no_more() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    let seeded = emu.seed(&["demo", "--legacy"]);
    let f = example();
    let f = f.to_str().unwrap();
    let (plan, pf) = save_plan(&emu, f);
    let pf = pf.as_str();
    let who = executors(&emu, &plan, &seeded).await;

    // Applies, stage by stage: IAM allows every call (action, resource, conditions) under
    // the apply policy.
    emu.reset_calls();
    apply(&emu, &plan, pf, &who);
    let made = by_account(&emu.call_log());
    let mut unused_writes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (name, (id, _)) in &who {
        let p = policy(&emu, pf, name, "apply");
        let calls = made.get(id).cloned().unwrap_or_default();
        assert_permitted(name, "apply", &p, &calls);
        let used: BTreeSet<&str> = calls.iter().filter_map(|c| c["action"].as_str()).collect();
        let unused: Vec<String> = granted(&p)
            .into_iter()
            .filter(|a| !is_read(a) && !used.contains(a.as_str()))
            .collect();
        unused_writes.insert(name.clone(), unused);
    }
    assert_unused_writes_are_later_ones(&unused_writes);
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
        let made = by_account(&emu.call_log()).remove(id).unwrap_or_default();
        let p = policy(&emu, pf, name, "plan");
        assert_permitted(name, "plan", &p, &made);
        let allow = granted(&p);
        assert!(allow.iter().all(|a| is_read(a)), "{name}: {allow:?}");
    }

    // Each account's writes stay in its lane.
    let mgmt_allow = granted(&policy(&emu, pf, "management", "apply"));
    assert!(
        !mgmt_allow.contains("organizations:CreatePolicy"),
        "policies are delegated"
    );
    assert!(
        !mgmt_allow.contains("sso:CreatePermissionSet"),
        "Identity Center is sec-ops'"
    );
    let sec_allow = granted(&policy(&emu, pf, "sec-ops", "apply"));
    assert!(!sec_allow.contains("organizations:CreateAccount"));
}

/// `orgctl permissions -f examples/org.yaml --executor NAME` (no emulator: the file only).
fn example_policy(name: &str) -> Value {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .args(["permissions", "-f"])
        .arg(example())
        .args(["--executor", name, "--for", "apply"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The evaluation the e2e test relies on refuses what IAM refuses, against the statements
/// orgctl generates for the example (sec-ops manages SCPs and tag policies; the lock is a
/// tag on the root) and against hand-written ones.
#[test]
fn permits_evaluates_resource_and_conditions_as_iam_does() {
    let scp_only = json!({"Statement": [{
        "Sid": "OrgctlPolicies", "Effect": "Allow",
        "Action": ["organizations:AttachPolicy", "organizations:CreatePolicy"],
        "Resource": "*",
        "Condition": {"StringEquals": {"organizations:PolicyType": ["SERVICE_CONTROL_POLICY"]}}
    }]});
    let create = |ty: &str| json!({"action": "organizations:CreatePolicy", "context": {"keys": {"organizations:PolicyType": ty}}});
    assert!(permits(&scp_only, &create("SERVICE_CONTROL_POLICY")));
    assert!(!permits(&scp_only, &create("TAG_POLICY")));
    assert!(
        !permits(
            &scp_only,
            &json!({"action": "organizations:CreatePolicy", "context": null})
        ),
        "a condition key missing from the request context fails StringEquals"
    );
    let lock = json!({"Statement": [{
        "Sid": "OrgctlLock", "Effect": "Allow",
        "Action": ["organizations:TagResource", "organizations:UntagResource"],
        "Resource": format!("arn:aws:organizations::{MGMT}:root/o-*/r-*"),
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["orgctl-lock"]}}
    }]});
    let root = format!("arn:aws:organizations::{MGMT}:root/o-abc123defg/r-ab12");
    let ou = format!("arn:aws:organizations::{MGMT}:ou/o-abc123defg/ou-ab12-abcdefgh");
    fn tag(resource: Option<&str>, keys: &[&str]) -> Value {
        let mut context = json!({"keys": {"aws:TagKeys": keys}});
        if let Some(r) = resource {
            context["resource"] = json!(r);
        }
        json!({"action": "organizations:TagResource", "context": context})
    }
    assert!(permits(&lock, &tag(Some(root.as_str()), &["orgctl-lock"])));
    assert!(!permits(&lock, &tag(Some(root.as_str()), &["team"])));
    assert!(!permits(
        &lock,
        &tag(Some(root.as_str()), &["orgctl-lock", "team"])
    ));
    assert!(!permits(&lock, &tag(Some(ou.as_str()), &["orgctl-lock"])));
    assert!(
        !permits(&lock, &tag(None, &["orgctl-lock"])),
        "a specific Resource does not match a call whose resource is unknown"
    );
    assert!(
        permits(
            &lock,
            &json!({"action": "organizations:TagResource", "context": {"resource": root}})
        ),
        "ForAllValues holds when the key is absent from the request (IAM)"
    );
    let wild = json!({"Statement": [
        {"Effect": "Allow", "Action": "organizations:List*", "Resource": "*"},
        {"Effect": "Deny", "Action": "organizations:ListRoots", "Resource": "*"}
    ]});
    assert!(permits(
        &wild,
        &json!({"action": "organizations:listaccountsforparent"})
    ));
    assert!(!permits(
        &wild,
        &json!({"action": "organizations:ListRoots"})
    ));
    assert!(!permits(
        &wild,
        &json!({"action": "organizations:DescribeOrganization"})
    ));

    // The policies orgctl generates for the example.
    let sec = example_policy("sec-ops");
    assert!(permits(&sec, &create("SERVICE_CONTROL_POLICY")));
    assert!(permits(&sec, &create("TAG_POLICY")));
    assert!(!permits(&sec, &create("BACKUP_POLICY")), "infra-ops' type");
    let mgmt = example_policy("management");
    assert!(
        !permits(&mgmt, &create("TAG_POLICY")),
        "policies are delegated"
    );
    assert!(permits(&sec, &tag(Some(root.as_str()), &["orgctl-lock"])));
    assert!(!permits(&sec, &tag(Some(root.as_str()), &["team"])));
    assert!(!permits(&sec, &tag(Some(ou.as_str()), &["orgctl-lock"])));
    assert!(permits(&mgmt, &tag(Some(root.as_str()), &["orgctl-lock"])));
    let trusted = |sp: &str| json!({"action": "organizations:EnableAWSServiceAccess", "context": {"keys": {"organizations:ServicePrincipal": sp}}});
    assert!(permits(&mgmt, &trusted("tagpolicies.tag.amazonaws.com")));
    assert!(!permits(&mgmt, &trusted("config.amazonaws.com")));
}
