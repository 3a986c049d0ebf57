//! Named checks that turn the parsed file (`schema::OrgFile`) into a validated
//! [`Desired`], collecting every diagnostic (never stopping at the first). Offline: no AWS
//! call. Rules are those of SPEC §3 plus the catalog's (max admins, regional scope, the
//! management account as admin, mechanisms orgctl cannot execute yet).

use std::collections::{BTreeMap, BTreeSet};

use serde_saphyr::Spanned;

use crate::catalog::{self, Mechanism, Scope, TrustedAccess};
use crate::model::desired::{
    AccountId, AccountRef, Desired, DesiredAccount, DesiredDelegation, DesiredOu, Parent,
};
use crate::model::diag::{did_you_mean, Diagnostics, Pos};
use crate::model::schema::{AccountEntry, DelegationEntry, OrgFile};
use common::{account_ref, check_tags, is_management};

/// AWS Organizations allows OUs nested at most five levels below the root.
pub const MAX_OU_DEPTH: usize = 5;

/// Validates `file` and builds the desired state; diagnostics go to `d`. The returned
/// value is meaningful only when `d` has no errors.
pub fn build(file: &OrgFile, d: &mut Diagnostics, base: &std::path::Path) -> Desired {
    let mut out = Desired::default();
    check_version(file, d);
    organization(file, d, &mut out);
    ous(file, d, &mut out);
    accounts(file, d, &mut out);
    trusted_access(file, d, &mut out);
    delegations(file, d, &mut out);
    delegation::organizations_delegation(file, d, &mut out);
    policies::policies(file, d, &mut out, base);
    if let Some(ic) = &file.identity_center {
        ic::identity_center(ic, d, &mut out, base);
    }
    out
}

fn check_version(file: &OrgFile, d: &mut Diagnostics) {
    if file.version.value != 1 {
        d.error(
            &file.version,
            "version",
            format!("unsupported file version {}", file.version.value),
            "set `version: 1` (the only version this orgctl reads)",
        );
    }
}

fn organization(file: &OrgFile, d: &mut Diagnostics, out: &mut Desired) {
    let org = &file.organization;
    match AccountId::parse(org.management_account_id.value.trim()) {
        Some(id) => out.management_account_id = Some(id),
        None => d.error(
            &org.management_account_id,
            "organization.management_account_id",
            format!(
                "`{}` is not a 12-digit account id",
                org.management_account_id.value
            ),
            "write the management account's 12-digit id in quotes, e.g. \"111122223333\"",
        ),
    }
    let mut seen = BTreeSet::new();
    for (i, r) in org.regions.iter().enumerate() {
        let field = format!("organization.regions[{i}]");
        check_region(r, &field, d);
        if !seen.insert(r.value.as_str()) {
            d.error(
                r,
                &field,
                format!("region `{}` is listed twice", r.value),
                "remove the duplicate",
            );
        }
        out.regions.push(r.value.clone());
    }
    if let Some(r) = &org.identity_center_region {
        check_region(r, "organization.identity_center_region", d);
        out.identity_center_region = Some(r.value.clone());
    }
    out.unmanaged = org.unmanaged.as_ref().map(|u| u.value).unwrap_or_default();
}

/// A Region name that is wrong (not a Region's shape, or a typo of a known Region) is an
/// error; a well-formed name orgctl does not know is a warning (AWS opens new Regions).
fn check_region(r: &Spanned<String>, field: &str, d: &mut Diagnostics) {
    crate::model::regions::check_region_at(&r.value, Pos::from(r), field, d);
}

