//! The diff of Organizations policies (`policies:`): policy types enabled on the root
//! before policies of that type, policies created or updated (documents compared as
//! normalised JSON, shown as a text diff), attachments (attach before detach), unmanaged
//! policies and attachments (listed, or deleted under prune), and the SCP invariants AWS
//! enforces (at most 5 per target, never none). Changes are planned for the account the
//! delegation policy lets manage that policy type, else the management account.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::{address, Ctx};
use crate::catalog::policy_types;
use crate::live::LivePolicy;
use crate::model::desired::{AccountRef, DesiredPolicy, PolicyTarget, Unmanaged};
use crate::model::AWS_MANAGED;
use crate::plan::change::{Action, Change, Executor, Op, Risk, UnmanagedItem};
use crate::plan::delegation_policy::{canonical, same};

const SCP: &str = "SERVICE_CONTROL_POLICY";

pub(super) fn policy(name: &str) -> String {
    format!("policy[{name:?}]")
}

fn policy_type_addr(t: &str) -> String {
    format!("policy_type[{t:?}]")
}

fn attachment(name: &str, target: &str) -> String {
    format!("{}.attachment[{target:?}]", policy(name))
}

/// Parses a live document (a string) for comparison and display.
fn doc(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|_| Value::String(s.to_string()))
}

