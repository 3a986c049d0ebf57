//! `orgctl validate`: offline checks; prints every diagnostic, as text, as JSON, as
//! GitHub Actions annotations (so each lands on its line in the pull request's diff) or as a
//! GitLab code-quality report (so each shows in the merge request's widget and diff).

use clap::Args;

use super::{FileArg, Global};
use crate::model::{self, Diagnostic, LoadError, Severity};

/// How `validate` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ValidateFormat {
    Human,
    Json,
    /// `::error file=…,line=…,col=…::…` workflow commands.
    Github,
    /// A GitLab code-quality report (`artifacts:reports:codequality`).
    Gitlab,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub file: FileArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ValidateFormat::Human)]
    pub format: ValidateFormat,
}

pub fn run(a: &ValidateArgs, g: &Global) -> u8 {
    let file = a.file.file.display().to_string();
    let (diagnostics, valid) = match model::load(&a.file.file) {
        Ok(l) => (l.warnings, true),
        Err(LoadError::Invalid { diagnostics, .. }) => (diagnostics, false),
        Err(e) => {
            errln!("error: {e}");
            // Still a report GitLab can read (an empty one), so the job shows the error
            // above instead of a report it cannot parse.
            if a.format == ValidateFormat::Gitlab {
                outln!("[]");
            }
            return 1;
        }
    };
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    match a.format {
        ValidateFormat::Json => {
            let v = serde_json::json!({
                "file": file,
                "valid": valid,
                "errors": errors,
                "warnings": diagnostics.len() - errors,
                "diagnostics": diagnostics,
            });
            outln!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
        }
        ValidateFormat::Github => {
            for d in &diagnostics {
                outln!("{}", annotation(d));
            }
        }
        ValidateFormat::Gitlab => {
            let report: Vec<_> = diagnostics.iter().map(code_quality).collect();
            outln!(
                "{}",
                serde_json::to_string_pretty(&report).unwrap_or_default()
            );
        }
        ValidateFormat::Human => {
            let mut view = super::diagnostics::SourceView::default();
            let color = super::colors_on(g, &std::io::stderr());
            for d in &diagnostics {
                errln!("{}", view.render(d, color));
            }
            if valid {
                outln!("{file} is valid ({} warning(s)).", diagnostics.len());
            } else {
                errln!("error: {file} has {errors} error(s)");
            }
        }
    }
    u8::from(!valid)
}

/// A GitHub Actions workflow command for one diagnostic.
fn annotation(d: &Diagnostic) -> String {
    let data = |s: &str| {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    };
    let prop = |s: &str| data(s).replace(':', "%3A").replace(',', "%2C");
    let level = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let title = if d.field.is_empty() {
        "org.yaml".to_string()
    } else {
        d.field.clone()
    };
    format!(
        "::{level} file={},line={},col={},title={}::{}",
        prop(&d.file),
        d.line.max(1),
        d.column.max(1),
        prop(&title),
        data(&format!("{}\nfix: {}", d.message, d.fix))
    )
}

/// One entry of a GitLab code-quality report: the subset of the Code Climate issue format
/// GitLab reads (description, check_name, fingerprint, severity, location.path and
/// location.lines.begin). The fingerprint names the finding, not its line, so a finding that
/// moves with an edit above it stays the same finding in the merge request widget.
fn code_quality(d: &Diagnostic) -> serde_json::Value {
    use sha2::{Digest, Sha256};
    let path = d.file.trim_start_matches("./");
    let hash = Sha256::digest(format!("{path}\0{}\0{}", d.field, d.message));
    let fingerprint: String = hash.iter().take(16).map(|b| format!("{b:02x}")).collect();
    let field = if d.field.is_empty() {
        String::new()
    } else {
        format!("{}: ", d.field)
    };
    let fix = if d.fix.is_empty() {
        String::new()
    } else {
        format!(" (fix: {})", d.fix)
    };
    serde_json::json!({
        "description": format!("{field}{}{fix}", d.message),
        "check_name": "orgctl-validate",
        "fingerprint": fingerprint,
        "severity": match d.severity {
            Severity::Error => "critical",
            Severity::Warning => "minor",
        },
        "location": {
            "path": path,
            "lines": { "begin": d.line.max(1) },
        },
    })
}

#[cfg(test)]
#[path = "validate_tests.rs"]
mod tests;
