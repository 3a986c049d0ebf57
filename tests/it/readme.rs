//! The README's "Use" commands run as written: `scripts/sandbox.sh` (what `make sandbox`
//! runs) starts the emulator with the example organization and prints the lines to export;
//! after them, each command of the README's "Use" block, in order, in a shell, exits 0 (or 2
//! where the README says it signals changes or findings). And the `orgctl permissions` output
//! docs/ci.md shows is what the command prints today.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::emulator::root;

/// The lines of the README's first ```sh block after `## Use`.
fn use_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let after = readme
        .split_once("\n## Use\n")
        .expect("README has a \"## Use\" section")
        .1;
    let block = after
        .split_once("```sh\n")
        .expect("a sh block in \"Use\"")
        .1
        .split_once("```")
        .unwrap()
        .0;
    block
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_readme_use_commands_run_as_written_in_the_sandbox() {
    let commands = use_commands();
    assert!(commands.len() >= 10, "{commands:?}");
    let dir = tempfile::tempdir().unwrap();
    let sandbox = dir.path().join("sandbox");
    let mut child = Command::new(root().join("scripts/sandbox.sh"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("ORGCTL_SANDBOX", &sandbox)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stop = |pid: u32| {
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(pid.to_string())
            .status();
    };
    // The printed block ends with the comment about profiles.
    let mut env_block = String::new();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while out.read_line(&mut line).unwrap() > 0 {
        env_block.push_str(&line);
        if line.contains("runs as that account") {
            break;
        }
        line.clear();
    }
    if !env_block.contains("export AWS_ENDPOINT_URL=http://127.0.0.1:") {
        stop(child.id());
        panic!("the sandbox printed no endpoint:\n{env_block}");
    }
    let mut failures = Vec::new();
    for cmd in &commands {
        let script = format!("{env_block}\n{cmd}\n");
        let out = Command::new("bash")
            .args(["-c", &script])
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let code = out.status.code().unwrap_or(-1);
        // 2: plan --detailed-exitcode with changes, audit with findings.
        if code != 0 && code != 2 {
            failures.push(format!(
                "{cmd}\n  exit {code}\n{}\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            ));
            break;
        }
    }
    stop(child.id());
    let _ = child.wait();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// docs/ci.md shows `orgctl permissions`' output for the example: each block marked
/// `<!-- permissions: ARGS -->` is what `orgctl permissions ARGS` prints today.
#[test]
fn the_permissions_shown_in_the_ci_docs_are_what_the_command_prints() {
    let doc = std::fs::read_to_string(root().join("docs/ci.md")).unwrap();
    let mut seen = 0;
    for part in doc.split("<!-- permissions: ").skip(1) {
        let (args, rest) = part.split_once(" -->").unwrap();
        let shown = rest
            .split_once("```json\n")
            .unwrap()
            .1
            .split_once("```")
            .unwrap()
            .0;
        let out = Command::new(env!("CARGO_BIN_EXE_orgctl"))
            .current_dir(root())
            .env_clear()
            .arg("permissions")
            .args(args.split_whitespace())
            .output()
            .unwrap();
        assert!(out.status.success(), "{args}: {out:?}");
        let printed: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let shown: serde_json::Value = serde_json::from_str(shown).unwrap();
        assert_eq!(
            shown, printed,
            "docs/ci.md shows an old `orgctl permissions {args}`: paste the new output"
        );
        seen += 1;
    }
    assert!(seen >= 1, "no permissions block in docs/ci.md");
}
