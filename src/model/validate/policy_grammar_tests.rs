use super::*;
use crate::catalog::policy_types::policy_type;
use serde_json::json;

fn check(ty: &str, doc: Value) -> Vec<String> {
    problems(&doc, policy_type(ty).unwrap())
        .into_iter()
        .map(|p| format!("{}: {}", p.path, p.message))
        .collect()
}

#[test]
fn a_valid_scp_and_rcp_pass() {
    let scp = json!({"Version": "2012-10-17", "Statement": [
        {"Sid": "x", "Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"},
        {"Effect": "Allow", "NotAction": ["iam:*"], "NotResource": "arn:aws:iam::*:role/x",
         "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}
    ]});
    assert_eq!(check("SERVICE_CONTROL_POLICY", scp), Vec::<String>::new());
    let rcp = json!({"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Principal": "*",
        "Action": "s3:*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}});
    assert_eq!(check("RESOURCE_CONTROL_POLICY", rcp), Vec::<String>::new());
}

#[test]
fn an_scp_with_a_principal_is_refused_with_the_path() {
    let scp = json!({"Statement": [{"Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*", "Resource": "*"}]});
    assert_eq!(
        check("SERVICE_CONTROL_POLICY", scp),
        ["Statement[1].Principal: an SCP does not support `Principal`"]
    );
}

#[test]
fn iam_structure_errors_are_each_named() {
    let doc = json!({"Version": "2012-10-18", "Policy": 1, "Statement": [
        {"Effect": "Maybe", "Action": "a:b", "NotAction": "c:d", "Resource": "*", "NotResource": "*", "Sids": 1},
        "text"
    ]});
    assert_eq!(
        check("SERVICE_CONTROL_POLICY", doc),
        [
            "Policy: `Policy` is not an element of an SCP",
            "Version: the policy language version is \"2012-10-18\"",
            "Statement[0].Sids: `Sids` is not a statement element",
            "Statement[0].Effect: an SCP cannot have \"Effect\": \"Maybe\"",
            "Statement[0]: a statement has both `Action` and `NotAction`",
            "Statement[0]: a statement has both `Resource` and `NotResource`",
            "Statement[1]: a statement is a JSON object",
        ]
    );
    assert_eq!(
        check("SERVICE_CONTROL_POLICY", json!({"Version": "2012-10-17"})),
        ["Statement: an SCP needs a `Statement`"]
    );
    assert_eq!(
        check("SERVICE_CONTROL_POLICY", json!({"Statement": []})),
        ["Statement: `Statement` is an empty list"]
    );
    assert_eq!(
        check(
            "SERVICE_CONTROL_POLICY",
            json!({"Statement": {"Effect": "Deny"}})
        ),
        ["Statement: a statement needs `Action` (or `NotAction`)"]
    );
}

#[test]
fn an_rcp_denies_for_every_principal_only() {
    let doc = json!({"Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Deny", "Principal": {"AWS": "111111111111"}, "NotAction": "s3:Get*", "Resource": "*"}
    ]});
    assert_eq!(
        check("RESOURCE_CONTROL_POLICY", doc),
        [
            "Statement[0].Effect: an RCP cannot have \"Effect\": \"Allow\"",
            "Statement[1].Principal: every statement of an RCP needs `Principal`",
            "Statement[2].NotAction: an RCP does not support `NotAction`",
            "Statement[2].Principal: an RCP's `Principal` must be \"*\", not {\"AWS\":\"111111111111\"}",
        ]
    );
}

#[test]
fn management_policies_have_their_top_level_key_and_known_operators() {
    let tag = json!({"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"},
        "tag_value": {"@@assign": ["100", "200"]}, "enforced_for": {"@@assign": ["ec2:instance"]}}}});
    assert_eq!(check("TAG_POLICY", tag), Vec::<String>::new());
    let typo = json!({"tags": {"costcenter": {"tag_key": {"@@assing": "CostCenter"}}}});
    assert_eq!(
        check("TAG_POLICY", typo),
        ["tags.costcenter.tag_key.@@assing: `@@assing` is not an inheritance operator"]
    );
    let iam_shaped = json!({"Version": "2012-10-17", "Statement": []});
    assert_eq!(
        check("BACKUP_POLICY", iam_shaped),
        [
            "Version: `Version` is not a top-level key of a BACKUP_POLICY policy",
            "Statement: `Statement` is not a top-level key of a BACKUP_POLICY policy",
        ]
    );
    let wrong_key = json!({"note": {"@@assign": "orgctl"}});
    assert_eq!(
        check("CHATBOT_POLICY", wrong_key),
        ["note: `note` is not a top-level key of a CHATBOT_POLICY policy"]
    );
    // Operators inside lists are checked too.
    let in_list = json!({"plans": {"p": {"rules": {"r": {"copy_actions": [{"@@x": 1}]}}}}});
    assert_eq!(
        check("BACKUP_POLICY", in_list),
        ["plans.p.rules.r.copy_actions[0].@@x: `@@x` is not an inheritance operator"]
    );
}

