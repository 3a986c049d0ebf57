//! The values AWS rejects, caught offline (issue 12, item 6): each case is a file whose
//! apply would stop part-way on AWS, and the error a user gets instead (field, line, fix).

use super::tests::{assert_error, HEAD};
use crate::model::{load_str, Severity};

fn account(name: &str, email: &str) -> String {
    format!("{HEAD}accounts:\n  - name: {name}\n    email: {email}\n    ou: root\n")
}

#[test]
fn account_names_are_printable_ascii() {
    for name in [
        "\"caf\u{e9}\"",
        "\"team \u{1f680}\"",
        "\"a\\tb\"",
        "\"two\\nlines\"",
        "\"nul\\0\"",
    ] {
        assert_error(
            &account(name, "aws+x@example.com"),
            "accounts[0].name",
            5,
            "only printable ASCII",
        );
    }
    // Spaces and punctuation are fine.
    assert!(load_str(
        "org.yaml",
        &account("\"Team A (prod) - 1.0\"", "aws+x@example.com")
    )
    .is_ok());
}

#[test]
fn emails_follow_organizations_documented_rules() {
    for email in [
        "a@b.c",                          // 5 characters
        "\"d\u{e9}j\u{e0}@example.com\"", // not 7-bit ASCII
        "\".dot@example.com\"",           // local name starts with a dot
        "\"a(b)@example.com\"",           // ( ) in the local name
        "\"a%b@example.com\"",            // % in the local name
        "\"ab@exa_mple.com\"",            // _ in the domain
        "\"ab@-example.com\"",            // domain begins with a hyphen
        "\"ab@example.com.\"",            // domain ends with a dot
        "\"ab@localhost\"",               // no dot in the domain
        "\"a@b@example.com\"",            // two @
    ] {
        assert_error(
            &account("x", email),
            "accounts[0].email",
            6,
            "not an email address AWS accepts",
        );
    }
    for ok in [
        "aws+sec-ops@example.com",
        "first.last@sub.example.co.uk",
        "a_b-c!#@x-y.io",
    ] {
        assert!(load_str("org.yaml", &account("x", ok)).is_ok(), "{ok}");
    }
}

#[test]
fn region_typos_are_errors_with_did_you_mean_and_unknown_ones_warn() {
    let f = |r: &str| {
        format!("version: 1\norganization:\n  management_account_id: \"111111111111\"\n  regions: [{r}]\n")
    };
    assert_error(
        &f("eu-wset-1"),
        "organization.regions[0]",
        4,
        "did you mean eu-west-1?",
    );
    assert_error(
        &f("us-easst-1"),
        "organization.regions[0]",
        4,
        "did you mean us-east-1?",
    );
    assert_error(
        &f("eu-west-l"),
        "organization.regions[0]",
        4,
        "not an AWS Region name",
    );
    let loaded = load_str("org.yaml", &f("xx-newland-9")).unwrap();
    assert!(loaded
        .warnings
        .iter()
        .any(|w| w.severity == Severity::Warning
            && w.message.contains("not a Region this orgctl knows")));
    // In a delegation too.
    let y = format!("{HEAD}accounts:\n  - {{ name: sec, email: aws+sec@example.com, ou: root }}\ndelegations:\n  guardduty: {{ admin: sec, regions: [us-east-1, eu-centrl-1] }}\n");
    assert_error(
        &y,
        "delegations[\"guardduty\"].regions",
        7,
        "did you mean eu-central-1?",
    );
}

#[test]
fn policies_must_not_be_empty_nor_have_long_descriptions() {
    let p = |extra: &str| {
        format!("{HEAD}policies:\n  - name: p\n    type: SERVICE_CONTROL_POLICY\n{extra}")
    };
    assert_error(
        &p("    content: {}\n"),
        "policies[0].content",
        7,
        "the document is empty",
    );
    let long = "d".repeat(513);
    assert_error(
        &p(&format!(
            "    description: {long}\n    content: {{ Version: \"2012-10-17\", Statement: [] }}\n"
        )),
        "policies[0].description",
        7,
        "at most 512",
    );
}

#[test]
fn identity_center_user_names_have_no_control_characters() {
    let y = format!("{HEAD}identity_center:\n  users:\n    - {{ user_name: \"al\\0ice\", display_name: A, given_name: A, family_name: B }}\n");
    assert_error(
        &y,
        "identity_center.users[0].user_name",
        6,
        "control character",
    );
}

