//! Endpoint settings are checked before any client exists: the values that made the SDK
//! panic (empty, not a URL) and credentials in a URL are errors that name the setting.

use super::check_endpoints;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn good_endpoints_pass() {
    for v in [
        "http://127.0.0.1:5000",
        "https://organizations.us-east-1.amazonaws.com",
        "http://localhost",
        "http://[::1]:4566/",
        "https://example.com/path?q=1",
    ] {
        assert_eq!(check_endpoints(Some(v), env(&[])), Ok(()), "{v}");
        assert_eq!(
            check_endpoints(None, env(&[("AWS_ENDPOINT_URL_EC2", v)])),
            Ok(()),
            "{v}"
        );
    }
    // Other variables are none of its business.
    assert_eq!(
        check_endpoints(None, env(&[("AWS_REGION", ""), ("AWS_ENDPOINT", "")])),
        Ok(())
    );
}

#[test]
fn every_bad_endpoint_is_named_with_a_fix() {
    for (v, why) in [
        ("", "empty"),
        ("   ", "empty"),
        ("not a url", "white space"),
        ("127.0.0.1:5000", "not an http"),
        ("ftp://host", "not an http"),
        ("http://", "no host"),
        ("http://:80", "no host"),
        ("http://user:password@host", "user name or password"),
        ("http://host:99999", "invalid port"),
        ("http://host:0", "invalid port"),
    ] {
        let e = check_endpoints(Some(v), env(&[])).unwrap_err();
        assert!(
            e.contains("--endpoint-url") && e.contains(why) && e.contains("fix:"),
            "{v}: {e}"
        );
    }
    let e = check_endpoints(
        None,
        env(&[
            ("AWS_ENDPOINT_URL", ""),
            ("AWS_ENDPOINT_URL_STS", "x"),
            ("AWS_ENDPOINT_URL_ORGANIZATIONS", "http://127.0.0.1:1"),
        ]),
    )
    .unwrap_err();
    assert!(e.contains("AWS_ENDPOINT_URL=\"\": empty"), "{e}");
    assert!(e.contains("unset AWS_ENDPOINT_URL`"), "{e}");
    assert!(e.contains("AWS_ENDPOINT_URL_STS=\"x\""), "{e}");
    assert!(!e.contains("ORGANIZATIONS"), "{e}");
}
