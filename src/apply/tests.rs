//! The apply engine against a recording fake [`LiveWrite`]: call order and id resolution,
//! the executor split, stop-at-first-failure, idempotent error codes, resuming an
//! in-progress account creation, and the five-creations-in-flight bound.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use super::*;
use crate::catalog::NativeId;
use crate::live::ic_write::{IcCtx, IcStatus};
use crate::live::{CreateRequest, LiveError};
use crate::model::desired_ic::{Boundary, IcPermissionSet, IcUser, PolicyRef};
use crate::model::vocab::{AccountId, Parent, Tags};
use crate::plan::diff::diff;
use crate::tests::{add_account, desired, empty_org, id, MGMT};

#[derive(Default)]
struct Fake {
    calls: Mutex<Vec<String>>,
    /// Operation name → AWS error code to answer with.
    fail: BTreeMap<&'static str, &'static str>,
    next: AtomicUsize,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    /// Request id → (polls so far, account name).
    requests: Mutex<BTreeMap<String, (u32, String)>>,
    failure_reason: Option<&'static str>,
    /// OU creations in flight, and the most at once.
    ous_in_flight: AtomicUsize,
    max_ous_in_flight: AtomicUsize,
    /// The OU whose creation fails (ConcurrentModificationException).
    fail_ou: Option<&'static str>,
}

impl Fake {
    fn log(&self, s: String) {
        self.calls.lock().unwrap().push(s);
    }
    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
    fn check(&self, op: &'static str) -> Result<(), LiveError> {
        match self.fail.get(op) {
            // `Code` or `Code/REASON` (the Reason member AWS sends with some errors).
            Some(code) => {
                let (code, reason) = match code.split_once('/') {
                    Some((c, r)) => (c, Some(r.to_string())),
                    None => (*code, None),
                };
                Err(LiveError::Service {
                    operation: op,
                    code: code.to_string(),
                    message: "injected".into(),
                    reason,
                })
            }
            None => Ok(()),
        }
    }
}

/// The Organizations engine's fake has no Identity Center: every call is refused.
fn no_ic() -> LiveError {
    LiveError::Inconsistent("the fake has no Identity Center".into())
}

impl crate::live::IcWrite for Fake {
    async fn ic_create_user(&self, _: &IcCtx, _: &IcUser) -> Result<String, LiveError> {
        Err(no_ic())
    }
    async fn ic_update_user(&self, _: &IcCtx, _: &str, _: &IcUser) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_delete_user(&self, _: &IcCtx, _: &str) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_create_group(
        &self,
        _: &IcCtx,
        _: &str,
        _: Option<&str>,
    ) -> Result<String, LiveError> {
        Err(no_ic())
    }
    async fn ic_update_group(&self, _: &IcCtx, _: &str, _: Option<&str>) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_delete_group(&self, _: &IcCtx, _: &str) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_add_member(&self, _: &IcCtx, _: &str, _: &str) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_remove_member(&self, _: &IcCtx, _: &str) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_create_permission_set(
        &self,
        _: &IcCtx,
        _: &IcPermissionSet,
    ) -> Result<String, LiveError> {
        Err(no_ic())
    }
    async fn ic_update_permission_set(
        &self,
        _: &IcCtx,
        _: &str,
        _: &IcPermissionSet,
    ) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_delete_permission_set(&self, _: &IcCtx, _: &str) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_managed_policy(
        &self,
        _: &IcCtx,
        _: &str,
        _: &str,
        _: bool,
    ) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_customer_policy(
        &self,
        _: &IcCtx,
        _: &str,
        _: &PolicyRef,
        _: bool,
    ) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_inline_policy(&self, _: &IcCtx, _: &str, _: Option<&str>) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_boundary(&self, _: &IcCtx, _: &str, _: Option<&Boundary>) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_tag(&self, _: &IcCtx, _: &str, _: &Tags, _: &[String]) -> Result<(), LiveError> {
        Err(no_ic())
    }
    async fn ic_provision(&self, _: &IcCtx, _: &str, _: &str) -> Result<IcStatus, LiveError> {
        Err(no_ic())
    }
    async fn ic_provision_status(&self, _: &IcCtx, _: &str) -> Result<IcStatus, LiveError> {
        Err(no_ic())
    }
    async fn ic_assignment(
        &self,
        _: &IcCtx,
        _: bool,
        _: &str,
        _: &str,
        _: &str,
        _: &str,
    ) -> Result<IcStatus, LiveError> {
        Err(no_ic())
    }
    async fn ic_assignment_status(
        &self,
        _: &IcCtx,
        _: bool,
        _: &str,
    ) -> Result<IcStatus, LiveError> {
        Err(no_ic())
    }
}

