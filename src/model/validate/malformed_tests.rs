//! A table of malformed files (issue 12): one valid file, and for each of its lines a set of
//! values AWS or the schema rejects. Every case must give at least one error on that line,
//! on the field the line holds (a prefix of the error's field), with a fix, and never a
//! panic. The whole table's diagnostics are a snapshot, so a change in any message is a
//! reviewed change.

use crate::model::{load_str, LoadError, Severity};

const BASE: &str = r#"version: 1
organization:
  management_account_id: "111111111111"
  regions: [us-east-1, eu-west-1]
  unmanaged: report
organizational_units:
  - path: Security
    tags: { owner: sec }
accounts:
  - name: sec-ops
    email: aws+sec@example.com
    ou: Security
    tags: { team: security }
delegations:
  sso: { admin: sec-ops }
trusted_access:
  - ram.amazonaws.com
policies:
  - name: p
    type: SERVICE_CONTROL_POLICY
    description: d
    content: { Version: "2012-10-17", Statement: [{ Effect: Deny, Action: "*", Resource: "*" }] }
    targets: [root]
"#;

/// (line, the line with `{}` for the value, field prefix, bad values).
fn table() -> Vec<(usize, &'static str, &'static str, Vec<String>)> {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    vec![
        (2, "organization: {}", "organization", s(&["x", "[1]"])),
        (6, "organizational_units: {}", "organizational_units", s(&["x", "{ a: 1 }"])),
        (9, "accounts: {}", "accounts", s(&["x", "{ a: 1 }"])),
        (14, "delegations: {}", "delegations", s(&["[x]", "x"])),
        (16, "trusted_access: {}", "trusted_access", s(&["x", "{ a: 1 }"])),
        (18, "policies: {}", "policies", s(&["x", "{ a: 1 }"])),
        (1, "version: {}", "version", s(&["x", "2", "0", "[1]", "{ a: 1 }", "-1", "1.5", "\"\"", "true", "~"])),
        (3, "  management_account_id: {}", "organization.management_account_id", s(&["123", "\"12345\"", "\"abcdefghijkl\"", "[1]", "{ a: 1 }", "\"1234567890123\"", "\"\"", "\"11111111111a\"", "true", "\"-11111111111\""])),
        (4, "  regions: {}", "organization.regions", s(&["us-east-1", "[eu-wset-1]", "[us-east-1, us-east-1]", "[US-EAST-1]", "[\"\"]", "{ a: b }", "[us-east]", "[eu-west-l]", "[[a]]", "[us-easst-1]", "[eu-west-1, eu-wset-1]", "[\"us east 1\"]"])),
        (5, "  unmanaged: {}", "organization.unmanaged", s(&["delete", "yes", "[report]", "1", "Report", "\"\"", "{ a: 1 }", "prune-all", "true"])),
        (7, "  - path: {}", "organizational_units[0]", s(&["\"\"", "[x]", "{ a: 1 }", "\"a//b\"", "\"/\"", &"o".repeat(129), &"x/".repeat(6), "Root"])),
        (8, "    tags: {}", "organizational_units[0].tags", s(&["{ \"k#\": v }", "{ k: \"v;\" }", "{ k: \"a\\tb\" }", "[a]", "x", "{ \"aws:x\": v }", "{ k: [1] }", &format!("{{ {}: v }}", "k".repeat(129)), &format!("{{ k: {} }}", "v".repeat(257)), "{ \"\": v }", "1"])),
        (10, "  - name: {}", "accounts[0].name", s(&["\"\"", "\"caf\u{e9}\"", "[a]", "{ a: 1 }", &"n".repeat(51), "\"a\\nb\"", "\"tab\\there\"", "\"\u{1f680}\"", "\"nul\\0\"", "\"\u{7f}del\""])),
        (11, "    email: {}", "accounts[0].email", s(&["a@b.c", "noat.example.com", "\"a@b@example.com\"", "\".x@example.com\"", "\"a(b)@example.com\"", "ab@exa_mple.com", "ab@localhost", "\"ab@-x.com\"", "\"ab@x.com.\"", "[a]", "\"a b@example.com\"", "\"a;b@example.com\"", "\"a<b@example.com\"", "\"d\u{e9}j\u{e0}@example.com\"", &format!("{}@example.com", "a".repeat(60))])),
        (12, "    ou: {}", "accounts[0].ou", s(&["Nowhere", "[x]", "\"\"", "{ a: 1 }", "Security/Nowhere", "1", "root/Security", "\"security\""])),
        (13, "    tags: {}", "accounts[0].tags", s(&["[a]", "x", "{ \"aws:y\": v }", "{ k: [1] }", &format!("{{ {}: v }}", "k".repeat(129)), &format!("{{ k: {} }}", "v".repeat(257))])),
        (15, "  sso: {}", "delegations", s(&["{ admin: nobody }", "{ admins: [] }", "[x]", "x", "{ admin: sec-ops, regions: [us-east-1] }", "{ admin: sec-ops, admins: [sec-ops] }", "{}", "{ admin: [a] }"])),
        (17, "  - {}", "trusted_access", s(&["not-a-principal", "[x]", "{ a: 1 }", "\"\"", "\"a b.amazonaws.com\""])),
        (19, "  - name: {}", "policies[0]", s(&["\"\"", "[x]", "{ a: 1 }", &"p".repeat(129)])),
        (20, "    type: {}", "policies[0].type", s(&["SCP", "TAG_POLICIES", "[x]", "\"\"", "service_control_policy", "{ a: 1 }"])),
        (21, "    description: {}", "policies[0].description", s(&[&"d".repeat(513), "[x]", "{ a: 1 }"])),
        (22, "    content: {}", "policies[0].content", s(&["{}", "[1]", "x", "1", "[]", "true", &format!("{{ Version: \"2012-10-17\", Statement: [{{ Effect: Deny, Action: \"{}\", Resource: \"*\" }}] }}", "a".repeat(6000))])),
        (23, "    targets: {}", "policies[0].targets", s(&["[\"ou:Nowhere\"]", "[\"account:nobody\"]", "x", "[{ a: 1 }]", "[\"bogus:x\"]", "[\"ou:\"]", "[root, root]", "[\"account:\"]", "[1]"])),
    ]
}

