//! The diff of `identity_center:` (part of the pure `diff`). Executor: the Identity Center
//! delegated administrator (declared in `delegations`, else registered), else the
//! management account; AWS reserves to the management account assignments in the
//! management account and any change to a permission set provisioned there, and the plan
//! says so. Assignments are expanded from `ou:`/`root` targets over the organization as it
//! will be (declared accounts where the file puts them, other live accounts where they
//! are). A group's `members` is its whole membership; other live objects the file does
//! not mention are listed (or deleted under `unmanaged: prune`).

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::ic_ps::{live_ps_json, ps_json, ps_update};
use super::{address, Ctx};
use crate::live::ic::{IcNames, LiveAssignment, LiveIc, LivePermissionSet};
use crate::model::desired::{AccountId, AccountRef, Parent, PolicyTarget, Unmanaged};
use crate::model::desired_ic::{IcPermissionSet, Principal};
use crate::plan::change::{Action, Change, Executor, Op, Risk, UnmanagedItem};
use crate::plan::change_ic::IcOp;

/// Identity Center addresses (SPEC §4).
pub mod ic_address {
    pub fn user(n: &str) -> String {
        format!("identity_center.user[{n:?}]")
    }
    pub fn group(n: &str) -> String {
        format!("identity_center.group[{n:?}]")
    }
    pub fn member(g: &str, u: &str) -> String {
        format!("identity_center.group[{g:?}].member[{u:?}]")
    }
    pub fn permission_set(n: &str) -> String {
        format!("identity_center.permission_set[{n:?}]")
    }
    pub fn assignment(ps: &str, principal: &str, account: &str) -> String {
        format!(
            "identity_center.assignment[{:?}]",
            format!("{ps}/{principal}/{account}")
        )
    }
}

const SSO: &str = "sso.amazonaws.com";
const MGMT_ASSIGNMENT: &str = "AWS reserves account assignments in the management account to the management account (the Identity Center delegated administrator may not make them)";
const MGMT_PS: &str = "the permission set is provisioned to the management account: AWS lets only the management account change it";

/// An account as the plan leaves it: reference, id (when it exists), parent.
type Placement = (AccountRef, Option<AccountId>, Parent);

/// An account an assignment applies to: its id when it exists, and how to name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    account: AccountRef,
    id: Option<AccountId>,
}