impl LiveWrite for Fake {
    async fn create_ou(&self, parent_id: &str, name: &str, _: &Tags) -> Result<String, LiveError> {
        self.check("CreateOrganizationalUnit")?;
        let now = self.ous_in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_ous_in_flight.fetch_max(now, Ordering::SeqCst);
        // A round trip: others may start meanwhile.
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.ous_in_flight.fetch_sub(1, Ordering::SeqCst);
        if self.fail_ou == Some(name) {
            return Err(LiveError::Service {
                operation: "CreateOrganizationalUnit",
                code: "ConcurrentModificationException".into(),
                message: "injected".into(),
                reason: None,
            });
        }
        let id = format!("ou-{}", name.to_lowercase());
        self.log(format!("CreateOU {name} under {parent_id} -> {id}"));
        Ok(id)
    }
    async fn delete_ou(&self, id: &str) -> Result<(), LiveError> {
        self.log(format!("DeleteOU {id}"));
        Ok(())
    }
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        _: &Tags,
    ) -> Result<CreateRequest, LiveError> {
        self.check("CreateAccount")?;
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        self.max_in_flight.fetch_max(now, Ordering::SeqCst);
        let rid = format!("car-{n}");
        self.requests
            .lock()
            .unwrap()
            .insert(rid.clone(), (0, name.to_string()));
        self.log(format!("CreateAccount {name} <{email}>"));
        Ok(CreateRequest {
            id: rid,
            account_name: name.into(),
            state: "IN_PROGRESS".into(),
            account_id: None,
            failure_reason: None,
        })
    }
    async fn create_account_status(&self, request_id: &str) -> Result<CreateRequest, LiveError> {
        let mut reqs = self.requests.lock().unwrap();
        let entry = reqs
            .entry(request_id.to_string())
            .or_insert((0, "resumed".into()));
        entry.0 += 1;
        let name = entry.1.clone();
        if entry.0 < 2 {
            return Ok(CreateRequest {
                id: request_id.into(),
                account_name: name,
                state: "IN_PROGRESS".into(),
                account_id: None,
                failure_reason: None,
            });
        }
        self.in_flight.fetch_sub(1, Ordering::SeqCst);
        if let Some(r) = self.failure_reason {
            return Ok(CreateRequest {
                id: request_id.into(),
                account_name: name,
                state: "FAILED".into(),
                account_id: None,
                failure_reason: Some(r.into()),
            });
        }
        let n: u64 = request_id.trim_start_matches("car-").parse().unwrap_or(99);
        let aid = format!("{:012}", 900_000_000_000u64 + n);
        Ok(CreateRequest {
            id: request_id.into(),
            account_name: name,
            state: "SUCCEEDED".into(),
            account_id: Some(aid),
            failure_reason: None,
        })
    }
    async fn move_account(&self, id: &AccountId, from: &str, to: &str) -> Result<(), LiveError> {
        self.check("MoveAccount")?;
        self.log(format!("MoveAccount {id} {from} -> {to}"));
        Ok(())
    }
    async fn root_tags(&self) -> Result<(String, Tags), LiveError> {
        Ok(("r-root".into(), Tags::new()))
    }
    async fn tag(&self, resource_id: &str, set: &Tags) -> Result<(), LiveError> {
        self.log(format!("Tag {resource_id} {set:?}"));
        Ok(())
    }
    async fn untag(&self, resource_id: &str, keys: &[String]) -> Result<(), LiveError> {
        self.log(format!("Untag {resource_id} {keys:?}"));
        Ok(())
    }
    async fn enable_trusted_access(&self, p: &str) -> Result<(), LiveError> {
        self.log(format!("EnableAWSServiceAccess {p}"));
        Ok(())
    }
    async fn disable_trusted_access(&self, p: &str) -> Result<(), LiveError> {
        self.log(format!("DisableAWSServiceAccess {p}"));
        Ok(())
    }
    async fn register_admin(&self, id: &AccountId, p: &str) -> Result<(), LiveError> {
        self.check("RegisterDelegatedAdministrator")?;
        self.log(format!("Register {id} {p}"));
        Ok(())
    }
    async fn put_delegation_policy(&self, content: &str) -> Result<(), LiveError> {
        self.log(format!("PutResourcePolicy {content}"));
        Ok(())
    }
    async fn delete_delegation_policy(&self) -> Result<(), LiveError> {
        self.log("DeleteResourcePolicy".into());
        Ok(())
    }
    async fn enable_policy_type(&self, root: &str, t: &str) -> Result<String, LiveError> {
        self.log(format!("EnablePolicyType {root} {t}"));
        Ok("PENDING_ENABLE".into())
    }
    async fn policy_type_status(&self, _: &str, _: &str) -> Result<Option<String>, LiveError> {
        Ok(Some("ENABLED".into()))
    }
    async fn create_policy(
        &self,
        name: &str,
        t: &str,
        _: &str,
        _: &str,
        _: &Tags,
    ) -> Result<String, LiveError> {
        self.log(format!("CreatePolicy {name} {t}"));
        Ok(format!("p-{name}"))
    }
    async fn update_policy(&self, id: &str, _: &str, _: &str, _: &str) -> Result<(), LiveError> {
        self.log(format!("UpdatePolicy {id}"));
        Ok(())
    }
    async fn attach_policy(&self, p: &str, t: &str) -> Result<(), LiveError> {
        self.log(format!("AttachPolicy {p} {t}"));
        Ok(())
    }
    async fn detach_policy(&self, p: &str, t: &str) -> Result<(), LiveError> {
        self.log(format!("DetachPolicy {p} {t}"));
        Ok(())
    }
    async fn service_admins(
        &self,
        _: NativeId,
        _: &str,
    ) -> Result<BTreeMap<String, String>, LiveError> {
        Ok(BTreeMap::new())
    }
    async fn service_admin_enable(&self, s: NativeId, r: &str, a: &str) -> Result<(), LiveError> {
        self.log(format!("Enable {s} {r} {a}"));
        Ok(())
    }
    async fn service_admin_disable(&self, s: NativeId, r: &str, a: &str) -> Result<(), LiveError> {
        self.log(format!("Disable {s} {r} {a}"));
        Ok(())
    }
    async fn service_register(&self, s: NativeId, a: &AccountId) -> Result<(), LiveError> {
        self.log(format!("Register via {s} {a}"));
        Ok(())
    }
    async fn service_deregister(&self, s: NativeId, a: &AccountId) -> Result<(), LiveError> {
        self.log(format!("Deregister via {s} {a}"));
        Ok(())
    }
    async fn service_teardown(&self, s: NativeId, r: &str) -> Result<usize, LiveError> {
        self.log(format!("Teardown {s} {r}"));
        Ok(0)
    }
    async fn delete_policy(&self, id: &str) -> Result<(), LiveError> {
        self.log(format!("DeletePolicy {id}"));
        Ok(())
    }
    async fn deregister_admin(&self, id: &AccountId, p: &str) -> Result<(), LiveError> {
        self.check("DeregisterDelegatedAdministrator")?;
        self.log(format!("Deregister {id} {p}"));
        Ok(())
    }
}