fn ous(file: &OrgFile, d: &mut Diagnostics, out: &mut Desired) {
    let mut declared: BTreeMap<String, Pos> = BTreeMap::new();
    for (i, ou) in file.organizational_units.iter().enumerate() {
        let field = format!("organizational_units[{i}].path");
        let path = ou.path.value.trim().trim_matches('/').to_string();
        let segments: Vec<&str> = path.split('/').collect();
        if path.is_empty() || segments.iter().any(|s| s.trim().is_empty()) {
            d.error(
                &ou.path,
                &field,
                format!("`{}` is not an OU path", ou.path.value),
                "write OU names separated by `/`, e.g. Workloads/Prod",
            );
            continue;
        }
        if path.eq_ignore_ascii_case("root") {
            d.error(
                &ou.path,
                &field,
                "`root` is the organization root, not an OU",
                "remove this entry; accounts use `ou: root` for the root",
            );
            continue;
        }
        if segments.len() > MAX_OU_DEPTH {
            d.error(
                &ou.path,
                &field,
                format!("`{path}` is {} levels deep; AWS allows OUs at most {MAX_OU_DEPTH} levels below the root", segments.len()),
                "flatten the hierarchy",
            );
        }
        if let Some(s) = segments.iter().find(|s| s.chars().count() > 128) {
            d.error(
                &ou.path,
                &field,
                format!("OU name `{s}` is longer than 128 characters"),
                "shorten the name",
            );
        }
        if let Some(prev) = declared.get(&path) {
            d.error(
                &ou.path,
                &field,
                format!(
                    "OU `{path}` is declared twice (first at line {})",
                    prev.line
                ),
                "keep one entry; merge their tags",
            );
            continue;
        }
        declared.insert(path.clone(), Pos::from(&ou.path));
        if let Some(t) = &ou.tags {
            check_tags(t, &format!("organizational_units[{i}].tags"), d);
        }
        // Implied parents first (without managed tags), then the OU itself.
        for n in 1..segments.len() {
            out.ous
                .entry(segments[..n].join("/"))
                .or_insert(DesiredOu { tags: None });
        }
        out.ous.insert(
            path,
            DesiredOu {
                tags: ou.tags.as_ref().map(|t| t.value.clone()),
            },
        );
    }
}

/// AWS Organizations' rules for an account's email (CreateAccount, `Email`): 6 to 64 7-bit
/// ASCII characters; one `@`; a local name without white space or `" ' ( ) < > [ ] : ; , \ | % &`
/// that does not begin with a dot; a domain of letters, digits, `-` and `.`, with a dot, that
/// neither begins nor ends with `-` or `.`.
fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    (6..=64).contains(&s.len())
        && s.is_ascii()
        && !local.is_empty()
        && !local.starts_with('.')
        && !local.chars().any(|c| {
            c.is_ascii_whitespace() || c.is_ascii_control() || "\"'()<>[]:;,\\|%&".contains(c)
        })
        && !domain.is_empty()
        && domain
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        && domain.contains('.')
        && !domain.starts_with(['.', '-'])
        && !domain.ends_with(['.', '-'])
}

fn accounts(file: &OrgFile, d: &mut Diagnostics, out: &mut Desired) {
    let mut emails: BTreeMap<String, u64> = BTreeMap::new();
    let mut ids: BTreeMap<String, u64> = BTreeMap::new();
    let mgmt = file.organization.management_account_id.value.trim();
    for (i, a) in file.accounts.iter().enumerate() {
        let base = format!("accounts[{i}]");
        let name = a.name.value.trim().to_string();
        if name.is_empty() || name.chars().count() > 50 {
            d.error(
                &a.name,
                &format!("{base}.name"),
                "account names must be 1 to 50 characters",
                "choose a shorter name",
            );
        } else if !name.chars().all(|c| (' '..='~').contains(&c)) {
            // CreateAccount AccountName: pattern [\u0020-\u007E]+ (printable ASCII).
            d.error(
                &a.name,
                &format!("{base}.name"),
                format!("account name {name:?} has a character AWS does not accept in account names (only printable ASCII: letters, digits, spaces and punctuation)"),
                "use plain ASCII letters, digits, spaces and punctuation",
            );
        }
        if out.accounts.contains_key(&name) {
            d.error(
                &a.name,
                &format!("{base}.name"),
                format!("account name `{name}` is used twice"),
                "names are handles: give each account a unique name",
            );
            continue;
        }
        let email = account_email(a, &base, &mut emails, d);
        let id = account_id(a, &base, &mut ids, d);
        if a.email.is_none() && a.id.is_none() {
            d.error(&a.name, &base, format!("account `{name}` has neither `email` nor `id`"), "add `email:` (to create or find it) or `id:` (to adopt an existing member account)");
        }
        let parent = account_parent(a, &base, &out.ous, d);
        if id.as_ref().is_some_and(|i| i.as_str() == mgmt) && parent != Parent::Root {
            d.error(
                &a.ou,
                &format!("{base}.ou"),
                "the management account always stays in the root",
                "set `ou: root` for the management account",
            );
        }
        if let Some(t) = &a.tags {
            check_tags(t, &format!("{base}.tags"), d);
        }
        out.accounts.insert(
            name.clone(),
            DesiredAccount {
                name,
                email,
                id,
                parent,
                tags: a.tags.as_ref().map(|t| t.value.clone()),
            },
        );
    }
}

