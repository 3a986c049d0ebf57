//! Starts orgctl's emulator (`emulator/orgctl_emulator.py`, moto plus the AWS rules it
//! lacks) for one test on a free 127.0.0.1 port, and stops it on drop. Also: SDK clients
//! acting as the management account or as a member account, the seed script, and running
//! the real `orgctl` binary with dummy credentials against the emulator only.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use aws_sdk_organizations::config::retry::RetryConfig;
use aws_sdk_organizations::config::{BehaviorVersion, Credentials, Region};

pub const MGMT: &str = "123456789012";

/// The repository (the crate's manifest directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python that runs the emulator and the test scripts (boto3, moto): ORGCTL_EMULATOR_PYTHON,
/// else `.venv/bin/python`.
pub fn python() -> PathBuf {
    match std::env::var_os("ORGCTL_EMULATOR_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => root().join(".venv/bin/python"),
    }
}

/// Credentials of one identity (dummy values; the emulator maps them to an account).
#[derive(Clone, Debug)]
pub struct Creds {
    pub key: String,
    pub secret: String,
    pub token: Option<String>,
}

impl Creds {
    pub fn management() -> Self {
        Creds {
            key: "testing".into(),
            secret: "testing".into(),
            token: None,
        }
    }

    /// The SDK credentials provider for these credentials.
    pub fn provider(&self) -> Credentials {
        Credentials::new(&self.key, &self.secret, self.token.clone(), None, "test")
    }
}

