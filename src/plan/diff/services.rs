//! The diff of what the organization integrates with: trusted access (enabled before the
//! delegated administrator that needs it), delegated administrators (a moved admin is one
//! `replace`: deregister, then register) and the Organizations delegation policy (compared
//! as normalised JSON). Part of the pure `diff`.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::{address, why, Ctx};
use crate::catalog::native::{SelfRemoval, Teardown};
use crate::catalog::policy_types;
use crate::catalog::{self, AdminScope, Mechanism, NativeApi, NativeId, TrustedAccess};
use crate::model::desired::{AccountId, AccountRef, DesiredDelegation, Unmanaged};
use crate::plan::change::{Action, Change, Op, Risk, UnmanagedItem};

impl Ctx<'_> {
    /// The principals whose trusted access the file needs: listed, or required by a delegation.
    pub(super) fn wanted_trusted_access(&self) -> BTreeSet<String> {
        let mut want = self.desired.trusted_access.clone();
        for d in self.desired.delegations.values() {
            let needs = match catalog::lookup(&d.principal) {
                Some(r) => r.service.trusted_access == TrustedAccess::RequiredBeforeRegister,
                None => true,
            };
            if needs {
                want.insert(d.principal.clone());
            }
        }
        // A policy type tied to a service needs its trusted access (SERVICE_ACCESS_NOT_ENABLED).
        for p in self.desired.policies.iter().flat_map(|m| m.values()) {
            if let Some(sp) =
                policy_types::policy_type(&p.policy_type).and_then(|t| t.service_principal)
            {
                want.insert(sp.to_string());
            }
        }
        want
    }

    /// Why the plan enables trusted access for `p`, when a delegation or a policy type needs it.
    fn needed_by(&self, p: &str) -> String {
        if let Some(d) = self.desired.delegations.get(p) {
            return format!(
                " (needed before registering the {} delegated administrator)",
                d.key
            );
        }
        let types: BTreeSet<&str> = self
            .desired
            .policies
            .iter()
            .flat_map(|m| m.values())
            .filter_map(|d| policy_types::policy_type(&d.policy_type))
            .filter(|t| t.service_principal == Some(p))
            .map(|t| t.name)
            .collect();
        match types.iter().next() {
            Some(t) => format!(" (needed before enabling the {t} policy type)"),
            None => String::new(),
        }
    }

    pub(super) fn trusted_access(&mut self) {
        let want = self.wanted_trusted_access();
        for p in &want {
            if !self.live.trusted_access.contains(p) {
                let needed_by = self.needed_by(p);
                self.changes.push(
                    Change::draft(
                        address::trusted_access(p),
                        Action::Create,
                        format!("enable trusted access for {p}{needed_by}"),
                        self.management(why::TRUSTED),
                    )
                    .before(json!({ "enabled": false }))
                    .after(json!({ "enabled": true }))
                    .op(Op::EnableTrustedAccess {
                        principal: p.clone(),
                    }),
                );
            }
        }
        for p in self
            .live
            .trusted_access
            .iter()
            // Trusted access that a declared delegation's own API enables (Macie, Security Hub,
            // Inspector, IPAM) belongs to that delegation: never unmanaged, never pruned.
            .filter(|p| !want.contains(*p) && !self.desired.delegations.contains_key(*p))
        {
            if self.desired.unmanaged == Unmanaged::Prune {
                if let Some(t) = policy_types::needing(p)
                    .find(|t| self.live.root_policy_types.contains_key(t.name))
                {
                    self.errors.push(format!("{}: trusted access cannot be disabled while the {} policy type is enabled (AWS: POLICY_TYPE_ENABLED_FOR_THIS_SERVICE) (fix: disable the policy type first, `aws organizations disable-policy-type --root-id {} --policy-type {}`, or list {p} under trusted_access)", address::trusted_access(p), t.name, self.live.root_id, t.name));
                    continue;
                }
                let deps = if self
                    .live
                    .delegated_admins
                    .get(p)
                    .is_some_and(|s| !s.is_empty())
                {
                    vec![address::delegation(p)]
                } else {
                    Vec::new()
                };
                self.changes.push(Change::draft(address::trusted_access(p), Action::Delete, format!("disable trusted access for {p}"), self.management(why::TRUSTED))
                    .before(json!({ "enabled": true }))
                    .after(json!({ "enabled": false }))
                    .high_risk("the service can no longer act in member accounts; AWS recommends disabling the integration in the service first")
                    .depends_on(deps)
                    .op(Op::DisableTrustedAccess { principal: p.clone() }));
            } else {
                self.unmanaged.push(UnmanagedItem {
                    address: address::trusted_access(p),
                    note: "enabled, not in the file; left enabled".into(),
                });
            }
        }
    }

    pub(super) fn delegations(&mut self) {
        for (p, d) in &self.desired.delegations {
            if let Some(via) = self.delegation_path(p, d) {
                self.registration(p, d, via);
            }
        }
        self.unmanaged_delegations();
    }

    /// How `p` is delegated: `Some(None)` through Organizations' registration, `Some(Some(api))`
    /// through a service's own organization-wide API; `None` when handled otherwise (per
    /// Region, through [`Self::native_delegation`]) or refused with an error.
    fn delegation_path(
        &mut self,
        p: &str,
        d: &DesiredDelegation,
    ) -> Option<Option<&'static NativeApi>> {
        if let Some(r) = catalog::lookup(p) {
            match r.service.mechanism {
                Mechanism::Organizations => {}
                Mechanism::ServiceApi(_) => match catalog::native(r.service.id) {
                    Some(n) if n.scope == AdminScope::Organization => {}
                    Some(n) => {
                        self.native_delegation(p, d, r.service, n);
                        return None;
                    }
                    None => {
                        self.errors.push(unsupported_api(p, r.service));
                        return None;
                    }
                },
                Mechanism::ConsoleOnly | Mechanism::Unconfirmed => {
                    self.errors.push(format!(
                        "{}: AWS documents no API path orgctl can use to delegate {} (fix: remove the entry and designate the admin in the service console)",
                        address::delegation(p), r.service.name
                    ));
                    return None;
                }
            }
        }
        Some(
            d.service_id
                .and_then(catalog::native)
                .filter(|n| n.scope == AdminScope::Organization),
        )
    }

    /// A delegation registered once for the organization: register the missing admins,
    /// deregister the others (a `replace` when any goes).
    fn registration(&mut self, p: &str, d: &DesiredDelegation, via: Option<&'static NativeApi>) {
        let mut register = Vec::new();
        let mut want_ids = BTreeSet::new();
        let mut deps = Vec::new();
        for a in &d.admins {
            match a {
                AccountRef::Name(n) => match self.matched.get(n) {
                    Some(id) => {
                        want_ids.insert(id.clone());
                    }
                    None => {
                        register.push(a.clone());
                        deps.push(address::account(n));
                    }
                },
                AccountRef::Id(id) => {
                    if self.live.accounts.contains_key(id) {
                        want_ids.insert(id.clone());
                    } else {
                        self.errors.push(format!("{}: admin {id} is not a member of this organization (fix: name a member account)", address::delegation(p)));
                    }
                }
            }
        }
        let have = self
            .live
            .delegated_admins
            .get(p)
            .cloned()
            .unwrap_or_default();
        for id in want_ids.difference(&have) {
            register.push(self.ref_for(id));
        }
        let mut deregister: Vec<AccountId> = have.difference(&want_ids).cloned().collect();
        if register.is_empty() && deregister.is_empty() {
            return;
        }
        if self.wanted_trusted_access().contains(p) && !self.live.trusted_access.contains(p) {
            deps.push(address::trusted_access(p));
        }
        if let Some(n) = via {
            if let Some(removal) = n.self_removal {
                deps.extend(self.self_removals(p, n, &removal, std::mem::take(&mut deregister)));
                if register.is_empty() {
                    return;
                }
            }
        }
        let before: Vec<String> = have.iter().map(|i| self.show_id(i)).collect();
        let after: Vec<String> = d.admins.iter().map(|a| self.show_account(a)).collect();
        let (action, risk, risk_reason) = if deregister.is_empty() {
            (
                if have.is_empty() {
                    Action::Create
                } else {
                    Action::Update
                },
                Risk::Low,
                String::new(),
            )
        } else {
            let gone: Vec<String> = deregister.iter().map(|i| self.show_id(i)).collect();
            (Action::Replace, Risk::High, format!("{} stops being {}'s delegated administrator; anything it administers for the service moves to the new admin or stops", gone.join(", "), d.key))
        };
        self.changes.push(
            Change::draft(
                address::delegation(p),
                action,
                match action {
                    Action::Replace => format!(
                        "replace delegated administrator of {p}: deregister {}, then register {}",
                        deregister
                            .iter()
                            .map(|i| self.show_id(i))
                            .collect::<Vec<_>>()
                            .join(", "),
                        register
                            .iter()
                            .map(|r| self.show_account(r))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    _ => format!(
                        "register {} as delegated administrator of {p}",
                        register
                            .iter()
                            .map(|r| self.show_account(r))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                },
                self.management(via.map_or(why::DELEGATION, |n| n.executor_why)),
            )
            .before(json!({ "admins": before }))
            .after(json!({ "admins": after }))
            .risk(risk, risk_reason)
            .depends_on(deps)
            .op(Op::DelegatedAdmins {
                principal: p.to_string(),
                deregister,
                register,
                via: via.map(|n| n.id),
            }),
        );
    }

    /// Admins that only they may remove (Firewall Manager): one change each, run from that
    /// account, before the management account names the new one. Returns the addresses.
    fn self_removals(
        &mut self,
        p: &str,
        n: &NativeApi,
        removal: &SelfRemoval,
        old: Vec<AccountId>,
    ) -> Vec<String> {
        let mut addrs = Vec::new();
        for old in old {
            let addr = format!("{}.admin[{:?}]", address::delegation(p), old.as_str());
            self.changes.push(
                Change::draft(
                    addr.clone(),
                    Action::Delete,
                    removal.summary.replace("{admin}", &self.show_id(&old)),
                    self.account_executor(&old, removal.executor_why),
                )
                .before(json!({ "admin": self.show_id(&old) }))
                .high_risk(removal.risk)
                .op(Op::DelegatedAdmins {
                    principal: p.to_string(),
                    deregister: vec![old],
                    register: Vec::new(),
                    via: Some(n.id),
                }),
            );
            addrs.push(addr);
        }
        addrs
    }

    /// Live delegated admins of services the file does not mention: listed, or deregistered
    /// under prune.
    fn unmanaged_delegations(&mut self) {
        for (p, have) in &self.live.delegated_admins {
            if self.desired.delegations.contains_key(p) || have.is_empty() {
                continue;
            }
            let shown: Vec<String> = have.iter().map(|i| self.show_id(i)).collect();
            if self.desired.unmanaged == Unmanaged::Prune {
                self.changes.push(
                    Change::draft(
                        address::delegation(p),
                        Action::Delete,
                        format!(
                            "deregister {} as delegated administrator of {p}",
                            shown.join(", ")
                        ),
                        self.management(why::DELEGATION),
                    )
                    .before(json!({ "admins": shown }))
                    .high_risk("the account stops administering the service for the organization")
                    .op(Op::DelegatedAdmins {
                        principal: p.clone(),
                        deregister: have.iter().cloned().collect(),
                        register: Vec::new(),
                        via: None,
                    }),
                );
            } else {
                self.unmanaged.push(UnmanagedItem {
                    address: address::delegation(p),
                    note: format!(
                        "delegated administrator {}; not in the file, left registered",
                        shown.join(", ")
                    ),
                });
            }
        }
    }

    /// The Organizations delegation policy: put when the normalised documents differ; a
    /// live policy the file does not declare is listed, or deleted under prune.
    pub(super) fn delegation_policy(&mut self) {
        use crate::plan::delegation_policy::{canonical, document, same_grants};
        let addr = address::ORGANIZATIONS_DELEGATION;
        let live_doc: Option<Value> = self
            .live
            .delegation_policy
            .as_deref()
            .map(|s| serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string())));
        let grants = self
            .desired
            .organizations_delegation
            .clone()
            .unwrap_or_default();
        if grants.is_empty() {
            let Some(before) = live_doc else { return };
            if self.desired.unmanaged == Unmanaged::Prune {
                self.changes.push(Change::draft(addr, Action::Delete, "delete the Organizations delegation policy", self.management(why::DELEGATION_POLICY))
                    .before(canonical(&before, false))
                    .high_risk("the accounts it names can no longer manage organization policies (not recoverable: AWS keeps no copy)")
                    .op(Op::DeleteDelegationPolicy));
            } else {
                self.unmanaged.push(UnmanagedItem { address: addr.into(), note: "a delegation policy exists; the file does not declare organizations_delegation, so it is left as is".into() });
            }
            return;
        }
        let resolve = |r: &AccountRef| match r {
            AccountRef::Id(id) => Some(id.clone()),
            AccountRef::Name(n) => self.matched.get(n).cloned(),
        };
        let want = document(&grants, resolve);
        let size = serde_json::to_string(&want).map(|s| s.len()).unwrap_or(0);
        if size > crate::catalog::orgs_delegation::MAX_POLICY_CHARS {
            self.errors.push(format!("{addr}: the delegation policy would be {size} characters; AWS allows {} (fix: grant fewer accounts or actions)", crate::catalog::orgs_delegation::MAX_POLICY_CHARS));
            return;
        }
        if live_doc.as_ref().is_some_and(|l| same_grants(l, &want)) {
            return;
        }
        for g in &grants {
            if let AccountRef::Id(id) = &g.account {
                if !self.live.accounts.contains_key(id) {
                    self.errors.push(format!("{addr}: account {id} is not a member of this organization (fix: name a member account)"));
                }
            }
        }
        let deps: Vec<String> = grants
            .iter()
            .filter_map(|g| match &g.account {
                AccountRef::Name(n) if !self.matched.contains_key(n) => Some(address::account(n)),
                _ => None,
            })
            .collect();
        let who: Vec<String> = grants
            .iter()
            .map(|g| self.show_account(&g.account))
            .collect();
        self.changes.push(
            Change::draft(
                addr,
                if live_doc.is_some() {
                    Action::Update
                } else {
                    Action::Create
                },
                format!(
                    "{} the Organizations delegation policy for {}",
                    if live_doc.is_some() { "replace" } else { "put" },
                    who.join(", ")
                ),
                self.management(why::DELEGATION_POLICY),
            )
            .maybe_before(live_doc.as_ref().map(|l| canonical(l, false)))
            .after(canonical(&want, false))
            .high_risk("changes which member accounts may manage organization policies")
            .depends_on(deps)
            .op(Op::PutDelegationPolicy { grants }),
        );
    }

    /// A reference by name where the id belongs to a declared account.
    pub(super) fn ref_for(&self, id: &AccountId) -> AccountRef {
        self.matched
            .iter()
            .find(|(_, v)| *v == id)
            .map(|(n, _)| AccountRef::Name(n.clone()))
            .unwrap_or_else(|| AccountRef::Id(id.clone()))
    }

    /// GuardDuty's documented first step of changing the admin, run by each outgoing admin in
    /// the delegation's Regions (a Region where it is not the admin has nothing to undo): stop
    /// auto-enable, disassociate and delete members. The same whoever plans it: the old admin
    /// (which cannot list the Regions' admins) sees it too. Returns the addresses.
    fn teardown(
        &mut self,
        t: &Teardown,
        service: NativeId,
        p: &str,
        old: &BTreeSet<AccountId>,
        regions: &[String],
    ) -> Vec<String> {
        let mut addrs = Vec::new();
        for o in old {
            let regions = regions.to_vec();
            let addr = format!("{}.teardown[{:?}]", address::delegation(p), o.as_str());
            let shown = self.show_id(o);
            self.changes.push(
                Change::draft(
                    addr.clone(),
                    Action::Delete,
                    format!("{shown}: {} in {}", t.summary, regions.join(", ")),
                    self.account_executor(o, t.executor_why),
                )
                .before(json!({ "admin": shown, "regions": regions }))
                .high_risk(t.risk)
                .op(Op::ServiceTeardown {
                    service,
                    admin: o.clone(),
                    regions,
                }),
            );
            addrs.push(addr);
        }
        addrs
    }

    /// A delegation through the service's own API, per Region (GuardDuty): enable the admin
    /// in each Region where it is missing (one change per Region); if another account is the
    /// admin anywhere (in a Region or in Organizations), one `replace` that disables it Region
    /// by Region, deregisters it from Organizations, then enables the new admin everywhere.
    pub(super) fn native_delegation(
        &mut self,
        p: &str,
        d: &crate::model::desired::DesiredDelegation,
        service: &'static catalog::Service,
        native: &'static NativeApi,
    ) {
        let Some(admin) = d.admins.iter().next().cloned() else {
            return;
        };
        let want: Option<AccountId> = match &admin {
            AccountRef::Name(n) => self.matched.get(n).cloned(),
            AccountRef::Id(i) => Some(i.clone()),
        };
        let mut deps = Vec::new();
        if let AccountRef::Name(n) = &admin {
            if want.is_none() {
                deps.push(address::account(n));
            }
        }
        if self.wanted_trusted_access().contains(p) && !self.live.trusted_access.contains(p) {
            deps.push(address::trusted_access(p));
        }
        let live = self.live.service_admins.get(p).cloned().unwrap_or_default();
        let mut disable = Vec::new();
        let mut others = BTreeSet::new();
        for r in &d.regions {
            for acct in live
                .get(r)
                .map(|m| m.keys().cloned().collect::<Vec<_>>())
                .unwrap_or_default()
            {
                if want.as_ref().map(|w| w.as_str()) != Some(acct.as_str()) {
                    if let Some(id) = AccountId::parse(&acct) {
                        others.insert(id.clone());
                        disable.push((r.clone(), id));
                    }
                }
            }
        }
        for id in self.live.delegated_admins.get(p).into_iter().flatten() {
            if want.as_ref() != Some(id) {
                others.insert(id.clone());
            }
        }
        let teardown = match &native.teardown {
            Some(t) if !others.is_empty() => self.teardown(t, native.id, p, &others, &d.regions),
            _ => Vec::new(),
        };
        if self.live.service_admins_unreadable {
            // Only the management account lists the Regions' admins; the rest of this
            // delegation is its share (ops::plan says so, or refuses without --executor).
            return;
        }
        let executor = self.management(native.executor_why);
        let shown_admin = self.show_account(&admin);
        if !others.is_empty() {
            let gone: Vec<String> = others.iter().map(|i| self.show_id(i)).collect();
            // Not a dependency: the management account cannot observe the old admin's
            // members, so it could never see the teardown done. The plan orders it first and
            // the summary says to run that share before this one.
            let first = if teardown.is_empty() {
                String::new()
            } else {
                format!(
                    " (after the old admin's own share: {})",
                    teardown.join(", ")
                )
            };
            self.changes.push(Change::draft(address::delegation(p), Action::Replace, format!(
                    "replace {}'s delegated administrator: disable {} in {}, deregister it from Organizations, then enable {} in {}{first}",
                    service.name,
                    gone.join(", "),
                    if disable.is_empty() { "no Region".to_string() } else { disable.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>().join(", ") },
                    shown_admin,
                    d.regions.join(", ")
                ), executor).before(json!({ "admin": gone, "regions": live.iter().filter(|(_, m)| !m.is_empty()).map(|(r, _)| r.clone()).collect::<Vec<_>>() })).after(json!({ "admin": [shown_admin], "regions": d.regions })).high_risk(format!("{} stops administering {} for the organization", gone.join(", "), service.name)).depends_on(deps).op(Op::ServiceAdmins { service: native.id, principal: p.into(), admin, disable, deregister: others.into_iter().collect(), enable: d.regions.clone() }));
            return;
        }
        for r in &d.regions {
            let enabled = want.as_ref().is_some_and(|w| {
                live.get(r)
                    .and_then(|m| m.get(w.as_str()))
                    .is_some_and(|s| s == "ENABLED")
            });
            if enabled {
                continue;
            }
            self.changes.push(
                Change::draft(
                    format!("{}.region[{r:?}]", address::delegation(p)),
                    Action::Create,
                    format!(
                        "designate {shown_admin} as {}'s delegated administrator in {r}",
                        service.name
                    ),
                    executor.clone(),
                )
                .before(json!({ "admin": null }))
                .after(json!({ "admin": shown_admin }))
                .depends_on(deps.clone())
                .op(Op::ServiceAdmins {
                    service: native.id,
                    principal: p.into(),
                    admin: admin.clone(),
                    disable: Vec::new(),
                    deregister: Vec::new(),
                    enable: vec![r.clone()],
                }),
            );
        }
    }
}

/// A delegation AWS wants made through the service's own API, which this version does not
/// execute: registering it through Organizations would leave the integration half-configured.
fn unsupported_api(p: &str, s: &catalog::Service) -> String {
    let api = match s.mechanism {
        Mechanism::ServiceApi(api) => api,
        _ => "its own API",
    };
    format!(
        "{}: {} must be delegated through its own API ({api}); registering it with the generic Organizations call would leave the integration half-configured, and this orgctl version does not execute {api} yet (fix: remove the entry for now and designate the admin with {api})",
        address::delegation(p),
        s.name
    )
}
