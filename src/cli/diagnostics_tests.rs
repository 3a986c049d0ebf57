use super::*;

#[test]
fn a_finding_shows_its_line_with_a_caret_under_the_value_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("org.yaml");
    std::fs::write(
        &f,
        "version: 1\naccounts:\n  - { name: app, email: app@example.com, ou: Prodd }\n",
    )
    .unwrap();
    let column = "  - { name: app, email: app@example.com, ou: Prodd }"
        .find("Prodd")
        .unwrap()
        + 1;
    let d = Diagnostic {
        severity: Severity::Error,
        file: f.display().to_string(),
        line: 3,
        column: column as u64,
        field: "accounts[0].ou".into(),
        message: "OU `Prodd` is not declared".into(),
        fix: "did you mean `Prod`?".into(),
    };
    let out = SourceView::default().render(&d, false);
    let want_where = format!("{}:3:{column}", f.display());
    assert!(
        out.starts_with("error: accounts[0].ou: OU `Prodd` is not declared"),
        "{out}"
    );
    assert!(out.contains(&want_where), "{out}");
    assert!(
        out.contains("3 |   - { name: app, email: app@example.com, ou: Prodd }"),
        "{out}"
    );
    let caret = out.lines().find(|l| l.contains('^')).unwrap();
    let line = out.lines().find(|l| l.contains("ou: Prodd")).unwrap();
    assert_eq!(caret.find('^'), line.find("Prodd"), "{out}");
    assert_eq!(caret.matches('^').count(), "Prodd".len(), "{out}");
    assert!(out.contains("fix: did you mean `Prod`?"), "{out}");
}

#[test]
fn a_finding_without_a_readable_line_is_one_line() {
    let d = Diagnostic {
        severity: Severity::Warning,
        file: "/nonexistent/org.yaml".into(),
        line: 3,
        column: 1,
        field: "x".into(),
        message: "m".into(),
        fix: String::new(),
    };
    assert_eq!(
        SourceView::default().render(&d, false),
        "/nonexistent/org.yaml:3:1: warning: x: m"
    );
}