#[test]
fn not_an_object_or_empty() {
    assert_eq!(
        check("TAG_POLICY", json!([1])),
        [": a policy document is a JSON object"]
    );
    assert_eq!(
        check("SERVICE_CONTROL_POLICY", json!({})),
        [": the document is empty ({}); AWS rejects it as malformed"]
    );
}

#[test]
fn every_type_accepts_a_document_with_its_own_key() {
    for t in crate::catalog::policy_types::TYPES {
        let doc = match t.family {
            Family::Iam => {
                json!({"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]})
            }
            Family::Management => json!({ t.top_level[0]: {"x": {"@@assign": "y"}} }),
        };
        let got = problems(&doc, t);
        if t.name == "SERVICE_CONTROL_POLICY" {
            assert_eq!(got.len(), 1, "{}", t.name);
        } else {
            assert!(got.is_empty(), "{}: {got:?}", t.name);
        }
    }
}

#[test]
fn ai_opt_out_services_hold_only_a_setting_of_opt_out_or_opt_in() {
    let good = json!({"services": {
        "@@operators_allowed_for_child_policies": ["@@none"],
        "default": {"opt_out_policy": {"@@assign": "optOut"}},
        "lex": {"opt_out_policy": {"@@assign": "optIn", "@@operators_allowed_for_child_policies": ["@@none"]}}
    }});
    assert_eq!(
        check("AISERVICES_OPT_OUT_POLICY", good),
        Vec::<String>::new()
    );
    let bad = json!({"services": {
        "default": {"opt_out_policy": {"@@assign": "opt-out"}},
        "lex": {"optout_policy": {"@@assign": "optOut"}},
        "polly": "optOut"
    }});
    assert_eq!(
        check("AISERVICES_OPT_OUT_POLICY", bad),
        [
            "services.default.opt_out_policy.@@assign: \"opt-out\" is not a setting",
            "services.lex.optout_policy: `optout_policy` is not a key of an AI opt-out policy's service",
            "services.polly: a service's entry must be an object",
        ]
    );
}

#[test]
fn a_tag_policy_key_matches_its_tag_key_except_for_case() {
    let good = json!({"tags": {"costcenter": {"tag_key": {"@@assign": "CostCenter"},
        "tag_value": {"@@assign": ["100", "200"]}, "enforced_for": {"@@assign": ["secretsmanager:*"]}}}});
    assert_eq!(check("TAG_POLICY", good), Vec::<String>::new());
    let bad = json!({"tags": {"costcenter": {"tag_key": {"@@assign": "CostCentre"}}}});
    assert_eq!(
        check("TAG_POLICY", bad),
        ["tags.costcenter.tag_key.@@assign: tag key `CostCentre` does not match its policy key `costcenter`"]
    );
}

#[test]
fn a_tag_key_is_an_object_and_matches_in_any_script() {
    let bad = json!({"tags": {"costcenter": {"tag_key": "CostCenter"}}});
    assert_eq!(
        check("TAG_POLICY", bad),
        ["tags.costcenter.tag_key: `tag_key` must be an object of operators"]
    );
    let good = json!({"tags": {"ärger": {"tag_key": {"@@assign": "Ärger"}}}});
    assert_eq!(check("TAG_POLICY", good), Vec::<String>::new());
}
