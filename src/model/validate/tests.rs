//! Validation rules, one test per rule: each asserts the diagnostic a user would see
//! (field, line and a fix), and that every problem in a file is reported at once.

use crate::model::{load_str, Diagnostic, LoadError, Severity};

pub(crate) const HEAD: &str =
    "version: 1\norganization:\n  management_account_id: \"111111111111\"\n";

pub(crate) fn errors(yaml: &str) -> Vec<Diagnostic> {
    match load_str("org.yaml", yaml) {
        Err(LoadError::Invalid { diagnostics, .. }) => diagnostics
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect(),
        Ok(_) => panic!("expected errors for:\n{yaml}"),
        Err(e) => panic!("unexpected {e}"),
    }
}

/// Asserts one error on `field` at `line` whose message contains `msg` and that has a fix.
pub(crate) fn assert_error(yaml: &str, field: &str, line: u64, msg: &str) {
    let errs = errors(yaml);
    let hit = errs
        .iter()
        .find(|d| d.field == field && d.message.contains(msg));
    let Some(d) = hit else {
        panic!(
            "no error on {field} containing {msg:?}; got:\n{}",
            errs.iter()
                .map(|d| d.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        )
    };
    assert_eq!(d.line, line, "{d}");
    assert!(d.column > 0, "{d}");
    assert!(!d.fix.is_empty(), "no fix in {d}");
    assert_eq!(d.file, "org.yaml");
}

#[test]
fn the_example_file_is_valid() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/org.yaml")).unwrap();
    let l = load_str("examples/org.yaml", &text).unwrap();
    assert_eq!(l.desired.accounts.len(), 4);
    assert!(l.desired.ous.contains_key("Workloads"), "implied parent OU");
    assert_eq!(l.desired.delegations.len(), 7);
    assert!(l.warnings.is_empty(), "{:?}", l.warnings);
}

/// A section key with nothing after it (YAML null, as a half-written file has) is an empty
/// section, as an absent key is; a value of the wrong kind is still an error on its line.
#[test]
fn empty_sections_are_empty_and_wrong_kinds_are_errors_on_their_line() {
    let y = format!("{HEAD}organizational_units:\naccounts:\ndelegations:\ntrusted_access:\nidentity_center:\n  users:\n  groups:\n  permission_sets:\n  assignments:\n");
    let l = load_str("org.yaml", &y).unwrap();
    assert!(l.desired.accounts.is_empty() && l.desired.delegations.is_empty());
    assert_error(
        &format!("{HEAD}accounts: []\ndelegations: [sso]\n"),
        "delegations",
        5,
        "expected a mapping",
    );
}

#[test]
fn unknown_key_is_an_error_with_its_line() {
    let y = format!("{HEAD}  regoins: [us-east-1]\n");
    let e = errors(&y);
    assert_eq!((e[0].line, e[0].field.as_str()), (4, "regoins"));
    assert!(e[0].message.contains("unknown field"), "{}", e[0]);
}

#[test]
fn duplicate_mapping_key_is_an_error_not_a_silent_overwrite() {
    let y = format!("{HEAD}accounts:\n  - {{name: a, email: a@example.com, ou: root}}\ndelegations:\n  sso:\n    admin: a\n  sso:\n    admin: a\n");
    let e = errors(&y);
    assert_eq!(e.len(), 1);
    assert_eq!((e[0].line, e[0].field.as_str()), (9, "sso"));
    assert!(e[0].message.contains("appears twice"));
}

#[test]
fn management_account_id_must_be_12_digits() {
    assert_error(
        &HEAD.replace("111111111111", "1234"),
        "organization.management_account_id",
        3,
        "12-digit",
    );
}

#[test]
fn version_must_be_1() {
    assert_error(
        &HEAD.replace("version: 1", "version: 2"),
        "version",
        1,
        "unsupported file version",
    );
}

#[test]
fn bad_region_names() {
    assert_error(
        &format!("{HEAD}  regions: [us-east-1, europe]\n"),
        "organization.regions[1]",
        4,
        "not an AWS Region",
    );
}

#[test]
fn duplicate_ou_paths_and_depth() {
    let y =
        format!("{HEAD}organizational_units:\n  - path: A\n  - path: A/\n  - path: A/B/C/D/E/F\n");
    assert_error(&y, "organizational_units[1].path", 6, "declared twice");
    assert_error(&y, "organizational_units[2].path", 7, "6 levels deep");
}