fn account_email(
    a: &AccountEntry,
    base: &str,
    seen: &mut BTreeMap<String, u64>,
    d: &mut Diagnostics,
) -> Option<String> {
    let e = a.email.as_ref()?;
    let field = format!("{base}.email");
    let email = e.value.trim().to_string();
    if !is_email(&email) {
        d.error(
            e,
            &field,
            format!(
                "`{email}` is not an email address AWS accepts (6 to 64 ASCII characters, name@domain.tld; the domain only letters, digits, - and .)"
            ),
            "write the root user's email, e.g. aws+sec-ops@example.com",
        );
    }
    if let Some(line) = seen.insert(email.to_lowercase(), Pos::from(e).line) {
        d.error(
            e,
            &field,
            format!("email `{email}` is also used at line {line}; AWS keeps emails unique"),
            "give each account its own email (plus-addressing works: aws+name@example.com)",
        );
    }
    Some(email)
}

fn account_id(
    a: &AccountEntry,
    base: &str,
    seen: &mut BTreeMap<String, u64>,
    d: &mut Diagnostics,
) -> Option<AccountId> {
    let s = a.id.as_ref()?;
    let field = format!("{base}.id");
    let Some(id) = AccountId::parse(s.value.trim()) else {
        d.error(
            s,
            &field,
            format!("`{}` is not a 12-digit account id", s.value),
            "write the id in quotes, with its leading zeros, e.g. \"012345678901\"",
        );
        return None;
    };
    if let Some(line) = seen.insert(id.to_string(), Pos::from(s).line) {
        d.error(
            s,
            &field,
            format!("account id {id} is also declared at line {line}"),
            "declare each account once",
        );
    }
    Some(id)
}

fn account_parent(
    a: &AccountEntry,
    base: &str,
    ous: &BTreeMap<String, DesiredOu>,
    d: &mut Diagnostics,
) -> Parent {
    let ou = a.ou.value.trim().trim_matches('/');
    if ou.eq_ignore_ascii_case("root") {
        return Parent::Root;
    }
    if !ous.contains_key(ou) {
        let hint = match did_you_mean(ou, ous.keys().map(String::as_str)) {
            Some(s) => {
                format!("did you mean `{s}`? Otherwise declare `{ou}` under organizational_units")
            }
            None => format!("declare `{ou}` under organizational_units, or use `root`"),
        };
        d.error(
            &a.ou,
            &format!("{base}.ou"),
            format!("unknown OU `{ou}`"),
            hint,
        );
    }
    Parent::Ou(ou.to_string())
}

fn trusted_access(file: &OrgFile, d: &mut Diagnostics, out: &mut Desired) {
    for (i, p) in file.trusted_access.iter().enumerate() {
        let field = format!("trusted_access[{i}]");
        let key = p.value.trim();
        let principal = match catalog::lookup(key) {
            Some(r) => r.principal.to_string(),
            None => key.to_string(),
        };
        if catalog::lookup(key)
            .is_some_and(|r| r.service.trusted_access == TrustedAccess::Forbidden)
        {
            d.error(p, &field, format!("trusted access for `{principal}` must not be enabled with EnableAWSServiceAccess (AWS: the service enables it itself)"), "declare the service under `delegations:` instead");
            continue;
        }
        if !catalog::is_known_principal(&principal) {
            if catalog::looks_like_principal(&principal) {
                d.warning(
                    p,
                    &field,
                    format!("`{principal}` is not in orgctl's catalog"),
                    "check the spelling; it is used as written",
                );
            } else {
                let all = catalog::SERVICES
                    .iter()
                    .map(|s| s.principal)
                    .chain(catalog::TRUSTED_ONLY.iter().map(|t| t.principal));
                let hint = did_you_mean(&principal, all)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "write a full service principal such as ram.amazonaws.com".into()
                    });
                d.error(
                    p,
                    &field,
                    format!("`{principal}` is not a service principal"),
                    hint,
                );
                continue;
            }
        }
        if !out.trusted_access.insert(principal.clone()) {
            d.error(
                p,
                &field,
                format!("`{principal}` is listed twice"),
                "remove the duplicate",
            );
        }
    }
}

