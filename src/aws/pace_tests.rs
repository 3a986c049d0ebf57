use super::*;

#[test]
fn the_key_is_the_signed_service_and_region() {
    let a = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261130/us-east-1/organizations/aws4_request, SignedHeaders=host, Signature=abc";
    assert_eq!(key_of(Some(a)), "organizations/us-east-1");
    assert_eq!(key_of(None), "unsigned");
}

#[test]
fn throttling_answers_are_recognised() {
    assert!(is_throttling(429, None, b""));
    assert!(is_throttling(
        400,
        None,
        br#"{"__type":"TooManyRequestsException","Message":"slow down"}"#
    ));
    assert!(is_throttling(
        400,
        None,
        br#"{"__type":"com.amazonaws.sso#ThrottlingException"}"#
    ));
    assert!(is_throttling(
        400,
        None,
        b"<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>"
    ));
    assert!(is_throttling(
        400,
        Some("ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/"),
        br#"{"message":"Rate exceeded"}"#
    ));
    assert!(!is_throttling(
        400,
        None,
        br#"{"__type":"ConstraintViolationException"}"#
    ));
    assert!(!is_throttling(
        400,
        Some("BadRequestException"),
        br#"{"message":"The request is rejected"}"#
    ));
    assert!(!is_throttling(500, None, b"ThrottlingException"));
}

#[test]
fn ec2s_request_limit_exceeded_at_503_is_throttling_and_other_503s_are_not() {
    let ec2 = b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>r</RequestID></Response>";
    assert!(is_throttling(503, None, ec2));
    // An outage is not throttling: the SDK retries it as a transient error.
    assert!(!is_throttling(
        503,
        None,
        b"<Response><Errors><Error><Code>Unavailable</Code></Error></Errors></Response>"
    ));
    assert!(!is_throttling(
        503,
        Some("ServiceUnavailableException"),
        br#"{"message":"Service unavailable"}"#
    ));
    assert!(!is_throttling(503, None, b""));
}

/// Every service's throttling answer exactly as the emulator builds it (emulator/orgemu/
/// faults.py, R28, and access.py for Organizations): status, `x-amzn-ErrorType` header, body.
/// GuardDuty names the error only in the header; EC2 answers 503.
#[test]
fn every_services_throttling_answer_from_the_emulator_is_recognised() {
    let cases: [(&str, u16, Option<&str>, &[u8]); 14] = [
        (
            "organizations",
            400,
            Some("TooManyRequestsException"),
            br#"{"__type": "TooManyRequestsException", "Type": "TooManyRequests", "Message": "AWS Organizations can't complete your request because another request is already in progress. Try again later."}"#,
        ),
        (
            "sso-admin",
            400,
            Some("ThrottlingException"),
            br#"{"Message": "Rate exceeded", "__type": "ThrottlingException"}"#,
        ),
        (
            "identitystore",
            400,
            Some("ThrottlingException"),
            br#"{"Message": "Rate exceeded", "__type": "ThrottlingException", "RequestId": "7c69a3a5-1c0e-4c99-8fca-4b28fe9a2514"}"#,
        ),
        (
            "cloudtrail",
            400,
            Some("ThrottlingException"),
            br#"{"Message": "Rate exceeded", "__type": "ThrottlingException"}"#,
        ),
        (
            "fms (JSON 1.1)",
            400,
            Some("ThrottlingException"),
            br#"{"Message": "Rate exceeded", "__type": "ThrottlingException"}"#,
        ),
        (
            "fms (RPC v2 CBOR: {Message, __type})",
            400,
            None,
            b"\xa2gMessagemRate exceededf__typesThrottlingException",
        ),
        (
            "guardduty",
            400,
            Some("ThrottlingException"),
            br#"{"message": "Rate exceeded"}"#,
        ),
        (
            "inspector2",
            429,
            Some("ThrottlingException"),
            br#"{"message": "Rate exceeded"}"#,
        ),
        (
            "macie2",
            429,
            Some("ThrottlingException"),
            br#"{"message": "Rate exceeded"}"#,
        ),
        (
            "securityhub",
            429,
            Some("LimitExceededException"),
            br#"{"Message": "Rate exceeded"}"#,
        ),
        (
            "detective",
            429,
            Some("TooManyRequestsException"),
            br#"{"Message": "Rate exceeded"}"#,
        ),
        (
            "securitylake",
            429,
            Some("ThrottlingException"),
            br#"{"message": "Rate exceeded", "serviceCode": "securitylake"}"#,
        ),
        (
            "auditmanager",
            429,
            Some("ThrottlingException"),
            br#"{"message": "Rate exceeded"}"#,
        ),
        (
            "ec2",
            503,
            None,
            b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>83c35e56-b584-4b7a-85d8-f437f07e1b59</RequestID></Response>",
        ),
    ];
    for (service, status, header, body) in cases {
        assert!(
            is_throttling(status, header, body),
            "{service}'s throttling answer ({status}, {header:?}) is not recognised"
        );
    }
}

