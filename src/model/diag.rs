//! Diagnostics: one finding about `org.yaml`, with `file:line:col`, the field path
//! (`accounts[2].ou`), what is wrong and how to fix it. Validation collects all of them
//! before reporting.

use std::fmt;

use serde::Serialize;
use serde_saphyr::Spanned;

/// Error (the file is rejected) or warning (reported, the file is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding, pointing at a place in the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub line: u64,
    pub column: u64,
    /// Field path, e.g. `accounts[2].ou` or `delegations["sso"].admin`.
    pub field: String,
    pub message: String,
    /// What to change to fix it.
    pub fix: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(
            f,
            "{}:{}:{}: {sev}: {}: {}",
            self.file, self.line, self.column, self.field, self.message
        )?;
        if !self.fix.is_empty() {
            write!(f, "\n  fix: {}", self.fix)?;
        }
        Ok(())
    }
}

/// Collects diagnostics for one file.
#[derive(Debug, Default)]
pub struct Diagnostics {
    pub file: String,
    pub items: Vec<Diagnostic>,
}

/// A source position (line, column), 1-based; 0 when unknown.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: u64,
    pub column: u64,
}

impl<T> From<&Spanned<T>> for Pos {
    fn from(s: &Spanned<T>) -> Self {
        Pos {
            line: s.referenced.line(),
            column: s.referenced.column(),
        }
    }
}

impl Diagnostics {
    pub fn new(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            items: Vec::new(),
        }
    }

    fn push(&mut self, severity: Severity, at: Pos, field: &str, message: String, fix: &str) {
        self.items.push(Diagnostic {
            severity,
            file: self.file.clone(),
            line: at.line,
            column: at.column,
            field: field.to_string(),
            message,
            fix: fix.to_string(),
        });
    }

    pub fn error(
        &mut self,
        at: impl Into<Pos>,
        field: &str,
        message: impl Into<String>,
        fix: impl AsRef<str>,
    ) {
        self.push(
            Severity::Error,
            at.into(),
            field,
            message.into(),
            fix.as_ref(),
        );
    }

    pub fn warning(
        &mut self,
        at: impl Into<Pos>,
        field: &str,
        message: impl Into<String>,
        fix: impl AsRef<str>,
    ) {
        self.push(
            Severity::Warning,
            at.into(),
            field,
            message.into(),
            fix.as_ref(),
        );
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// Sorted by position, errors before warnings at the same place.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (a.line, a.column, a.severity, &a.field).cmp(&(b.line, b.column, b.severity, &b.field))
        });
        self.items
    }
}

/// The closest candidate within a small distance, formatted as a hint.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| {
            (
                strsim::levenshtein(&wrong.to_lowercase(), &c.to_lowercase()),
                c,
            )
        })
        .filter(|(d, c)| *d > 0 && *d <= 1.max(c.chars().count() / 3) && *d < wrong.chars().count())
        .min()
        .map(|(_, c)| c)
}
