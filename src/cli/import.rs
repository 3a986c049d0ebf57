//! `orgctl import`: writes an org.yaml (and its policy documents) describing the live
//! organization, refusing to overwrite anything unless told to.

use std::path::{Path, PathBuf};

use clap::Args;

use super::Global;
use crate::aws::Aws;
use crate::ops::{self, ImportRequest};

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Where to write the organization file.
    #[arg(long, short = 'o', default_value = "org.yaml")]
    pub out: PathBuf,
    /// Folder for policy documents, relative to the organization file.
    #[arg(long, default_value = "policies")]
    pub policies_dir: String,
    /// Regions whose per-Region delegated administrators (GuardDuty, Inspector, …) are read;
    /// they become organization.regions. Default: the configured Region.
    #[arg(long, value_delimiter = ',')]
    pub regions: Vec<String>,
    /// Identity Center's home Region (default: the configured Region).
    #[arg(long)]
    pub identity_center_region: Option<String>,
    /// Overwrite the organization file and policy documents if they exist.
    #[arg(long)]
    pub force: bool,
    /// Leave out the tags of OUs and accounts (Organizations reads them one call per OU and
    /// account; without them the import costs what a plan costs). Their tags are then not
    /// managed by the file.
    #[arg(long)]
    pub skip_tags: bool,
    /// How often (ms) a progress line is printed without a terminal (tests; default 10 s).
    #[arg(long, hide = true, env = "ORGCTL_PROGRESS_MS")]
    pub progress_ms: Option<u64>,
}

pub async fn run(a: &ImportArgs, _g: &Global, aws: &Aws) -> u8 {
    let regions = if a.regions.is_empty() {
        aws.config
            .as_ref()
            .and_then(|c| c.region())
            .map(|r| vec![r.to_string()])
            .unwrap_or_else(|| vec!["us-east-1".to_string()])
    } else {
        a.regions.clone()
    };
    if a.out.exists() && !a.force {
        errln!(
            "error: {} exists; nothing was read or written\n  fix: choose another file with --out, or pass --force to overwrite it",
            a.out.display()
        );
        return 1;
    }
    errln!(
        "Reading the organization (OUs, accounts, tags, delegations, policies, Identity Center; per-Region admins in {})…",
        regions.join(", ")
    );
    let req = ImportRequest {
        regions,
        identity_center_region: a.identity_center_region.clone(),
        policies_dir: a.policies_dir.trim_end_matches('/').to_string(),
        resource_tags: !a.skip_tags,
    };
    let read = ops::import(&req, aws);
    let out = match super::reading::with_progress(
        &aws.stats,
        "reading the organization",
        a.progress_ms,
        read,
    )
    .await
    {
        Ok(o) => o,
        Err(e) => {
            super::report_error(&e);
            return 1;
        }
    };
    let base = a.out.parent().unwrap_or(Path::new("."));
    if !a.force {
        let taken: Vec<String> = out
            .imported
            .files
            .keys()
            .filter(|f| base.join(f).exists())
            .cloned()
            .collect();
        if !taken.is_empty() {
            errln!(
                "error: these policy documents exist: {}; nothing was written\n  fix: choose another folder with --policies-dir, or pass --force to overwrite them",
                taken.join(", ")
            );
            return 1;
        }
    }
    for (f, text) in &out.imported.files {
        let p = base.join(f);
        let written = p
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&p, text));
        if let Err(e) = written {
            errln!("error: cannot write {}: {e}", p.display());
            return 1;
        }
    }
    let written = a
        .out
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| std::fs::write(&a.out, &out.imported.org_yaml));
    if let Err(e) = written {
        errln!("error: cannot write {}: {e}", a.out.display());
        return 1;
    }
    let counts: Vec<String> = out
        .imported
        .counts
        .iter()
        .map(|(k, n)| format!("{n} {k}"))
        .collect();
    errln!(
        "Wrote {} ({}) and {} policy document(s), from organization {} as account {}.",
        a.out.display(),
        counts.join(", "),
        out.imported.files.len(),
        out.organization_id,
        out.caller.account_id
    );
    for u in &out.unread {
        errln!("warning: {u}");
    }
    for n in &out.imported.notes {
        errln!("note: {n}");
    }
    errln!(
        "Next: `orgctl plan -f {}` shows no changes; commit the file and manage the organization from it.",
        a.out.display()
    );
    0
}
