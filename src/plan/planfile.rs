//! The versioned JSON plan file (`plan --out`), read back by `apply PLANFILE`.

use std::path::Path;

use super::change::{Plan, FORMAT_VERSION};

/// Reading or writing a plan file failed.
#[derive(Debug, thiserror::Error)]
pub enum PlanFileError {
    #[error("cannot write plan file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot read plan file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not an orgctl plan file: {source}\n  fix: pass the file written by `orgctl plan --out`")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("{path} has plan format {found}; this orgctl reads format {FORMAT_VERSION}\n  fix: make the plan again with this orgctl version")]
    Version { path: String, found: u32 },
    #[error("{path} has no `{missing}`: it was not written by `orgctl plan --out`, or was edited\n  fix: make the plan again with `orgctl plan --out`")]
    Incomplete { path: String, missing: &'static str },
}

/// Writes `plan` as pretty JSON.
pub fn write(path: &Path, plan: &Plan) -> Result<(), PlanFileError> {
    let text = serde_json::to_string_pretty(plan).unwrap_or_default() + "\n";
    std::fs::write(path, text).map_err(|source| PlanFileError::Write {
        path: path.display().to_string(),
        source,
    })
}

/// Reads a plan file, checking its format version first.
pub fn read(path: &Path) -> Result<Plan, PlanFileError> {
    let p = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| PlanFileError::Read {
        path: p.clone(),
        source,
    })?;
    let raw: serde_json::Value =
        serde_json::from_str(&text).map_err(|source| PlanFileError::Parse {
            path: p.clone(),
            source,
        })?;
    let found = raw
        .get("format_version")
        .and_then(|v| v.as_u64())
        .unwrap_or(0) as u32;
    if found != FORMAT_VERSION {
        return Err(PlanFileError::Version { path: p, found });
    }
    serde_json::from_value(raw).map_err(|source| PlanFileError::Parse { path: p, source })
}
