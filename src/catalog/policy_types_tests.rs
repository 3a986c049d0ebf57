use super::*;
use serde_json::Value;

fn data() -> Value {
    let text = include_str!("../../data/policy-types.yaml");
    serde_saphyr::from_str::<Value>(text).unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn the_table_agrees_with_data_policy_types_yaml() {
    let d = data();
    let types = d["types"].as_object().unwrap();
    let names: Vec<&str> = TYPES.iter().map(|t| t.name).collect();
    let mut in_file: Vec<&str> = types.keys().map(String::as_str).collect();
    let mut sorted = names.clone();
    sorted.sort();
    in_file.sort();
    assert_eq!(sorted, in_file);
    for t in TYPES {
        let row = &types[t.name];
        let family = if t.family == Family::Iam {
            "iam"
        } else {
            "management"
        };
        assert_eq!(row["family"], family, "{}", t.name);
        assert_eq!(strings(&row["top_level"]), t.top_level, "{}", t.name);
        assert_eq!(
            row["max_size"].as_u64(),
            Some(t.max_size as u64),
            "{}",
            t.name
        );
        assert_eq!(
            row["attach_max"].as_u64(),
            t.attach_max.map(|n| n as u64),
            "{}",
            t.name
        );
        assert_eq!(
            row["attach_min"].as_u64().unwrap_or(0),
            t.attach_min as u64,
            "{}",
            t.name
        );
        assert_eq!(
            row["default"].as_str(),
            t.default.map(|(n, _)| n),
            "{}",
            t.name
        );
        if let Some((_, detachable)) = t.default {
            assert_eq!(
                row["default_detachable"].as_bool(),
                Some(detachable),
                "{}",
                t.name
            );
        }
        assert_eq!(
            row["service_principal"].as_str(),
            t.service_principal,
            "{}",
            t.name
        );
        assert_eq!(
            strings(&row["statement_forbids"]),
            t.statement_forbids,
            "{}",
            t.name
        );
        assert_eq!(
            strings(&row["statement_requires"]),
            t.statement_requires,
            "{}",
            t.name
        );
        assert_eq!(strings(&row["effects"]), t.effects, "{}", t.name);
    }
    assert_eq!(strings(&d["operators"]), OPERATORS);
}

#[test]
fn every_type_orgctl_accepts_has_rules() {
    for ty in crate::catalog::orgs_delegation::POLICY_TYPES {
        assert!(policy_type(ty).is_some(), "{ty}");
    }
    assert_eq!(
        TYPES.len(),
        crate::catalog::orgs_delegation::POLICY_TYPES.len()
    );
}

#[test]
fn lookups() {
    assert_eq!(
        default_policy("RCPFullAWSAccess").unwrap().name,
        "RESOURCE_CONTROL_POLICY"
    );
    assert_eq!(
        default_policy("FullAWSAccess").unwrap().name,
        "SERVICE_CONTROL_POLICY"
    );
    assert!(default_policy("p-1234").is_none());
    let needing: Vec<&str> = needing("securityhub.amazonaws.com")
        .map(|t| t.name)
        .collect();
    assert_eq!(needing, ["SECURITYHUB_POLICY"]);
}
