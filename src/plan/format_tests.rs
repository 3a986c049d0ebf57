use super::*;

/// The checked-in schemas are the generated ones (`make schema` rewrites them).
#[test]
fn checked_in_plan_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/plan.schema.json");
    let on_disk = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        on_disk == plan_schema(),
        "schemas/plan.schema.json is out of date: run `make schema` and commit it"
    );
}

#[test]
fn the_plan_schema_pins_the_version_and_describes_every_top_level_field() {
    let s: Value = serde_json::from_str(&plan_schema()).unwrap();
    assert_eq!(s["properties"]["format_version"]["const"], FORMAT_VERSION);
    let props = s["properties"].as_object().unwrap();
    for k in [
        "changes", "stages", "summary", "digest", "warnings", "desired",
    ] {
        assert!(props.contains_key(k), "{k}");
    }
    let undocumented: Vec<&String> = props
        .iter()
        .filter(|(_, v)| v["description"].as_str().is_none_or(str::is_empty))
        .map(|(k, _)| k)
        .collect();
    assert!(undocumented.is_empty(), "{undocumented:?}");
    let change = &s["$defs"]["Change"]["properties"];
    for k in [
        "address",
        "action",
        "executor",
        "depends_on",
        "before",
        "after",
    ] {
        assert!(change[k]["description"].is_string(), "Change.{k}");
    }
}
