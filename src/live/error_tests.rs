use super::*;

fn service(code: &str, reason: Option<&str>) -> LiveError {
    LiveError::Service {
        operation: "op",
        code: code.into(),
        message: "m".into(),
        reason: reason.map(str::to_string),
    }
}

#[test]
fn each_service_s_not_registered_answer_means_gone() {
    for code in [
        "AccountNotRegisteredException",
        "IpamOrganizationAccountNotRegistered",
        "ResourceNotFoundException",
    ] {
        assert_eq!(service(code, None).kind(), ErrorKind::Gone, "{code}");
    }
}

#[test]
fn the_creation_rate_limit_is_waited_out_other_constraints_are_not() {
    let rate = service(
        "ConstraintViolationException",
        Some("ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED"),
    );
    assert_eq!(rate.kind(), ErrorKind::Throttled);
    assert_eq!(rate.reason(), Some("ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED"));
    let limit = service(
        "ConstraintViolationException",
        Some("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"),
    );
    assert_eq!(limit.kind(), ErrorKind::Other);
    assert!(limit
        .to_string()
        .contains("ConstraintViolationException (MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED)"));
}

#[test]
fn answers_that_may_only_mean_a_new_account_is_not_known_yet() {
    assert_eq!(
        service("AccountNotFoundException", None).kind(),
        ErrorKind::NotYetKnown
    );
    for code in [
        "AccountNotFoundException",
        "BadRequestException",
        "ValidationException",
        "InvalidInputException",
        "InvalidParameterValue",
    ] {
        assert!(service(code, None).may_be_new_account_lag(), "{code}");
    }
    for code in [
        "ConstraintViolationException",
        "ConflictException",
        "AccountAlreadyRegisteredException",
    ] {
        assert!(!service(code, None).may_be_new_account_lag(), "{code}");
    }
}