#[test]
fn root_is_not_an_ou() {
    assert_error(
        &format!("{HEAD}organizational_units:\n  - path: root\n"),
        "organizational_units[0].path",
        5,
        "organization root",
    );
}

#[test]
fn account_rules() {
    let y = format!(
        "{HEAD}organizational_units:\n  - path: Security\naccounts:\n  - name: a\n    email: a@example.com\n    ou: Securty\n  - name: a\n    email: b@example.com\n    ou: root\n  - name: c\n    email: A@example.com\n    ou: root\n  - name: d\n    email: not-an-email\n    ou: root\n  - name: e\n    id: \"12345\"\n    ou: root\n  - name: f\n    ou: root\n"
    );
    assert_error(&y, "accounts[0].ou", 9, "unknown OU `Securty`");
    let e = errors(&y);
    let ou = e.iter().find(|d| d.field == "accounts[0].ou").unwrap();
    assert!(ou.fix.contains("did you mean `Security`"), "{ou}");
    assert_error(&y, "accounts[1].name", 10, "used twice");
    assert_error(&y, "accounts[2].email", 14, "also used at line 8");
    assert_error(&y, "accounts[3].email", 17, "not an email address");
    assert_error(&y, "accounts[4].id", 20, "not a 12-digit account id");
    assert_error(&y, "accounts[5]", 22, "neither `email` nor `id`");
}

#[test]
fn duplicate_account_ids() {
    let y = format!("{HEAD}accounts:\n  - {{name: a, id: \"222222222222\", ou: root}}\n  - {{name: b, id: \"222222222222\", ou: root}}\n");
    assert_error(&y, "accounts[1].id", 6, "also declared at line 5");
}

#[test]
fn management_account_stays_in_root() {
    let y = format!("{HEAD}organizational_units:\n  - path: X\naccounts:\n  - {{name: mgmt, id: \"111111111111\", ou: X}}\n");
    assert_error(&y, "accounts[0].ou", 7, "always stays in the root");
}

#[test]
fn tag_rules() {
    let y = format!("{HEAD}accounts:\n  - name: a\n    email: a@example.com\n    ou: root\n    tags: {{\"aws:x\": y}}\n");
    assert_error(&y, "accounts[0].tags.aws:x", 8, "reserved");
}

const ACCTS: &str = "accounts:\n  - {name: sec-ops, email: sec@example.com, ou: root}\n  - {name: infra-ops, email: infra@example.com, ou: root}\n  - {name: mgmt, id: \"111111111111\", ou: root}\n";

#[test]
fn delegation_admin_must_name_a_declared_account() {
    let y = format!("{HEAD}{ACCTS}delegations:\n  sso:\n    admin: sec-opz\n");
    assert_error(
        &y,
        "delegations[\"sso\"].admin",
        10,
        "names no declared account",
    );
    let e = errors(&y);
    assert!(e[0].fix.contains("did you mean `sec-ops`"), "{}", e[0]);
}

#[test]
fn management_account_can_never_be_admin() {
    let y = format!("{HEAD}{ACCTS}delegations:\n  sso:\n    admin: mgmt\n");
    assert_error(
        &y,
        "delegations[\"sso\"].admin",
        10,
        "management account can never",
    );
    let y = format!("{HEAD}{ACCTS}delegations:\n  sso:\n    admin: \"111111111111\"\n");
    assert_error(
        &y,
        "delegations[\"sso\"].admin",
        10,
        "management account can never",
    );
}

#[test]
fn more_admins_than_the_catalog_allows() {
    let y = format!("{HEAD}{ACCTS}delegations:\n  sso:\n    admins: [sec-ops, infra-ops]\n");
    assert_error(
        &y,
        "delegations[\"sso\"]",
        9,
        "at most 1 delegated administrator",
    );
    // Config allows three.
    let y = format!("{HEAD}{ACCTS}delegations:\n  config:\n    admins: [sec-ops, infra-ops]\n");
    assert!(load_str("org.yaml", &y).is_ok());
}

