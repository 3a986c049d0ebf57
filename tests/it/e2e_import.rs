//! End to end, adoption (issue 13): a brownfield organization holding every section is
//! imported, and `plan` on the imported file reports no change — for the management account,
//! and for the readable parts of a delegated administrator.

use std::path::Path;

use crate::e2e::{accounts, apply_stages};
use crate::emulator::Emulator;

/// examples/ copied into `dir`, its org.yaml enriched so every section is used: a nested OU
/// with tags and an account in it, an RCP at the root and on an account, a permission set with
/// a permissions boundary assigned OU-wide.
fn rich_example(dir: &Path) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    std::fs::create_dir_all(dir.join("policies")).unwrap();
    for e in std::fs::read_dir(root.join("policies")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), dir.join("policies").join(e.file_name())).unwrap();
    }
    let text = std::fs::read_to_string(root.join("org.yaml")).unwrap();
    let rcp = r#"{ Version: "2012-10-17", Statement: [{ Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }"#;
    let text = text
        .replace(
            "  - name: backup\n",
            "  - name: app\n    email: aws+app@example.com\n    ou: Workloads/Prod/Payments\n  - name: backup\n",
        )
        .replace(
            "  - path: Workloads/Dev\n",
            "  - path: Workloads/Dev\n  - path: Workloads/Prod/Payments\n    tags: { pci: \"in-scope\" }\n",
        )
        .replace(
            "\nidentity_center:",
            &format!("  - name: tls-only\n    type: RESOURCE_CONTROL_POLICY\n    content: {rcp}\n    targets: [root, \"account:sec-ops\"]\n\nidentity_center:"),
        )
        .replace(
            "      managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n",
            "      managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess]\n    - name: Ops\n      managed_policies: [arn:aws:iam::aws:policy/PowerUserAccess]\n      permissions_boundary: { managed_policy_arn: \"arn:aws:iam::aws:policy/PowerUserAccess\" }\n",
        );
    let text = format!(
        "{text}    - {{ permission_set: Ops, user: alice, targets: [\"ou:Workloads\"] }}\n"
    );
    let f = dir.join("org.yaml");
    std::fs::write(&f, &text).unwrap();
    f.to_str().unwrap().to_string()
}

#[tokio::test]
async fn an_imported_brownfield_plans_no_change_for_the_management_account_and_a_delegate() {
    let emu = Emulator::start(&["--create-delay", "0.2"]);
    emu.seed(&["demo"]);
    let f = rich_example(&emu.dir.path().join("made"));
    apply_stages(&emu, &f).await;
    emu.orgctl(&["plan", "-f", &f, "--detailed-exitcode"])
        .expect(0);

    let y = management_round_trip(&emu);
    refusals_and_force(&emu, &y);
    another_policies_dir(&emu, &y);
    delegate_round_trip(&emu, &y).await;
}

const REGIONS: &str = "us-east-1,eu-west-1";

/// `path` (a file in the emulator's folder, its folder made) as a string.
fn in_dir(emu: &Emulator, path: &str) -> String {
    let p = emu.dir.path().join(path);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    p.to_str().unwrap().to_string()
}

/// Addresses of a JSON plan's `unmanaged` list.
fn unmanaged(plan: &serde_json::Value) -> Vec<String> {
    plan["unmanaged"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["address"].as_str().unwrap().to_string())
        .collect()
}

/// The sorted names of the files in `dir`.
fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// One top-level section of an imported file (`key:` to the next blank line).
fn section<'a>(y: &'a str, key: &str) -> &'a str {
    let start = y
        .find(&format!("\n{key}:\n"))
        .unwrap_or_else(|| panic!("no {key}: in\n{y}"))
        + 1;
    let rest = &y[start..];
    &rest[..rest.find("\n\n").map_or(rest.len(), |i| i + 1)]
}

