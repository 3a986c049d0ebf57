//! Parse and type errors from the YAML reader, made into diagnostics a user can act on:
//! the field path at the error's position (`accounts[0].name`, recovered from the text,
//! since the reader reports only a line and column), the expected type in plain words, and
//! a fix; a syntax error says so, a type error does not pretend to be one.

/// The field path (`organization.regions`, `accounts[2].email`) at 1-based `line`/`column`
/// of `text`: block mappings and sequences by indentation, then the last `key:` before the
/// column on that line (flow mappings such as `{ name: x, ou: y }`).
pub fn path_at(text: &str, line: usize, column: usize) -> String {
    enum Seg {
        Key(String),
        Index(usize),
    }
    let mut stack: Vec<(usize, Seg)> = Vec::new();
    for (n, raw) in text.lines().enumerate().take(line) {
        let last = n + 1 == line;
        let mut l = strip_comment(raw);
        if last {
            l = l.chars().take(column.saturating_sub(1)).collect();
        }
        if l.trim().is_empty() || l.trim_start().starts_with("---") {
            continue;
        }
        let indent = l.len() - l.trim_start().len();
        let mut rest = l.trim_start().to_string();
        let mut at = indent;
        // Sequence items: `- ` (possibly several on one line: `- - x`).
        while rest.starts_with("- ") || rest == "-" {
            stack.retain(|(i, _)| *i <= at);
            match stack.last_mut() {
                Some((i, Seg::Index(k))) if *i == at => *k += 1,
                _ => stack.push((at, Seg::Index(0))),
            }
            // The item's own indentation: what follows `- `.
            let after = rest.get(1..).unwrap_or_default();
            let pad = after.len() - after.trim_start().len();
            at += 1 + pad;
            rest = after.trim_start().to_string();
        }
        if let Some(key) = block_key(&rest) {
            stack.retain(|(i, _)| *i < at);
            stack.push((at, Seg::Key(key)));
        }
        if last {
            // Flow style on the error line: the last `key:` before the column.
            if let Some(k) = last_flow_key(&rest) {
                if !matches!(stack.last(), Some((_, Seg::Key(top))) if *top == k) {
                    stack.push((usize::MAX, Seg::Key(k)));
                }
            }
        }
    }
    let mut out = String::new();
    for (_, s) in &stack {
        match s {
            Seg::Key(k) if k.is_empty() => {}
            Seg::Key(k) => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(k);
            }
            Seg::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// A line without a trailing `# comment` (outside quotes).
fn strip_comment(l: &str) -> String {
    let (mut single, mut double) = (false, false);
    let mut prev = ' ';
    for (i, c) in l.char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            '#' if !single && !double && (prev == ' ' || i == 0) => return l[..i].to_string(),
            _ => {}
        }
        prev = c;
    }
    l.to_string()
}

/// `key:` at the start of a block line (`key: value` or `key:`).
fn block_key(rest: &str) -> Option<String> {
    let r = rest.trim_start_matches(['{', ' ']);
    if rest.starts_with('{') || rest.starts_with('[') {
        return None;
    }
    let (k, after) = r.split_once(':')?;
    let k = k.trim().trim_matches(['"', '\'']);
    let plain = !k.is_empty() && k.chars().all(|c| c.is_alphanumeric() || "_-./".contains(c));
    (plain && (after.is_empty() || after.starts_with(' '))).then(|| k.to_string())
}

/// The last `key:` of a flow mapping in `rest` (`{ name: x, email: [`).
fn last_flow_key(rest: &str) -> Option<String> {
    let mut found = None;
    let bytes: Vec<char> = rest.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == ':' && bytes.get(i + 1).is_none_or(|c| *c == ' ') {
            let mut j = i;
            while j > 0 && (bytes[j - 1].is_alphanumeric() || "_-".contains(bytes[j - 1])) {
                j -= 1;
            }
            if j < i {
                found = Some(bytes[j..i].iter().collect());
            }
        }
        i += 1;
    }
    found
}

/// Whether the reader's message is about YAML syntax (not a value's type).
pub fn is_syntax(msg: &str) -> bool {
    let lower = msg.to_ascii_lowercase();
    [
        "while parsing",
        "while scanning",
        "did not find",
        "mapping values are not allowed",
    ]
    .iter()
    .any(|m| lower.contains(m))
}

