//! Unit tests of `plan::planfile`.

use super::*;

fn plan() -> Plan {
    let d = crate::tests::desired("accounts:\n  - { name: a, email: a@example.com, ou: root }\n");
    let mut p = crate::plan::diff(&d, &crate::tests::empty_org()).unwrap();
    p.desired = Some(d);
    p
}

#[test]
fn a_written_plan_reads_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("plan.json");
    let p = plan();
    write(&f, &p).unwrap();
    assert_eq!(read(&f).unwrap(), p);
}

#[test]
fn an_edited_plan_is_refused_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("plan.json");
    write(&f, &plan()).unwrap();
    let text = std::fs::read_to_string(&f).unwrap();
    for (from, to) in [
        ("\"action\": \"create\"", "\"action\": \"update\""),
        ("\"create\": 1", "\"create\": 0"),
        (
            "\"email\": \"a@example.com\"",
            "\"email\": \"b@example.com\"",
        ),
    ] {
        assert!(text.contains(from), "{from}");
        std::fs::write(&f, text.replacen(from, to, 1)).unwrap();
        let e = read(&f).unwrap_err().to_string();
        assert!(e.contains("was edited after") && e.contains("fix:"), "{e}");
    }
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v.as_object_mut().unwrap().remove("digest");
    std::fs::write(&f, v.to_string()).unwrap();
    assert!(read(&f)
        .unwrap_err()
        .to_string()
        .contains("has no `digest`"));
}