/// The management account imports everything into `imported/org.yaml`; the plan of that file
/// has no change and nothing unmanaged (import left nothing out). Returns the file's text.
fn management_round_trip(emu: &Emulator) -> String {
    let out = in_dir(emu, "imported/org.yaml");
    let r = emu
        .orgctl(&["import", "--out", &out, "--regions", REGIONS])
        .expect(0);
    assert!(r.stderr().contains("Wrote "), "{}", r.stderr());
    assert!(!r.stderr().contains("warning:"), "{}", r.stderr());
    let y = std::fs::read_to_string(&out).unwrap();
    for want in [
        "  - path: Workloads/Prod/Payments\n    tags: { pci: in-scope }\n",
        "  guardduty: { admin: sec-ops }\n",
        "  ipam: { admin: networking }\n",
        "  - account: sec-ops\n    allow: [policies]\n",
        "  - name: tls-only\n    type: RESOURCE_CONTROL_POLICY\n",
        // bob and auditors came from the identity provider (SCIM, R41).
        "    - { user_name: bob, external: true }\n",
        "    - { name: auditors, external: true }\n",
        "      permissions_boundary:\n        managed_policy_arn:",
        "    - { permission_set: Ops, user: alice, targets: [\"ou:Workloads\"] }\n",
    ] {
        assert!(y.contains(want), "missing {want:?} in\n{y}");
    }
    assert!(!y.contains("Not imported exactly"), "{y}");
    let plan = plan_without_changes(emu, &out);
    assert!(
        plan["changes"].as_array().unwrap().is_empty(),
        "{}\n{y}",
        plan["changes"]
    );
    // `unmanaged: report` lists what the file leaves out instead of changing it: the import
    // left nothing out (the Sandbox OU, RAM's trusted access, legacy-admin are all in it).
    assert!(unmanaged(&plan).is_empty(), "{plan}\n{y}");
    emu.orgctl(&["plan", "-f", &out, "--detailed-exitcode"])
        .expect(0);
    y
}

/// Refusals (an existing file; existing policy documents) write nothing; `--force` overwrites
/// both the file and its documents.
fn refusals_and_force(emu: &Emulator, y: &str) {
    let out = in_dir(emu, "imported/org.yaml");
    let again = emu.orgctl(&["import", "--out", &out]).expect(1);
    assert!(again.stderr().contains("--force"), "{}", again.stderr());
    // Another file beside it would write the same policies/ documents: refused, nothing
    // written.
    let other = in_dir(emu, "imported/other.yaml");
    let r = emu
        .orgctl(&["import", "--out", &other, "--regions", REGIONS])
        .expect(1);
    for want in [
        "these policy documents exist: ",
        "policies/tls-only.json",
        "policies/permission-set-Admin.json",
        "--policies-dir",
        "--force",
    ] {
        assert!(r.stderr().contains(want), "{want:?}: {}", r.stderr());
    }
    assert!(!Path::new(&other).exists());
    // --force overwrites the file and a document edited since.
    let doc = emu.dir.path().join("imported/policies/tls-only.json");
    let before = std::fs::read_to_string(&doc).unwrap();
    std::fs::write(&out, "# stale\n").unwrap();
    std::fs::write(&doc, "{}\n").unwrap();
    // (Progress lines every 50 ms instead of every 10 s: a CI log is never silent through a
    // long read, and each line says how far the read is.)
    let r = emu
        .orgctl(&[
            "import",
            "--out",
            &out,
            "--force",
            "--regions",
            REGIONS,
            "--progress-ms",
            "50",
        ])
        .expect(0);
    let so_far: Vec<u64> = r
        .stderr()
        .lines()
        .filter_map(|l| l.strip_prefix("reading the organization: "))
        .map(|l| {
            l.split(' ')
                .next()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap()
        })
        .collect();
    assert!(
        so_far.len() >= 2 && so_far.windows(2).all(|w| w[0] <= w[1]) && so_far.last() > Some(&0),
        "progress lines: {so_far:?}\n{}",
        r.stderr()
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), y);
    assert_eq!(std::fs::read_to_string(&doc).unwrap(), before);
    assert!(before.contains("aws:SecureTransport"), "{before}");
}

