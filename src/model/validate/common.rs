//! Checks several sections share: tags (AWS's count, length, reserved prefix and
//! characters), account references by name or id, the management account, and policy
//! targets. The section validators import this module and nothing else of `validate/`,
//! so the folder has no import cycle.

use std::collections::{BTreeMap, BTreeSet};

use serde_saphyr::Spanned;

use crate::model::desired::{Desired, DesiredAccount};
use crate::model::diag::{did_you_mean, Diagnostics};
use crate::model::vocab::{AccountId, AccountRef, PolicyTarget, Tags};

/// AWS allows at most 50 tags per Organizations resource.
pub const MAX_TAGS: usize = 50;

/// A character Organizations accepts in a tag key or value: a letter, a number, a space
/// separator, or one of `_ . : / = + - @`.
fn tag_char(c: char) -> bool {
    c.is_alphabetic()
        || c.is_numeric()
        || (c.is_whitespace() && !c.is_control())
        || "_.:/=+-@".contains(c)
}

/// Tags as AWS accepts them (count, key and value length, no `aws:` prefix, characters).
pub(super) fn check_tags(tags: &Spanned<Tags>, field: &str, d: &mut Diagnostics) {
    if tags.value.len() > MAX_TAGS {
        d.error(
            tags,
            field,
            format!(
                "{} tags; AWS allows at most {MAX_TAGS} per resource",
                tags.value.len()
            ),
            "remove tags",
        );
    }
    for (k, v) in &tags.value {
        if k.is_empty() || k.chars().count() > 128 {
            d.error(
                tags,
                &format!("{field}.{k}"),
                "tag keys must be 1 to 128 characters",
                "shorten the key",
            );
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            d.error(
                tags,
                &format!("{field}.{k}"),
                "the `aws:` tag prefix is reserved by AWS",
                "rename the key",
            );
        }
        if v.chars().count() > 256 {
            d.error(
                tags,
                &format!("{field}.{k}"),
                "tag values must be at most 256 characters",
                "shorten the value",
            );
        }
        // Organizations' Tag Key and Value: ^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$
        for (what, text) in [("key", k), ("value", v)] {
            if let Some(c) = text.chars().find(|c| !tag_char(*c)) {
                d.error(
                    tags,
                    &format!("{field}.{k}"),
                    format!("the tag {what} {text:?} has {c:?}, which AWS does not accept in tags"),
                    "use letters, digits, spaces and _ . : / = + - @ only",
                );
            }
        }
    }
}

/// Whether a reference is the management account (by id, or a declared account carrying it).
pub(super) fn is_management(
    r: &AccountRef,
    mgmt: &str,
    accounts: &BTreeMap<String, DesiredAccount>,
) -> bool {
    match r {
        AccountRef::Id(id) => id.as_str() == mgmt,
        AccountRef::Name(n) => accounts
            .get(n)
            .and_then(|x| x.id.as_ref())
            .is_some_and(|id| id.as_str() == mgmt),
    }
}

/// Resolves an account reference written in the file (a declared name or a 12-digit id).
pub(super) fn account_ref(
    a: &str,
    accounts: &BTreeMap<String, DesiredAccount>,
) -> Option<AccountRef> {
    if let Some(id) = AccountId::parse(a) {
        return Some(
            match accounts.values().find(|x| x.id.as_ref() == Some(&id)) {
                Some(acc) => AccountRef::Name(acc.name.clone()),
                None => AccountRef::Id(id),
            },
        );
    }
    accounts
        .contains_key(a)
        .then(|| AccountRef::Name(a.to_string()))
}

/// `root`, `ou:PATH` and `account:NAME|ID` targets that name declared OUs and accounts.
pub(super) fn parse_targets(
    ts: &serde_saphyr::Spanned<Vec<String>>,
    field: &str,
    out: &Desired,
    d: &mut Diagnostics,
) -> BTreeSet<PolicyTarget> {
    let mut set = BTreeSet::new();
    for t in &ts.value {
        let t = t.trim();
        let target = if t == "root" {
            Some(PolicyTarget::Root)
        } else if let Some(p) = t.strip_prefix("ou:") {
            let p = p.trim_matches('/');
            if out.ous.contains_key(p) {
                Some(PolicyTarget::Ou(p.to_string()))
            } else {
                let hint = did_you_mean(p, out.ous.keys().map(String::as_str))
                    .map(|s| format!("did you mean `ou:{s}`?"))
                    .unwrap_or_else(|| "declare the OU under organizational_units".into());
                d.error(ts, field, format!("unknown OU `{p}`"), hint);
                None
            }
        } else if let Some(a) = t.strip_prefix("account:") {
            match super::common::account_ref(a.trim(), &out.accounts) {
                Some(r) => Some(PolicyTarget::Account(r)),
                None => {
                    let hint = did_you_mean(a, out.accounts.keys().map(String::as_str))
                        .map(|s| format!("did you mean `account:{s}`?"))
                        .unwrap_or_else(|| {
                            "declare the account under accounts:, or give its 12-digit id".into()
                        });
                    d.error(ts, field, format!("unknown account `{a}`"), hint);
                    None
                }
            }
        } else {
            d.error(
                ts,
                field,
                format!("`{t}` is not a target"),
                "write `root`, `ou:PATH` or `account:NAME`",
            );
            None
        };
        if let Some(x) = target {
            if !set.insert(x) {
                d.error(
                    ts,
                    field,
                    format!("`{t}` is listed twice"),
                    "remove the duplicate",
                );
            }
        }
    }
    set
}
