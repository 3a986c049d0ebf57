//! Unit tests of `model::yaml_errors`.

use super::*;

const DOC: &str = "version: 1\norganization:\n  management_account_id: \"1\"\n  regions: us-east-1   # a comment\naccounts:\n  - name: a\n    email: x\n  - { name: [b], email: y }\npolicies:\n- name: p\n  targets:\n    - root\n    - [x]\n";

#[test]
fn the_field_path_is_recovered_from_the_position() {
    assert_eq!(path_at(DOC, 1, 10), "version");
    assert_eq!(path_at(DOC, 4, 12), "organization.regions");
    assert_eq!(path_at(DOC, 7, 12), "accounts[0].email");
    assert_eq!(path_at(DOC, 8, 13), "accounts[1].name");
    assert_eq!(path_at(DOC, 8, 24), "accounts[1].email");
    assert_eq!(path_at(DOC, 10, 9), "policies[0].name");
    assert_eq!(path_at(DOC, 13, 7), "policies[0].targets[1]");
}

#[test]
fn a_rejected_value_is_patched_with_one_of_the_expected_kind() {
    let t = "a: x\nb: { c: [1, 2], d: y }\n";
    assert_eq!(
        patch(t, 1, 4, "expected sequence start").unwrap(),
        "a: []\nb: { c: [1, 2], d: y }\n"
    );
    assert_eq!(
        patch(t, 2, 9, "expected string scalar").unwrap(),
        "a: x\nb: { c: \"\", d: y }\n"
    );
    assert_eq!(
        patch(
            t,
            2,
            20,
            "unknown variant `y`, expected one of `report`, `prune`"
        )
        .unwrap(),
        "a: x\nb: { c: [1, 2], d: report }\n"
    );
    assert_eq!(
        patch("n: \"q,r\" # c\n", 1, 4, "invalid u32").unwrap(),
        "n: 1 # c\n"
    );
    assert_eq!(patch(t, 1, 4, "did not find expected key"), None);
    assert_eq!(patch("a:\n  - x\n", 1, 3, "expected string scalar"), None);
}

#[test]
fn type_errors_say_what_was_expected() {
    let (m, f) = explain("expected sequence start");
    assert!(m.contains("a list") && f.contains("a list"), "{m} / {f}");
    let (m, f) = explain("unknown variant `delete`, expected one of `report`, `prune`");
    assert!(
        m.contains("delete") && f == "use one of: report, prune",
        "{m} / {f}"
    );
    let (m, _) = explain("invalid u32");
    assert!(m.contains("a whole number"), "{m}");
    let (m, _) = explain("budget breached: Nodes { nodes: 250001 }");
    assert!(!m.contains("Nodes {"), "{m}");
    let (_, f) = explain("did not find expected key");
    assert!(f.contains("YAML syntax"), "{f}");
    let (_, f) = explain("while parsing a block mapping, did not find expected key");
    assert!(f.contains("YAML syntax"), "{f}");
}