#[tokio::test]
async fn the_limit_grows_with_success_and_halves_on_throttling() {
    let p = Pacer::new(4, 64);
    let k = "organizations/us-east-1";
    drop(p.acquire(k).await);
    assert_eq!(p.limit(k), Some(4.0));
    for _ in 0..40 {
        p.succeeded(k);
    }
    let grown = p.limit(k).unwrap();
    assert!(grown > 8.0 && grown < 14.0, "{grown}");
    p.throttled(k);
    assert_eq!(p.limit(k), Some(grown / 2.0));
    // A burst of throttled answers is one signal.
    p.throttled(k);
    assert_eq!(p.limit(k), Some(grown / 2.0));
    // Never below one, never above the ceiling.
    for _ in 0..10 {
        std::thread::sleep(Duration::from_millis(101));
        p.throttled(k);
    }
    assert_eq!(p.limit(k), Some(1.0));
    for _ in 0..100_000 {
        p.succeeded(k);
    }
    assert_eq!(p.limit(k), Some(64.0));
}

#[tokio::test]
async fn no_more_calls_in_flight_than_the_limit() {
    let p = Pacer::new(2, 2);
    let k = "sso/us-east-1";
    let a = p.acquire(k).await;
    let b = p.acquire(k).await;
    let third = tokio::time::timeout(Duration::from_millis(50), p.acquire(k)).await;
    assert!(third.is_err(), "a third call got a place");
    drop(a);
    let c = tokio::time::timeout(Duration::from_millis(500), p.acquire(k)).await;
    assert!(c.is_ok(), "a released place was not given");
    // Another service has its own places.
    let other = tokio::time::timeout(
        Duration::from_millis(50),
        p.acquire("identitystore/us-east-1"),
    )
    .await;
    assert!(other.is_ok());
    drop((b, c));
}

#[test]
fn resends_wait_a_growing_jittered_delay_capped_at_two_seconds() {
    assert_eq!(resend_delay(0, 0.0), Duration::from_millis(50));
    assert_eq!(resend_delay(0, 1.0), Duration::from_millis(100));
    assert_eq!(resend_delay(3, 0.0), Duration::from_millis(400));
    assert_eq!(resend_delay(5, 1.0), Duration::from_millis(2_000));
    assert_eq!(resend_delay(30, 1.0), Duration::from_millis(2_000));
    // All of them fit the budget with room for the requests themselves.
    let worst: Duration = (0..RESENDS).map(|n| resend_delay(n, 1.0)).sum();
    assert!(worst < RESEND_BUDGET, "{worst:?}");
    for _ in 0..100 {
        let j = jitter();
        assert!((0.0..1.0).contains(&j), "{j}");
    }
}

#[test]
fn a_message_quoting_a_throttling_code_is_not_throttling_when_the_header_says_otherwise() {
    assert!(!is_throttling(
        400,
        Some("ValidationException"),
        br#"{"message":"RequestLimitExceeded is not a valid \"Throttling\" setting"}"#
    ));
    // Without the header, the body's code decides.
    assert!(is_throttling(
        503,
        None,
        b"<Response><Errors><Error><Code>RequestLimitExceeded</Code></Error></Errors></Response>"
    ));
}