fn delegations(file: &OrgFile, d: &mut Diagnostics, out: &mut Desired) {
    let mgmt = file
        .organization
        .management_account_id
        .value
        .trim()
        .to_string();
    for (key, entry) in &file.delegations.0 {
        let field = format!("delegations[\"{}\"]", key.value);
        let k = key.value.trim();
        let resolved = catalog::lookup(k);
        let principal = match resolved {
            Some(r) => r.principal.to_string(),
            None if catalog::looks_like_principal(k) => {
                d.warning(
                    key,
                    &field,
                    format!("`{k}` is not in orgctl's catalog"),
                    "check the spelling; orgctl registers it with the Organizations API as written",
                );
                k.to_string()
            }
            None => {
                let names = catalog::SERVICES.iter().flat_map(|s| [s.id, s.principal]);
                let hint = did_you_mean(k, names)
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| {
                        "use a catalog name (sso, guardduty, backup, …) or a full service principal"
                            .into()
                    });
                d.error(key, &field, format!("unknown service `{k}`"), hint);
                continue;
            }
        };
        if let Some(prev) = out.delegations.get(&principal) {
            d.error(
                key,
                &field,
                format!(
                    "`{k}` and `{}` are the same service ({principal})",
                    prev.key
                ),
                "keep one entry",
            );
            continue;
        }
        let admins = delegation_admins(entry, key, &field, &mgmt, &out.accounts, d);
        if let Some(r) = resolved {
            let s = r.service;
            if let Some(max) = s.max_admins {
                if admins.len() > max as usize {
                    d.error(
                        key,
                        &field,
                        format!(
                            "{} allows at most {max} delegated administrator(s); {} declared",
                            s.name,
                            admins.len()
                        ),
                        "keep one admin per service unless AWS allows more",
                    );
                }
            }
            if let Some((problem, fix)) = catalog::native(s.id).and_then(|n| n.one_admin_only) {
                if admins.len() > 1 {
                    d.error(key, &field, problem, fix);
                }
            }
            match s.mechanism {
                Mechanism::Organizations => {}
                Mechanism::ServiceApi(_) if catalog::native(s.id).is_some() => {}
                Mechanism::ServiceApi(api) => d.warning(key, &field, format!("{} must be delegated through its own API ({api}); this orgctl version cannot execute it yet, so `plan` will refuse this entry", s.name), "remove the entry for now, or designate the admin with that API"),
                Mechanism::ConsoleOnly => d.warning(key, &field, format!("AWS documents only a console path to delegate {}; `plan` will refuse this entry", s.name), "designate the admin in the service console"),
                Mechanism::Unconfirmed => d.warning(key, &field, format!("how {} delegates is unconfirmed; `plan` will refuse this entry", s.name), "designate the admin in the service console"),
            }
        }
        let regional = resolved.is_some_and(|r| r.service.scope == Scope::Regional);
        let regions = delegation_regions(entry, key, &field, regional, &out.regions, d);
        out.delegations.insert(
            principal.clone(),
            DesiredDelegation {
                key: k.to_string(),
                principal,
                service_id: resolved.map(|r| r.service.id),
                admins,
                regions,
            },
        );
    }
}

