//! Which accounts count as new to AWS (only those a reviewed plan created), and tag changes
//! at AWS's 50-tag limit (removed keys before added ones).

use super::*;

#[test]
fn only_accounts_the_reviewed_plan_created_are_new_to_aws() {
    // "Not found" about an old account is final; only an account the plan created (an
    // earlier stage's, or this run's) may still be unknown to a service for a while.
    let mut live = empty_org();
    add_account(
        &mut live,
        "222222222222",
        "old",
        "old@example.com",
        "r-root",
    );
    add_account(
        &mut live,
        "333333333333",
        "made",
        "made@example.com",
        "r-root",
    );
    let mut plan = diff(
        &desired("accounts:\n  - { name: old, email: old@example.com, ou: root }\n  - { name: made, email: made@example.com, ou: root }\n"),
        &live,
    )
    .unwrap();
    assert!(plan.account_ids.contains_key("old"));
    assert!(Resolver::new(&plan, &live).fresh.is_empty());
    plan.created_accounts.insert("333333333333".into());
    let r = Resolver::new(&plan, &live);
    assert_eq!(
        r.fresh.iter().map(ToString::to_string).collect::<Vec<_>>(),
        ["333333333333"]
    );
    // Never in the plan file.
    let json = serde_json::to_value(&plan).unwrap();
    assert!(json.get("created_accounts").is_none());
}

#[tokio::test]
async fn a_tag_swap_removes_before_it_adds_so_fifty_tags_never_become_fifty_one() {
    let mut live = empty_org();
    add_account(
        &mut live,
        "222222222222",
        "app",
        "app@example.com",
        "r-root",
    );
    let mut fifty: Tags = (0..50)
        .map(|k| (format!("k{k:02}"), "v".to_string()))
        .collect();
    live.tags.insert("222222222222".into(), fifty.clone());
    fifty.remove("k00");
    fifty.insert("new".into(), "v".into());
    let tags: Vec<String> = fifty.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    let file = format!(
        "accounts:\n  - {{ name: app, email: app@example.com, ou: root, tags: {{ {} }} }}\n",
        tags.join(", ")
    );
    // Report mode keeps k00: 51 tags, which AWS refuses; the plan says so.
    let err = diff(&desired(&file), &live).unwrap_err().to_string();
    assert!(
        err.contains("account[\"app\"].tags: it would hold 51 tags"),
        "{err}"
    );
    // Under prune, k00 is removed before `new` is added.
    let plan = diff(&desired(&format!("  unmanaged: prune\n{file}")), &live).unwrap();
    let fake = Fake::default();
    let report = execute(&plan, &live, &[], &fake, &opts(MGMT), &NoProgress).await;
    assert!(!report.failed(), "{report:?}");
    let calls = fake.calls();
    let untag = calls
        .iter()
        .position(|c| c.starts_with("Untag 222222222222"));
    let tag = calls.iter().position(|c| c.starts_with("Tag 222222222222"));
    assert!(untag.is_some() && tag.is_some() && untag < tag, "{calls:?}");
}
