"""Shared by the recipe runner (run_recipe.py): the local stand-ins (release downloads, GitLab's
notes API), the emulator's organization and call log, globs, and running a job's shell as
written."""

import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[2]
TARGET = "x86_64-unknown-linux-musl"
DESTROY_MARKER = "[orgctl allow-destroy]"
READ_PREFIXES = ("List", "Describe", "Get", "BatchGet", "Search")


class Fail(Exception):
    """The recipe or the run broke a rule: the message says which."""


def log(msg):
    print(msg, flush=True)


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def version():
    m = re.search(r'^version = "(.*)"', (ROOT / "Cargo.toml").read_text(), re.M)
    return m.group(1)


# --------------------------------------------------------------------------------------------
# Local stand-ins: the release downloads and GitLab's merge request notes API, on 127.0.0.1.


class Stubs:
    def __init__(self, archive_dir, token):
        self.archive_dir = Path(archive_dir)
        self.token = token
        self.downloads = []
        self.notes = {}  # (project, iid) -> [{"id", "body"}]
        self.note_writes = []
        stubs = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def _send(self, code, body, ctype="application/json"):
                data = body if isinstance(body, bytes) else body.encode()
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urllib.parse.urlparse(self.path).path
                m = re.fullmatch(r"/releases/v([^/]+)/([^/]+)", path)
                if m:
                    f = stubs.archive_dir / m.group(2)
                    if m.group(1) == version() and f.is_file():
                        stubs.downloads.append(m.group(2))
                        return self._send(200, f.read_bytes(), "application/octet-stream")
                    return self._send(404, "not found")
                return self._notes("GET", path, {})

            def do_POST(self):
                return self._form("POST")

            def do_PUT(self):
                return self._form("PUT")

            def _form(self, method):
                n = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True)
                return self._notes(method, urllib.parse.urlparse(self.path).path, {k: v[0] for k, v in form.items()})

            def _notes(self, method, path, form):
                m = re.fullmatch(r"/api/v4/projects/([^/]+)/merge_requests/(\d+)/notes(?:/(\d+))?", path)
                if not m:
                    return self._send(404, '{"message": "404 Not Found"}')
                if self.headers.get("PRIVATE-TOKEN") != stubs.token:
                    return self._send(401, '{"message": "401 Unauthorized"}')
                notes = stubs.notes.setdefault((m.group(1), m.group(2)), [])
                if method == "GET" and not m.group(3):
                    return self._send(200, json.dumps(notes))
                if method == "POST" and not m.group(3) and "body" in form:
                    note = {"id": 1000 + len(notes), "body": form["body"]}
                    notes.append(note)
                    stubs.note_writes.append(("POST", note["id"]))
                    return self._send(201, json.dumps(note))
                if method == "PUT" and m.group(3) and "body" in form:
                    for note in notes:
                        if str(note["id"]) == m.group(3):
                            note["body"] = form["body"]
                            stubs.note_writes.append(("PUT", note["id"]))
                            return self._send(200, json.dumps(note))
                    return self._send(404, '{"message": "404 Note Not Found"}')
                return self._send(400, '{"message": "400 Bad request"}')

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()


# --------------------------------------------------------------------------------------------
# The emulator: the seeded organization, credentials per role, the call log.


class Org:
    def __init__(self, url):
        host = urllib.parse.urlparse(url).hostname
        check(host in ("127.0.0.1", "localhost"), f"refusing {url}: the runner only talks to a local emulator")
        self.url = url.rstrip("/")
        kw = dict(endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        self.kw = kw
        o = boto3.client("organizations", **kw)
        self.mgmt = o.describe_organization()["Organization"]["MasterAccountId"]
        self.ids = {a["Name"]: a["Id"] for p in o.get_paginator("list_accounts").paginate() for a in p["Accounts"]}
        self.roles = {name: f"arn:aws:iam::{i}:role/OrganizationAccountAccessRole" for name, i in self.ids.items()}

    def credentials(self, role_arn):
        """(key, secret, token or None) for role_arn: the management account's own test
        credentials, or STS AssumeRole into a member account."""
        m = re.fullmatch(r"arn:aws:iam::(\d{12}):role/[\w+=,.@/-]+", role_arn or "")
        check(m, f"configure-aws-credentials: role-to-assume {role_arn!r} is not a role ARN")
        check(m.group(1) in self.ids.values(), f"role {role_arn} is not in the organization")
        if m.group(1) == self.mgmt:
            return ("testing", "testing", None)
        c = boto3.client("sts", **self.kw).assume_role(RoleArn=role_arn, RoleSessionName="recipe")["Credentials"]
        return (c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])

    def calls(self):
        with urllib.request.urlopen(self.url + "/orgctl-emulator/calls") as r:
            return json.loads(r.read())["calls"]


def is_write(call):
    prefix, _, op = call["action"].partition(":")
    if prefix == "sts" or op in ("AssumeRoleWithWebIdentity", "GetCallerIdentity"):
        return False
    return not op.startswith(READ_PREFIXES)


# --------------------------------------------------------------------------------------------
# Globs (GitHub `paths:`, GitLab `rules:changes`).


def glob_re(pattern):
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif c == "*":
            out, i = out + "[^/]*", i + 1
        elif c == "?":
            out, i = out + "[^/]", i + 1
        elif c == "{":
            j = pattern.index("}", i)
            out, i = out + "(?:" + "|".join(re.escape(x) for x in pattern[i + 1 : j].split(",")) + ")", j + 1
        else:
            out, i = out + re.escape(c), i + 1
    return re.compile(out + r"\Z")


