use super::*;
use crate::catalog::native::{AdminScope, NATIVE};

#[test]
fn the_adapter_table_agrees_with_the_catalog() {
    for n in NATIVE {
        match adapter(n.id) {
            Adapter::Regional { teardown, .. } => {
                assert_eq!(n.scope, AdminScope::PerRegion, "{}", n.catalog_id);
                assert_eq!(
                    teardown.is_some(),
                    n.teardown.is_some(),
                    "{}: the catalog and the adapter disagree on the outgoing admin's teardown",
                    n.catalog_id
                );
            }
            Adapter::Organization(_) => {
                assert_eq!(n.scope, AdminScope::Organization, "{}", n.catalog_id);
                assert!(n.teardown.is_none(), "{}", n.catalog_id);
            }
        }
    }
}