fn opts(caller: &str) -> ApplyOptions {
    ApplyOptions {
        caller_account_id: caller.into(),
        poll: PollPolicy {
            initial: Duration::from_millis(1),
            max: Duration::from_millis(2),
            timeout: Duration::from_secs(5),
        },
        max_creates_in_flight: 5,
        stage: None,
    }
}

const FILE: &str = "organizational_units:\n  - path: Security\naccounts:\n  - { name: sec-ops, email: sec@example.com, ou: Security }\ndelegations:\n  sso: { admin: sec-ops }\n";

async fn run(fake: &Fake, caller: &str, in_progress: &[CreateRequest]) -> ApplyReport {
    let live = empty_org();
    let plan = diff(&desired(FILE), &live).unwrap();
    execute(&plan, &live, in_progress, fake, &opts(caller), &NoProgress).await
}

#[tokio::test]
async fn ids_created_earlier_in_the_run_are_used_later() {
    let fake = Fake::default();
    let r = run(&fake, MGMT, &[]).await;
    assert!(r.complete(), "{r:?}");
    assert_eq!(
        fake.calls(),
        [
            "EnableAWSServiceAccess sso.amazonaws.com",
            "CreateOU Security under r-root -> ou-security",
            "CreateAccount sec-ops <sec@example.com>",
            "MoveAccount 900000000000 r-root -> ou-security",
            "Register 900000000000 sso.amazonaws.com",
        ]
    );
}