/// One running emulator.
pub struct Emulator {
    child: Child,
    pub url: String,
    pub dir: tempfile::TempDir,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Emulator {
    /// Starts an emulator with launcher flags such as `--create-delay 0.2`.
    pub fn start(args: &[&str]) -> Self {
        let py = python();
        assert!(
            py.exists(),
            "{} not found: run `make test` (it installs the emulator into .venv)",
            py.display()
        );
        let dir = tempfile::tempdir().unwrap();
        let log = std::fs::File::create(dir.path().join("emulator.log")).unwrap();
        // Empty AWS config files: the binary must not read the developer's own.
        std::fs::write(dir.path().join("aws-config"), "").unwrap();
        std::fs::write(dir.path().join("aws-credentials"), "").unwrap();
        // ORGCTL_EMULATOR_DIR runs another copy of `emulator/` (e.g. a release's, to compare).
        let emulator_dir = std::env::var_os("ORGCTL_EMULATOR_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| root().join("emulator"));
        let mut child = Command::new(&py)
            .arg(emulator_dir.join("orgctl_emulator.py"))
            .args(["--port", "0"])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(u) = line.strip_prefix("ORGCTL_EMULATOR_URL=") {
                    let _ = tx.send(u.to_string());
                }
            }
        });
        let url = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(u) => u,
            Err(_) => {
                let _ = child.kill();
                let mut s = String::new();
                let _ = std::fs::File::open(dir.path().join("emulator.log"))
                    .and_then(|mut f| f.read_to_string(&mut s));
                panic!("emulator did not start:\n{s}");
            }
        };
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        Emulator { child, url, dir }
    }

    /// An Organizations client for `creds`, with few retries.
    pub fn org(&self, creds: &Creds) -> aws_sdk_organizations::Client {
        let c = creds.provider();
        let conf = aws_sdk_organizations::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(c)
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .build();
        aws_sdk_organizations::Client::from_conf(conf)
    }

    /// A GuardDuty client in `region`, as the management account.
    pub fn guardduty(&self, region: &str) -> aws_sdk_guardduty::Client {
        let c = Credentials::new("testing", "testing", None, None, "test");
        let conf = aws_sdk_guardduty::Config::builder()
            .behavior_version(aws_sdk_guardduty::config::BehaviorVersion::latest())
            .region(aws_sdk_guardduty::config::Region::new(region.to_string()))
            .endpoint_url(&self.url)
            .credentials_provider(c)
            .build();
        aws_sdk_guardduty::Client::from_conf(conf)
    }

    /// An Inspector client in `region`, as the management account.
    pub fn inspector2(&self, region: &str) -> aws_sdk_inspector2::Client {
        let c = Credentials::new("testing", "testing", None, None, "test");
        let conf = aws_sdk_inspector2::Config::builder()
            .behavior_version(aws_sdk_inspector2::config::BehaviorVersion::latest())
            .region(aws_sdk_inspector2::config::Region::new(region.to_string()))
            .endpoint_url(&self.url)
            .credentials_provider(c)
            .build();
        aws_sdk_inspector2::Client::from_conf(conf)
    }

    /// Delegated administrators (account ids) of a regional service, read with its own API.
    pub async fn service_admins(&self, service: &str, region: &str) -> Vec<String> {
        let c = Credentials::new("testing", "testing", None, None, "test");
        let r = region.to_string();
        macro_rules! client {
            ($k:ident) => {
                $k::Client::from_conf(
                    $k::Config::builder()
                        .behavior_version($k::config::BehaviorVersion::latest())
                        .region($k::config::Region::new(r.clone()))
                        .endpoint_url(&self.url)
                        .credentials_provider(c.clone())
                        .build(),
                )
            };
        }
        let mut out: Vec<String> = match service {
            "guardduty" => self
                .guardduty(region)
                .list_organization_admin_accounts()
                .send()
                .await
                .unwrap()
                .admin_accounts()
                .iter()
                .filter_map(|a| a.admin_account_id().map(str::to_string))
                .collect(),
            "inspector2" => self
                .inspector2(region)
                .list_delegated_admin_accounts()
                .send()
                .await
                .unwrap()
                .delegated_admin_accounts()
                .iter()
                .filter_map(|a| a.account_id().map(str::to_string))
                .collect(),
            "macie" => client!(aws_sdk_macie2)
                .list_organization_admin_accounts()
                .send()
                .await
                .unwrap()
                .admin_accounts()
                .iter()
                .filter_map(|a| a.account_id().map(str::to_string))
                .collect(),
            "securityhub" => client!(aws_sdk_securityhub)
                .list_organization_admin_accounts()
                .send()
                .await
                .unwrap()
                .admin_accounts()
                .iter()
                .filter_map(|a| a.account_id().map(str::to_string))
                .collect(),
            "detective" => client!(aws_sdk_detective)
                .list_organization_admin_accounts()
                .send()
                .await
                .unwrap()
                .administrators()
                .iter()
                .filter_map(|a| a.account_id().map(str::to_string))
                .collect(),
            // One admin per Region, or ResourceNotFoundException when there is none.
            "auditmanager" => match client!(aws_sdk_auditmanager)
                .get_organization_admin_account()
                .send()
                .await
            {
                Ok(o) => o
                    .admin_account_id()
                    .map(str::to_string)
                    .into_iter()
                    .collect(),
                Err(e) => {
                    assert_eq!(
                        e.into_service_error().meta().code(),
                        Some("ResourceNotFoundException")
                    );
                    Vec::new()
                }
            },
            other => panic!("no client for {other}"),
        };
        out.sort();
        out
    }

    /// The management account's client (the emulator's default identity).
    pub fn mgmt(&self) -> aws_sdk_organizations::Client {
        self.org(&Creds::management())
    }

    /// Credentials acting as member account `account_id` (STS AssumeRole, as on AWS).
    pub async fn member(&self, account_id: &str) -> Creds {
        let c = Credentials::new("testing", "testing", None, None, "test");
        let conf = aws_sdk_sts::Config::builder()
            .behavior_version(aws_sdk_sts::config::BehaviorVersion::latest())
            .region(aws_sdk_sts::config::Region::new("us-east-1"))
            .endpoint_url(&self.url)
            .credentials_provider(c)
            .build();
        let out = aws_sdk_sts::Client::from_conf(conf)
            .assume_role()
            .role_arn(format!(
                "arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
            ))
            .role_session_name("orgctl-test")
            .send()
            .await
            .unwrap();
        let c = out.credentials().unwrap();
        Creds {
            key: c.access_key_id().into(),
            secret: c.secret_access_key().into(),
            token: Some(c.session_token().into()),
        }
    }

    /// Runs `emulator/seed.py SCENARIO`; returns its JSON summary.
    pub fn seed(&self, args: &[&str]) -> serde_json::Value {
        let out = Command::new(python())
            .arg(root().join("emulator/seed.py"))
            .args(["--endpoint", &self.url])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "seed failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Sets emulator knobs at run time (`{"create_delay": 3}`).
    pub fn configure(&self, json: &str) {
        let addr = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).unwrap();
        let req = format!("POST /orgctl-emulator/config HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{json}", json.len());
        s.write_all(req.as_bytes()).unwrap();
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    }

    /// Every call served since the last reset: (account, IAM action, HTTP status), from
    /// `GET /orgctl-emulator/calls`.
    pub fn calls(&self) -> Vec<(String, String, u64)> {
        self.call_log()
            .iter()
            .map(|c| {
                (
                    c["account"].as_str().unwrap_or_default().to_string(),
                    c["action"].as_str().unwrap_or_default().to_string(),
                    c["status"].as_u64().unwrap_or(0),
                )
            })
            .collect()
    }

    /// Every call served since the last reset, as `GET /orgctl-emulator/calls` logs it:
    /// `{"account", "action", "status"}`, and `"context"` (`{"resource", "keys"}`, the request
    /// context IAM evaluates) for the Organizations calls that have one.
    pub fn call_log(&self) -> Vec<serde_json::Value> {
        let addr = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).unwrap();
        let req = format!(
            "GET /orgctl-emulator/calls HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        let body = resp.split_once("\r\n\r\n").map(|x| x.1).unwrap_or_default();
        let v: serde_json::Value =
            serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {resp}"));
        v["calls"].as_array().unwrap().clone()
    }

    /// Empties the call log (`POST /orgctl-emulator/calls/reset`).
    pub fn reset_calls(&self) {
        let addr = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).unwrap();
        let req = format!("POST /orgctl-emulator/calls/reset HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).unwrap();
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    }

    /// The emulator's request statistics (`GET /orgctl-emulator/stats`).
    pub fn stats(&self) -> serde_json::Value {
        let addr = self.url.trim_start_matches("http://");
        let mut s = TcpStream::connect(addr).unwrap();
        let req = format!(
            "GET /orgctl-emulator/stats HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
        );
        s.write_all(req.as_bytes()).unwrap();
        let mut resp = String::new();
        let _ = s.read_to_string(&mut resp);
        let body = resp.split_once("\r\n\r\n").map(|x| x.1).unwrap_or_default();
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {resp}"))
    }

    /// Writes a file into this test's temp dir and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// A command running the real binary as `creds`, talking to this emulator only.
    pub fn orgctl_cmd(&self, creds: &Creds, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_orgctl"));
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("AWS_CONFIG_FILE", self.dir.path().join("aws-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.path().join("aws-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_ENDPOINT_URL", &self.url)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", &creds.key)
            .env("AWS_SECRET_ACCESS_KEY", &creds.secret)
            .env("AWS_MAX_ATTEMPTS", "4")
            .env("NO_COLOR", "1")
            // The apply lock's settle time: the emulator is consistent at once.
            .env("ORGCTL_LOCK_SETTLE_MS", "100")
            .args(args);
        if let Some(t) = &creds.token {
            c.env("AWS_SESSION_TOKEN", t);
        }
        c
    }

    /// Runs the binary as `creds` and waits.
    pub fn orgctl_as(&self, creds: &Creds, args: &[&str]) -> Run {
        Run(self.orgctl_cmd(creds, args).output().unwrap())
    }

    /// Runs the binary as the management account.
    pub fn orgctl(&self, args: &[&str]) -> Run {
        self.orgctl_as(&Creds::management(), args)
    }
}

/// A finished run of the binary.
pub struct Run(pub Output);

impl Run {
    pub fn code(&self) -> i32 {
        self.0.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.0.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.0.stderr).into_owned()
    }
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn expect(self, code: i32) -> Self {
        assert_eq!(
            self.code(),
            code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout(),
            self.stderr()
        );
        self
    }
    /// The plan printed with `--format json`.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.0.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout()))
    }
}

/// `(address, action)` of every change in a JSON plan.
/// The change at `address` in a JSON plan.
pub fn change<'a>(plan: &'a serde_json::Value, address: &str) -> &'a serde_json::Value {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["address"] == address)
        .unwrap_or_else(|| panic!("no change {address} in {plan}"))
}

pub fn changes(plan: &serde_json::Value) -> Vec<(String, String)> {
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["address"].as_str().unwrap().to_string(),
                c["action"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The repository's example file.
pub fn example() -> PathBuf {
    root().join("examples/org.yaml")
}
