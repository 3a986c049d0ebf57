//! The plan file's and the apply report's JSON Schemas (`orgctl schema --for plan|report`,
//! checked in under `schemas/`), generated from the types, with the version promise of
//! docs/plan-format.md: `format_version` is raised when a field a reader relies on is removed,
//! renamed or changes meaning; fields are added without raising it; the objects marked as
//! orgctl's own (`op`, `read_scope`, `desired`, the fingerprints) may change in any release.

use serde_json::{json, Value};

use super::change::{Plan, FORMAT_VERSION};

/// Where the plan file's schema is published.
pub const PLAN_SCHEMA_ID: &str =
    "https://raw.githubusercontent.com/orgctl/orgctl/main/schemas/plan.schema.json";

/// The JSON Schema of a plan (`plan --out`, `plan --format json`).
pub fn plan_schema() -> String {
    let mut s = serde_json::to_value(schemars::schema_for!(Plan)).unwrap_or_default();
    s["$id"] = json!(PLAN_SCHEMA_ID);
    s["title"] = json!(format!("orgctl plan (format_version {FORMAT_VERSION})"));
    s["description"] = json!("A plan made by `orgctl plan --out` (or printed by `plan --format json`). Readers may rely on every field described here except those marked as orgctl's own; format_version is raised when such a field is removed, renamed or changes meaning, and new fields may appear in any release (ignore what you do not know).");
    if let Some(props) = s["properties"].as_object_mut() {
        props.insert(
            "format_version".into(),
            json!({ "description": "The format's version: raised only when a field a reader relies on is removed, renamed or changes meaning.", "const": FORMAT_VERSION }),
        );
        props.insert(
            "digest".into(),
            json!({ "description": "`sha256:` and the SHA-256 (hex) of the file's JSON without this key, written by `plan --out`: `apply` refuses a file edited since.", "type": "string", "pattern": "^sha256:[0-9a-f]{64}$" }),
        );
        for k in ["live_fingerprint", "live_fingerprints"] {
            if let Some(p) = props.get_mut(k) {
                let d = p["description"].as_str().unwrap_or_default().to_string();
                p["description"] = json!(format!("{d} orgctl's own."));
            }
        }
    }
    pretty(&s)
}

pub(crate) fn pretty(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
