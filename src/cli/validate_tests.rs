//! The GitHub annotations' escapes and the GitLab code-quality entries.

use super::*;

#[test]
fn annotations_escape_what_github_would_misread() {
    let d = Diagnostic {
        severity: Severity::Error,
        file: "org,yaml".into(),
        line: 3,
        column: 7,
        field: "accounts[0].email".into(),
        message: "100% wrong: a,b".into(),
        fix: "write a@example.com".into(),
    };
    assert_eq!(
        annotation(&d),
        "::error file=org%2Cyaml,line=3,col=7,title=accounts[0].email::100%25 wrong: a,b%0Afix: write a@example.com"
    );
}

#[test]
fn code_quality_entries_carry_what_gitlab_requires() {
    let d = Diagnostic {
        severity: Severity::Warning,
        file: "./org.yaml".into(),
        line: 0,
        column: 0,
        field: "organization.regions[0]".into(),
        message: "unknown Region \"xx-new-1\"".into(),
        fix: "check the name".into(),
    };
    let v = code_quality(&d);
    assert_eq!(
        v["description"],
        "organization.regions[0]: unknown Region \"xx-new-1\" (fix: check the name)"
    );
    assert_eq!(v["severity"], "minor");
    assert_eq!(v["location"]["path"], "org.yaml");
    assert_eq!(v["location"]["lines"]["begin"], 1);
    let fp = v["fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 32);
    // Same finding on another line: same fingerprint; another field: another one.
    let moved = Diagnostic {
        line: 9,
        ..d.clone()
    };
    assert_eq!(code_quality(&moved)["fingerprint"], fp);
    let other = Diagnostic {
        field: "organization.regions[1]".into(),
        ..d
    };
    assert_ne!(code_quality(&other)["fingerprint"], fp);
}
