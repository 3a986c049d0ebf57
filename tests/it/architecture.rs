//! The shape of the code, checked from its source (docs/decisions.md, "Layers"): every
//! `crate::` path of a module names only a lower layer; the AWS adapter (`aws/`) is named only
//! by `cli/`, the composition root, and no module below `cli/` names an SDK type; `model/` has
//! no import cycle; no function is over 120 lines and no file over 800. Test files
//! (`*tests.rs`) are exempt: a test may reach any layer.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Layers, lowest first; a module may name modules of a lower rank only (and its own).
const RANKS: &[(&str, u8)] = &[
    ("catalog", 0),
    ("poll", 0),
    ("model", 1),
    ("live", 2),
    ("plan", 3),
    ("import", 4),
    ("audit", 4),
    ("permissions", 4),
    ("apply", 4),
    ("aws", 5),
    ("ops", 5),
    ("render", 5),
    ("cli", 6),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The library's source files that are not tests, with their module path (`model::validate::ic`).
fn modules() -> Vec<(Vec<String>, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    files.sort();
    files
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with("tests.rs"))
        .map(|p| {
            let rel = p.strip_prefix(src()).unwrap().with_extension("");
            let mut path: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if path.last().is_some_and(|l| l == "mod") {
                path.pop();
            }
            let text = std::fs::read_to_string(&p).unwrap();
            (path, without_test_modules(&text))
        })
        .collect()
}

/// The text before the first `#[cfg(test)]` (test modules come last, by convention).
fn without_test_modules(text: &str) -> String {
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text.to_string(),
    }
}

/// Every `crate::a::b…` path in `text` (identifier segments).
fn crate_paths(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        let before = text[..i].chars().last();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        let seg: Vec<String> = rest
            .split("::")
            .map(|s| {
                s.chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect::<String>()
            })
            .take_while(|s| !s.is_empty())
            .collect();
        if !seg.is_empty() {
            out.push(seg);
        }
    }
    out
}

#[test]
fn every_module_names_only_lower_layers_and_only_cli_names_the_aws_adapter() {
    let rank: BTreeMap<&str, u8> = RANKS.iter().copied().collect();
    let mut wrong = Vec::new();
    for (path, text) in modules() {
        let top = path[0].as_str();
        let Some(&mine) = rank.get(top) else {
            continue; // lib.rs, main.rs
        };
        for p in crate_paths(&text) {
            let to = p[0].as_str();
            let Some(&theirs) = rank.get(to) else {
                continue;
            };
            if to != top && theirs >= mine {
                wrong.push(format!("{} names crate::{}", path.join("::"), p.join("::")));
            }
        }
        let sdk = [
            "aws_sdk_",
            "aws_config",
            "aws_smithy",
            "aws_credential_types",
        ];
        if top != "aws" && top != "cli" && sdk.iter().any(|s| text.contains(s)) {
            wrong.push(format!("{} names an SDK type", path.join("::")));
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn model_has_no_import_cycle() {
    let mods = modules();
    let model: BTreeSet<Vec<String>> = mods
        .iter()
        .filter(|(p, _)| p[0] == "model")
        .map(|(p, _)| p.clone())
        .collect();
    // The module a path refers to: its longest prefix that is a module of model/.
    let resolve = |segs: &[String]| -> Option<Vec<String>> {
        (1..=segs.len())
            .rev()
            .map(|n| segs[..n].to_vec())
            .find(|p| model.contains(p))
    };
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (path, text) in mods.iter().filter(|(p, _)| p[0] == "model") {
        let mut refs: Vec<Vec<String>> = crate_paths(text);
        // `super::x`: a module of the parent (for a folder's mod.rs too: its path is the folder's).
        for (i, _) in text.match_indices("super::") {
            if text[..i].ends_with("super::") {
                continue;
            }
            let name: String = text[i + "super::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            let mut parent = path.clone();
            parent.pop();
            parent.push(name);
            refs.push(parent);
        }
        for r in refs {
            if let Some(to) = resolve(&r) {
                // A folder module naming its own children is how Rust modules are built.
                let child = to.len() > path.len() && to.starts_with(path);
                if &to != path && !child {
                    edges.entry(path.clone()).or_default().insert(to);
                }
            }
        }
    }
    // Depth-first search for a back edge.
    fn visit(
        n: &Vec<String>,
        edges: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
        state: &mut BTreeMap<Vec<String>, u8>,
        stack: &mut Vec<Vec<String>>,
    ) -> Option<Vec<Vec<String>>> {
        match state.get(n) {
            Some(1) => {
                let at = stack.iter().position(|s| s == n).unwrap();
                let mut cycle = stack[at..].to_vec();
                cycle.push(n.clone());
                return Some(cycle);
            }
            Some(_) => return None,
            None => {}
        }
        state.insert(n.clone(), 1);
        stack.push(n.clone());
        for m in edges.get(n).into_iter().flatten() {
            if let Some(c) = visit(m, edges, state, stack) {
                return Some(c);
            }
        }
        stack.pop();
        state.insert(n.clone(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in &model {
        let mut stack = Vec::new();
        if let Some(c) = visit(n, &edges, &mut state, &mut stack) {
            let shown: Vec<String> = c.iter().map(|p| p.join("::")).collect();
            panic!("import cycle in model/: {}", shown.join(" -> "));
        }
    }
    assert!(
        edges.values().map(BTreeSet::len).sum::<usize>() > 10,
        "the check found too few imports to be reading the source: {edges:?}"
    );
}

/// `(file, name, lines)` of every function longer than `max` lines (rustfmt's layout: a
/// function ends at the first `}` at its own indentation).
fn long_functions(text: &str, max: usize) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let t = l.trim_start();
        let indent = &l[..l.len() - t.len()];
        let t = t
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ")
            .trim_start_matches("const ")
            .trim_start_matches("async ");
        let Some(rest) = t.strip_prefix("fn ") else {
            continue;
        };
        if l.trim_end().ends_with(';') {
            continue; // a trait method without a body
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        let end = lines[i..]
            .iter()
            .position(|x| *x == close || (x.trim_end().ends_with('}') && *x == lines[i]))
            .unwrap_or(0);
        if end + 1 > max {
            out.push((name, end + 1));
        }
    }
    out
}

#[test]
fn no_function_over_120_lines_and_no_file_over_800() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut py = Vec::new();
    fn python(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap().map(Result::unwrap) {
            let p = e.path();
            if p.is_dir() && !p.ends_with("__pycache__") {
                python(&p, out);
            } else if p.extension().is_some_and(|x| x == "py") {
                out.push(p);
            }
        }
    }
    python(&root.join("emulator"), &mut py);
    let mut wrong = Vec::new();
    for p in files.iter().chain(py.iter()) {
        let text = std::fs::read_to_string(p).unwrap();
        let n = text.lines().count();
        if n > 800 {
            wrong.push(format!("{}: {n} lines", p.display()));
        }
        if p.extension().is_some_and(|x| x == "rs") && !p.to_string_lossy().ends_with("tests.rs") {
            for (name, len) in long_functions(&without_test_modules(&text), 120) {
                wrong.push(format!("{}: fn {name} is {len} lines", p.display()));
            }
        }
    }
    assert!(wrong.is_empty(), "split these:\n{}", wrong.join("\n"));
}

#[test]
fn the_function_length_check_sees_a_long_function() {
    let body = "    x();\n".repeat(130);
    let text = format!("pub fn long() {{\n{body}}}\n\nfn short() {{\n    y();\n}}\n");
    assert_eq!(long_functions(&text, 120), vec![("long".to_string(), 132)]);
}