impl Ctx<'_> {
    /// Who executes changes to policies of `ty`, and the dependency on a delegation policy
    /// that this plan puts first.
    fn policy_executor(&self, ty: &str) -> (Executor, Vec<String>) {
        let grants = self
            .desired
            .organizations_delegation
            .clone()
            .unwrap_or_default();
        let delegate = grants
            .iter()
            .find(|g| !g.policy_actions.is_empty() && g.policy_types.contains(ty));
        match delegate {
            Some(g) => {
                let (id, name) = match &g.account {
                    AccountRef::Name(n) => (self.matched.get(n).map(|i| i.to_string()).unwrap_or_default(), n.clone()),
                    AccountRef::Id(i) => (i.to_string(), self.live.accounts.get(i).map(|a| a.name.clone()).unwrap_or_else(|| i.to_string())),
                };
                let why = format!("organizations_delegation lets {name} manage {ty} policies (AWS: a member account the delegation policy names may create, update, attach and detach them)");
                let deps = self.changes.iter().filter(|c| c.address == address::ORGANIZATIONS_DELEGATION).map(|c| c.address.clone()).collect();
                (Executor { account_id: id, account_name: name, why }, deps)
            }
            None => (self.management(&format!("no organizations_delegation grant covers {ty}: AWS reserves its management to the management account")), Vec::new()),
        }
    }

    /// Whether the account managing `ty` policies (by delegation) may also tag them.
    fn delegate_may_tag(&self, ty: &str) -> bool {
        let grants = self
            .desired
            .organizations_delegation
            .clone()
            .unwrap_or_default();
        grants
            .iter()
            .find(|g| !g.policy_actions.is_empty() && g.policy_types.contains(ty))
            .is_some_and(|g| g.actions.contains("TagResource"))
    }

    /// Target id for a desired target, if it exists already.
    fn target_id(&self, t: &PolicyTarget) -> Option<String> {
        match t {
            PolicyTarget::Root => Some(self.live.root_id.clone()),
            PolicyTarget::Ou(p) => self.live.ou_id(p).map(str::to_string),
            PolicyTarget::Account(AccountRef::Id(i)) => Some(i.to_string()),
            PolicyTarget::Account(AccountRef::Name(n)) => {
                self.matched.get(n).map(|i| i.to_string())
            }
        }
    }

    /// Changes that create a target (an OU or account made by this plan).
    fn target_deps(&self, t: &PolicyTarget) -> Vec<String> {
        match t {
            PolicyTarget::Ou(p) if self.live.ou_id(p).is_none() => vec![address::ou(p)],
            PolicyTarget::Account(AccountRef::Name(n)) if !self.matched.contains_key(n) => {
                vec![address::account(n)]
            }
            _ => Vec::new(),
        }
    }

    pub(super) fn policies(&mut self) {
        let Some(wanted) = self.desired.policies.clone() else {
            return;
        };
        let enabling = self.policy_types(&wanted);
        let mut tally = self.attached_now();
        let before = tally.clone();
        for (name, want) in &wanted {
            let Some(live) = self.live_policy(name, want) else {
                continue;
            };
            let (executor, mut deps) = self.policy_executor(&want.policy_type);
            if enabling.contains(&want.policy_type) {
                deps.push(policy_type_addr(&want.policy_type));
            }
            if !self.policy_content(name, want, live.as_ref(), &executor, &deps) {
                continue;
            }
            self.policy_tags(name, want, live.as_ref(), &executor);
            let p = Declared {
                name,
                want,
                live: live.as_ref(),
                executor: &executor,
                deps: &deps,
            };
            self.attachments(&p, &mut tally);
        }
        self.unmanaged_policies(&wanted, &mut tally);
        self.scp_effects(&before, &tally);
        self.attachment_limits(&before, &tally);
    }

    /// Enables the policy types the declared policies need; returns those being enabled.
    fn policy_types(&mut self, wanted: &BTreeMap<String, DesiredPolicy>) -> BTreeSet<String> {
        let mut enabling = BTreeSet::new();
        for ty in wanted
            .values()
            .map(|p| p.policy_type.clone())
            .collect::<BTreeSet<_>>()
        {
            if self.live.root_policy_types.get(&ty).map(String::as_str) == Some("ENABLED") {
                continue;
            }
            let (executor, mut deps) = self.policy_executor(&ty);
            // AWS enables a service's policy type only after its trusted access.
            if let Some(sp) = policy_types::policy_type(&ty).and_then(|t| t.service_principal) {
                let ta = address::trusted_access(sp);
                if self.changes.iter().any(|c| c.address == ta) {
                    deps.push(ta);
                }
            }
            enabling.insert(ty.clone());
            let status = self.live.root_policy_types.get(&ty).cloned();
            self.changes.push(
                Change::draft(
                    policy_type_addr(&ty),
                    Action::Create,
                    format!("enable the {ty} policy type on the root"),
                    executor,
                )
                .before(json!({ "status": status.unwrap_or_else(|| "DISABLED".into()) }))
                .after(json!({ "status": "ENABLED" }))
                .depends_on(deps)
                .op(Op::EnablePolicyType { policy_type: ty }),
            );
        }
        enabling
    }

    /// The policies of each type attached to each target now (target display name → policy
    /// names), with FullAWSAccess on the OUs and accounts the plan creates (AWS attaches it
    /// to each).
    fn attached_now(&self) -> Tally {
        let mut tally = Tally::default();
        for p in self.live.policies.values() {
            for t in &p.targets {
                tally
                    .of(&p.policy_type)
                    .attached
                    .entry(self.live.target_name(t))
                    .or_default()
                    .insert(p.name.clone());
            }
        }
        let scps = &mut tally.of(SCP).attached;
        let full_access = self
            .live
            .policies
            .values()
            .any(|p| p.aws_managed && p.name == "FullAWSAccess");
        if full_access {
            let new_ous = self
                .desired
                .ous
                .keys()
                .filter(|p| self.live.ou_id(p).is_none())
                .map(|p| format!("ou:{p}"));
            let new_accounts = self
                .desired
                .accounts
                .iter()
                .filter(|(n, a)| a.id.is_none() && !self.matched.contains_key(*n))
                .map(|(n, _)| format!("account:{n}"));
            for t in new_ous.chain(new_accounts).collect::<Vec<_>>() {
                scps.entry(t).or_default().insert("FullAWSAccess".into());
            }
        }
        tally
    }

    /// The live policy a declared one is, `Some(None)` when it is to be created, `None` after
    /// an error (an `id` that names no policy of the type).
    fn live_policy(&mut self, name: &str, want: &DesiredPolicy) -> Option<Option<LivePolicy>> {
        Some(match &want.id {
            Some(id) => match self.live.policies.get(id) {
                Some(p) if p.policy_type == want.policy_type => Some(p.clone()),
                _ => {
                    self.errors.push(format!(
                        "{}: there is no {} policy with id {id} (fix: check the id, or remove `id` to create the policy)",
                        policy(name),
                        want.policy_type
                    ));
                    return None;
                }
            },
            None => self
                .live
                .policies
                .values()
                .find(|p| p.name == name && p.policy_type == want.policy_type)
                .cloned(),
        })
    }

    /// Creates or updates the policy's document; `false` after an error.
    fn policy_content(
        &mut self,
        name: &str,
        want: &DesiredPolicy,
        live: Option<&LivePolicy>,
        executor: &Executor,
        deps: &[String],
    ) -> bool {
        match (live, &want.content) {
            (None, None) => {
                self.errors.push(format!("{}: the AWS-managed policy {name} does not exist in this organization (is {} enabled?)", policy(name), want.policy_type));
                return false;
            }
            (Some(_), None) => {}
            (None, Some(content)) => {
                let tags = want.tags.clone().unwrap_or_default();
                self.changes.push(
                    Change::draft(policy(name), Action::Create, format!("create {} {name}", want.policy_type), executor.clone())
                        .after(json!({ "description": want.description, "content": canonical(content, false), "tags": tags }))
                        .depends_on(deps.to_vec())
                        .op(Op::CreatePolicy { name: name.to_string(), policy_type: want.policy_type.clone(), description: want.description.clone(), content: content.clone(), tags }),
                )
            }
            (Some(l), Some(content)) => {
                if same(&doc(&l.content), content)
                    && l.description == want.description
                    && l.name == name
                {
                    return true;
                }
                let in_force = !l.targets.is_empty();
                let (risk, why) = if in_force && restricts(&want.policy_type) {
                    (
                        Risk::High,
                        "the change takes effect at once wherever the policy is attached",
                    )
                } else if in_force {
                    (
                        Risk::Low,
                        "the change takes effect at once wherever the policy is attached",
                    )
                } else {
                    (Risk::Low, "")
                };
                let state = if in_force {
                    format!("in force on {} target(s)", l.targets.len())
                } else {
                    "not attached".into()
                };
                self.changes.push(
                    Change::draft(policy(name), Action::Update, format!("update {} {name} ({state})", want.policy_type), executor.clone())
                        .before(json!({ "name": l.name, "description": l.description, "content": canonical(&doc(&l.content), false) }))
                        .after(json!({ "name": name, "description": want.description, "content": canonical(content, false) }))
                        .risk(risk, why)
                        .depends_on(deps.to_vec())
                        .op(Op::UpdatePolicy { id: l.id.clone(), name: name.to_string(), description: want.description.clone(), content: content.clone() }),
                );
            }
        }
        true
    }

    /// The policy's tags: an error when its delegated manager may not tag; a tag change
    /// for a live policy.
    fn policy_tags(
        &mut self,
        name: &str,
        want: &DesiredPolicy,
        live: Option<&LivePolicy>,
        executor: &Executor,
    ) {
        if want.tags.as_ref().is_some_and(|t| !t.is_empty())
            && executor.account_id != self.live.organization.management_account_id
            && !self.delegate_may_tag(&want.policy_type)
        {
            self.errors.push(format!(
                "{}: the policy has tags and {} manages it, but its organizations_delegation grant lacks organizations:TagResource, which AWS requires to tag a policy (fix: add organizations:TagResource to its `allow`, or drop the tags)",
                policy(name),
                executor.account_name
            ));
        }
        if let (Some(l), Some(tags)) = (live, &want.tags) {
            self.tag_change_by(
                &policy(name),
                &l.id.clone(),
                crate::plan::change::TagTarget::Policy(name.to_string()),
                tags,
                executor.clone(),
            );
        }
    }

    /// Attaches what is missing; detaches (under prune) what the file omits, or lists it.
    fn attachments(&mut self, p: &Declared<'_>, tally: &mut Tally) {
        let Declared {
            name,
            want,
            live,
            executor,
            deps,
        } = *p;
        let live_targets: BTreeSet<String> = live.map(|l| l.targets.clone()).unwrap_or_default();
        let wanted_ids: BTreeSet<String> = want
            .targets
            .iter()
            .filter_map(|t| self.target_id(t))
            .collect();
        for t in &want.targets {
            if self
                .target_id(t)
                .is_some_and(|id| live_targets.contains(&id))
            {
                continue;
            }
            let shown = t.to_string();
            let mut d = deps.to_vec();
            if live.is_none() {
                d.push(policy(name));
            }
            d.extend(self.target_deps(t));
            tally.of(&want.policy_type).add(shown_name(self, t), name);
            let (risk, why) = if restricts(&want.policy_type) {
                (
                    Risk::High,
                    format!("the policy starts restricting everything under {shown}"),
                )
            } else {
                (Risk::Low, String::new())
            };
            self.changes.push(
                Change::draft(
                    attachment(name, &shown),
                    Action::Create,
                    format!("attach {name} to {shown}"),
                    executor.clone(),
                )
                .after(json!({ "attached": true }))
                .risk(risk, why)
                .depends_on(d)
                .op(Op::AttachPolicy {
                    policy: name.to_string(),
                    target: t.clone(),
                }),
            );
        }
        let managed = AWS_MANAGED.iter().any(|(n, _)| *n == name);
        for tid in live_targets.difference(&wanted_ids) {
            let shown = self.live.target_name(tid);
            if self.desired.unmanaged != Unmanaged::Prune {
                self.unmanaged.push(UnmanagedItem {
                    address: attachment(name, &shown),
                    note: "attached, not in the file's targets; left attached".into(),
                });
                continue;
            }
            tally.of(&want.policy_type).remove(&shown, name);
            let why = if managed {
                format!("detaching {name} removes the default allow-all: only what other policies allow stays allowed under {shown}")
            } else {
                format!("{name} stops applying under {shown}")
            };
            let policy_id = live.map(|l| l.id.clone()).unwrap_or_default();
            self.changes.push(
                Change::draft(
                    attachment(name, &shown),
                    Action::Delete,
                    format!("detach {name} from {shown}"),
                    executor.clone(),
                )
                .before(json!({ "attached": true }))
                .high_risk(why)
                .depends_on(deps.to_vec())
                .op(Op::DetachPolicy {
                    policy_id,
                    target_id: tid.clone(),
                }),
            );
        }
    }

    /// For each target whose SCPs the plan changes: the SCPs in force after it (attached
    /// there or above).
    fn scp_effects(&mut self, before: &Tally, tally: &Tally) {
        let empty = Attached::default();
        let before = &before.by_type.get(SCP).unwrap_or(&empty).attached;
        let scps = tally.by_type.get(SCP).unwrap_or(&empty);
        let (attached, touched) = (&scps.attached, &scps.touched);
        for t in touched
            .iter()
            .filter(|t| before.get(*t) != attached.get(*t))
        {
            let mut in_force = Vec::new();
            let mut cur = Some(t.clone());
            while let Some(c) = cur {
                for p in attached.get(&c).into_iter().flatten() {
                    in_force.push(crate::plan::change::ScpInForce {
                        policy: p.clone(),
                        attached_to: c.clone(),
                    });
                }
                cur = self.parent_target(&c);
            }
            self.effective_scps
                .push(crate::plan::change::EffectiveScps {
                    target: t.clone(),
                    in_force,
                });
        }
    }

    /// AWS's limits on every target whose attachments the plan changes: at most `attach_max`
    /// policies of a type (the undetachable default counted), at least `attach_min`.
    fn attachment_limits(&mut self, before: &Tally, tally: &Tally) {
        for (ty, a) in &tally.by_type {
            let Some(rules) = policy_types::policy_type(ty) else {
                continue;
            };
            let fixed = rules
                .default
                .filter(|(_, detachable)| !detachable)
                .map(|(n, _)| n);
            for t in &a.touched {
                let names: Vec<&String> = a
                    .attached
                    .get(t)
                    .into_iter()
                    .flatten()
                    .filter(|n| Some(n.as_str()) != fixed)
                    .collect();
                let n = names.len() + usize::from(fixed.is_some());
                if let Some(max) = rules.attach_max.filter(|m| n > *m) {
                    let list = names
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ");
                    let plus = fixed
                        .map(|f| format!(" plus {f}, which AWS keeps attached"))
                        .unwrap_or_default();
                    let what = if ty == SCP {
                        "SCPs".to_string()
                    } else {
                        format!("{ty} policies")
                    };
                    self.errors.push(format!("{t}: {} {what} would be attached ({list}){plus}; AWS allows at most {max} (fix: detach some, or attach them to a parent OU)", names.len()));
                }
                let had = before
                    .by_type
                    .get(ty)
                    .and_then(|b| b.attached.get(t))
                    .is_some_and(|s| !s.is_empty());
                if rules.attach_min > 0 && n < rules.attach_min && had {
                    self.errors.push(format!("{t}: the plan would leave it with no SCP; AWS requires at least one on every root, OU and account (fix: keep FullAWSAccess or another SCP attached)"));
                }
            }
        }
    }

    /// Customer-managed policies of the read types that the file does not declare.
    fn unmanaged_policies(
        &mut self,
        wanted: &BTreeMap<String, crate::model::desired::DesiredPolicy>,
        tally: &mut Tally,
    ) {
        let adopted: BTreeSet<&String> = wanted.values().filter_map(|w| w.id.as_ref()).collect();
        let extra: Vec<crate::live::LivePolicy> = self
            .live
            .policies
            .values()
            .filter(|p| !p.aws_managed && !wanted.contains_key(&p.name) && !adopted.contains(&p.id))
            .cloned()
            .collect();
        for p in extra {
            if self.desired.unmanaged != Unmanaged::Prune {
                self.unmanaged.push(UnmanagedItem {
                    address: policy(&p.name),
                    note: format!(
                        "{} {} attached to {} target(s); not in the file, left as is",
                        p.policy_type,
                        p.id,
                        p.targets.len()
                    ),
                });
                continue;
            }
            let (executor, deps) = self.policy_executor(&p.policy_type);
            for t in &p.targets {
                let shown = self.live.target_name(t);
                tally.of(&p.policy_type).remove(&shown, &p.name);
            }
            let targets: Vec<String> = p.targets.iter().map(|t| self.live.target_name(t)).collect();
            self.changes.push(Change::draft(policy(&p.name), Action::Delete, if targets.is_empty() { format!("delete {} {}", p.policy_type, p.name) } else { format!("detach {} from {} and delete it", p.name, targets.join(", ")) }, executor)
                .before(json!({ "description": p.description, "content": canonical(&doc(&p.content), false), "targets": targets }))
                .high_risk("the policy stops applying wherever it was attached; AWS keeps no copy")
                .depends_on(deps)
                .op(Op::DeletePolicy { id: p.id.clone(), targets: p.targets.iter().cloned().collect() }));
        }
    }
}

