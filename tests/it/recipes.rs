//! The CI recipes run as written (issue 14, part 2): `tests/recipes/run_recipe.py` runs every
//! job of `examples/ci/github-actions.yml` and `examples/ci/gitlab-ci.yml` in job order, as the
//! CI service would, against a fresh emulator seeded with the demo's brownfield organization:
//! the pull request's plan and comment, a destructive plan stopped without the opt-in, one
//! apply job per stage each writing as its own account, no change left, the drift check. The
//! release archive the jobs download and check is this build's binary packaged by
//! `scripts/dist.sh`. The runner prints every job's output; it is shown when a test fails.

use std::process::Command;

use crate::emulator::{python, root, Emulator};

/// Runs `run_recipe.py examples/ci/FILE` against a fresh seeded emulator; asserts exit 0.
fn run_recipe(file: &str) {
    let emu = Emulator::start(&["--create-delay", "1"]);
    emu.seed(&["demo", "--legacy"]);
    let out = Command::new(python())
        .arg(root().join("tests/recipes/run_recipe.py"))
        .arg(root().join("examples/ci").join(file))
        .args(["--emulator", &emu.url])
        .arg("--bin-archive-dir")
        .arg(emu.dir.path().join("dist"))
        .arg("--orgctl-bin")
        .arg(env!("CARGO_BIN_EXE_orgctl"))
        .arg("--work")
        .arg(emu.dir.path().join("work"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "run_recipe.py {file}: {}\n--- stdout\n{}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ran as written"), "{stdout}");
}

#[test]
fn the_github_actions_recipe_runs_as_written() {
    run_recipe("github-actions.yml");
}

#[test]
fn the_gitlab_ci_recipe_runs_as_written() {
    run_recipe("gitlab-ci.yml");
}
