//! Safe under any environment (issue 12, first part): endpoint settings that made the SDK
//! panic are errors naming the setting, and an endpoint that accepts the connection and
//! never answers ends in a bounded time with an error naming the operation. No emulator:
//! a listener on 127.0.0.1 that never answers, and values that never reach the network.

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// The binary in `dir` with no credentials, no config files (`config` as AWS_CONFIG_FILE
/// when given), no instance metadata, and `env` on top.
fn bare(dir: &std::path::Path, config: Option<&std::path::Path>, env: &[(&str, &str)]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_orgctl"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .env(
            "AWS_CONFIG_FILE",
            config.map_or_else(|| dir.join("none"), |p| p.to_path_buf()),
        )
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("NO_COLOR", "1")
        .current_dir(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    c
}

/// A minimal org.yaml in `dir`.
fn minimal_file(dir: &std::path::Path) -> std::path::PathBuf {
    let f = dir.join("org.yaml");
    std::fs::write(
        &f,
        "version: 1\norganization:\n  management_account_id: \"123456789012\"\n",
    )
    .unwrap();
    f
}

/// Runs the binary with dummy credentials, no config files, and `env` on top.
fn orgctl(env: &[(&str, &str)], args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let f = minimal_file(dir.path());
    let creds = [
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
    ];
    bare(dir.path(), None, &[&creds[..], env].concat())
        .args(args)
        .arg("-f")
        .arg(&f)
        .output()
        .unwrap()
}

/// Environment, flags, and what the error must say.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);

#[test]
fn empty_or_malformed_endpoints_are_errors_not_panics() {
    let cases: &[Case] = &[
        (&[], &["--endpoint-url", ""], "--endpoint-url \"\": empty"),
        (&[], &["--endpoint-url", "not a url"], "white space"),
        (
            &[],
            &["--endpoint-url", "http://user:password@127.0.0.1:1"],
            "user name or password",
        ),
        (
            &[("AWS_ENDPOINT_URL", "")],
            &[],
            "AWS_ENDPOINT_URL=\"\": empty",
        ),
        (&[("AWS_ENDPOINT_URL_STS", "")], &[], "AWS_ENDPOINT_URL_STS"),
        (
            &[("AWS_ENDPOINT_URL_ORGANIZATIONS", "")],
            &[],
            "AWS_ENDPOINT_URL_ORGANIZATIONS",
        ),
        (&[("AWS_ENDPOINT_URL_EC2", "")], &[], "AWS_ENDPOINT_URL_EC2"),
    ];
    for (env, flags, want) in cases {
        for cmd in ["plan", "apply"] {
            let mut args = vec![cmd];
            args.extend_from_slice(flags);
            let out = orgctl(env, &args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{env:?} {args:?}: {err}");
            assert!(
                err.contains(want) && err.contains("fix:"),
                "{env:?} {args:?}: {err}"
            );
        }
    }
}

#[test]
fn an_endpoint_that_never_answers_ends_in_bounded_time() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Accept every connection and hold it open without a byte in reply.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let started = Instant::now();
    let out = orgctl(
        &[
            ("AWS_ENDPOINT_URL", url.as_str()),
            ("AWS_MAX_ATTEMPTS", "2"),
        ],
        &["plan", "--attempt-timeout", "1", "--operation-timeout", "3"],
    );
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(
        err.contains("GetCallerIdentity: no answer in time") && err.contains("--operation-timeout"),
        "{err}"
    );
}

/// The tag `v` of the OU at `path`.
async fn ou_tag(org: &aws_sdk_organizations::Client, path: &str) -> Option<String> {
    let id = crate::e2e::ous(org).await.get(path)?.clone();
    let tags = org
        .list_tags_for_resource()
        .resource_id(&id)
        .send()
        .await
        .unwrap();
    tags.tags()
        .iter()
        .find(|t| t.key() == "v")
        .map(|t| t.value().to_string())
}