impl Ctx<'_> {
    /// The parent of a target, by display name (`ou:A/B` → `ou:A` → `root`), as it will be
    /// after the plan (declared accounts are where the file puts them).
    fn parent_target(&self, t: &str) -> Option<String> {
        use crate::model::vocab::Parent;
        let shown = |p: &Parent| match p {
            Parent::Root => "root".to_string(),
            Parent::Ou(x) => format!("ou:{x}"),
        };
        if t == "root" {
            return None;
        }
        if let Some(path) = t.strip_prefix("ou:") {
            return Some(shown(&Parent::of_path(path)));
        }
        let name = t.strip_prefix("account:")?;
        if let Some(a) = self.desired.accounts.get(name) {
            return Some(shown(&a.parent));
        }
        let live = self.live.accounts.values().find(|a| a.name == name)?;
        self.live.parent_of_id(&live.parent_id).map(|p| shown(&p))
    }
}

/// The display name of a target, the same whether it exists yet or not.
fn shown_name(cx: &Ctx<'_>, t: &PolicyTarget) -> String {
    match cx.target_id(t) {
        Some(id) => cx.live.target_name(&id),
        None => t.to_string(),
    }
}

/// A declared policy being diffed.
#[derive(Clone, Copy)]
struct Declared<'a> {
    name: &'a str,
    want: &'a DesiredPolicy,
    live: Option<&'a LivePolicy>,
    executor: &'a Executor,
    deps: &'a [String],
}

/// The attachments of one policy type per target (display name → policy names) as the plan
/// goes, and the targets whose policies of the type it changes.
#[derive(Debug, Clone, Default)]
struct Attached {
    attached: BTreeMap<String, BTreeSet<String>>,
    touched: BTreeSet<String>,
}

/// [`Attached`] for every policy type.
#[derive(Debug, Clone, Default)]
struct Tally {
    by_type: BTreeMap<String, Attached>,
}

impl Tally {
    fn of(&mut self, policy_type: &str) -> &mut Attached {
        self.by_type.entry(policy_type.to_string()).or_default()
    }
}

impl Attached {
    fn add(&mut self, target: String, policy: &str) {
        self.attached
            .entry(target.clone())
            .or_default()
            .insert(policy.to_string());
        self.touched.insert(target);
    }

    fn remove(&mut self, target: &str, policy: &str) {
        if let Some(set) = self.attached.get_mut(target) {
            set.remove(policy);
        }
        self.touched.insert(target.to_string());
    }
}

/// Policy types that restrict what principals may do (an attachment is high risk).
fn restricts(policy_type: &str) -> bool {
    policy_type == SCP || policy_type == "RESOURCE_CONTROL_POLICY"
}