#[test]
fn admin_and_admins_are_exclusive_and_one_is_required() {
    let y =
        format!("{HEAD}{ACCTS}delegations:\n  sso:\n    admin: sec-ops\n    admins: [infra-ops]\n");
    assert_error(&y, "delegations[\"sso\"].admins", 11, "both set");
    let y = format!("{HEAD}{ACCTS}delegations:\n  sso: {{}}\n");
    assert_error(&y, "delegations[\"sso\"]", 9, "no administrator");
}

#[test]
fn regional_service_needs_regions_and_global_takes_none() {
    let y = format!("{HEAD}{ACCTS}delegations:\n  guardduty:\n    admin: sec-ops\n");
    assert_error(&y, "delegations[\"guardduty\"]", 9, "needs regions");
    let y = format!(
        "{HEAD}{ACCTS}delegations:\n  sso:\n    admin: sec-ops\n    regions: [us-east-1]\n"
    );
    assert_error(&y, "delegations[\"sso\"].regions", 11, "takes no regions");
}

#[test]
fn regional_service_inherits_organization_regions() {
    let y = format!("{HEAD}  regions: [us-east-1, eu-west-1]\n{ACCTS}delegations:\n  guardduty:\n    admin: sec-ops\n  security-ir:\n    admin: sec-ops\n");
    let l = load_str("org.yaml", &y).unwrap();
    assert_eq!(
        l.desired.delegations["guardduty.amazonaws.com"].regions,
        vec!["eu-west-1", "us-east-1"]
    );
    // GuardDuty's own API is executed; Security Incident Response's is recognised, and a warning
    // says plan will refuse it.
    assert!(
        !l.warnings.iter().any(|w| w.message.contains("guardduty:")),
        "{:?}",
        l.warnings
    );
    assert!(
        l.warnings
            .iter()
            .any(|w| w.message.contains("security-ir:CreateMembership")),
        "{:?}",
        l.warnings
    );
}

#[test]
fn unknown_services() {
    let y = format!("{HEAD}{ACCTS}delegations:\n  guarduty:\n    admin: sec-ops\n");
    assert_error(&y, "delegations[\"guarduty\"]", 9, "unknown service");
    assert!(errors(&y)[0].fix.contains("guardduty"));
    // A full principal not in the catalog is a warning, not an error.
    let y = format!("{HEAD}{ACCTS}delegations:\n  newservice.amazonaws.com:\n    admin: sec-ops\n");
    let l = load_str("org.yaml", &y).unwrap();
    assert_eq!(l.warnings.len(), 1);
    assert_eq!(l.warnings[0].line, 9);
}

#[test]
fn the_same_service_twice_under_two_names() {
    let y = format!("{HEAD}{ACCTS}delegations:\n  sso:\n    admin: sec-ops\n  sso.amazonaws.com:\n    admin: sec-ops\n");
    assert_error(&y, "delegations[\"sso.amazonaws.com\"]", 11, "same service");
}

#[test]
fn trusted_access_rules() {
    let y = format!("{HEAD}trusted_access:\n  - ram.amazonaws.com\n  - ram.amazonaws.com\n  - ipam.amazonaws.com\n  - rm\n");
    assert_error(&y, "trusted_access[1]", 6, "listed twice");
    assert_error(
        &y,
        "trusted_access[2]",
        7,
        "must not be enabled with EnableAWSServiceAccess",
    );
    assert_error(&y, "trusted_access[3]", 8, "not a service principal");
}

#[test]
fn every_problem_is_reported_at_once_in_file_order() {
    let y = format!("{HEAD}accounts:\n  - {{name: a, email: bad, ou: Nope}}\ndelegations:\n  sso:\n    admin: zz\n");
    let e = errors(&y);
    assert_eq!(e.len(), 3, "{e:?}");
    let lines: Vec<u64> = e.iter().map(|d| d.line).collect();
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted);
}

#[test]
fn diagnostics_render_as_file_line_col() {
    let e = errors(&format!("{HEAD}  regoins: []\n"));
    let s = e[0].to_string();
    assert!(s.starts_with("org.yaml:4:3: error: regoins:"), "{s}");
    assert!(s.contains("\n  fix: "), "{s}");
}

#[test]
fn missing_file_is_a_clear_error() {
    let e = crate::model::load(std::path::Path::new("/nonexistent/org.yaml")).unwrap_err();
    assert!(
        e.to_string().contains("cannot read /nonexistent/org.yaml"),
        "{e}"
    );
}

