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

    // The management account imports everything.
    let out = emu.dir.path().join("imported/org.yaml");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let out = out.to_str().unwrap();
    let r = emu
        .orgctl(&["import", "--out", out, "--regions", "us-east-1,eu-west-1"])
        .expect(0);
    assert!(r.stderr().contains("Wrote "), "{}", r.stderr());
    let y = std::fs::read_to_string(out).unwrap();
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
    let plan = emu
        .orgctl(&["plan", "-f", out, "--detailed-exitcode", "--format", "json"])
        .json();
    assert!(
        plan["changes"].as_array().unwrap().is_empty(),
        "{}\n{y}",
        plan["changes"]
    );
    emu.orgctl(&["plan", "-f", out, "--detailed-exitcode"])
        .expect(0);
    // Refuses to overwrite.
    let again = emu.orgctl(&["import", "--out", out]).expect(1);
    assert!(again.stderr().contains("--force"), "{}", again.stderr());

    // sec-ops, the delegated administrator of Identity Center and of policies, imports what it
    // may read (not the Regions' admins) and plans its share: no change.
    let sec = accounts(&emu.mgmt()).await["sec-ops"].0.clone();
    let as_sec = emu.member(&sec).await;
    let out = emu.dir.path().join("sec/org.yaml");
    std::fs::create_dir_all(out.parent().unwrap()).unwrap();
    let out = out.to_str().unwrap();
    let r = emu.orgctl_as(
        &as_sec,
        &["import", "--out", out, "--regions", "us-east-1,eu-west-1"],
    );
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout(), r.stderr());
    assert!(r.stderr().contains("were not read"), "{}", r.stderr());
    let r = emu.orgctl_as(
        &as_sec,
        &[
            "plan",
            "-f",
            out,
            "--executor",
            "sec-ops",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(r.code(), 0, "{}\n{}", r.stdout(), r.stderr());
}