#[tokio::test]
async fn another_accounts_changes_are_left_with_the_account_to_run_them_from() {
    let fake = Fake::default();
    let r = run(&fake, "222222222222", &[]).await;
    assert!(fake.calls().is_empty());
    assert!(!r.complete());
    assert_eq!(r.left().count(), 4);
    let first = r.left().next().unwrap();
    assert_eq!(
        first.outcome,
        Outcome::LeftForExecutor {
            account_id: MGMT.into(),
            account_name: "management".into(),
            stage: Some(1),
        }
    );
    assert_eq!(
        r.exit_code(),
        0,
        "waiting for another account is not a failure"
    );
}

#[tokio::test]
async fn a_failure_stops_what_depends_on_it_and_the_rest_is_reported() {
    let fake = Fake {
        fail: BTreeMap::from([(
            "CreateOrganizationalUnit",
            "ConcurrentModificationException",
        )]),
        ..Default::default()
    };
    let r = run(&fake, MGMT, &[]).await;
    assert_eq!(fake.calls(), ["EnableAWSServiceAccess sso.amazonaws.com"]);
    let statuses: Vec<&str> = r
        .outcomes
        .iter()
        .map(|o| match o.outcome {
            Outcome::Done { .. } => "done",
            Outcome::Failed { .. } => "failed",
            Outcome::NotAttempted { .. } => "not attempted",
            _ => "other",
        })
        .collect();
    assert_eq!(
        statuses,
        ["done", "failed", "not attempted", "not attempted"]
    );
    assert!(r.failed());
}

#[tokio::test]
async fn after_a_failure_independent_additions_run_and_removals_wait() {
    // An OU creation fails; an unrelated SCP is still created and attached to the root, but
    // an unmanaged policy is not deleted (removals run only after every addition succeeded).
    let fake = Fake {
        fail: BTreeMap::from([(
            "CreateOrganizationalUnit",
            "ConcurrentModificationException",
        )]),
        ..Default::default()
    };
    let mut live = empty_org();
    live.root_policy_types
        .insert("SERVICE_CONTROL_POLICY".into(), "ENABLED".into());
    live.policies.insert(
        "p-old".into(),
        crate::live::LivePolicy {
            id: "p-old".into(),
            name: "old".into(),
            policy_type: "SERVICE_CONTROL_POLICY".into(),
            description: String::new(),
            aws_managed: false,
            content: "{}".into(),
            targets: Default::default(),
            tags: None,
        },
    );
    let mut d = desired("organizational_units:\n  - path: Security\npolicies:\n  - name: deny-leave\n    type: SERVICE_CONTROL_POLICY\n    content: {Statement: [{Effect: Deny, Action: \"organizations:LeaveOrganization\", Resource: \"*\"}]}\n    targets: [root]\n");
    d.unmanaged = crate::model::desired::Unmanaged::Prune;
    let plan = diff(&d, &live).unwrap();
    let r = execute(&plan, &live, &[], &fake, &opts(MGMT), &NoProgress).await;
    let status = |a: &str| {
        r.outcomes
            .iter()
            .find(|o| o.address == a)
            .map(|o| match &o.outcome {
                Outcome::Done { .. } => "done".to_string(),
                Outcome::Failed { .. } => "failed".to_string(),
                Outcome::NotAttempted { reason } => format!("not attempted: {reason}"),
                other => format!("{other:?}"),
            })
            .unwrap_or_else(|| panic!("{a} not in {r:?}"))
    };
    assert_eq!(status("ou[\"Security\"]"), "failed");
    assert_eq!(status("policy[\"deny-leave\"]"), "done");
    assert_eq!(
        status("policy[\"deny-leave\"].attachment[\"root\"]"),
        "done"
    );
    assert_eq!(
        status("policy[\"old\"]"),
        "not attempted: an earlier change failed: removals run only after every addition succeeded"
    );
    assert!(!fake.calls().iter().any(|c| c.starts_with("DeletePolicy")));
    assert!(r.failed());
}