#[test]
fn checked_in_json_schema_is_current() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/org.schema.json");
    let on_disk = std::fs::read_to_string(path).unwrap();
    assert!(
        on_disk == crate::model::schema::json_schema(),
        "schemas/org.schema.json is out of date: run `make schema` and commit it"
    );
    let v: serde_json::Value = serde_json::from_str(&on_disk).unwrap();
    assert_eq!(
        v["additionalProperties"], false,
        "unknown keys are rejected by the schema too"
    );
    assert_eq!(
        v["required"],
        serde_json::json!(["version", "organization"])
    );
}

#[test]
fn organizations_delegation_rejects_what_aws_cannot_delegate() {
    let y = format!(
        "{HEAD}{ACCTS}organizations_delegation:\n  - account: sec-ops\n    allow: [policies, organizations:CreateAccount, organizations:TagResourse]\n    policy_types: [SERVICE_CONTROL_POLICY, TAG_POLCY]\n  - account: mgmt\n    allow: []\n  - account: nobody\n    allow: []\n  - account: infra-ops\n    allow: [policies]\n"
    );
    assert_error(
        &y,
        "organizations_delegation[0].allow",
        10,
        "AWS reserves it to the management account",
    );
    assert_error(
        &y,
        "organizations_delegation[0].allow",
        10,
        "`organizations:TagResourse` is not an action",
    );
    assert!(errors(&y)
        .iter()
        .any(|d| d.fix.contains("did you mean `organizations:TagResource`")));
    assert_error(
        &y,
        "organizations_delegation[0].policy_types",
        11,
        "`TAG_POLCY` is not an Organizations policy type",
    );
    assert_error(
        &y,
        "organizations_delegation[1].account",
        12,
        "management account already holds every permission",
    );
    assert_error(
        &y,
        "organizations_delegation[2].account",
        14,
        "names no declared account",
    );
    assert_error(
        &y,
        "organizations_delegation[3].policy_types",
        17,
        "needs the policy types",
    );
}

#[test]
fn organizations_delegation_grants_read_plus_policy_management() {
    let y = format!("{HEAD}{ACCTS}organizations_delegation:\n  - account: sec-ops\n    allow: [policies, organizations:TagResource]\n    policy_types: [BACKUP_POLICY]\n");
    let l = load_str("org.yaml", &y).unwrap();
    let g = &l.desired.organizations_delegation.unwrap()[0];
    assert!(g.actions.contains("ListRoots") && g.actions.contains("TagResource"));
    assert!(g.policy_actions.contains("CreatePolicy") && g.policy_actions.contains("AttachPolicy"));
    assert_eq!(g.policy_types.iter().collect::<Vec<_>>(), ["BACKUP_POLICY"]);
}

#[test]
fn policy_rules() {
    let y = format!(
        "{HEAD}{ACCTS}policies:\n  - name: a\n    type: SERVICE_CONTROL_POLCY\n    content: {{}}\n  - name: b\n    type: TAG_POLICY\n  - name: c\n    type: TAG_POLICY\n    file: does/not/exist.json\n  - name: FullAWSAccess\n    type: SERVICE_CONTROL_POLICY\n    content: {{}}\n  - name: d\n    type: TAG_POLICY\n    content: {{}}\n    targets: [\"ou:Nope\", \"account:sec-opz\", everywhere]\n  - name: e\n    type: TAG_POLICY\n    content: \"{{not json\"\n"
    );
    assert_error(
        &y,
        "policies[0].type",
        10,
        "not an Organizations policy type",
    );
    assert!(errors(&y)
        .iter()
        .any(|d| d.fix.contains("SERVICE_CONTROL_POLICY")));
    assert_error(&y, "policies[1]", 12, "has no document");
    assert_error(&y, "policies[2].file", 16, "cannot read");
    assert_error(&y, "policies[3]", 17, "AWS-managed");
    assert_error(&y, "policies[4].targets", 23, "unknown OU `Nope`");
    assert_error(&y, "policies[4].targets", 23, "unknown account `sec-opz`");
    assert_error(
        &y,
        "policies[4].targets",
        23,
        "`everywhere` is not a target",
    );
    assert_error(&y, "policies[5].content", 26, "not valid JSON");
}

