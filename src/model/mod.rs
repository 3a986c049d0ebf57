//! `org.yaml`: its serde shape (`schema`), the validated domain model (`desired`), the
//! named validation checks (`validate`) and diagnostics with `file:line:col` (`diag`).
//! [`load`] reads a file and returns the desired state plus warnings, or every error.

pub mod desired;
pub mod desired_ic;
pub mod diag;
pub mod files;
pub mod nulls;
mod regions;
pub mod schema;
pub mod schema_ic;
mod schema_rules;
pub mod validate;
pub mod vocab;
mod yaml_errors;

pub use validate::policies::{attach_limit, max_size, AWS_MANAGED};

use std::path::Path;

pub use desired::Desired;
pub use diag::{Diagnostic, Diagnostics, Severity};

/// Why a file could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read {path}: {source}\n  fix: check the path, or pass another file with -f")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{} has {} error(s)", .file, .diagnostics.iter().filter(|d| d.severity == Severity::Error).count())]
    Invalid {
        file: String,
        diagnostics: Vec<Diagnostic>,
    },
}

/// A loaded file: the desired state and any warnings.
#[derive(Debug)]
pub struct Loaded {
    pub desired: Desired,
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates `path`.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let bytes = std::fs::read(path).map_err(|source| LoadError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let file = path.display().to_string();
    match String::from_utf8(bytes) {
        Ok(text) => load_str(&file, &text),
        Err(e) => {
            // Point at the first byte that is not UTF-8.
            let ok = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let line = ok.iter().filter(|b| **b == b'\n').count() as u64 + 1;
            let column =
                (ok.len() - ok.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1)) as u64 + 1;
            let mut d = Diagnostics::new(&file);
            d.error(
                diag::Pos { line, column },
                "",
                "the file is not UTF-8 text (YAML must be UTF-8)",
                "save the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)",
            );
            Err(LoadError::Invalid {
                file,
                diagnostics: d.sorted(),
            })
        }
    }
}

/// Validates YAML text; `file` names it in diagnostics.
pub fn load_str(file: &str, text: &str) -> Result<Loaded, LoadError> {
    let mut d = Diagnostics::new(file);
    let parsed: Result<schema::OrgFile, _> = serde_saphyr::from_str(text);
    let parsed = match parsed {
        Ok(p) => p,
        Err(e) => {
            yaml_error(&e, text, &mut d);
            more_type_errors(e, text, &mut d);
            return Err(LoadError::Invalid {
                file: file.to_string(),
                diagnostics: d.sorted(),
            });
        }
    };
    let base = Path::new(file).parent().unwrap_or(Path::new("."));
    let desired = validate::build(&parsed, &mut d, base);
    if d.has_errors() {
        return Err(LoadError::Invalid {
            file: file.to_string(),
            diagnostics: d.sorted(),
        });
    }
    Ok(Loaded {
        desired,
        warnings: d.sorted(),
    })
}

/// The reader stops at the first type error. To report a file's type errors at once, the
/// rejected value is replaced by one of the kind it expects and the text read again (at most
/// 20 times), until it reads, a syntax error or a value that cannot be patched. Only errors on
/// other positions are added; none of the patched text reaches the validators.
fn more_type_errors(first: serde_saphyr::Error, text: &str, d: &mut Diagnostics) {
    let mut cur = text.to_string();
    let mut err = first;
    for _ in 0..20 {
        let Some(loc) = err.location() else { return };
        let msg = strip_position(err.to_string().lines().next().unwrap_or_default());
        let Some(next) = yaml_errors::patch(&cur, loc.line() as usize, loc.column() as usize, &msg)
        else {
            return;
        };
        match serde_saphyr::from_str::<schema::OrgFile>(&next) {
            Ok(_) => return,
            Err(e) => {
                let m = strip_position(e.to_string().lines().next().unwrap_or_default());
                let same = e.location().map(|l| (l.line(), l.column()))
                    == Some((loc.line(), loc.column()));
                if same || yaml_errors::is_syntax(&m) {
                    return;
                }
                yaml_error(&e, &next, d);
                cur = next;
                err = e;
            }
        }
    }
}

/// Turns a YAML / serde error into a diagnostic with its position and a fix.
fn yaml_error(e: &serde_saphyr::Error, text: &str, d: &mut Diagnostics) {
    let pos = e
        .location()
        .map(|l| diag::Pos {
            line: l.line(),
            column: l.column(),
        })
        .unwrap_or_default();
    let msg = e.to_string();
    // The first line is the message; the rest is the parser's own snippet.
    let first = strip_position(msg.lines().next().unwrap_or("invalid YAML"));
    let (mut field, mut message, mut fix) = explain(&first);
    if field.is_empty() && pos.line > 0 {
        field = yaml_errors::path_at(text, pos.line as usize, pos.column as usize);
    }
    if fix.starts_with("fix the YAML syntax") || fix.starts_with("quote the value") {
        (message, fix) = yaml_errors::explain(&first);
    }
    d.error(pos, &field, message, fix);
}

/// Drops the parser's own `error: line N column M:` prefix (the diagnostic carries it).
fn strip_position(msg: &str) -> String {
    let m = msg.trim_start_matches("error: ");
    match m.strip_prefix("line ").and_then(|r| r.split_once(": ")) {
        Some((pos, rest)) if pos.contains("column") => rest.to_string(),
        _ => m.to_string(),
    }
}

/// A field name, a message and a fix for common parse errors.
fn explain(msg: &str) -> (String, String, String) {
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_string);
    if let Some(rest) = msg.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim().to_string();
        let message = format!("key `{key}` appears twice in this mapping (a YAML parser that kept the last one would silently drop the first)");
        return (
            key,
            message,
            "each key may appear once: merge the two entries or remove one".into(),
        );
    }
    let (field, fix) = explain_fix(msg, quoted);
    (field, msg.to_string(), fix)
}

fn explain_fix(msg: &str, quoted: impl Fn(&str) -> Option<String>) -> (String, String) {
    if msg.contains("unknown field") {
        let f = quoted(msg).unwrap_or_default();
        (
            f,
            "check the spelling; the expected keys are listed in the message (and in schemas/org.schema.json)".into(),
        )
    } else if msg.contains("missing field") {
        let f = quoted(msg).unwrap_or_default();
        (f.clone(), format!("add `{f}:`"))
    } else if msg.contains("expected a string") || msg.contains("invalid type") {
        (
            String::new(),
            "quote the value (account ids must be quoted strings: \"012345678901\")".into(),
        )
    } else {
        (String::new(), "fix the YAML syntax at this position".into())
    }
}
