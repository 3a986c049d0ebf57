use super::*;
use crate::catalog::{Mechanism, Scope};

#[test]
fn rows_follow_the_variants() {
    for (i, n) in NATIVE.iter().enumerate() {
        assert_eq!(n.id as usize, i, "{:?} is not row {i}", n.id);
        assert_eq!(n.id.api().catalog_id, n.catalog_id);
        assert_eq!(
            serde_json::to_value(n.id).ok(),
            Some(serde_json::Value::String(n.catalog_id.to_string())),
            "a plan file names {:?} by its catalog id",
            n.id
        );
    }
}

#[test]
fn every_native_service_is_a_catalog_service_with_its_own_api_and_matching_scope() {
    for n in NATIVE {
        let s = n.id.service();
        let Some(s) = s else {
            panic!("{} is not in the catalog", n.catalog_id)
        };
        assert!(
            matches!(s.mechanism, Mechanism::ServiceApi(_)),
            "{}: the catalog says Organizations' registration serves it",
            n.catalog_id
        );
        let regional = s.scope == Scope::Regional;
        assert_eq!(
            regional,
            n.scope == AdminScope::PerRegion,
            "{}: the catalog's scope and orgctl's differ",
            n.catalog_id
        );
        assert_eq!(native(n.catalog_id).map(|x| x.id), Some(n.id));
    }
    assert!(
        native("sso").is_none(),
        "sso is delegated through Organizations"
    );
}
