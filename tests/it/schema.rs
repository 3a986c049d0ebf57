//! The JSON Schema of org.yaml (`schemas/org.schema.json`) against the files people write and
//! against `validate`: every example (examples/, the README's and docs' whole-file org.yaml
//! blocks, a file `orgctl import` wrote) is
//! valid under it (checked by the Python `jsonschema` validator, as editors and
//! check-jsonschema check it); a table of typos is rejected by the schema AND by
//! `orgctl validate`, each naming the same field; every field has a description. A real
//! plan file and apply report (the emulator's example organization) are valid under the
//! checked-in plan and report schemas, which are the ones `orgctl schema --for` prints.

use std::process::Command;

use crate::emulator::{python, root};

/// The schema's error paths for each YAML text (empty: valid), from Python's jsonschema.
fn schema_errors(texts: &[String]) -> Vec<Vec<String>> {
    errors_under("schemas/org.schema.json", texts)
}

/// The same for any schema under the repository (`texts`: YAML or JSON documents).
fn errors_under(schema: &str, texts: &[String]) -> Vec<Vec<String>> {
    let script = r#"
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
v = jsonschema.Draft202012Validator(schema)
out = []
for text in json.load(sys.stdin):
    doc = yaml.safe_load(text)
    out.append(sorted(".".join(str(p) for p in e.absolute_path) + ": " + e.message for e in v.iter_errors(doc)))
print(json.dumps(out))
"#;
    let mut child = Command::new(python())
        .args(["-c", script])
        .arg(root().join(schema))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin
            .write_all(serde_json::to_string(texts).unwrap().as_bytes())
            .unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The org.yaml blocks of a Markdown file (```yaml fences holding a whole file: `version: 1`).
fn yaml_blocks(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in md.lines() {
        match (&mut cur, line.trim_start()) {
            (None, l) if l.starts_with("```yaml") => cur = Some(String::new()),
            (Some(b), l) if l.starts_with("```") => {
                if b.lines().any(|l| l.starts_with("version: 1")) {
                    out.push(b.clone());
                }
                cur = None;
            }
            (Some(b), _) => {
                b.push_str(line);
                b.push('\n');
            }
            _ => {}
        }
    }
    out
}

#[test]
fn every_example_is_valid_under_the_schema() {
    let mut texts = vec![std::fs::read_to_string(root().join("examples/org.yaml")).unwrap()];
    let mut names = vec!["examples/org.yaml".to_string()];
    for doc in ["README.md", "docs/org-yaml.md", "docs/getting-started.md"] {
        for (i, b) in yaml_blocks(&std::fs::read_to_string(root().join(doc)).unwrap())
            .into_iter()
            .enumerate()
        {
            texts.push(b);
            names.push(format!("{doc} block {i}"));
        }
    }
    assert!(texts.len() >= 2, "{names:?}");
    for (name, errs) in names.iter().zip(schema_errors(&texts)) {
        assert!(errs.is_empty(), "{name}: {errs:#?}");
    }
}

/// A valid file, and typos in it: (what replaces what, the field the schema and validate name).
const BASE: &str = "version: 1
organization:
  management_account_id: \"123456789012\"
  regions: [us-east-1, eu-west-1]
  identity_center_region: eu-west-1
accounts:
  - { name: sec-ops, email: aws+sec-ops@example.com, ou: Security }
organizational_units:
  - path: Security
delegations:
  guardduty: { admin: sec-ops, regions: [eu-west-1] }
trusted_access: [ram.amazonaws.com]
organizations_delegation:
  - { account: sec-ops, allow: [policies], policy_types: [TAG_POLICY] }