/// `text` with the value at 1-based `line`/`column`, which the reader rejected with `msg`,
/// replaced by a value of the kind the message expects (`""`, `[]`, `{}`, `1`, `false`, the
/// first allowed word), so that reading again reaches the file's next type error. `None`
/// when the kind or the value's extent is unknown (a block value on the following lines).
pub fn patch(text: &str, line: usize, column: usize, msg: &str) -> Option<String> {
    let lower = msg.to_ascii_lowercase();
    if is_syntax(msg)
        || ["missing field", "duplicate", "tagged enum"]
            .iter()
            .any(|k| lower.contains(k))
    {
        return None;
    }
    let neutral = if let Some(rest) = msg.split("unknown variant").nth(1) {
        let choices = rest.split("expected").nth(1)?;
        choices
            .trim_start_matches(" one of")
            .split(',')
            .next()?
            .trim()
            .trim_matches('`')
            .to_string()
    } else if lower.contains("sequence") {
        "[]".into()
    } else if lower.contains("mapping") || lower.contains("a map") {
        "{}".into()
    } else if lower.contains("string") {
        "\"\"".into()
    } else if ["u32", "u64", "i64", "invalid u"]
        .iter()
        .any(|k| lower.contains(k))
    {
        "1".into()
    } else if lower.contains("bool") {
        "false".into()
    } else {
        return None;
    };
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let l = lines.get(line.checked_sub(1)?)?.clone();
    let chars: Vec<char> = l.chars().collect();
    let start = column.checked_sub(1)?;
    if start >= chars.len() || chars[start].is_whitespace() {
        return None;
    }
    // Inside a flow collection on this line?
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in &chars[..start] {
        match (quote, *c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(*c),
            (None, '[' | '{') => depth += 1,
            (None, ']' | '}') => depth -= 1,
            _ => {}
        }
    }
    let mut end = start;
    let (mut nest, mut quote) = (0i32, None::<char>);
    while end < chars.len() {
        let c = chars[end];
        match (quote, c) {
            (Some(q), c) if c == q => {
                quote = None;
                if nest == 0 {
                    end += 1;
                    break;
                }
            }
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '[' | '{') => nest += 1,
            (None, ']' | '}') if nest > 0 => {
                nest -= 1;
                if nest == 0 {
                    end += 1;
                    break;
                }
            }
            (None, ']' | '}' | ',') if depth > 0 && nest == 0 => break,
            (None, '#') if end > start && chars[end - 1] == ' ' => break,
            _ => {}
        }
        end += 1;
    }
    // Keep the white space before a comment or the end of the line.
    while end > start && chars[end - 1] == ' ' {
        end -= 1;
    }
    let patched: String = chars[..start].iter().collect::<String>()
        + &neutral
        + &chars[end..].iter().collect::<String>();
    lines[line - 1] = patched;
    Some(lines.join("\n") + "\n")
}

/// The reader's message in plain words, and the fix.
pub fn explain(msg: &str) -> (String, String) {
    if is_syntax(msg) {
        return (
            msg.to_string(),
            "fix the YAML syntax at this position".into(),
        );
    }
    let lower = msg.to_ascii_lowercase();
    if lower.contains("budget") {
        return (
            "the file is too large or too deeply nested for orgctl to read safely".into(),
            "split it, or remove repeated anchors/aliases (`*name`) that expand it".into(),
        );
    }
    if let Some(rest) = msg.split("unknown variant").nth(1) {
        let choices = rest.split("expected").nth(1).unwrap_or_default().trim();
        let choices = choices.trim_start_matches("one of").trim();
        return (
            format!(
                "unknown value{}",
                rest.split(',').next().unwrap_or_default()
            ),
            format!("use one of: {}", choices.replace('`', "")),
        );
    }
    if lower.contains("tagged enum") {
        return (
            format!("expected one of this field's words here ({msg})"),
            "write one of the values docs/org-yaml.md lists for this field".into(),
        );
    }
    let expected = [
        ("sequence", "a list (`[a, b]`, or one `- item` per line)"),
        (
            "mapping",
            "a mapping (`key: value` lines, or `{ key: value }`)",
        ),
        (
            "a map",
            "a mapping (`key: value` lines, or `{ key: value }`)",
        ),
        ("string", "a text value (quote it: \"...\")"),
        ("u32", "a whole number"),
        ("u64", "a whole number"),
        ("i64", "a whole number"),
        ("bool", "true or false"),
    ];
    if lower.contains("expected") || lower.contains("invalid type") || lower.contains("invalid u") {
        if let Some((_, words)) = expected.iter().find(|(k, _)| lower.contains(k)) {
            return (
                format!("expected {words} here ({msg})"),
                format!("write {words} (see docs/org-yaml.md for this field)"),
            );
        }
    }
    (
        msg.to_string(),
        "fix the YAML syntax at this position".into(),
    )
}

#[cfg(test)]
#[path = "yaml_errors_tests.rs"]
mod tests;