#[test]
fn policy_size_and_scp_count_limits() {
    let big = format!("{{\"Version\": \"2012-10-17\", \"Statement\": [{{\"Effect\": \"Deny\", \"Action\": [{}], \"Resource\": \"*\"}}]}}", (0..400).map(|i| format!("\"s3:Action{i}\"")).collect::<Vec<_>>().join(","));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("big.json"), &big).unwrap();
    let mut y = format!(
        "{HEAD}policies:\n  - name: big\n    type: SERVICE_CONTROL_POLICY\n    file: big.json\n"
    );
    for i in 0..6 {
        y.push_str(&format!("  - name: s{i}\n    type: SERVICE_CONTROL_POLICY\n    content: {{Version: \"2012-10-17\", Statement: [{{Effect: Deny, Action: \"s3:DeleteBucket\", Resource: \"*\"}}]}}\n    targets: [root]\n"));
    }
    let path = dir.path().join("org.yaml");
    std::fs::write(&path, &y).unwrap();
    let e = match crate::model::load(&path) {
        Err(LoadError::Invalid { diagnostics, .. }) => diagnostics,
        other => panic!("{other:?}"),
    };
    assert!(
        e.iter()
            .any(|d| d.field == "policies[0].file" && d.message.contains("AWS allows 5120")),
        "{e:?}"
    );
    assert!(
        e.iter()
            .any(|d| d.message.contains("6 SCPs are attached to root")),
        "{e:?}"
    );
    // Nothing else is wrong with the six documents.
    assert_eq!(e.len(), 2, "{e:?}");
}

#[test]
fn each_types_attachment_limit_is_checked_at_its_own_number() {
    // AWS: AI opt-out 5, backup 10, tag 10 per target (the policy types' quotas).
    for (ty, limit, doc) in [
        (
            "AISERVICES_OPT_OUT_POLICY",
            5,
            "{services: {default: {opt_out_policy: {\"@@assign\": optOut}}}}",
        ),
        ("BACKUP_POLICY", 10, "{plans: {}}"),
        ("TAG_POLICY", 10, "{tags: {}}"),
    ] {
        let file = |n: usize| {
            let mut y = format!("{HEAD}policies:\n");
            for i in 0..n {
                y.push_str(&format!(
                    "  - name: p{i}\n    type: {ty}\n    content: {doc}\n    targets: [root]\n"
                ));
            }
            y
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("org.yaml");
        std::fs::write(&path, file(limit)).unwrap();
        assert!(
            crate::model::load(&path).is_ok(),
            "{ty}: {limit} is allowed"
        );
        std::fs::write(&path, file(limit + 1)).unwrap();
        let e = match crate::model::load(&path) {
            Err(LoadError::Invalid { diagnostics, .. }) => diagnostics,
            other => panic!("{ty}: {other:?}"),
        };
        assert_eq!(e.len(), 1, "{ty}: {e:?}");
        assert!(
            e[0].message
                .contains(&format!("{} {ty} policies are attached to root", limit + 1))
                && e[0]
                    .message
                    .contains(&format!("AWS allows at most {limit}")),
            "{ty}: {e:?}"
        );
    }
}

#[test]
fn tag_rules_hold_for_ous_and_policies_too() {
    let many: Vec<String> = (0..51).map(|k| format!("k{k}: v")).collect();
    let y = format!(
        "{HEAD}organizational_units:\n  - path: A\n    tags: {{ {} }}\n  - path: B\n    tags: {{ \"aws:team\": x }}\npolicies:\n  - name: p\n    type: TAG_POLICY\n    content: {{tags: {{}}}}\n    tags: {{ \"aws:owner\": x }}\n",
        many.join(", ")
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.yaml");
    std::fs::write(&path, y).unwrap();
    let e = match crate::model::load(&path) {
        Err(LoadError::Invalid { diagnostics, .. }) => diagnostics,
        other => panic!("{other:?}"),
    };
    let fields: Vec<&str> = e.iter().map(|d| d.field.as_str()).collect();
    assert!(e.iter().any(|d| d.message.contains("51 tags")), "{e:?}");
    assert!(
        fields
            .iter()
            .any(|f| f.starts_with("organizational_units[1].tags"))
            && fields.iter().any(|f| f.starts_with("policies[0].tags")),
        "{fields:?}"
    );
}
