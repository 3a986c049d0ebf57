//! What `validate` checks that JSON Schema can say too, added to the generated schema of
//! org.yaml: the version, enums (policy types, catalog services, with full service principals
//! allowed by pattern) and patterns (Regions, account and policy ids, emails, durations,
//! targets, AWS-managed policy ARNs).

use serde_json::{json, Value};

/// Where the schema is published (editors and `check-jsonschema` fetch it from there).
pub const SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/orgctl/orgctl/main/schemas/org.schema.json";

/// A Region code's shape (`us-east-1`, `us-gov-west-1`); `validate` adds the known list.
const REGION: &str = r"^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$";
/// `account:NAME|ID`, `ou:PATH` or `root`.
const TARGET: &str = r"^(root|ou:.+|account:.+)$";
/// A full service principal (the escape for services the catalog does not know yet).
const PRINCIPAL: &str = r"^[A-Za-z0-9+=,.@_-]+\.amazonaws\.com$";

/// Adds the rules to `schema` (the generated schema of `OrgFile`).
pub(super) fn constrain(schema: &mut Value) {
    schema["$id"] = json!(SCHEMA_ID);
    let version = &mut schema["properties"]["version"];
    *version = json!({ "description": version["description"], "const": 1 });
    for (path, rule) in rules() {
        let mut node = &mut *schema;
        for k in path.split('/') {
            node = &mut node[k];
        }
        if let (Some(node), Some(add)) = (node.as_object_mut(), rule.as_object()) {
            for (k, v) in add {
                node.insert(k.clone(), v.clone());
            }
        }
    }
}

/// The service names and principals the catalog knows (delegations' keys).
fn services() -> Vec<&'static str> {
    crate::catalog::SERVICES
        .iter()
        .filter(|s| !s.principal.is_empty())
        .flat_map(|s| {
            [s.id, s.principal]
                .into_iter()
                .chain(s.extra_principals.iter().copied())
        })
        .collect()
}

/// Every service principal the catalog knows (trusted access).
fn principals() -> Vec<&'static str> {
    crate::catalog::SERVICES
        .iter()
        .flat_map(|s| std::iter::once(s.principal).chain(s.extra_principals.iter().copied()))
        .chain(crate::catalog::TRUSTED_ONLY.iter().map(|t| t.principal))
        .filter(|p| !p.is_empty())
        .collect()
}

/// (path in the schema, `/`-separated; what to add there).
fn rules() -> Vec<(&'static str, Value)> {
    let types = crate::catalog::orgs_delegation::POLICY_TYPES;
    let region = json!({ "pattern": REGION });
    vec![
        (
            "properties/organization",
            json!({ "description": "The organization this file describes: its management account, Regions and how unmanaged objects are treated." }),
        ),
        (
            "properties/delegations",
            json!({ "propertyNames": { "anyOf": [{ "enum": services() }, { "pattern": PRINCIPAL }] } }),
        ),
        (
            "properties/trusted_access/items",
            json!({ "anyOf": [{ "enum": principals() }, { "pattern": PRINCIPAL }] }),
        ),
        (
            "$defs/OrganizationSection/properties/regions/items",
            region.clone(),
        ),
        (
            "$defs/OrganizationSection/properties/identity_center_region",
            region.clone(),
        ),
        ("$defs/DelegationEntry/properties/regions/items", region),
        (
            "$defs/DelegationEntry/properties/admin",
            json!({ "minLength": 1 }),
        ),
        // AWS's CreateAccount rules for an email, as far as a pattern says them.
        (
            "$defs/AccountEntry/properties/email",
            json!({ "pattern": r#"^[^\s@"'()<>\[\]:;,\\|%&.][^\s@"'()<>\[\]:;,\\|%&]*@[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9.-]*[A-Za-z0-9]$"#, "minLength": 6, "maxLength": 64 }),
        ),
        (
            "$defs/AccountEntry/properties/ou",
            json!({ "minLength": 1 }),
        ),
        (
            "$defs/PolicyEntry/properties/type",
            json!({ "enum": types }),
        ),
        (
            "$defs/PolicyEntry/properties/id",
            json!({ "pattern": r"^p-[0-9A-Za-z_]+$" }),
        ),
        (
            "$defs/PolicyEntry/properties/targets/items",
            json!({ "pattern": TARGET }),
        ),
        (
            "$defs/OrgDelegationEntry/properties/policy_types/items",
            json!({ "enum": types }),
        ),
        (
            "$defs/OrgDelegationEntry/properties/allow/items",
            json!({ "pattern": r"^(policies|(organizations:)?[A-Z][A-Za-z]+)$" }),
        ),
        (
            "$defs/IcPermissionSetEntry/properties/session_duration",
            json!({ "pattern": r"^PT([0-9]+H)?([0-9]+M)?([0-9]+S)?$" }),
        ),
        (
            "$defs/IcPermissionSetEntry/properties/managed_policies/items",
            json!({ "pattern": r"^arn:aws[a-z-]*:iam::aws:policy/.+$" }),
        ),
        (
            "$defs/IcAssignmentEntry/properties/targets/items",
            json!({ "pattern": TARGET }),
        ),
    ]
}