#[test]
fn type_errors_name_the_field_and_what_was_expected() {
    let f = |body: &str| format!("{HEAD}{body}");
    assert_error(
        &f("  regions: us-east-1\n"),
        "organization.regions",
        4,
        "expected a list",
    );
    assert_error(
        &f("accounts:\n  - { name: [a], email: a@example.com, ou: root }\n"),
        "accounts[0].name",
        5,
        "expected a text value",
    );
    assert_error(
        &f("accounts:\n  - name: a\n    email: a@example.com\n    ou: root\n    tags: [a, b]\n"),
        "accounts[0].tags",
        8,
        "expected a mapping",
    );
    assert_error(
        &f("  unmanaged: delete\n"),
        "organization.unmanaged",
        4,
        "unknown value `delete`",
    );
}

#[test]
fn a_file_that_is_not_utf8_points_at_the_byte() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("org.yaml");
    std::fs::write(
        &p,
        b"version: 1\norganization:\n  management_account_id: \"11\xe9\"\n",
    )
    .unwrap();
    match crate::model::load(&p) {
        Err(crate::model::LoadError::Invalid { diagnostics, .. }) => {
            let d = &diagnostics[0];
            assert_eq!((d.line, d.column), (3, 29), "{d}");
            assert!(d.message.contains("not UTF-8") && !d.fix.is_empty(), "{d}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn tag_keys_and_values_use_the_characters_organizations_accepts() {
    let y = |tags: &str| format!("{HEAD}organizational_units:\n  - path: A\n    tags: {tags}\n");
    for (tags, key) in [
        ("{ \"cost#center\": x }", "cost#center"),
        ("{ k: \"a;b\" }", "k"),
        ("{ k: \"<v>\" }", "k"),
        ("{ k: \"a\\nb\" }", "k"),
        ("{ \"k!\": v }", "k!"),
    ] {
        assert_error(
            &y(tags),
            &format!("organizational_units[0].tags.{key}"),
            6,
            "does not accept in tags",
        );
    }
    // Letters of any script, digits, spaces and the allowed punctuation pass.
    assert!(load_str(
        "org.yaml",
        &y("{ \"Kostenstelle café\": \"a_b.c:d/e=f+g-h@i 1\" }")
    )
    .is_ok());
}

#[test]
fn every_type_error_of_a_file_is_reported_at_once() {
    let y = "version: x\norganization:\n  management_account_id: \"111111111111\"\n  regions: us-east-1\n  unmanaged: delete\naccounts:\n  - { name: [a], email: a@example.com, ou: root }\n";
    let errs = super::tests::errors(y);
    let at: Vec<(u64, &str)> = errs.iter().map(|d| (d.line, d.field.as_str())).collect();
    assert_eq!(
        at,
        vec![
            (1, "version"),
            (4, "organization.regions"),
            (5, "organization.unmanaged"),
            (7, "accounts[0].name")
        ],
        "{errs:?}"
    );
}

#[test]
fn a_document_that_breaks_its_types_grammar_is_an_error_at_its_line() {
    // Issue 11, item 2: AWS answers MalformedPolicyDocumentException; orgctl says where and why.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("scp.json"),
        r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}]}"#,
    )
    .unwrap();
    let y = format!("{HEAD}policies:\n  - name: p\n    type: SERVICE_CONTROL_POLICY\n    file: scp.json\n  - name: t\n    type: TAG_POLICY\n    content: {{ tags: {{ team: {{ tag_key: {{ \"@@asign\": Team }} }} }} }}\n  - name: RCPFullAWSAccess\n    type: RESOURCE_CONTROL_POLICY\n    targets: [root]\n");
    let path = dir.path().join("org.yaml");
    std::fs::write(&path, &y).unwrap();
    let e = match crate::model::load(&path) {
        Err(crate::model::LoadError::Invalid { diagnostics, .. }) => diagnostics,
        other => panic!("{other:?}"),
    };
    let got: Vec<(String, u64, String, String)> = e
        .iter()
        .map(|d| (d.field.clone(), d.line, d.message.clone(), d.fix.clone()))
        .collect();
    assert_eq!(got.len(), 3, "{got:#?}");
    assert_eq!(got[0].0, "policies[0].file");
    assert_eq!(got[0].1, 7);
    assert_eq!(
        got[0].2,
        "scp.json: Statement[0].Principal: an SCP does not support `Principal`"
    );
    assert!(got[0].3.contains("aws:PrincipalArn"), "{}", got[0].3);
    assert_eq!(got[1].0, "policies[1].content");
    assert_eq!(got[1].1, 10);
    assert_eq!(
        got[1].2,
        "tags.team.tag_key.@@asign: `@@asign` is not an inheritance operator"
    );
    assert_eq!(got[1].3, "did you mean `@@assign`?");
    assert_eq!(got[2].0, "policies[2].name");
    assert!(got[2].2.contains("cannot be detached"), "{}", got[2].2);
}
