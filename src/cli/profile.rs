//! `--profile` / `AWS_PROFILE` naming a profile that no file defines: the SDK would go on
//! down the credential chain (to instance metadata) and fail far from the cause, so this is
//! checked before any call, with the files it looked in and how to list the profiles.

use std::path::PathBuf;

/// Whether `text` (a config or credentials file) defines `profile`: `[profile NAME]` or
/// `[NAME]` (the credentials file's form; the config file's for `default`).
pub(crate) fn defines(text: &str, profile: &str) -> bool {
    text.lines().any(|l| {
        let Some(inner) = l.trim().strip_prefix('[').and_then(|r| r.strip_suffix(']')) else {
            return false;
        };
        let inner = inner.trim();
        // `[profile x]`: the keyword, white space, the name; `[profilex]` names "profilex".
        let name = match inner.strip_prefix("profile") {
            Some(rest) if rest.starts_with(char::is_whitespace) => rest.trim(),
            _ => inner,
        };
        name == profile
    })
}

/// The config and credentials files the SDK reads (AWS_CONFIG_FILE,
/// AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/config and ~/.aws/credentials).
pub(crate) fn files(var: impl Fn(&str) -> Option<String>) -> [PathBuf; 2] {
    let home = var("HOME")
        .or_else(|| var("USERPROFILE"))
        .unwrap_or_default();
    let aws = PathBuf::from(home).join(".aws");
    [
        var("AWS_CONFIG_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| aws.join("config")),
        var("AWS_SHARED_CREDENTIALS_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| aws.join("credentials")),
    ]
}

/// The error (two lines: what, and the fix) when `profile` is defined in neither file.
pub(crate) fn check(profile: &str, files: &[PathBuf; 2]) -> Result<(), String> {
    if profile == "default" {
        return Ok(());
    }
    let found = files.iter().any(|f| {
        std::fs::read_to_string(f)
            .map(|t| defines(&t, profile))
            .unwrap_or(false)
    });
    if found {
        return Ok(());
    }
    Err(format!(
        "AWS profile {profile:?} (--profile or AWS_PROFILE) is defined in neither {} nor {}\n  fix: `aws configure list-profiles` lists the profiles there; `aws configure sso --profile {profile}` creates an SSO one; or unset AWS_PROFILE to use the environment's credentials",
        files[0].display(),
        files[1].display()
    ))
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