impl Ctx<'_> {
    pub(super) fn identity_center(&mut self) {
        let Some(want) = self.desired.identity_center.as_ref() else {
            return;
        };
        let Some(live) = self.live.identity_center.as_ref() else {
            self.errors
                .push("identity_center: Identity Center was not read (internal)".into());
            return;
        };
        let admin = self.ic_admin();
        self.ic_users(want, live, &admin);
        self.ic_groups(want, live, &admin);
        let names = live.names();
        self.ic_members(want, live, &names, &admin);
        self.ic_permission_sets(want, live, &admin);
        self.ic_assignments(want, live, &names, &admin);
    }

    /// Who manages Identity Center, and the changes that must come first (its registration).
    fn ic_admin(&self) -> (Executor, Vec<String>) {
        let deps: Vec<String> = self
            .changes
            .iter()
            .filter(|c| c.address == address::delegation(SSO))
            .map(|c| c.address.clone())
            .collect();
        let why = "the Identity Center delegated administrator (sso.amazonaws.com) manages Identity Center; AWS allows it everything that does not touch the management account";
        if let Some(a) = self
            .desired
            .delegations
            .get(SSO)
            .and_then(|d| d.admins.iter().next())
        {
            return match a {
                AccountRef::Id(id) => (self.account_executor(id, why), deps),
                AccountRef::Name(n) => match self.matched.get(n) {
                    Some(id) => (self.account_executor(id, why), deps),
                    None => {
                        let mut deps = deps;
                        deps.push(address::account(n));
                        (
                            Executor {
                                account_id: String::new(),
                                account_name: n.clone(),
                                why: why.into(),
                            },
                            deps,
                        )
                    }
                },
            };
        }
        if let Some(id) = self
            .live
            .delegated_admins
            .get(SSO)
            .and_then(|s| s.iter().next())
        {
            return (self.account_executor(id, why), deps);
        }
        (self.management("no Identity Center delegated administrator is declared or registered, so the management account manages Identity Center"), deps)
    }

    fn planned(&self, addr: &str) -> bool {
        self.changes.iter().any(|c| c.address == addr)
    }

    #[allow(clippy::too_many_arguments)]
    fn ic_change(
        &mut self,
        address: String,
        action: Action,
        summary: String,
        before: Option<Value>,
        after: Option<Value>,
        executor: Executor,
        risk: (Risk, String),
        depends_on: Vec<String>,
        op: IcOp,
    ) {
        self.changes.push(
            Change::draft(address, action, summary, executor)
                .maybe_before(before)
                .maybe_after(after)
                .risk(risk.0, risk.1)
                .depends_on(depends_on)
                .op(Op::Ic(Box::new(op))),
        );
    }

    fn ic_users(
        &mut self,
        want: &crate::model::desired_ic::DesiredIc,
        live: &LiveIc,
        admin: &(Executor, Vec<String>),
    ) {
        for (n, u) in &want.users {
            let addr = ic_address::user(n);
            match live.users.get(n) {
                None if u.external => self.errors.push(format!("{addr}: external user {n} is not in the identity store (fix: provision it through your identity provider first, or drop `external: true` so orgctl creates it)")),
                None => self.ic_change(addr, Action::Create, format!("create user {n}"), None, Some(json!({"display_name": u.display_name, "given_name": u.given_name, "family_name": u.family_name, "email": u.email})), admin.0.clone(), (Risk::Low, String::new()), admin.1.clone(), IcOp::CreateUser { user: u.clone() }),
                Some(_) if u.external => {}
                Some(l) => {
                    let now = json!({"display_name": l.display_name, "given_name": l.given_name, "family_name": l.family_name, "email": l.email});
                    let then = json!({"display_name": u.display_name, "given_name": u.given_name, "family_name": u.family_name, "email": u.email});
                    if now != then {
                        self.ic_change(addr, Action::Update, format!("update user {n}"), Some(now), Some(then), admin.0.clone(), (Risk::Low, String::new()), admin.1.clone(), IcOp::UpdateUser { id: l.id.clone(), user: u.clone() });
                    }
                }
            }
        }
        let extra: Vec<&crate::live::ic::LiveUser> = live
            .users
            .values()
            .filter(|u| !want.users.contains_key(&u.user_name))
            .collect();
        if self.desired.unmanaged == Unmanaged::Prune {
            for u in extra {
                self.ic_change(
                    ic_address::user(&u.user_name),
                    Action::Delete,
                    format!("delete user {}", u.user_name),
                    Some(json!({"display_name": u.display_name})),
                    None,
                    admin.0.clone(),
                    (
                        Risk::High,
                        "the user loses every access Identity Center gives it".into(),
                    ),
                    admin.1.clone(),
                    IcOp::DeleteUser {
                        id: u.id.clone(),
                        user_name: u.user_name.clone(),
                    },
                );
            }
        } else if !extra.is_empty() {
            let names: Vec<&str> = extra.iter().map(|u| u.user_name.as_str()).collect();
            self.unmanaged.push(UnmanagedItem {
                address: ic_address::user("*"),
                note: format!(
                    "{} user(s) not in the file, left as they are: {}",
                    names.len(),
                    sample(&names)
                ),
            });
        }
    }

    fn ic_groups(
        &mut self,
        want: &crate::model::desired_ic::DesiredIc,
        live: &LiveIc,
        admin: &(Executor, Vec<String>),
    ) {
        for (n, g) in &want.groups {
            let addr = ic_address::group(n);
            match live.groups.get(n) {
                None if g.external => self.errors.push(format!("{addr}: external group {n} is not in the identity store (fix: provision it through your identity provider first, or drop `external: true` so orgctl creates it)")),
                None => self.ic_change(addr, Action::Create, format!("create group {n}"), None, Some(json!({"description": g.description})), admin.0.clone(), (Risk::Low, String::new()), admin.1.clone(), IcOp::CreateGroup { name: n.clone(), description: g.description.clone() }),
                Some(_) if g.external => {}
                Some(l) => {
                    if l.description != g.description {
                        self.ic_change(addr, Action::Update, format!("update group {n}'s description"), Some(json!({"description": l.description})), Some(json!({"description": g.description})), admin.0.clone(), (Risk::Low, String::new()), admin.1.clone(), IcOp::UpdateGroup { id: l.id.clone(), name: n.clone(), description: g.description.clone() });
                    }
                }
            }
        }
        let extra: Vec<&crate::live::ic::LiveGroup> = live
            .groups
            .values()
            .filter(|g| !want.groups.contains_key(&g.name))
            .collect();
        if self.desired.unmanaged == Unmanaged::Prune {
            for g in extra {
                self.ic_change(
                    ic_address::group(&g.name),
                    Action::Delete,
                    format!("delete group {}", g.name),
                    Some(json!({"description": g.description})),
                    None,
                    admin.0.clone(),
                    (
                        Risk::High,
                        "its members lose every access the group gives".into(),
                    ),
                    admin.1.clone(),
                    IcOp::DeleteGroup {
                        id: g.id.clone(),
                        name: g.name.clone(),
                    },
                );
            }
        } else if !extra.is_empty() {
            let names: Vec<&str> = extra.iter().map(|g| g.name.as_str()).collect();
            self.unmanaged.push(UnmanagedItem {
                address: ic_address::group("*"),
                note: format!(
                    "{} group(s) not in the file, left as they are: {}",
                    names.len(),
                    sample(&names)
                ),
            });
        }
    }

    /// A group's `members` is its whole membership: missing members are added, others removed.
    fn ic_members(
        &mut self,
        want: &crate::model::desired_ic::DesiredIc,
        live: &LiveIc,
        names: &IcNames<'_>,
        admin: &(Executor, Vec<String>),
    ) {
        for (g, group) in &want.groups {
            let Some(members) = &group.members else {
                continue;
            };
            let have: BTreeMap<String, String> = live
                .groups
                .get(g)
                .and_then(|l| l.members.clone())
                .unwrap_or_default()
                .into_iter()
                .map(|(uid, mid)| (names.user(&uid).map(str::to_string).unwrap_or(uid), mid))
                .collect();
            for u in members.iter().filter(|u| !have.contains_key(*u)) {
                let mut deps = admin.1.clone();
                if !live.groups.contains_key(g) && self.planned(&ic_address::group(g)) {
                    deps.push(ic_address::group(g));
                }
                if !live.users.contains_key(u.as_str()) && self.planned(&ic_address::user(u)) {
                    deps.push(ic_address::user(u));
                }
                self.ic_change(
                    ic_address::member(g, u),
                    Action::Create,
                    format!("add {u} to group {g}"),
                    None,
                    Some(json!({"member": u})),
                    admin.0.clone(),
                    (Risk::Low, String::new()),
                    deps,
                    IcOp::AddMember {
                        group: g.clone(),
                        user: u.clone(),
                    },
                );
            }
            for (u, mid) in have.iter().filter(|(u, _)| !members.contains(*u)) {
                self.ic_change(
                    ic_address::member(g, u),
                    Action::Delete,
                    format!("remove {u} from group {g}"),
                    Some(json!({"member": u})),
                    None,
                    admin.0.clone(),
                    (Risk::High, format!("{u} loses what group {g} grants")),
                    admin.1.clone(),
                    IcOp::RemoveMember {
                        group: g.clone(),
                        user: u.clone(),
                        membership_id: mid.clone(),
                    },
                );
            }
        }
    }

    /// The executor of changes to a permission set: the management account once it is
    /// provisioned there.
    fn ps_executor(&self, l: Option<&LivePermissionSet>, admin: &Executor) -> Executor {
        let mgmt = &self.live.organization.management_account_id;
        if l.is_some_and(|p| p.provisioned.contains(mgmt)) {
            self.management(MGMT_PS)
        } else {
            admin.clone()
        }
    }

    /// `ps` with the description and relay state AWS keeps: `UpdatePermissionSet` can set
    /// them but not remove them (both are at least 1 character; an empty string is refused), so
    /// a value the file leaves out stays as it is, with a warning saying how to change it.
    fn keep_unremovable(
        &mut self,
        n: &str,
        ps: &IcPermissionSet,
        l: &LivePermissionSet,
    ) -> IcPermissionSet {
        let mut kept = ps.clone();
        for (field, want, have) in [
            ("description", &mut kept.description, &l.description),
            ("relay_state", &mut kept.relay_state, &l.relay_state),
        ] {
            if want.is_none() {
                if let Some(v) = have {
                    self.warnings.push(format!(
                        "{}: its {field} stays {v:?}: AWS can replace a permission set's {field} but not remove it; write the value you want in the file, or delete and recreate the permission set",
                        ic_address::permission_set(n)
                    ));
                    *want = Some(v.clone());
                }
            }
        }
        kept
    }

    fn ic_permission_sets(
        &mut self,
        want: &crate::model::desired_ic::DesiredIc,
        live: &LiveIc,
        admin: &(Executor, Vec<String>),
    ) {
        for (n, ps) in &want.permission_sets {
            let addr = ic_address::permission_set(n);
            let l = live.permission_sets.get(n);
            let executor = self.ps_executor(l, &admin.0);
            let Some(l) = l else {
                self.ic_change(
                    addr,
                    Action::Create,
                    format!("create permission set {n}"),
                    None,
                    Some(ps_json(ps)),
                    executor,
                    (Risk::Low, String::new()),
                    admin.1.clone(),
                    IcOp::CreatePermissionSet {
                        permission_set: Box::new(ps.clone()),
                    },
                );
                continue;
            };
            let kept = self.keep_unremovable(n, ps, l);
            let ps = &kept;
            let update = ps_update(ps, l);
            if update.is_empty() {
                continue;
            }
            let reprovision: Vec<String> = if update.needs_provisioning() {
                l.provisioned.iter().cloned().collect()
            } else {
                Vec::new()
            };
            let policies = !update.attach_managed.is_empty()
                || !update.detach_managed.is_empty()
                || !update.attach_customer.is_empty()
                || !update.detach_customer.is_empty()
                || update.put_inline.is_some()
                || update.delete_inline
                || update.put_boundary.is_some()
                || update.delete_boundary;
            let risk = if policies {
                (
                    Risk::High,
                    format!(
                        "changes what its roles may do in the {} account(s) it is provisioned to",
                        l.provisioned.len()
                    ),
                )
            } else {
                (Risk::Low, String::new())
            };
            let summary = if reprovision.is_empty() {
                format!("update permission set {n}")
            } else {
                format!(
                    "update permission set {n}, then re-provision it to {} account(s)",
                    reprovision.len()
                )
            };
            self.ic_change(
                addr,
                Action::Update,
                summary,
                Some(live_ps_json(l)),
                Some(ps_json(ps)),
                executor,
                risk,
                admin.1.clone(),
                IcOp::UpdatePermissionSet {
                    arn: l.arn.clone(),
                    permission_set: Box::new(ps.clone()),
                    update: Box::new(update),
                    reprovision,
                },
            );
        }
        let scope_all = self.desired.unmanaged == Unmanaged::Prune;
        for l in live
            .permission_sets
            .values()
            .filter(|p| !want.permission_sets.contains_key(&p.name))
        {
            if scope_all {
                let executor = self.ps_executor(Some(l), &admin.0);
                self.ic_change(
                    ic_address::permission_set(&l.name),
                    Action::Delete,
                    format!("delete permission set {}", l.name),
                    Some(live_ps_json(l)),
                    None,
                    executor,
                    (
                        Risk::High,
                        "its roles are removed from every account it is provisioned to".into(),
                    ),
                    admin.1.clone(),
                    IcOp::DeletePermissionSet {
                        arn: l.arn.clone(),
                        name: l.name.clone(),
                    },
                );
            } else {
                self.unmanaged.push(UnmanagedItem {
                    address: ic_address::permission_set(&l.name),
                    note: "permission set not in the file; left as it is".into(),
                });
            }
        }
    }

    /// Every account as the plan leaves it: (reference, id when it exists, parent). Declared
    /// accounts where the file puts them, other active accounts where they are.
    fn ic_placements(&self) -> Vec<Placement> {
        let mut all = Vec::new();
        let matched: BTreeSet<&AccountId> = self.matched.values().collect();
        for (n, a) in &self.desired.accounts {
            all.push((
                AccountRef::Name(n.clone()),
                self.matched.get(n).cloned(),
                a.parent.clone(),
            ));
        }
        for a in self
            .live
            .accounts
            .values()
            .filter(|a| !matched.contains(&a.id) && a.status == "ACTIVE")
        {
            if let Some(p) = self.live.parent_of_id(&a.parent_id) {
                all.push((AccountRef::Id(a.id.clone()), Some(a.id.clone()), p));
            }
        }
        all
    }

    /// The accounts a target names, among `all` (from [`Self::ic_placements`]).
    fn ic_expand(&self, t: &PolicyTarget, nested: bool, all: &[Placement]) -> BTreeSet<Target> {
        let mut out = BTreeSet::new();
        match t {
            PolicyTarget::Account(r) => {
                let id = match r {
                    AccountRef::Name(n) => self.matched.get(n).cloned(),
                    AccountRef::Id(i) => Some(i.clone()),
                };
                out.insert(Target {
                    account: r.clone(),
                    id,
                });
            }
            PolicyTarget::Root => {
                out.extend(all.iter().map(|(account, id, _)| Target {
                    account: account.clone(),
                    id: id.clone(),
                }));
            }
            PolicyTarget::Ou(path) => {
                let under = format!("{path}/");
                for (account, id, p) in all {
                    if let Parent::Ou(q) = p {
                        if q == path || (nested && q.starts_with(&under)) {
                            out.insert(Target {
                                account: account.clone(),
                                id: id.clone(),
                            });
                        }
                    }
                }
            }
        }
        out
    }

    fn ic_assignments(
        &mut self,
        want: &crate::model::desired_ic::DesiredIc,
        live: &LiveIc,
        names: &IcNames<'_>,
        admin: &(Executor, Vec<String>),
    ) {
        let mgmt = self.live.organization.management_account_id.clone();
        // (permission set, principal, target) → where it comes from.
        let mut wanted: BTreeMap<(String, Principal, Target), String> = BTreeMap::new();
        let all = self.ic_placements();
        for rule in &want.assignments {
            for t in &rule.targets {
                for target in self.ic_expand(t, rule.include_nested_ous, &all) {
                    wanted
                        .entry((rule.permission_set.clone(), rule.principal.clone(), target))
                        .or_insert_with(|| t.to_string());
                }
            }
        }
        let principal_id = |p: &Principal| match p {
            Principal::User(n) => live.users.get(n).map(|u| u.id.clone()),
            Principal::Group(n) => live.groups.get(n).map(|g| g.id.clone()),
        };
        let mut keep: BTreeSet<LiveAssignment> = BTreeSet::new();
        for ((ps, principal, target), from) in &wanted {
            let arn = live.permission_sets.get(ps).map(|p| p.arn.clone());
            let pid = principal_id(principal);
            if let (Some(arn), Some(pid), Some(id)) = (&arn, &pid, &target.id) {
                let key = LiveAssignment {
                    permission_set_arn: arn.clone(),
                    principal_type: principal.kind().into(),
                    principal_id: pid.clone(),
                    account_id: id.to_string(),
                };
                if live.assignments.contains(&key) {
                    keep.insert(key);
                    continue;
                }
            }
            let shown = self.show_account(&target.account);
            let handle = target
                .id
                .as_ref()
                .map(|i| i.to_string())
                .unwrap_or_else(|| target.account.to_string());
            let mut deps = admin.1.clone();
            if let AccountRef::Name(n) = &target.account {
                if target.id.is_none() {
                    deps.push(address::account(n));
                }
            }
            // Wait for what this plan creates (not for updates of what exists).
            if arn.is_none() && self.planned(&ic_address::permission_set(ps)) {
                deps.push(ic_address::permission_set(ps));
            }
            let p_addr = match principal {
                Principal::User(n) => ic_address::user(n),
                Principal::Group(n) => ic_address::group(n),
            };
            if pid.is_none() && self.planned(&p_addr) {
                deps.push(p_addr);
            }
            let in_mgmt = target.id.as_ref().is_some_and(|i| i.as_str() == mgmt);
            let executor = if in_mgmt {
                self.management(MGMT_ASSIGNMENT)
            } else {
                admin.0.clone()
            };
            self.ic_change(ic_address::assignment(ps, &principal.label(), &handle), Action::Create, format!("assign {ps} to {} in {shown}", principal.label()), None, Some(json!({"permission_set": ps, "principal": principal.label(), "account": shown, "from": from})), executor, (Risk::Low, String::new()), deps, IcOp::CreateAssignment { permission_set: ps.clone(), principal: principal.clone(), account: target.account.clone() });
        }
        self.extra_assignments(want, live, names, admin, &keep);
    }

    /// Live assignments of declared permission sets (or of any, under prune) that the file
    /// does not make: listed, or removed under prune.
    fn extra_assignments(
        &mut self,
        want: &crate::model::desired_ic::DesiredIc,
        live: &LiveIc,
        names: &IcNames<'_>,
        admin: &(Executor, Vec<String>),
        keep: &BTreeSet<LiveAssignment>,
    ) {
        let mgmt = self.live.organization.management_account_id.clone();
        let in_scope = |arn: &str| {
            names.permission_set(arn).is_some_and(|n| {
                self.desired.unmanaged == Unmanaged::Prune || want.permission_sets.contains_key(n)
            })
        };
        let extra: Vec<&LiveAssignment> = live
            .assignments
            .iter()
            .filter(|a| !keep.contains(*a) && in_scope(&a.permission_set_arn))
            .collect();
        if self.desired.unmanaged != Unmanaged::Prune {
            if !extra.is_empty() {
                let labels: Vec<String> = extra
                    .iter()
                    .map(|a| {
                        let (ps, who) = named(names, a);
                        format!("{ps}/{}/{}", who.label(), a.account_id)
                    })
                    .collect();
                let refs: Vec<&str> = labels.iter().map(String::as_str).collect();
                self.unmanaged.push(UnmanagedItem { address: ic_address::assignment("*", "*", "*"), note: format!("{} assignment(s) of declared permission sets not in the file, left as they are: {}", extra.len(), sample(&refs)) });
            }
            return;
        }
        for a in extra {
            let (ps, principal) = named(names, a);
            let executor = if a.account_id == mgmt {
                self.management(MGMT_ASSIGNMENT)
            } else {
                admin.0.clone()
            };
            let shown = AccountId::parse(&a.account_id)
                .map(|i| self.show_id(&i))
                .unwrap_or_else(|| a.account_id.clone());
            self.ic_change(
                ic_address::assignment(&ps, &principal.label(), &a.account_id),
                Action::Delete,
                format!("remove {ps} from {} in {shown}", principal.label()),
                Some(
                    json!({"permission_set": ps, "principal": principal.label(), "account": shown}),
                ),
                None,
                executor,
                (
                    Risk::High,
                    format!("{} loses {ps} in {shown}", principal.label()),
                ),
                admin.1.clone(),
                IcOp::DeleteAssignment {
                    permission_set: ps.clone(),
                    permission_set_arn: a.permission_set_arn.clone(),
                    principal,
                    principal_id: a.principal_id.clone(),
                    account_id: a.account_id.clone(),
                },
            );
        }
    }
}

/// A short list for an unmanaged note: the first five, then how many more.
fn sample(names: &[&str]) -> String {
    let mut s = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    if names.len() > 5 {
        s.push_str(&format!(", … ({} more)", names.len() - 5));
    }
    s
}

/// A live assignment's permission set and principal by name (ids where a name is unknown).
fn named(names: &IcNames<'_>, a: &LiveAssignment) -> (String, Principal) {
    let ps = names
        .permission_set(&a.permission_set_arn)
        .unwrap_or(&a.permission_set_arn)
        .to_string();
    let who = if a.principal_type == "GROUP" {
        Principal::Group(
            names
                .group(&a.principal_id)
                .unwrap_or(&a.principal_id)
                .to_string(),
        )
    } else {
        Principal::User(
            names
                .user(&a.principal_id)
                .unwrap_or(&a.principal_id)
                .to_string(),
        )
    };
    (ps, who)
}
