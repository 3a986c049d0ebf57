//! Safe under any environment (issue 12, first part): endpoint settings that made the SDK
//! panic are errors naming the setting, and an endpoint that accepts the connection and
//! never answers ends in a bounded time with an error naming the operation. No emulator:
//! a listener on 127.0.0.1 that never answers, and values that never reach the network.

use std::net::TcpListener;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// Runs the binary with dummy credentials, no config files, and `env` on top.
fn orgctl(env: &[(&str, &str)], args: &[&str]) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("org.yaml");
    std::fs::write(
        &f,
        "version: 1\norganization:\n  management_account_id: \"123456789012\"\n",
    )
    .unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_orgctl"));
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("AWS_CONFIG_FILE", dir.path().join("none"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.path().join("none"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("NO_COLOR", "1")
        .current_dir(dir.path());
    for (k, v) in env {
        c.env(k, v);
    }
    c.args(args).arg("-f").arg(&f).output().unwrap()
}

/// Environment, flags, and what the error must say.
type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a str);

#[test]
fn empty_or_malformed_endpoints_are_errors_not_panics() {
    let cases: &[Case] = &[
        (&[], &["--endpoint-url", ""], "--endpoint-url \"\": empty"),
        (&[], &["--endpoint-url", "not a url"], "white space"),
        (
            &[],
            &["--endpoint-url", "http://user:password@127.0.0.1:1"],
            "user name or password",
        ),
        (
            &[("AWS_ENDPOINT_URL", "")],
            &[],
            "AWS_ENDPOINT_URL=\"\": empty",
        ),
        (&[("AWS_ENDPOINT_URL_STS", "")], &[], "AWS_ENDPOINT_URL_STS"),
        (
            &[("AWS_ENDPOINT_URL_ORGANIZATIONS", "")],
            &[],
            "AWS_ENDPOINT_URL_ORGANIZATIONS",
        ),
        (&[("AWS_ENDPOINT_URL_EC2", "")], &[], "AWS_ENDPOINT_URL_EC2"),
    ];
    for (env, flags, want) in cases {
        for cmd in ["plan", "apply"] {
            let mut args = vec![cmd];
            args.extend_from_slice(flags);
            let out = orgctl(env, &args);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{env:?} {args:?}: {err}");
            assert!(
                err.contains(want) && err.contains("fix:"),
                "{env:?} {args:?}: {err}"
            );
        }
    }
}

#[test]
fn an_endpoint_that_never_answers_ends_in_bounded_time() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    // Accept every connection and hold it open without a byte in reply.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for s in listener.incoming().flatten() {
            held.push(s);
        }
    });
    let started = Instant::now();
    let out = orgctl(
        &[
            ("AWS_ENDPOINT_URL", url.as_str()),
            ("AWS_MAX_ATTEMPTS", "2"),
        ],
        &["plan", "--attempt-timeout", "1", "--operation-timeout", "3"],
    );
    let took = started.elapsed();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(took < Duration::from_secs(20), "took {took:?}");
    assert!(
        err.contains("GetCallerIdentity: no answer in time") && err.contains("--operation-timeout"),
        "{err}"
    );
}
