//! Files that `org.yaml` refers to (policy documents, inline policies): read only when they
//! are regular files inside the folder of `org.yaml`, of a bounded size. A pull request
//! could otherwise make a CI runner put any JSON it can read into the plan and its comment
//! (an absolute path, `../`, a symlink out), or hang it on a FIFO or a device.

use std::io::Read;
use std::path::{Component, Path};

/// The largest file read (AWS's largest document, a 10,240-character inline policy or a
/// 5,120-byte SCP, is far below it).
pub const MAX_BYTES: u64 = 1024 * 1024;

/// Why a referenced file was not read: the message, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub message: String,
    pub fix: &'static str,
}

const INSIDE: &str = "give a path relative to the folder of org.yaml, to a file inside it";

fn refused(message: String, fix: &'static str) -> Refused {
    Refused { message, fix }
}

/// Reads `rel` (as written in the file) below `base`, the folder of `org.yaml`.
pub fn read_confined(base: &Path, rel: &str) -> Result<String, Refused> {
    // `org.yaml` given without a folder: its folder is the working directory.
    let base = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    let rel = rel.trim();
    let rp = Path::new(rel);
    if rel.is_empty() {
        return Err(refused("the path is empty".into(), INSIDE));
    }
    if rp.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
        return Err(refused(format!("{rel} is an absolute path"), INSIDE));
    }
    if rp.components().any(|c| {
        matches!(
            c,
            Component::ParentDir | Component::Prefix(_) | Component::RootDir
        )
    }) {
        return Err(refused(
            format!("{rel} leads out of the folder of org.yaml (..)"),
            INSIDE,
        ));
    }
    let root = base.canonicalize().map_err(|e| {
        refused(
            format!("cannot resolve the folder of org.yaml: {e}"),
            INSIDE,
        )
    })?;
    let path = base.join(rp);
    let real = path.canonicalize().map_err(|e| {
        refused(
            format!("cannot read {}: {e}", path.display()),
            "check the path (relative to the folder of org.yaml)",
        )
    })?;
    if !real.starts_with(&root) {
        return Err(refused(
            format!(
                "{rel} is a link to {}, outside the folder of org.yaml",
                real.display()
            ),
            "copy the document into the repository next to org.yaml instead of linking to it",
        ));
    }
    let meta = std::fs::metadata(&real).map_err(|e| {
        refused(
            format!("cannot read {}: {e}", path.display()),
            "check the path (relative to the folder of org.yaml)",
        )
    })?;
    if !meta.is_file() {
        return Err(refused(
            format!("{rel} is not a regular file"),
            "point at a JSON document (not a folder, a device or a pipe)",
        ));
    }
    if meta.len() > MAX_BYTES {
        return Err(refused(
            format!("{rel} has {} bytes, more than {MAX_BYTES}", meta.len()),
            "AWS's policy documents are at most a few KB: point at the document itself",
        ));
    }
    let mut text = String::new();
    std::fs::File::open(&real)
        .and_then(|f| f.take(MAX_BYTES + 1).read_to_string(&mut text))
        .map_err(|e| {
            refused(
                format!("cannot read {}: {e}", path.display()),
                "check the path and that the file is UTF-8 text",
            )
        })?;
    if text.len() as u64 > MAX_BYTES {
        return Err(refused(
            format!("{rel} has more than {MAX_BYTES} bytes"),
            "AWS's policy documents are at most a few KB: point at the document itself",
        ));
    }
    Ok(text)
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