#[tokio::test]
async fn two_applies_of_different_plans_never_mix() {
    use crate::emulator::{Creds, Emulator};
    let emu = Emulator::start(&[]);
    crate::e2e::new_org(&emu).await;
    let org = emu.mgmt();
    let mut outcomes = std::collections::BTreeMap::new();
    for n in 0..20 {
        // Two versions of org.yaml, planned from the same state, whose writes do not collide
        // at the API: both tag OU Shared{n} (created first), each creates an OU of its own.
        let base = format!("version: 1\norganization:\n  management_account_id: \"123456789012\"\norganizational_units:\n  - {{ path: Shared{n}, tags: {{ v: base }} }}\n");
        let f = emu.write(&format!("base{n}.yaml"), &base);
        emu.orgctl(&["apply", "-f", f.to_str().unwrap(), "--auto-approve"])
            .expect(0);
        let mut plans = Vec::new();
        for v in ["a", "b"] {
            let f = emu.write(
                &format!("{v}{n}.yaml"),
                &format!("version: 1\norganization:\n  management_account_id: \"123456789012\"\norganizational_units:\n  - {{ path: Shared{n}, tags: {{ v: {v} }} }}\n  - {{ path: Only-{v}{n} }}\n"),
            );
            let pf = emu.dir.path().join(format!("{v}{n}.json"));
            emu.orgctl(&[
                "plan",
                "-f",
                f.to_str().unwrap(),
                "--out",
                pf.to_str().unwrap(),
            ])
            .expect(0);
            plans.push(pf);
        }
        let runs: Vec<_> = plans
            .iter()
            .map(|pf| {
                emu.orgctl_cmd(&Creds::management(), &["apply", pf.to_str().unwrap()])
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let outs: Vec<_> = runs
            .into_iter()
            .map(|c| c.wait_with_output().unwrap())
            .collect();
        let codes: Vec<i32> = outs.iter().map(|o| o.status.code().unwrap_or(-1)).collect();
        let logs: Vec<String> = outs
            .iter()
            .map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
            .collect();
        let winners: Vec<usize> = (0..2).filter(|i| codes[*i] == 0).collect();
        assert_eq!(
            winners.len(),
            1,
            "trial {n}: exactly one apply succeeds: {codes:?} {logs:?}"
        );
        let (w, l) = (winners[0], 1 - winners[0]);
        assert_eq!(codes[l], 1, "trial {n}: {logs:?}");
        let why = if logs[l].contains("organization's lock") {
            "lock"
        } else if logs[l].contains("changed since the plan was reviewed") {
            "recheck"
        } else {
            panic!(
                "trial {n}: the loser must refuse before writing: {}",
                logs[l]
            )
        };
        *outcomes.entry(why).or_insert(0) += 1;
        // Never a mix: the winner's tag, the winner's OU, not the loser's.
        let (wv, lv) = (["a", "b"][w], ["a", "b"][l]);
        assert_eq!(
            ou_tag(&org, &format!("Shared{n}")).await.as_deref(),
            Some(wv),
            "trial {n}"
        );
        let paths = crate::e2e::ous(&org).await;
        assert!(paths.contains_key(&format!("Only-{wv}{n}")), "trial {n}");
        assert!(
            !paths.contains_key(&format!("Only-{lv}{n}")),
            "trial {n}: the loser wrote nothing"
        );
    }
    // How the loser lost, for the record (both are refusals before any write).
    eprintln!("race outcomes over 20 trials: {outcomes:?}");
    let root = org.list_roots().send().await.unwrap().roots()[0]
        .id()
        .unwrap()
        .to_string();
    let tags = org
        .list_tags_for_resource()
        .resource_id(&root)
        .send()
        .await
        .unwrap();
    assert!(
        tags.tags().iter().all(|t| t.key() != "orgctl-lock"),
        "every lock was released"
    );
}

#[test]
fn validate_reports_every_finding_as_json_github_annotations_or_a_gitlab_report() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("org.yaml");
    std::fs::write(
        &f,
        "version: 1\norganization:\n  management_account_id: \"111111111111\"\n  regions: [eu-wset-1]\naccounts:\n  - { name: a, email: not-an-email, ou: root }\n",
    )
    .unwrap();
    let run = |format: &str| {
        Command::new(env!("CARGO_BIN_EXE_orgctl"))
            .env_clear()
            .args(["validate", "-f", f.to_str().unwrap(), "--format", format])
            .output()
            .unwrap()
    };
    let out = run("json");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"], 2, "{v}");
    let fields: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["organization.regions[0]", "accounts[0].email"],
        "{v}"
    );
    let gh = String::from_utf8(run("github").stdout).unwrap();
    assert!(
        gh.lines().any(|l| l.starts_with("::error file=")
            && l.contains(",line=4,col=")
            && l.contains("title=organization.regions[0]::")
            && l.contains("did you mean eu-west-1?%0Afix: ")),
        "{gh}"
    );
    // GitLab's code-quality report: one entry per finding, on its line, with what GitLab
    // requires (a missing fingerprint or location makes GitLab drop the whole report).
    let out = run("gitlab");
    assert_eq!(out.status.code(), Some(1));
    let report: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let seen: Vec<(String, u64, &str)> = report
        .iter()
        .map(|e| {
            (
                e["description"].as_str().unwrap().to_string(),
                e["location"]["lines"]["begin"].as_u64().unwrap(),
                e["severity"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(seen.len(), 2, "{seen:?}");
    assert!(
        seen[0].0.starts_with("organization.regions[0]: ")
            && seen[0].0.contains("did you mean eu-west-1?")
            && seen[0].1 == 4
            && seen[0].2 == "critical",
        "{seen:?}"
    );
    assert!(
        seen[1].0.starts_with("accounts[0].email: ") && seen[1].1 == 6,
        "{seen:?}"
    );
    for e in &report {
        assert_eq!(e["location"]["path"], f.to_str().unwrap());
        assert_eq!(e["check_name"], "orgctl-validate");
        assert_eq!(e["fingerprint"].as_str().unwrap().len(), 32);
    }
    assert_ne!(report[0]["fingerprint"], report[1]["fingerprint"]);
    // A file that cannot be read: the error on stderr, and still a report GitLab can parse.
    let out = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .env_clear()
        .args(["validate", "-f", "no-such.yaml", "--format", "gitlab"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such.yaml"));
}

#[test]
fn shell_completions_know_every_command_and_flag() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let out = Command::new(env!("CARGO_BIN_EXE_orgctl"))
            .env_clear()
            .args(["completions", shell])
            .output()
            .unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8(out.stdout).unwrap();
        // Flags without their dashes: fish writes `-l break-lock`.
        for word in [
            "validate",
            "apply",
            "show",
            "completions",
            "break-lock",
            "max-chars",
            "attempt-timeout",
        ] {
            assert!(text.contains(word), "{shell}: {word}");
        }
    }
}

/// Colors follow the conventions: `--color always` and `CLICOLOR_FORCE` color a plan even
/// through a pipe; `--color never`, `--no-color` and `NO_COLOR` never do; `auto` colors only
/// a terminal (never this test's pipe).
#[tokio::test]
async fn colors_follow_the_flag_and_the_environment() {
    use crate::emulator::{Creds, Emulator};
    let emu = Emulator::start(&[]);
    crate::e2e::new_org(&emu).await;
    let f = emu.write(
        "org.yaml",
        "version: 1\norganization:\n  management_account_id: \"123456789012\"\norganizational_units:\n  - { path: Colors }\n",
    );
    let f = f.to_str().unwrap();
    let plan = |env: &[(&str, &str)], flags: &[&str]| {
        let mut args = vec!["plan", "-f", f];
        args.extend_from_slice(flags);
        let mut c = emu.orgctl_cmd(&Creds::management(), &args);
        c.env_remove("NO_COLOR");
        for (k, v) in env {
            c.env(k, v);
        }
        let out = c.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        String::from_utf8_lossy(&out.stdout).contains('\u{1b}')
    };
    assert!(!plan(&[], &[]), "auto: a pipe gets no colors");
    assert!(plan(&[], &["--color", "always"]));
    assert!(plan(&[("CLICOLOR_FORCE", "1")], &[]));
    assert!(!plan(&[("NO_COLOR", "1")], &[]));
    assert!(!plan(&[("CLICOLOR_FORCE", "1")], &["--color", "never"]));
    assert!(!plan(&[], &["--color", "always", "--no-color"]));
}

/// `orgctl … | head` closes the pipe early: writing to it must not panic (print! would), and
/// the command ends with its own exit code.
#[test]
fn a_closed_stdout_is_not_a_panic() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .args(["permissions", "-f"])
        .arg(crate::emulator::example())
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(out.status.code(), Some(0), "{stderr}");
}

/// Credentials that cannot be found, and a profile no file defines, are two lines naming
/// the cause and the fix: no SDK debug dump, no SDK warnings. Nothing is reached: the
/// endpoint is a closed port, and both fail before any request.
#[test]
fn missing_credentials_and_unknown_profiles_are_two_lines_with_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let f = minimal_file(dir.path());
    let config = dir.path().join("config");
    std::fs::write(&config, "[profile real]\nregion = us-east-1\n").unwrap();
    let run = |extra: &[(&str, &str)]| {
        bare(dir.path(), Some(&config), extra)
            .args(["plan", "-f"])
            .arg(&f)
            .args(["--endpoint-url", "http://127.0.0.1:1"])
            .output()
            .unwrap()
    };
    // (environment, what stderr must say)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str]);
    let cases: &[Case] = &[
        (&[], &["no AWS credentials found", "fix: set AWS_PROFILE"]),
        (
            &[("AWS_PROFILE", "nosuch")],
            &["\"nosuch\"", "aws configure list-profiles"],
        ),
    ];
    for (env, wants) in cases {
        let out = run(env);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{env:?}: {err}");
        assert_eq!(err.lines().count(), 2, "{env:?}: two lines, got:\n{err}");
        for w in *wants {
            assert!(err.contains(w), "{env:?}: {w:?} not in:\n{err}");
        }
        for noise in ["Debug", "ProviderAttempt", "DispatchFailure", "WARN"] {
            assert!(!err.contains(noise), "{env:?}: {noise} in:\n{err}");
        }
    }
}

#[test]
fn man_pages_cover_every_command_and_version_names_the_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .env_clear()
        .args(["man", "--out-dir"])
        .arg(dir.path().join("man"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for cmd in [
        "orgctl",
        "orgctl-plan",
        "orgctl-apply",
        "orgctl-import",
        "orgctl-audit",
    ] {
        let page = std::fs::read_to_string(dir.path().join("man").join(format!("{cmd}.1")))
            .unwrap_or_else(|e| panic!("{cmd}.1: {e}"));
        assert!(
            page.starts_with(".ie") || page.contains(".TH"),
            "{cmd}.1 is not roff"
        );
    }
    let plan = std::fs::read_to_string(dir.path().join("man/orgctl-plan.1")).unwrap();
    assert!(
        plan.contains("detailed\\-exitcode"),
        "the flags are documented"
    );
    let v = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .arg("--version")
        .output()
        .unwrap();
    let v = String::from_utf8_lossy(&v.stdout);
    assert!(
        v.starts_with(concat!("orgctl ", env!("CARGO_PKG_VERSION"), " ("))
            && v.trim_end().ends_with(')'),
        "{v}"
    );
}