def any_match(patterns, files):
    return any(glob_re(p).match(f) for p in patterns for f in files)


def truthy(v):
    return not (v is None or v is False or v == 0 or v == "")


def to_str(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else str(v)
    if isinstance(v, (dict, list)):
        return json.dumps(v)
    return str(v)


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


# --------------------------------------------------------------------------------------------
# Running shell as written.


class Runner:
    def __init__(self, args, org, stubs, work):
        self.args, self.org, self.stubs, self.work = args, org, stubs, Path(work)
        self.fixture = self.work / "fixture"
        if not self.fixture.exists():
            self.fixture.mkdir(parents=True)
            shutil.copy(ROOT / "examples/org.yaml", self.fixture / "org.yaml")
            shutil.copytree(ROOT / "examples/policies", self.fixture / "policies")
        for f in ("aws-config", "aws-credentials"):
            (self.work / f).write_text("")
        # PATH without any orgctl: a job must use the one its install step downloads.
        parts = [p for p in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep) if p and not (Path(p) / "orgctl").exists()]
        self.path = os.pathsep.join(parts)
        for tool in ("bash", "curl", "jq", "sha256sum", "tar"):
            check(shutil.which(tool, path=self.path), f"{tool} is not on PATH: the recipes' jobs need it")
        self.counter = 0

    def tmpdir(self, name):
        self.counter += 1
        d = self.work / f"{self.counter:02d}-{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}"
        d.mkdir(parents=True)
        return d

    def base_env(self, home):
        return {
            "PATH": self.path,
            "HOME": str(home),
            # A runner's temporary folder goes with the job: the install step's `mktemp -d`
            # holds a copy of orgctl, which piled up in /tmp (200 MB per job) before.
            "TMPDIR": str(home),
            "LANG": "C.UTF-8",
            "CI": "true",
            "AWS_ENDPOINT_URL": self.org.url,
            "AWS_CONFIG_FILE": str(self.work / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(self.work / "aws-credentials"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "ORGCTL_LOCK_SETTLE_MS": "100",
        }

    def bash(self, argv, env, cwd):
        """Runs bash; its output goes to ours. Returns the exit code."""
        sys.stdout.flush()
        return subprocess.run(argv, env=env, cwd=cwd, stdin=subprocess.DEVNULL).returncode

    def markdown(self, plan_json):
        """`orgctl show PLAN --format markdown` with the released binary."""
        exe = self.work / "released" / f"orgctl-v{version()}-{TARGET}" / "orgctl"
        if not exe.exists():
            (self.work / "released").mkdir(exist_ok=True)
            subprocess.run(["tar", "-xzf", str(Path(self.args.bin_archive_dir) / f"orgctl-v{version()}-{TARGET}.tar.gz"), "-C", str(self.work / "released")], check=True)
        out = subprocess.run([str(exe), "show", str(plan_json), "--format", "markdown"], capture_output=True, text=True, env={"PATH": self.path, "NO_COLOR": "1"})
        check(out.returncode == 0, f"orgctl show failed: {out.stderr}")
        return out.stdout

    def final_plan(self):
        """`orgctl plan -f org.yaml --detailed-exitcode` as the management account: must exit 0."""
        exe = self.work / "released" / f"orgctl-v{version()}-{TARGET}" / "orgctl"
        env = self.base_env(self.work) | {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1", "NO_COLOR": "1"}
        out = subprocess.run([str(exe), "plan", "-f", "org.yaml", "--detailed-exitcode"], cwd=self.fixture, env=env, capture_output=True, text=True)
        check(out.returncode == 0, f"after the apply jobs, `orgctl plan --detailed-exitcode` exited {out.returncode}, not 0:\n{out.stdout}\n{out.stderr}")
        log("== after the apply jobs: orgctl plan -f org.yaml --detailed-exitcode exits 0 (no changes)")

    def hand_edit(self):
        """A change made by hand, outside orgctl: the Security OU's owner tag."""
        o = boto3.client("organizations", **self.org.kw)
        root = o.list_roots()["Roots"][0]["Id"]
        ou = next(u["Id"] for p in o.get_paginator("list_organizational_units_for_parent").paginate(ParentId=root) for u in p["OrganizationalUnits"] if u["Name"] == "Security")
        o.tag_resource(ResourceId=ou, Tags=[{"Key": "owner", "Value": "someone-else"}])
        log("\n== by hand: the Security OU's tag owner=someone-else")

    def lint(self, path, schema):
        if self.args.no_lint:
            return
        exe = Path(sys.executable).parent / "check-jsonschema"
        check(exe.exists(), f"{exe} not found: pip install -r emulator/requirements.txt (or pass --no-lint)")
        out = subprocess.run([str(exe), "--builtin-schema", schema, str(path)], capture_output=True, text=True)
        check(out.returncode == 0, f"{path} does not validate against {schema}:\n{out.stdout}{out.stderr}")
        log(f"== {Path(path).name}: valid against check-jsonschema's {schema}")

    def stage_writes(self, calls, account_id, label):
        writes = [c for c in calls if is_write(c)]
        others = [c for c in writes if c["account"] != account_id]
        check(not others, f"{label}: writes from another account than {account_id}: {others[:5]}")
        real = [c for c in writes if not c["action"].endswith(("TagResource", "UntagResource"))]
        check(real, f"{label}: no write from {account_id} (its stage's changes were not applied by it)")
        return len(writes)


