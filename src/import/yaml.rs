//! A small YAML writer for `orgctl import`: scalars are written plain when YAML reads them
//! back as the same string, double-quoted (JSON escaping, which YAML accepts) otherwise; tag
//! maps and short lists are written in flow style, as a person would.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Words YAML 1.1/1.2 readers may take for something other than a string.
const SPECIAL: &[&str] = &[
    "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~",
];

/// `s` as a YAML scalar that reads back as the string `s`.
pub fn q(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./@+".contains(c))
        && !SPECIAL.contains(&s.to_ascii_lowercase().as_str());
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
    }
}

/// A flow list: `[a, "b c"]`.
pub fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let v: Vec<String> = items.into_iter().map(q).collect();
    format!("[{}]", v.join(", "))
}

/// A flow map: `{ k: v, … }`.
pub fn map(m: &BTreeMap<String, String>) -> String {
    let v: Vec<String> = m
        .iter()
        .map(|(k, v)| format!("{}: {}", q(k), q(v)))
        .collect();
    format!("{{ {} }}", v.join(", "))
}

/// The text of a file being written, with its indentation helpers.
#[derive(Debug, Default)]
pub struct Out {
    pub text: String,
}

impl Out {
    /// One line at `indent` levels of two spaces.
    pub fn line(&mut self, indent: usize, s: &str) {
        let _ = writeln!(self.text, "{}{s}", "  ".repeat(indent));
    }

    /// `key: value` at `indent`.
    pub fn field(&mut self, indent: usize, key: &str, value: &str) {
        self.line(indent, &format!("{key}: {value}"));
    }

    /// An empty line, then `# text` comment lines.
    pub fn comment(&mut self, text: &str) {
        for l in text.lines() {
            self.line(0, &format!("# {l}"));
        }
    }

    pub fn blank(&mut self) {
        self.text.push('\n');
    }
}

#[cfg(test)]
#[path = "yaml_tests.rs"]
mod tests;
