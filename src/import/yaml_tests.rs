use super::*;

#[test]
fn scalars_read_back_as_the_same_string() {
    assert_eq!(q("sec-ops"), "sec-ops");
    assert_eq!(q("Workloads/Prod"), "Workloads/Prod");
    assert_eq!(q("123456789012"), "\"123456789012\"");
    assert_eq!(q("yes"), "\"yes\"");
    assert_eq!(q("a b"), "\"a b\"");
    assert_eq!(q("a: b"), "\"a: b\"");
    assert_eq!(q("#x"), "\"#x\"");
    assert_eq!(q(""), "\"\"");
    assert_eq!(q("caf\u{e9} \"x\""), "\"caf\u{e9} \\\"x\\\"\"");
    for s in [
        "sec-ops",
        "123456789012",
        "yes",
        "a: b",
        "#x",
        "",
        "x\ny",
        "- a",
        "@@assign",
    ] {
        let back: String = serde_saphyr::from_str(&q(s)).unwrap();
        assert_eq!(back, s);
    }
}

#[test]
fn flow_collections() {
    assert_eq!(list(["a", "b c"]), "[a, \"b c\"]");
    let m = BTreeMap::from([("team".to_string(), "sec ops".to_string())]);
    assert_eq!(map(&m), "{ team: \"sec ops\" }");
}
