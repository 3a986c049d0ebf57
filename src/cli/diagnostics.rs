//! Diagnostics for people: each finding with its source line and a caret under the value,
//! rendered by annotate-snippets in the compiler style (`error: …`, ` --> file:line:col`,
//! the line, `= help: fix: …`). A finding without a readable line prints as one line.

use std::collections::BTreeMap;

use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};

use crate::model::{Diagnostic, Severity};

/// Renders findings, reading each file once.
#[derive(Default)]
pub struct SourceView {
    files: BTreeMap<String, Option<String>>,
}

impl SourceView {
    /// `d` with its source line (colored when `color`), or its one-line form.
    pub fn render(&mut self, d: &Diagnostic, color: bool) -> String {
        let text = self
            .files
            .entry(d.file.clone())
            .or_insert_with(|| std::fs::read_to_string(&d.file).ok());
        let line = usize::try_from(d.line).unwrap_or(0);
        let Some(src) = text
            .as_deref()
            .and_then(|t| t.lines().nth(line.checked_sub(1)?))
        else {
            return d.to_string();
        };
        let col = usize::try_from(d.column).unwrap_or(1).max(1) - 1;
        let start = src.char_indices().nth(col).map_or(src.len(), |(i, _)| i);
        let len = src[start..]
            .find(|c: char| c.is_whitespace() || c == ',' || c == '}' || c == ']')
            .unwrap_or(src.len() - start)
            .max(1);
        let end = (start + len).min(src.len());
        let level = match d.severity {
            Severity::Error => Level::ERROR,
            Severity::Warning => Level::WARNING,
        };
        let title = format!("{}: {}", d.field, d.message);
        let fix = format!("fix: {}", d.fix);
        let mut group = level.primary_title(&title).element(
            Snippet::source(src)
                .line_start(line)
                .path(&d.file)
                .annotation(AnnotationKind::Primary.span(start..end)),
        );
        if !d.fix.is_empty() {
            group = group.element(Level::HELP.message(&fix));
        }
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        renderer.render(&[group])
    }
}

#[cfg(test)]
#[path = "diagnostics_tests.rs"]
mod tests;
