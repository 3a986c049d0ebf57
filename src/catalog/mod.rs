//! The built-in catalog of AWS services that integrate with AWS Organizations: service
//! principal, aliases, the mechanism AWS requires to register a delegated administrator,
//! global or regional scope, how many administrators the service allows, the trusted-access
//! rule and whether the management account may be the service's administrator.
//!
//! The data lives in `data.rs`, generated from `data/delegation-catalog.yaml` (sources cited
//! there). Lookups accept the catalog id (`sso`), the service principal
//! (`sso.amazonaws.com`) or an extra principal (`config-multiaccountsetup.amazonaws.com`).

mod data;
pub mod native;
pub mod orgs_delegation;
pub mod policy_types;

pub use data::{SERVICES, TRUSTED_ONLY};
pub use native::{native, AdminScope, NativeApi, NativeId};

/// How AWS requires a delegated administrator to be registered for a service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mechanism {
    /// `organizations:RegisterDelegatedAdministrator` (executed by orgctl).
    Organizations,
    /// The service's own API (named); [`native()`] says whether orgctl executes it.
    ServiceApi(&'static str),
    /// AWS documents only a console path.
    ConsoleOnly,
    /// The catalog could not confirm how registration works.
    Unconfirmed,
}

/// Whether delegation is one org-wide registration or a per-Region designation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Global,
    Regional,
}

/// The trusted-access rule for registering a delegated administrator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustedAccess {
    /// `EnableAWSServiceAccess` must come first (else `SERVICE_ACCESS_NOT_ENABLED`).
    RequiredBeforeRegister,
    /// The service's own registration call enables it as a side effect.
    EnabledByRegistration,
    /// Must never be enabled with `EnableAWSServiceAccess` (VPC IPAM).
    Forbidden,
}

/// How well the catalog entry is backed by primary sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confidence {
    Confirmed,
    Partial,
    Unconfirmed,
}

/// One delegated-administrator-capable service.
#[derive(Debug, PartialEq, Eq)]
pub struct Service {
    pub id: &'static str,
    pub name: &'static str,
    /// Empty when the principal itself is unconfirmed.
    pub principal: &'static str,
    pub extra_principals: &'static [&'static str],
    pub mechanism: Mechanism,
    pub scope: Scope,
    /// `None` where AWS does not document the maximum.
    pub max_admins: Option<u32>,
    pub trusted_access: TrustedAccess,
    pub mgmt_can_be_admin: bool,
    pub confidence: Confidence,
    /// The first source of the catalog entry.
    pub source: &'static str,
}

/// A service that supports trusted access but has no delegated administrator.
#[derive(Debug, PartialEq, Eq)]
pub struct TrustedOnly {
    pub name: &'static str,
    pub principal: &'static str,
}

/// A service resolved from a catalog name or principal, with the principal actually used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Resolved {
    pub service: &'static Service,
    pub principal: &'static str,
}

/// Finds a service by catalog id, principal or extra principal (case-insensitive).
pub fn lookup(key: &str) -> Option<Resolved> {
    let key = key.trim().to_ascii_lowercase();
    SERVICES.iter().find_map(|s| {
        if !s.principal.is_empty() && (s.id == key || s.principal == key) {
            Some(Resolved {
                service: s,
                principal: s.principal,
            })
        } else {
            s.extra_principals
                .iter()
                .find(|p| **p == key)
                .map(|p| Resolved {
                    service: s,
                    principal: p,
                })
        }
    })
}

/// True when `principal` is known to the catalog (delegation-capable or trusted-access-only).
pub fn is_known_principal(principal: &str) -> bool {
    lookup(principal).is_some() || TRUSTED_ONLY.iter().any(|t| t.principal == principal)
}

/// Whether a string has the shape of a full service principal (`name.amazonaws.com`).
pub fn looks_like_principal(s: &str) -> bool {
    s.ends_with(".amazonaws.com")
        && s.len() <= 128
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+=,.@-_".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_an_id_and_unique_principal() {
        let mut seen = std::collections::BTreeSet::new();
        for s in SERVICES {
            assert!(!s.id.is_empty());
            if !s.principal.is_empty() {
                assert!(
                    seen.insert(s.principal),
                    "duplicate principal {}",
                    s.principal
                );
                assert!(looks_like_principal(s.principal), "{}", s.principal);
            }
        }
        assert!(SERVICES.len() >= 35);
    }

    #[test]
    fn lookup_by_id_principal_and_extra_principal() {
        assert_eq!(
            lookup("sso").map(|r| r.principal),
            Some("sso.amazonaws.com")
        );
        assert_eq!(
            lookup("reporting.trustedadvisor.amazonaws.com").map(|r| r.service.id),
            Some("trusted-advisor")
        );
        let cfg =
            lookup("config-multiaccountsetup.amazonaws.com").map(|r| (r.service.id, r.principal));
        assert_eq!(
            cfg,
            Some(("config", "config-multiaccountsetup.amazonaws.com"))
        );
        assert!(lookup("nope.amazonaws.com").is_none());
    }

    #[test]
    fn mechanisms_match_aws_rules() {
        let m = |k: &str| lookup(k).map(|r| r.service.mechanism);
        assert_eq!(m("sso"), Some(Mechanism::Organizations));
        assert_eq!(m("backup"), Some(Mechanism::Organizations));
        assert!(matches!(m("guardduty"), Some(Mechanism::ServiceApi(_))));
        assert!(matches!(m("ipam"), Some(Mechanism::ServiceApi(_))));
        assert_eq!(
            lookup("ipam").map(|r| r.service.trusted_access),
            Some(TrustedAccess::Forbidden)
        );
        assert_eq!(
            lookup("guardduty").map(|r| r.service.scope),
            Some(Scope::Regional)
        );
        assert_eq!(lookup("sso").map(|r| r.service.max_admins), Some(Some(1)));
        assert!(is_known_principal("tagpolicies.tag.amazonaws.com"));
    }
}