policies:
  - name: tags
    type: TAG_POLICY
    content: {tags: {team: {tag_key: {\"@@assign\": team}}}}
    targets: [root]
identity_center:
  permission_sets:
    - { name: Admin, session_duration: PT4H, managed_policies: [arn:aws:iam::aws:policy/AdministratorAccess] }
";

/// `orgctl validate` of `text` (as org.yaml in `dir`): its exit code and output.
fn validate(dir: &std::path::Path, text: &str) -> (Option<i32>, String) {
    let f = dir.join("org.yaml");
    std::fs::write(&f, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .env_clear()
        .env("NO_COLOR", "1")
        .args(["validate", "-f"])
        .arg(&f)
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout);
    (out.status.code(), text)
}

#[test]
fn the_schema_and_validate_reject_the_same_typos() {
    let typos: &[(&str, &str, &str)] = &[
        ("version: 1", "version: 2", "version"),
        ("type: TAG_POLICY", "type: TAG_POLICIES", "type"),
        (
            "policy_types: [TAG_POLICY]",
            "policy_types: [TAG_POLCY]",
            "policy_types",
        ),
        (
            "session_duration: PT4H",
            "session_duration: 4h",
            "session_duration",
        ),
        (
            "regions: [us-east-1, eu-west-1]",
            "regions: [us-east-1, eu-west-l]",
            "regions",
        ),
        (
            "identity_center_region: eu-west-1",
            "identity_center_region: euwest1",
            "identity_center_region",
        ),
        ("guardduty: {", "gaurdduty: {", "gaurdduty"),
        ("[ram.amazonaws.com]", "[ram]", "trusted_access"),
        (
            "email: aws+sec-ops@example.com",
            "email: aws+sec-ops.example.com",
            "email",
        ),
        (
            "\"123456789012\"",
            "\"12345678901\"",
            "management_account_id",
        ),
        ("targets: [root]", "targets: [Root]", "targets"),
        (
            "arn:aws:iam::aws:policy/AdministratorAccess",
            "AdministratorAccess",
            "managed_policies",
        ),
    ];
    let mut texts = vec![BASE.to_string()];
    for (from, to, _) in typos {
        assert_eq!(BASE.matches(from).count(), 1, "{from}");
        texts.push(BASE.replacen(from, to, 1));
    }
    let errs = schema_errors(&texts);
    assert!(errs[0].is_empty(), "the base file is valid: {:#?}", errs[0]);
    let dir = tempfile::tempdir().unwrap();
    for (i, (from, to, field)) in typos.iter().enumerate() {
        let schema = &errs[i + 1];
        assert!(
            schema.iter().any(|e| e.contains(field)),
            "{from} -> {to}: the schema does not name {field}: {schema:#?}"
        );
        let (code, text) = validate(dir.path(), &texts[i + 1]);
        assert_eq!(
            code,
            Some(1),
            "{from} -> {to}: validate accepted it:\n{text}"
        );
        assert!(
            text.contains(field),
            "{from} -> {to}: validate does not name {field}:\n{text}"
        );
    }
    // The base passes validate too.
    let (code, text) = validate(dir.path(), BASE);
    assert_eq!(code, Some(0), "{text}");
}

#[test]
fn every_field_of_the_schema_has_a_description_and_the_schema_an_id() {
    let s: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("schemas/org.schema.json")).unwrap(),
    )
    .unwrap();
    assert!(
        s["$id"].as_str().is_some_and(|i| i.starts_with("https://")),
        "$id"
    );
    let mut missing = Vec::new();
    let mut count = 0;
    let mut walk = |owner: &str, node: &serde_json::Value| {
        for (k, v) in node["properties"].as_object().into_iter().flatten() {
            count += 1;
            if v["description"].as_str().is_none_or(str::is_empty) {
                missing.push(format!("{owner}.{k}"));
            }
        }
    };
    walk("(file)", &s);
    for (name, def) in s["$defs"].as_object().unwrap() {
        walk(name, def);
    }
    assert!(count > 60, "{count} fields");
    assert!(
        missing.is_empty(),
        "fields without a description: {missing:?}"
    );
}

#[tokio::test]
async fn a_real_plan_and_apply_report_match_their_schemas() {
    use crate::emulator::{example, Emulator, MGMT};
    for (of, path) in [
        ("plan", "schemas/plan.schema.json"),
        ("report", "schemas/apply-report.schema.json"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_orgctl"))
            .args(["schema", "--for", of])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stdout),
            std::fs::read_to_string(root().join(path)).unwrap(),
            "{path} is out of date: run `make schema`"
        );
    }
    let emu = Emulator::start(&["--create-delay", "0.1"]);
    emu.seed(&["demo"]);
    let f = example();
    let f = f.to_str().unwrap();
    let (_, pf) = crate::e2e::save_plan(&emu, f);
    let report = emu
        .orgctl(&[
            "apply",
            &pf,
            "--executor",
            MGMT,
            "--format",
            "json",
            "--allow-destroy",
        ])
        .expect(0)
        .stdout();
    // What `import` writes is valid under the schema too.
    let imported = emu.dir.path().join("imported/org.yaml");
    emu.orgctl(&["import", "--out", imported.to_str().unwrap()])
        .expect(0);
    let errs = schema_errors(&[std::fs::read_to_string(&imported).unwrap()]);
    assert!(errs[0].is_empty(), "imported org.yaml: {:#?}", errs[0]);
    let plan = std::fs::read_to_string(&pf).unwrap();
    let errs = errors_under("schemas/plan.schema.json", &[plan]);
    assert!(errs[0].is_empty(), "plan.json: {:#?}", errs[0]);
    let errs = errors_under(
        "schemas/apply-report.schema.json",
        std::slice::from_ref(&report),
    );
    assert!(errs[0].is_empty(), "report: {:#?}\n{report}", errs[0]);
    let r: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(r["format_version"], 1);
    assert!(r["counts"]["done"].as_u64().unwrap() > 0, "{report}");
    assert!(
        !r["remaining"].as_array().unwrap().is_empty(),
        "other accounts' stages remain: {report}"
    );
}