/// `--policies-dir docs-policies/`: the documents go there, the file names them there, and
/// its plan has no change.
fn another_policies_dir(emu: &Emulator, y: &str) {
    let out = in_dir(emu, "pd/org.yaml");
    emu.orgctl(&[
        "import",
        "--out",
        &out,
        "--policies-dir",
        "docs-policies/",
        "--regions",
        REGIONS,
    ])
    .expect(0);
    let pd = emu.dir.path().join("pd");
    assert_eq!(names_in(&pd), ["docs-policies", "org.yaml"]);
    assert_eq!(
        names_in(&pd.join("docs-policies")),
        names_in(&emu.dir.path().join("imported/policies"))
    );
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("    file: docs-policies/tls-only.json\n"),
        "{text}"
    );
    assert!(
        text.contains("      inline_policy: docs-policies/permission-set-Admin.json\n"),
        "{text}"
    );
    assert_eq!(text, y.replace(" policies/", " docs-policies/"));
    let plan = plan_without_changes(emu, &out);
    assert!(plan["changes"].as_array().unwrap().is_empty(), "{plan}");
    assert!(unmanaged(&plan).is_empty(), "{plan}");
}

/// sec-ops, the delegated administrator of Identity Center and of policies (SCP, RCP, tag and
/// AI opt-out; backup policies are infra-ops'), imports what it may read — all but the
/// Regions' admins — and plans its share: no change.
async fn delegate_round_trip(emu: &Emulator, y: &str) {
    let sec = accounts(&emu.mgmt()).await["sec-ops"].0.clone();
    let as_sec = emu.member(&sec).await;
    let out = in_dir(emu, "sec/org.yaml");
    let r = emu.orgctl_as(&as_sec, &["import", "--out", &out, "--regions", REGIONS]);
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout(), r.stderr());
    assert!(r.stderr().contains("were not read"), "{}", r.stderr());
    let sy = std::fs::read_to_string(&out).unwrap();
    // What it reads is imported as the management account imports it: Identity Center
    // (users, groups, permission sets, assignments), the policies and their documents, the
    // delegation policy.
    for key in ["identity_center", "policies", "organizations_delegation"] {
        assert_eq!(section(&sy, key), section(y, key), "{key}:\n{sy}");
    }
    for want in [
        "  permission_sets:\n    - name: Admin\n",
        "    - name: Ops\n",
        "    - name: ReadOnly\n",
        "    - { permission_set: Ops, user: alice, targets: [\"ou:Workloads\"] }\n",
        "    - { permission_set: ReadOnly, group: auditors, targets: [",
        "    file: policies/tls-only.json\n",
    ] {
        assert!(sy.contains(want), "missing {want:?} in\n{sy}");
    }
    let sec_docs = emu.dir.path().join("sec/policies");
    let docs = emu.dir.path().join("imported/policies");
    assert_eq!(names_in(&sec_docs), names_in(&docs));
    for n in names_in(&docs) {
        assert_eq!(
            std::fs::read_to_string(sec_docs.join(&n)).unwrap(),
            std::fs::read_to_string(docs.join(&n)).unwrap(),
            "{n}"
        );
    }
    // The Regions' admins (GuardDuty, Inspector: sec-ops itself) are left out, and said so.
    assert!(!sy.contains("  guardduty: { admin"), "{sy}");
    assert!(sy.contains("# Not imported exactly"), "{sy}");
    let r = emu.orgctl_as(
        &as_sec,
        &[
            "plan",
            "-f",
            &out,
            "--executor",
            "sec-ops",
            "--detailed-exitcode",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout(), r.stderr());
    let plan = r.json();
    assert!(plan["changes"].as_array().unwrap().is_empty(), "{plan}");
    // What the file left out shows as unmanaged, nothing else.
    assert_eq!(
        unmanaged(&plan),
        [
            "delegation[\"guardduty.amazonaws.com\"]",
            "delegation[\"inspector2.amazonaws.com\"]"
        ],
        "{plan}"
    );
}

/// `plan -f FILE --detailed-exitcode --format json` as the management account: exit 0 (no
/// change), the plan as JSON.
fn plan_without_changes(emu: &Emulator, file: &str) -> serde_json::Value {
    emu.orgctl(&[
        "plan",
        "-f",
        file,
        "--detailed-exitcode",
        "--format",
        "json",
    ])
    .expect(0)
    .json()
}