#[tokio::test]
async fn a_registration_refused_for_trusted_access_says_how_to_enable_it_from_the_reason_field() {
    let fake = Fake {
        fail: BTreeMap::from([(
            "RegisterDelegatedAdministrator",
            "ConstraintViolationException/SERVICE_ACCESS_NOT_ENABLED",
        )]),
        ..Default::default()
    };
    let r = run(&fake, MGMT, &[]).await;
    match &r.outcomes.last().unwrap().outcome {
        Outcome::Failed { error } => assert!(
            error.contains("(SERVICE_ACCESS_NOT_ENABLED)")
                && error
                    .contains("fix: trusted access for sso.amazonaws.com must be enabled first"),
            "{error}"
        ),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn already_registered_admin_counts_as_converged() {
    let fake = Fake {
        fail: BTreeMap::from([(
            "RegisterDelegatedAdministrator",
            "AccountAlreadyRegisteredException",
        )]),
        ..Default::default()
    };
    let r = run(&fake, MGMT, &[]).await;
    assert!(r.complete(), "{r:?}");
    assert!(matches!(
        r.outcomes.last().unwrap().outcome,
        Outcome::Converged { .. }
    ));
}

#[tokio::test]
async fn an_in_progress_creation_is_resumed_not_duplicated() {
    let fake = Fake::default();
    let pending = CreateRequest {
        id: "car-7".into(),
        account_name: "sec-ops".into(),
        state: "IN_PROGRESS".into(),
        account_id: None,
        failure_reason: None,
    };
    let r = run(&fake, MGMT, &[pending]).await;
    assert!(r.complete(), "{r:?}");
    assert!(
        !fake.calls().iter().any(|c| c.starts_with("CreateAccount")),
        "{:?}",
        fake.calls()
    );
    assert!(fake
        .calls()
        .contains(&"MoveAccount 900000000007 r-root -> ou-security".to_string()));
    let created = r
        .outcomes
        .iter()
        .find(|o| o.address == "account[\"sec-ops\"]")
        .unwrap();
    assert!(
        matches!(&created.outcome, Outcome::Done { detail } if detail.contains("resumed creation request car-7"))
    );
}

#[tokio::test]
async fn a_failed_creation_explains_the_reason() {
    let fake = Fake {
        failure_reason: Some("EMAIL_ALREADY_EXISTS"),
        ..Default::default()
    };
    let r = run(&fake, MGMT, &[]).await;
    let o = r
        .outcomes
        .iter()
        .find(|o| o.address == "account[\"sec-ops\"]")
        .unwrap();
    match &o.outcome {
        Outcome::Failed { error } => assert!(
            error.contains("EMAIL_ALREADY_EXISTS") && error.contains("fix:"),
            "{error}"
        ),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        r.outcomes.last().unwrap().outcome,
        Outcome::NotAttempted { .. }
    ));
}

#[tokio::test]
async fn at_most_five_creations_are_in_flight() {
    let mut yaml = String::from("accounts:\n");
    for i in 0..12 {
        yaml.push_str(&format!(
            "  - {{ name: a{i:02}, email: a{i:02}@example.com, ou: root }}\n"
        ));
    }
    let live = empty_org();
    let plan = diff(&desired(&yaml), &live).unwrap();
    let fake = Fake::default();
    let r = execute(&plan, &live, &[], &fake, &opts(MGMT), &NoProgress).await;
    assert!(r.complete(), "{r:?}");
    assert_eq!(fake.max_in_flight.load(Ordering::SeqCst), 5);
    let addrs: Vec<&str> = r.outcomes.iter().map(|o| o.address.as_str()).collect();
    let mut sorted = addrs.clone();
    sorted.sort();
    assert_eq!(addrs, sorted, "reported in plan order");
}

#[tokio::test]
async fn an_account_that_already_exists_by_email_is_not_created_again() {
    let fake = Fake::default();
    let mut live = empty_org();
    let plan = diff(&desired(FILE), &live).unwrap();
    // Between plan and apply the account appeared (another run finished it).
    add_account(
        &mut live,
        "222222222222",
        "sec-ops",
        "sec@example.com",
        "r-root",
    );
    let r = execute(&plan, &live, &[], &fake, &opts(MGMT), &NoProgress).await;
    assert!(r.complete(), "{r:?}");
    assert!(!fake.calls().iter().any(|c| c.starts_with("CreateAccount")));
    assert!(fake.calls().contains(&format!(
        "Register {} sso.amazonaws.com",
        id("222222222222")
    )));
}

#[test]
fn steps_batch_adjacent_creations_and_assignments_and_run_the_rest_alone() {
    use crate::model::desired_ic::Principal;
    use crate::model::vocab::AccountRef;
    use crate::plan::change::{Action, Executor};
    use crate::plan::change_ic::IcOp;
    let ex = Executor {
        account_id: MGMT.into(),
        account_name: "master".into(),
        why: String::new(),
    };
    let change = |op: Op| Change::draft("x", Action::Create, "x", ex.clone()).op(op);
    let account = |n: &str| {
        change(Op::CreateAccount {
            name: n.into(),
            email: format!("{n}@example.com"),
            parent: Parent::Root,
            tags: Tags::new(),
        })
    };
    let assign = |n: &str| {
        change(Op::Ic(Box::new(IcOp::CreateAssignment {
            permission_set: "Admin".into(),
            principal: Principal::Group(n.into()),
            account: AccountRef::Name("app".into()),
        })))
    };
    let ou = change(Op::CreateOu {
        path: "Prod".into(),
        parent: Parent::Root,
        name: "Prod".into(),
        tags: Tags::new(),
    });
    let trust = change(Op::EnableTrustedAccess {
        principal: "sso.amazonaws.com".into(),
    });
    let changes = vec![
        trust.clone(),
        ou.clone(),
        ou.clone(),
        account("a"),
        account("b"),
        ou,
        assign("g1"),
        assign("g2"),
        account("c"),
        trust,
    ];
    assert_eq!(
        steps(&changes),
        vec![
            Step::One(0),
            Step::Batch(Batch::Ous, vec![1, 2]),
            Step::Batch(Batch::Accounts, vec![3, 4]),
            Step::Batch(Batch::Ous, vec![5]),
            Step::Batch(Batch::Assignments, vec![6, 7]),
            Step::Batch(Batch::Accounts, vec![8]),
            Step::One(9),
        ]
    );
}

#[tokio::test]
async fn ous_are_created_a_level_at_a_time_with_siblings_at_once() {
    // Dev's creation fails: its child is not attempted; Prod's children are created under
    // Prod's new id, after it, together.
    let fake = Fake {
        fail_ou: Some("Dev"),
        ..Default::default()
    };
    let live = empty_org();
    let d = desired("organizational_units:\n  - path: Prod\n  - path: Dev\n  - path: Sandbox\n  - path: Prod/App\n  - path: Prod/Web\n  - path: Prod/Web/Edge\n  - path: Dev/Tools\n");
    let plan = diff(&d, &live).unwrap();
    let r = execute(&plan, &live, &[], &fake, &opts(MGMT), &NoProgress).await;
    let outcome = |a: &str| {
        r.outcomes
            .iter()
            .find(|o| o.address == a)
            .map(|o| match &o.outcome {
                Outcome::Done { detail } => detail.clone(),
                Outcome::Failed { .. } => "failed".into(),
                Outcome::NotAttempted { .. } => "not attempted".into(),
                other => format!("{other:?}"),
            })
            .unwrap_or_else(|| panic!("{a} not in {r:?}"))
    };
    assert_eq!(outcome("ou[\"Prod\"]"), "created ou-prod");
    assert_eq!(outcome("ou[\"Dev\"]"), "failed");
    assert_eq!(outcome("ou[\"Dev/Tools\"]"), "not attempted");
    assert_eq!(outcome("ou[\"Prod/Web/Edge\"]"), "created ou-edge");
    let calls = fake.calls();
    let at = |s: &str| {
        calls
            .iter()
            .position(|c| c == s)
            .unwrap_or_else(|| panic!("{s} not in {calls:?}"))
    };
    assert!(
        at("CreateOU App under ou-prod -> ou-app") > at("CreateOU Prod under r-root -> ou-prod")
    );
    assert!(
        at("CreateOU Edge under ou-web -> ou-edge") > at("CreateOU Web under ou-prod -> ou-web")
    );
    // Prod, Dev and Sandbox at once; then App and Web at once.
    assert!(
        fake.max_ous_in_flight.load(Ordering::SeqCst) >= 3,
        "siblings were created one at a time: {calls:?}"
    );
    // Outcomes are reported in plan order.
    let order: Vec<&str> = r.outcomes.iter().map(|o| o.address.as_str()).collect();
    let planned: Vec<&str> = plan.changes.iter().map(|c| c.address.as_str()).collect();
    assert_eq!(order, planned);
}

// Accounts new to AWS, and tags at the 50-tag limit.
#[path = "resolve_tests.rs"]
mod resolve;
