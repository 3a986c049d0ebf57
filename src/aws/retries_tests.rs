use super::try_again_later;

#[test]
fn concurrent_modification_and_the_creation_rate_limit_are_retried_other_errors_not() {
    let cme = br#"{"__type":"ConcurrentModificationException","Message":"try again later"}"#;
    let rate = br#"{"__type":"ConstraintViolationException","Message":"m","Reason":"ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED"}"#;
    let limit = br#"{"__type":"ConstraintViolationException","Message":"m","Reason":"MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"}"#;
    let qualified = br#"{"__type":"com.amazonaws.organizations#ConcurrentModificationException"}"#;
    assert!(try_again_later(cme));
    assert!(try_again_later(rate));
    assert!(try_again_later(qualified));
    assert!(!try_again_later(limit));
    assert!(!try_again_later(b"<html>500</html>"));
}
