//! Building and comparing delegation-policy documents.
use std::collections::BTreeSet;

use super::*;

fn grant(name: &str, types: &[&str]) -> DelegationGrant {
    DelegationGrant {
        account: AccountRef::Name(name.into()),
        actions: ["ListRoots", "DescribeOrganization"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        policy_actions: if types.is_empty() {
            BTreeSet::new()
        } else {
            ["CreatePolicy", "AttachPolicy"]
                .iter()
                .map(|s| s.to_string())
                .collect()
        },
        policy_types: types.iter().map(|s| s.to_string()).collect(),
    }
}

#[test]
fn document_has_a_read_and_a_conditioned_policy_statement() {
    let d = document(
        &[grant("sec-ops", &["TAG_POLICY", "BACKUP_POLICY"])],
        |_| AccountId::parse("222222222222"),
    );
    let s = d["Statement"].as_array().unwrap();
    assert_eq!(s.len(), 2);
    assert_eq!(s[0]["Sid"], "OrgctlReadSecOps");
    assert_eq!(s[0]["Principal"]["AWS"], "arn:aws:iam::222222222222:root");
    assert_eq!(
        s[1]["Condition"]["StringLikeIfExists"]["organizations:PolicyType"],
        json!(["BACKUP_POLICY", "TAG_POLICY"])
    );
    assert_eq!(
        s[1]["Action"],
        json!(["organizations:AttachPolicy", "organizations:CreatePolicy"])
    );
}

#[test]
fn comparison_ignores_order_format_and_principal_spelling() {
    let ours = document(&[grant("a", &["TAG_POLICY"]), grant("b", &[])], |r| {
        AccountId::parse(if r.to_string() == "a" {
            "222222222222"
        } else {
            "333333333333"
        })
    });
    let theirs: Value = serde_json::from_str(
        r#"{"Statement":[
            {"Resource":"*","Action":["organizations:listroots","organizations:DescribeOrganization"],"Effect":"Allow","Principal":{"AWS":"333333333333"},"Sid":"OrgctlReadB"},
            {"Sid":"OrgctlPoliciesA","Effect":"Allow","Principal":{"AWS":["arn:aws:iam::222222222222:root"]},"Action":["organizations:CreatePolicy","organizations:AttachPolicy"],"Resource":["*"],"Condition":{"StringLikeIfExists":{"organizations:PolicyType":"TAG_POLICY"}}},
            {"Sid":"OrgctlReadA","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},"Action":["organizations:DescribeOrganization","organizations:ListRoots"],"Resource":"*"}
        ],"Version":"2012-10-17"}"#,
    )
    .unwrap();
    assert!(same(&ours, &theirs));
    let narrower = document(&[grant("a", &[]), grant("b", &[])], |_| {
        AccountId::parse("222222222222")
    });
    assert!(!same(&ours, &narrower));
}

#[test]
fn unknown_ids_show_a_placeholder() {
    let d = document(&[grant("new-acct", &[])], |_| None);
    assert_eq!(
        d["Statement"][0]["Principal"]["AWS"],
        "arn:aws:iam::<id of new-acct, known after apply>:root"
    );
}