fn with_line(line: usize, text: &str) -> String {
    BASE.lines()
        .enumerate()
        .map(|(i, l)| if i + 1 == line { text } else { l })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"
}

#[test]
fn the_base_file_is_valid() {
    assert!(load_str("org.yaml", BASE).is_ok());
}

#[test]
fn every_malformed_value_is_an_error_on_its_line_and_field() {
    let mut report = String::new();
    let mut misses = Vec::new();
    let mut cases = 0;
    for (line, pattern, prefix, values) in table() {
        for v in values {
            cases += 1;
            let text = with_line(line, &pattern.replace("{}", &v));
            let shown: String = v.chars().take(40).collect();
            let diags = match std::panic::catch_unwind(|| load_str("org.yaml", &text)) {
                Ok(Err(LoadError::Invalid { diagnostics, .. })) => diagnostics,
                Ok(Ok(_)) => {
                    misses.push(format!("line {line}: {shown:?} was accepted"));
                    continue;
                }
                Ok(Err(e)) => panic!("line {line}: {shown:?}: {e}"),
                Err(_) => panic!("line {line}: {shown:?} panicked"),
            };
            let errors: Vec<_> = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .collect();
            let hit = errors.iter().find(|d| {
                d.line as usize == line && d.field.starts_with(prefix) && !d.fix.is_empty()
            });
            if hit.is_none() {
                misses.push(format!(
                    "line {line} {shown:?}: no error on {prefix} at line {line} with a fix; got:\n{}",
                    errors
                        .iter()
                        .map(|d| d.to_string())
                        .collect::<Vec<_>>()
                        .join("\n")
                ));
            }
            for d in &errors {
                report.push_str(&format!(
                    "{line} {shown:?} → {}:{} {}: {}\n",
                    d.line, d.column, d.field, d.message
                ));
            }
        }
    }
    assert!(misses.is_empty(), "{}", misses.join("\n"));
    assert!(cases >= 150, "{cases} cases");
    insta::assert_snapshot!(report);
}
