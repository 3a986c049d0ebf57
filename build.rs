//! Build script: the commit `orgctl --version` names (`git describe --always --dirty --tags`), or
//! "unknown commit" outside a git checkout (a crates.io source, a tarball); the variable
//! ORGCTL_COMMIT, when set, wins (builds without the checkout).

// A build script reads its environment: that is its input.
#![allow(clippy::disallowed_methods)]

use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=ORGCTL_COMMIT");
    // A build without the checkout (the container image, a release job) passes it.
    if let Ok(c) = std::env::var("ORGCTL_COMMIT") {
        if !c.trim().is_empty() {
            println!("cargo:rustc-env=ORGCTL_COMMIT={}", c.trim());
            return;
        }
    }
    let commit = Command::new("git")
        .args(["describe", "--always", "--dirty", "--tags", "--abbrev=12"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown commit".to_string());
    println!("cargo:rustc-env=ORGCTL_COMMIT={commit}");
    // A new commit or checkout changes HEAD or the branch it points to; the index changes
    // with --dirty's answer. (In a worktree, .git is a file: the paths then do not exist and
    // cargo reruns this script on every build, which costs a git call.)
    for p in [
        ".git/HEAD",
        ".git/index",
        ".git/refs/heads",
        ".git/packed-refs",
    ] {
        println!("cargo:rerun-if-changed={p}");
    }
}
