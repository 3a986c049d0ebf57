//! The versioned JSON plan file (`plan --out`), read back by `apply PLANFILE` and `show`.
//! The file is untrusted input: it carries a digest of its own content, so a file edited
//! after `plan --out` wrote it is refused, and `apply` re-derives every guard (actions,
//! counts, what is destructive) from a re-diff rather than from the file's labels.

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
    #[error("{path} was edited after `orgctl plan --out` wrote it (its digest {found} does not match its content, {now}); nothing was applied\n  fix: make the plan again with `orgctl plan --out`, and review that one")]
    Edited {
        path: String,
        found: String,
        now: String,
    },
}

/// The plan file's own digest: SHA-256 of its JSON without the `digest` key.
fn content_digest(v: &serde_json::Value) -> String {
    use sha2::{Digest, Sha256};
    let mut v = v.clone();
    if let Some(m) = v.as_object_mut() {
        m.remove("digest");
    }
    let bytes = serde_json::to_vec(&v).unwrap_or_default();
    let hex: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// Writes `plan` as pretty JSON, with its digest.
pub fn write(path: &Path, plan: &Plan) -> Result<(), PlanFileError> {
    let mut v = serde_json::to_value(plan).unwrap_or_default();
    let d = content_digest(&v);
    if let Some(m) = v.as_object_mut() {
        m.insert("digest".into(), serde_json::Value::String(d));
    }
    let text = serde_json::to_string_pretty(&v).unwrap_or_default() + "\n";
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
    let Some(written) = raw
        .get("digest")
        .and_then(|d| d.as_str())
        .map(str::to_string)
    else {
        return Err(PlanFileError::Incomplete {
            path: p,
            missing: "digest",
        });
    };
    let now = content_digest(&raw);
    if written != now {
        return Err(PlanFileError::Edited {
            path: p,
            found: written,
            now,
        });
    }
    serde_json::from_value(raw).map_err(|source| PlanFileError::Parse { path: p, source })
}

#[cfg(test)]
#[path = "planfile_tests.rs"]
mod tests;