fn delegation_admins(
    entry: &DelegationEntry,
    key: &Spanned<String>,
    field: &str,
    mgmt: &str,
    accounts: &BTreeMap<String, DesiredAccount>,
    d: &mut Diagnostics,
) -> BTreeSet<AccountRef> {
    let (list, at, sub): (Vec<String>, Pos, &str) = match (&entry.admin, &entry.admins) {
        (Some(_), Some(b)) => {
            d.error(
                b,
                &format!("{field}.admins"),
                "`admin` and `admins` are both set",
                "use `admin:` for one administrator or `admins:` for several",
            );
            return BTreeSet::new();
        }
        (Some(a), None) => (vec![a.value.clone()], Pos::from(a), "admin"),
        (None, Some(b)) => (b.value.clone(), Pos::from(b), "admins"),
        (None, None) => {
            d.error(
                key,
                field,
                "no administrator given",
                "add `admin: <account name>`",
            );
            return BTreeSet::new();
        }
    };
    if list.is_empty() {
        d.error(
            at,
            &format!("{field}.{sub}"),
            "empty administrator list",
            "name at least one account",
        );
    }
    let mut out = BTreeSet::new();
    for a in list {
        let a = a.trim().to_string();
        let Some(r) = account_ref(&a, accounts) else {
            let hint = match did_you_mean(&a, accounts.keys().map(String::as_str)) {
                Some(s) => format!("did you mean `{s}`? Admins must be accounts declared under `accounts:` (by name) or 12-digit ids"),
                None => "declare the account under `accounts:` or give its 12-digit id".to_string(),
            };
            d.error(
                at,
                &format!("{field}.{sub}"),
                format!("`{a}` names no declared account"),
                hint,
            );
            continue;
        };
        let is_mgmt = is_management(&r, mgmt, accounts);
        if is_mgmt {
            d.error(at, &format!("{field}.{sub}"), "the management account can never be a delegated administrator (AWS: CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR)", "name a member account, e.g. a dedicated security or operations account");
            continue;
        }
        if !out.insert(r) {
            d.error(
                at,
                &format!("{field}.{sub}"),
                format!("`{a}` is listed twice"),
                "remove the duplicate",
            );
        }
    }
    out
}

fn delegation_regions(
    entry: &DelegationEntry,
    key: &Spanned<String>,
    field: &str,
    regional: bool,
    default: &[String],
    d: &mut Diagnostics,
) -> Vec<String> {
    match (&entry.regions, regional) {
        (Some(r), false) => {
            d.error(
                r,
                &format!("{field}.regions"),
                "this service is delegated once for the whole organization; it takes no regions",
                "remove `regions:`",
            );
            Vec::new()
        }
        (Some(r), true) => {
            for reg in &r.value {
                crate::model::regions::check_region_at(
                    reg,
                    Pos::from(r),
                    &format!("{field}.regions"),
                    d,
                );
            }
            let set: BTreeSet<String> = r.value.iter().cloned().collect();
            if set.len() != r.value.len() {
                d.error(
                    r,
                    &format!("{field}.regions"),
                    "a region is listed twice",
                    "remove the duplicate",
                );
            }
            if set.is_empty() {
                d.error(
                    r,
                    &format!("{field}.regions"),
                    "empty region list",
                    "list the Regions where the service runs",
                );
            }
            set.into_iter().collect()
        }
        (None, true) if default.is_empty() => {
            d.error(
                key,
                field,
                "a regional service needs regions",
                "add `regions: [us-east-1, …]` here or `organization.regions`",
            );
            Vec::new()
        }
        (None, true) => default
            .iter()
            .cloned()
            .collect::<BTreeSet<String>>()
            .into_iter()
            .collect(),
        (None, false) => Vec::new(),
    }
}

mod common;
mod delegation;
mod ic;
pub mod policies;
pub mod policy_grammar;

pub use common::MAX_TAGS;

#[cfg(test)]
#[path = "tests.rs"]
pub(crate) mod tests;

#[cfg(test)]
#[path = "aws_rules_tests.rs"]
mod aws_rules_tests;

#[cfg(test)]
#[path = "malformed_tests.rs"]
mod malformed_tests;

#[cfg(test)]
#[path = "fuzz_tests.rs"]
mod fuzz_tests;
