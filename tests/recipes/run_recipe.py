#!/usr/bin/env python3
"""Runs a CI recipe (examples/ci/github-actions.yml or examples/ci/gitlab-ci.yml) the way its CI
service would, against orgctl's emulator, and checks the product's promise end to end.

  run_recipe.py RECIPE --emulator URL (--bin-archive-dir DIR | --orgctl-bin PATH)
                [--ci github|gitlab] [--events pull_request,push,schedule] [--no-lint]
                [--work DIR] [--keep]

The emulator at URL must hold the seeded brownfield organization (`emulator/seed.py --endpoint
URL demo --legacy`); the runner reads its accounts and never starts or seeds it.
--bin-archive-dir holds the release archive orgctl-v<version>-x86_64-unknown-linux-musl.tar.gz and
its .sha256 (scripts/dist.sh); with --orgctl-bin (and no archive in the directory) the runner
makes them with `scripts/dist.sh --bin PATH --target x86_64-unknown-linux-musl --out DIR`.
Exit 0 when every check passed; 1 with the reason otherwise.

Three events, in this order, each a run of the whole file:
  pull_request / merge_request_event  org.yaml changed; the plan job must succeed and post the
      plan's Markdown (the sticky comment / the merge request note; GitLab: twice, the second
      edits the note), make no AWS write, and keep plan.json as an artifact
  push to main  first without the opt-in: the example's plan replaces GuardDuty's administrator,
      so the plan job on main must stop it, with no apply job and no AWS write. Then with
      "[orgctl allow-destroy]" in the merge commit's message: the plan job on main, then one
      apply job per stage of its plan.json in the plan's order, each with its own environment and
      role; every write a stage's job makes (the emulator's call log) comes from that stage's
      account; afterwards `orgctl plan --detailed-exitcode` exits 0. Then once more: nothing to
      apply (GitHub: the matrix is skipped; GitLab: the child pipeline's one `no changes` job)
  schedule  the drift job passes; after a change by hand (an OU's tag), it fails
(--events pull_request,push,schedule picks among them.)

Run as written, with bash: every `run:` (GitHub: `bash --noprofile --norc -eo pipefail FILE`, after
`${{ }}` substitution) and every before_script/script line (GitLab: one bash per job, `set -eo
pipefail`, each line in turn), with the files GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH and
GITHUB_STEP_SUMMARY honoured. The jobs run on this machine, not in the recipe's image: bash,
curl, jq, sha256sum and tar come from here (and `apk add` is never reached). No orgctl may be on
PATH: each job uses the one its install step downloads (from a 127.0.0.1 server standing in for
the release downloads, ORGCTL_RELEASES) and checks with sha256sum.

Emulated, not run: the CI service itself (job order from `needs` and stages, `if:` / `rules:`,
the matrix, the `${{ }}` expressions of the forms the recipes use: a form it does not know fails
the run), and these actions:
  actions/checkout                  copies the workspace fixture (examples/org.yaml, examples/policies)
  aws-actions/configure-aws-credentials  STS AssumeRole on the emulator into role-to-assume (the
                                    management account's role: the emulator's own testing/testing),
                                    exported as the action does; GitHub's OIDC exchange itself is not
  actions/upload-artifact, actions/download-artifact  a local artifact store
  marocchino/sticky-pull-request-comment  records the body (checked against `orgctl show`)
Any other `uses:` fails the run. GitLab's OIDC is not emulated: each id_tokens variable holds a
dummy token and the AWS SDK in orgctl calls AssumeRoleWithWebIdentity on the emulator itself (moto
answers it with credentials of the role's account). The GitLab API (merge request notes) is a
127.0.0.1 stand-in at CI_API_V4_URL.

Variables the recipes may use, and nothing else (an unknown one fails the run):
  ORGCTL_PLAN_ROLE  arn:aws:iam::<management>:role/OrganizationAccountAccessRole
  ORGCTL_ROLES      {"<account name>": "arn:aws:iam::<id>:role/OrganizationAccountAccessRole", ...}
                    for every account of the seeded organization, the management account included
  ORGCTL_RELEASES   http://127.0.0.1:PORT/releases
  ORGCTL_GITLAB_TOKEN  (GitLab) the token the note API stand-in accepts
Every job gets AWS_ENDPOINT_URL (the emulator), CI=true, empty AWS config files, and
ORGCTL_LOCK_SETTLE_MS=100 (the lock's settle time: the emulator is consistent at once).
"""

import argparse
import glob
import http.server
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import boto3
import yaml

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


# --------------------------------------------------------------------------------------------
# GitHub's `${{ }}` expressions: the forms the recipe uses, and nothing silently.


class Strict(dict):
    """A context whose missing keys fail the run (vars, secrets, github, a job's outputs)."""

    def __init__(self, name, *a, **kw):
        super().__init__(*a, **kw)
        self.name = name


TOKEN = re.compile(r"\s*(?:(?P<num>-?\d+(?:\.\d+)?)|(?P<str>'(?:[^']|'')*')|(?P<op>==|!=|<=|>=|&&|\|\||[!<>()\[\].,])|(?P<id>[A-Za-z_][A-Za-z0-9_-]*))")


class Expr:
    FUNCS = {"fromJSON", "toJSON", "format", "contains", "startsWith", "endsWith", "join", "success", "failure", "always", "cancelled"}

    def __init__(self, text, ctx):
        self.text, self.ctx, self.toks, self.i = text, ctx, [], 0
        pos = 0
        text = text.strip()
        while pos < len(text):
            m = TOKEN.match(text, pos)
            if not m or m.end() == pos:
                raise Fail(f"expression {self.text!r}: cannot read it at {text[pos:]!r}")
            kind = m.lastgroup
            self.toks.append((kind, m.group(kind)))
            pos = m.end()

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else (None, None)

    def take(self, op=None):
        t = self.peek()
        if op is not None and t != ("op", op):
            raise Fail(f"expression {self.text!r}: expected {op!r}, found {t[1]!r}")
        self.i += 1
        return t

    def eval(self):
        v = self.or_()
        if self.i != len(self.toks):
            raise Fail(f"expression {self.text!r}: unexpected {self.peek()[1]!r}")
        return v

    # Short-circuit: the side not taken is parsed but not evaluated (as GitHub does).
    def or_(self, skip=False):
        v = self.and_(skip)
        while self.peek() == ("op", "||"):
            self.take()
            done = skip or truthy(v)
            r = self.and_(done)
            if not done:
                v = r
        return v

    def and_(self, skip=False):
        v = self.cmp(skip)
        while self.peek() == ("op", "&&"):
            self.take()
            done = skip or not truthy(v)
            r = self.cmp(done)
            if not done:
                v = r
        return v

    def cmp(self, skip):
        v = self.unary(skip)
        while self.peek()[0] == "op" and self.peek()[1] in ("==", "!=", "<", ">", "<=", ">="):
            op = self.take()[1]
            r = self.unary(skip)
            if not skip:
                v = compare(op, v, r)
        return v

    def unary(self, skip):
        if self.peek() == ("op", "!"):
            self.take()
            v = self.unary(skip)
            return None if skip else not truthy(v)
        return self.postfix(skip)

    def postfix(self, skip):
        v = self.primary(skip)
        while True:
            t = self.peek()
            if t == ("op", "."):
                self.take()
                kind, name = self.take()
                if kind != "id":
                    raise Fail(f"expression {self.text!r}: a property name after '.', not {name!r}")
                if not skip:
                    v = member(v, name, self.text)
            elif t == ("op", "["):
                self.take()
                k = self.or_(skip)
                self.take("]")
                if not skip:
                    v = member(v, k, self.text)
            else:
                return v

    def primary(self, skip):
        kind, val = self.take()
        if kind == "num":
            return float(val)
        if kind == "str":
            return val[1:-1].replace("''", "'")
        if kind == "op" and val == "(":
            v = self.or_(skip)
            self.take(")")
            return v
        if kind == "id":
            if val in ("true", "false"):
                return val == "true"
            if val == "null":
                return None
            if self.peek() == ("op", "("):
                self.take()
                args = []
                if self.peek() != ("op", ")"):
                    args.append(self.or_(skip))
                    while self.peek() == ("op", ","):
                        self.take()
                        args.append(self.or_(skip))
                self.take(")")
                return None if skip else self.call(val, args)
            if val not in self.ctx:
                raise Fail(f"expression {self.text!r}: the context {val!r} is not available here (the runner knows {sorted(self.ctx)})")
            return self.ctx[val]
        raise Fail(f"expression {self.text!r}: unexpected {val!r}")

    def call(self, name, args):
        if name not in self.FUNCS:
            raise Fail(f"expression {self.text!r}: the runner does not evaluate {name}()")
        if name == "fromJSON":
            try:
                return json.loads(to_str(args[0]))
            except json.JSONDecodeError as e:
                raise Fail(f"expression {self.text!r}: fromJSON of {args[0]!r}: {e}") from e
        if name == "toJSON":
            return json.dumps(args[0], indent=2)
        if name == "format":
            fmt = to_str(args[0])
            return re.sub(r"\{(\d+)\}", lambda m: to_str(args[int(m.group(1)) + 1]), fmt.replace("{{", "\0").replace("}}", "\1")).replace("\0", "{").replace("\1", "}")
        if name == "contains":
            hay, needle = args
            if isinstance(hay, list):
                return any(compare("==", x, needle) for x in hay)
            return to_str(needle).lower() in to_str(hay).lower()
        if name == "startsWith":
            return to_str(args[0]).lower().startswith(to_str(args[1]).lower())
        if name == "endsWith":
            return to_str(args[0]).lower().endswith(to_str(args[1]).lower())
        if name == "join":
            sep = to_str(args[1]) if len(args) > 1 else ","
            return sep.join(to_str(x) for x in args[0]) if isinstance(args[0], list) else to_str(args[0])
        status = self.ctx.get("__status__", "success")
        return {"success": status == "success", "failure": status == "failure", "always": True, "cancelled": False}[name]


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


def compare(op, a, b):
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.lower(), b.lower()
    elif type(a) is not type(b):
        a, b = to_num(a), to_num(b)
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    try:
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]
    except TypeError:
        return False


def to_num(v):
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, str):
        try:
            return float(v) if v.strip() else 0.0
        except ValueError:
            return float("nan")
    return float("nan")


def member(v, key, text):
    key = to_str(key) if not isinstance(key, float) else key
    if isinstance(v, Strict):
        if key not in v:
            raise Fail(f"expression {text!r}: {v.name} has no {key!r} in this run (known: {sorted(v)})")
        return v[key]
    if isinstance(v, dict):
        for k in v:  # property names are case-insensitive
            if str(k).lower() == str(key).lower():
                return v[k]
        return None
    if isinstance(v, list) and isinstance(key, float):
        i = int(key)
        return v[i] if 0 <= i < len(v) else None
    return None


EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)


def subst(value, ctx):
    """`${{ }}` substituted in a string (a value of its own when the string is one expression),
    recursively in lists and dicts."""
    if isinstance(value, dict):
        return {k: subst(v, ctx) for k, v in value.items()}
    if isinstance(value, list):
        return [subst(v, ctx) for v in value]
    if not isinstance(value, str):
        return value
    m = EXPR.fullmatch(value.strip())
    if m:
        return Expr(m.group(1), ctx).eval()
    return EXPR.sub(lambda m: to_str(Expr(m.group(1), ctx).eval()), value)


def condition(text, ctx):
    """A job's or step's `if:` (with or without `${{ }}`); success() unless it names a status."""
    if text is None:
        text = "success()"
    if isinstance(text, bool):
        text = "true" if text else "false"
    text = str(text).strip()
    m = EXPR.fullmatch(text)
    if m:
        text = m.group(1)
    if not re.search(r"\b(success|failure|always|cancelled)\s*\(", text):
        text = f"success() && ({text})"
    return truthy(Expr(text, ctx).eval())


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


# --------------------------------------------------------------------------------------------
# GitHub Actions.

GH_ACTIONS = {
    "actions/checkout@v4": set(),
    "aws-actions/configure-aws-credentials@v4": {"role-to-assume", "aws-region", "role-session-name", "role-duration-seconds"},
    "actions/upload-artifact@v4": {"name", "path", "if-no-files-found", "retention-days"},
    "actions/download-artifact@v4": {"name", "path"},
    "marocchino/sticky-pull-request-comment@v2": {"header", "path", "message"},
}
# The permission each action needs; a job asks for exactly those of the actions it uses.
GH_PERMISSION = {
    "actions/checkout@v4": ("contents", "read"),
    "aws-actions/configure-aws-credentials@v4": ("id-token", "write"),
    "marocchino/sticky-pull-request-comment@v2": ("pull-requests", "write"),
}


def gh_file_commands(path):
    """name=value lines and name<<DELIM heredocs of a GITHUB_OUTPUT / GITHUB_ENV file."""
    out, lines, i = {}, Path(path).read_text().splitlines(), 0
    while i < len(lines):
        line = lines[i]
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            name, delim = line.split("<<", 1)
            j = lines.index(delim, i + 1)
            out[name] = "\n".join(lines[i + 1 : j])
            i = j + 1
        elif "=" in line:
            name, value = line.split("=", 1)
            out[name] = value
            i += 1
        elif line.strip():
            raise Fail(f"{path}: cannot read the line {line!r}")
        else:
            i += 1
    return out


class GitHub:
    def __init__(self, runner, recipe):
        self.r, self.recipe = runner, Path(recipe)
        self.wf = yaml.safe_load(self.recipe.read_text())
        self.on = self.wf.get("on", self.wf.get(True))
        check(isinstance(self.on, dict), "the workflow has no `on:` map")
        self.vars = Strict("vars", {
            "ORGCTL_PLAN_ROLE": runner.org.roles[next(n for n, i in runner.org.ids.items() if i == runner.org.mgmt)],
            "ORGCTL_ROLES": json.dumps(runner.org.roles),
            "ORGCTL_RELEASES": runner.stubs.url + "/releases",
        })
        self.secrets = Strict("secrets", {"GITHUB_TOKEN": "dummy-github-token"})
        self.checks()

    def checks(self):
        """What the recipe promises, read from the file."""
        for ev in ("pull_request", "push"):
            paths = (self.on.get(ev) or {}).get("paths", [])
            check("org.yaml" in paths and any_match(paths, ["policies/deny.json", "policies/a/b.json"]), f"on.{ev}.paths must include org.yaml and policies/**: {paths}")
        check(self.on.get("schedule"), "on.schedule: the drift check's cron is missing")
        conc = self.wf.get("concurrency") or {}
        check(conc.get("cancel-in-progress") is False and "orgctl-organization" in str(conc.get("group")), f"concurrency: a group orgctl-organization with cancel-in-progress: false, not {conc}")
        for name, job in self.wf["jobs"].items():
            check("timeout-minutes" in job, f"job {name}: no timeout-minutes")
            uses = [s["uses"] for s in job.get("steps", []) if "uses" in s]
            for u in uses:
                check(u in GH_ACTIONS, f"job {name}: `uses: {u}` is not one the runner emulates ({sorted(GH_ACTIONS)})")
            want = dict(GH_PERMISSION[u] for u in uses if u in GH_PERMISSION)
            check(job.get("permissions") == want, f"job {name}: permissions {job.get('permissions')} are not the minimal {want}")
        check(not re.search(r"orgctl apply[^\n]*--allow-destroy", self.recipe.read_text()), "apply must not pass --allow-destroy by default (only through the opt-in)")

    def triggered(self, event):
        spec = self.on.get(event["name"])
        if spec is None and event["name"] not in self.on:
            return False
        spec = spec or {}
        if event["name"] == "push":
            branch = event["ref"].removeprefix("refs/heads/")
            if "branches" in spec and not any_match(spec["branches"], [branch]):
                return False
        if "paths" in spec and not any_match(spec["paths"], event["changed"]):
            return False
        return True

    def run(self, event):
        log(f"\n######## GitHub Actions: {event['name']} ({event['ref']})")
        if not self.triggered(event):
            raise Fail(f"the workflow does not run on {event['name']} with {event['changed']}")
        github = Strict("github", {
            "event_name": event["name"], "ref": event["ref"], "ref_name": event["ref"].split("/")[-1] if event["name"] != "pull_request" else "7/merge",
            "sha": "0123456789abcdef0123456789abcdef01234567", "repository": "example/org", "run_id": "4242", "run_attempt": "1",
            "actor": "octocat", "workspace": "", "server_url": "https://github.example", "event": Strict("github.event", event["payload"]),
        })
        declared = (self.on.get("workflow_dispatch") or {}).get("inputs") or {}
        inputs = Strict("inputs", {k: event.get("inputs", {}).get(k) for k in declared})
        top = {"github": github, "vars": self.vars, "secrets": self.secrets, "inputs": inputs}
        group = subst(self.wf["concurrency"]["group"], top)
        log(f"concurrency group: {group}")
        wf_env = {k: to_str(v) for k, v in subst(self.wf.get("env", {}), top).items()}
        jobs = self.wf["jobs"]
        order, seen = [], set()

        def visit(n, stack=()):
            check(n in jobs, f"needs: no job {n}")
            check(n not in stack, f"needs: a cycle through {n}")
            if n in seen:
                return
            for d in as_list(jobs[n].get("needs")):
                visit(d, stack + (n,))
            seen.add(n)
            order.append(n)

        for n in jobs:
            visit(n)
        results, outputs, runs = {}, {}, []
        artifacts = {}
        for name in order:
            job = jobs[name]
            needs = as_list(job.get("needs"))
            needs_ctx = Strict("needs", {d: {"result": results[d], "outputs": Strict(f"needs.{d}.outputs", outputs.get(d, {}))} for d in needs})
            status = "success" if all(results[d] == "success" for d in needs) else "failure" if any(results[d] == "failure" for d in needs) else "skipped"
            ctx = dict(top, needs=needs_ctx, __status__=status)
            if status == "skipped" and not re.search(r"always\(\)", str(job.get("if", ""))):
                results[name] = "skipped"
                log(f"-- job {name}: skipped (a needed job was skipped)")
                continue
            if not condition(job.get("if"), ctx):
                results[name] = "skipped"
                log(f"-- job {name}: skipped (if: {job.get('if')})")
                continue
            legs = [None]
            strategy = job.get("strategy") or {}
            if "matrix" in strategy:
                m = subst(strategy["matrix"], ctx)
                check(isinstance(m, dict) and all(isinstance(v, list) for v in m.values()) and not ({"include", "exclude"} & set(m)), f"job {name}: a matrix the runner does not expand: {m}")
                legs = [{}]
                for k, values in m.items():
                    legs = [dict(leg, **{k: v}) for leg in legs for v in values]
                check(legs, f"job {name}: an empty matrix")
                check(strategy.get("max-parallel") == 1 and strategy.get("fail-fast") is True, f"job {name}: the stages must run one at a time: max-parallel: 1, fail-fast: true")
            result = "success"
            for leg in legs:
                lctx = dict(ctx, matrix=Strict("matrix", leg or {}))
                title = to_str(subst(job.get("name", name), lctx))
                env_name = subst(job.get("environment"), lctx)
                if isinstance(env_name, dict):
                    env_name = env_name.get("name")
                before = len(self.r.org.calls())
                ok, outs, summary = self.job(name, title, job, lctx, wf_env, artifacts, event)
                calls = self.r.org.calls()[before:]
                runs.append({"job": name, "title": title, "matrix": leg, "environment": env_name, "ok": ok, "calls": calls, "summary": summary})
                if ok:
                    outputs[name] = outs  # (a matrix job's outputs: those of the last leg, as GitHub's)
                else:
                    result = "failure"
                    if strategy.get("fail-fast", True):
                        break
            results[name] = result
        return {"results": results, "runs": runs, "artifacts": artifacts, "outputs": outputs}

    def job(self, name, title, job, ctx, wf_env, artifacts, event):
        log(f"\n-- job {title}" + (f" (environment {subst(job.get('environment'), ctx)})" if job.get("environment") else ""))
        d = self.r.tmpdir(title)
        ws, temp, home = d / "workspace", d / "runner-temp", d / "home"
        for p in (ws, temp, home):
            p.mkdir()
        (d / "event.json").write_text(json.dumps(event["payload"]))
        env = self.r.base_env(home) | {
            "GITHUB_ACTIONS": "true", "GITHUB_WORKSPACE": str(ws), "RUNNER_TEMP": str(temp), "RUNNER_OS": "Linux",
            "GITHUB_EVENT_NAME": event["name"], "GITHUB_REF": event["ref"], "GITHUB_SHA": ctx["github"]["sha"],
            "GITHUB_REPOSITORY": "example/org", "GITHUB_RUN_ID": "4242", "GITHUB_EVENT_PATH": str(d / "event.json"),
        }
        env |= wf_env
        jctx = dict(ctx, env=dict(env), runner={"temp": str(temp), "os": "Linux"})
        env |= {k: to_str(v) for k, v in subst(job.get("env", {}), jctx).items()}
        paths, steps_ctx, summary, ok = [], Strict("steps"), "", True
        for i, step in enumerate(job.get("steps", [])):
            sctx = dict(jctx, env=dict(env), steps=steps_ctx, __status__="success" if ok else "failure")
            label = step.get("name") or step.get("uses") or step.get("run", "").splitlines()[0]
            if not condition(step.get("if"), sctx):
                log(f"   step {label}: skipped")
                continue
            senv = dict(env) | {k: to_str(v) for k, v in subst(step.get("env", {}), sctx).items()}
            senv["PATH"] = os.pathsep.join(paths[::-1] + [env["PATH"]])
            outs = {}
            try:
                if "uses" in step:
                    log(f"   step {label} (emulated)")
                    ok = self.uses(step["uses"], subst(step.get("with", {}), sctx), ws, env, artifacts, event, job) and ok
                else:
                    check(step.get("shell", "bash") == "bash", f"step {label}: shell {step.get('shell')} (the runner runs bash)")
                    script = subst(step["run"], sctx)
                    f = temp / f"step-{i}.sh"
                    f.write_text(script)
                    files = {k: temp / f"{k.lower()}-{i}" for k in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}
                    for k, p in files.items():
                        p.write_text("")
                        senv[k] = str(p)
                    log(f"   step {label}: bash --noprofile --norc -eo pipefail")
                    cwd = ws / step["working-directory"] if "working-directory" in step else ws
                    rc = self.r.bash(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(f)], senv, cwd)
                    outs = gh_file_commands(files["GITHUB_OUTPUT"])
                    env |= gh_file_commands(files["GITHUB_ENV"])
                    paths += [p for p in files["GITHUB_PATH"].read_text().splitlines() if p.strip()]
                    summary += files["GITHUB_STEP_SUMMARY"].read_text()
                    if rc != 0:
                        log(f"   step {label}: exit {rc}")
                        ok = False
            except Fail as e:
                log(f"   step {label}: {e}")
                raise
            if "id" in step:
                steps_ctx[step["id"]] = {"outputs": Strict(f"steps.{step['id']}.outputs", outs), "outcome": "success" if ok else "failure"}
        job_outputs = {}
        if ok:
            octx = dict(jctx, steps=steps_ctx, env=dict(env))
            job_outputs = {k: to_str(subst(v, octx)) for k, v in (job.get("outputs") or {}).items()}
        log(f"-- job {title}: {'success' if ok else 'failure'}")
        return ok, job_outputs, summary

    def uses(self, action, with_, ws, env, artifacts, event, job):
        unknown = set(with_) - GH_ACTIONS[action]
        check(not unknown, f"{action}: inputs the runner does not emulate: {sorted(unknown)}")
        if action == "actions/checkout@v4":
            shutil.copytree(self.r.fixture, ws, dirs_exist_ok=True)
        elif action == "aws-actions/configure-aws-credentials@v4":
            check(with_.get("aws-region"), f"{action}: no aws-region")
            key, secret, token = self.r.org.credentials(to_str(with_.get("role-to-assume")))
            env.update(AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret, AWS_REGION=with_["aws-region"], AWS_DEFAULT_REGION=with_["aws-region"])
            if token:
                env["AWS_SESSION_TOKEN"] = token
            else:
                env.pop("AWS_SESSION_TOKEN", None)
            log(f"     credentials of {with_['role-to-assume']}")
        elif action == "actions/upload-artifact@v4":
            name = with_.get("name", "artifact")
            check(name not in artifacts, f"{action}: an artifact named {name} already exists in this run")
            files = []
            for pat in [p.strip() for p in to_str(with_["path"]).splitlines() if p.strip()]:
                files += [Path(p) for p in glob.glob(str(ws / pat))]
            check(files, f"{action}: no file matches {with_['path']!r}")
            store = self.r.tmpdir(f"artifact-{name}")
            for f in files:
                shutil.copy(f, store / f.name)
            artifacts[name] = store
            log(f"     artifact {name}: {sorted(f.name for f in files)}")
        elif action == "actions/download-artifact@v4":
            name = with_.get("name")
            check(name in artifacts, f"{action}: no artifact {name!r} in this run")
            dest = ws / with_.get("path", ".")
            shutil.copytree(artifacts[name], dest, dirs_exist_ok=True)
        elif action == "marocchino/sticky-pull-request-comment@v2":
            check(event["name"] == "pull_request", f"{action}: outside a pull request")
            check(with_.get("header"), f"{action}: give it a header, so one comment is updated per pull request")
            body = (ws / with_["path"]).read_text() if "path" in with_ else to_str(with_.get("message"))
            event.setdefault("comments", {})[with_["header"]] = body
            log(f"     comment {with_['header']!r}: {len(body)} characters")
        return True

    def scenario(self):
        r = self.r
        self.r.lint(self.recipe, "vendor.github-workflows")
        events = self.r.args.events
        pr = {"name": "pull_request", "ref": "refs/pull/7/merge", "changed": ["org.yaml"],
              "payload": {"number": 7, "pull_request": {"number": 7, "head": {"ref": "org-change"}, "base": {"ref": "main"}}}}
        push = {"name": "push", "ref": "refs/heads/main", "changed": ["org.yaml", "policies/admin-guardrails.json"],
                "payload": {"ref": "refs/heads/main", "head_commit": {"message": f"Organization: the example's org.yaml (#7)\n\nReviewed plan replaces GuardDuty's administrator {DESTROY_MARKER}"}}}
        sched = {"name": "schedule", "ref": "refs/heads/main", "changed": [], "payload": {"schedule": self.on["schedule"][0]["cron"]}}
        if "pull_request" in events:
            before = len(r.org.calls())
            run = self.run(pr)
            check(run["results"].get("plan") == "success", f"pull_request: the plan job did not succeed: {run['results']}")
            ran = {k for k, v in run["results"].items() if v != "skipped"}
            check(ran == {"plan"}, f"pull_request: jobs other than plan ran: {run['results']}")
            md = r.markdown(run["artifacts"]["plan"] / "plan.json")
            body = (pr.get("comments") or {}).get("orgctl-plan")
            check(body is not None, "pull_request: no sticky comment was posted")
            check(body == md, "pull_request: the comment is not `orgctl show plan.json --format markdown`")
            check(md in run["runs"][0]["summary"], "pull_request: the plan's Markdown is not in the step summary")
            writes = [c for c in r.org.calls()[before:] if is_write(c)]
            check(not writes, f"pull_request: the plan job wrote to AWS: {writes[:5]}")
            log(f"== pull_request: plan job ok, sticky comment = the plan's Markdown ({len(md)} characters), no AWS write")
        if "push" in events:
            refused = dict(push, payload={"ref": "refs/heads/main", "head_commit": {"message": "Organization: the example's org.yaml (#7)"}})
            before = len(r.org.calls())
            run = self.run(refused)
            check(run["results"].get("plan-main") == "failure" and run["results"].get("apply") == "skipped", f"push without the opt-in: plan-main must stop a destructive plan: {run['results']}")
            writes = [c for c in r.org.calls()[before:] if is_write(c)]
            check(not writes, f"push without the opt-in: writes: {writes[:5]}")
            log("== push without [orgctl allow-destroy]: plan-main stops the destructive plan, no apply job, no AWS write")
            run = self.run(push)
            check(run["results"].get("plan-main") == "success", f"push: plan-main did not succeed: {run['results']}")
            plan = json.loads((run["artifacts"]["plan"] / "plan.json").read_text())
            stages = plan["stages"]
            check(stages, "push: the plan on main has no stages (was the organization seeded?)")
            legs = [x for x in run["runs"] if x["job"] == "apply"]
            check([(x["matrix"]["stage"]["number"], x["matrix"]["stage"]["account"]) for x in legs] == [(s["number"], s["account_name"]) for s in stages],
                  f"push: the apply jobs {[x['title'] for x in legs]} are not the plan's stages in order {[(s['number'], s['account_name']) for s in stages]}")
            for x, s in zip(legs, stages):
                check(x["ok"], f"push: {x['title']} failed")
                check(x["environment"] == f"orgctl-{s['account_name']}", f"push: {x['title']} ran in environment {x['environment']}")
                n = r.stage_writes(x["calls"], s["account_id"], f"push: {x['title']}")
                log(f"== push: {x['title']}: {n} writes, all from {s['account_name']} ({s['account_id']}), environment {x['environment']}")
            check(run["results"].get("apply") == "success", f"push: {run['results']}")
            r.final_plan()
            run = self.run(push)
            check(run["results"].get("plan-main") == "success" and run["outputs"]["plan-main"]["stages"] == "[]" and run["results"].get("apply") == "skipped",
                  f"push with nothing to apply: {run['results']} {run['outputs']}")
            log("== push with nothing to apply: plan-main outputs stages [], the apply matrix is skipped")
        if "schedule" in events:
            run = self.run(sched)
            check(run["results"].get("drift") == "success", f"schedule: the drift job did not pass: {run['results']}")
            check({k for k, v in run["results"].items() if v != "skipped"} == {"drift"}, f"schedule: {run['results']}")
            log("== schedule: the drift job passes")
            r.hand_edit()
            run = self.run(sched)
            check(run["results"].get("drift") == "failure", f"schedule after a change by hand: the drift job must fail: {run['results']}")
            check("### orgctl plan" in run["runs"][-1]["summary"], "schedule after a change by hand: the drift's plan is not in the step summary")
            log("== schedule after a change by hand: the drift job fails")


def as_list(v):
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


# --------------------------------------------------------------------------------------------
# GitLab CI.

GL_RESERVED = {"stages", "variables", "workflow", "default", "include", "image", "services", "cache", "before_script", "after_script"}
GL_VAR = re.compile(r"\$(?:\{(\w+)\}|(\w+))|\$\$")
GL_RULE_TOKEN = re.compile(r"\s*(?:(?P<var>\$\w+|\$\{\w+\})|(?P<str>\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')|(?P<re>/(?:[^/\\]|\\.)*/[a-z]*)|(?P<op>==|!=|=~|!~|&&|\|\||\(|\))|(?P<null>null))")


def gl_rule(text, variables):
    """A `rules:if` expression: variables, strings, /regex/, == != =~ !~ && || and parentheses."""
    toks, pos = [], 0
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        m = GL_RULE_TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Fail(f"rules:if {text!r}: cannot read it at {text[pos:]!r}")
        toks.append((m.lastgroup, m.group(m.lastgroup)))
        pos = m.end()
    i = 0

    def value(tok):
        kind, v = tok
        if kind == "var":
            return variables.get(v.strip("${}"))
        if kind == "str":
            return bytes(v[1:-1], "utf-8").decode("unicode_escape")
        if kind == "null":
            return None
        if kind == "re":
            body, flags = v[1:].rsplit("/", 1)
            return re.compile(body, re.I if "i" in flags else 0)
        raise Fail(f"rules:if {text!r}: unexpected {v!r}")

    def atom():
        nonlocal i
        if toks[i] == ("op", "("):
            i += 1
            v = or_()
            check(toks[i] == ("op", ")"), f"rules:if {text!r}: no closing parenthesis")
            i += 1
            return v
        left = value(toks[i])
        i += 1
        if i < len(toks) and toks[i][0] == "op" and toks[i][1] in ("==", "!=", "=~", "!~"):
            op = toks[i][1]
            right = value(toks[i + 1])
            i += 2
            if op in ("=~", "!~"):
                found = left is not None and isinstance(right, re.Pattern) and right.search(left) is not None
                return found if op == "=~" else not found
            return (left == right) if op == "==" else (left != right)
        return left is not None and left != ""

    def and_():
        nonlocal i
        v = atom()
        while i < len(toks) and toks[i] == ("op", "&&"):
            i += 1
            v = atom() and v
        return v

    def or_():
        nonlocal i
        v = and_()
        while i < len(toks) and toks[i] == ("op", "||"):
            i += 1
            v = and_() or v
        return v

    out = or_()
    check(i == len(toks), f"rules:if {text!r}: unexpected {toks[i:]}")
    return bool(out)


def deep_merge(base, over):
    out = dict(base)
    for k, v in over.items():
        out[k] = deep_merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


class GitLab:
    def __init__(self, runner, recipe):
        self.r, self.recipe = runner, Path(recipe)
        self.token = runner.stubs.token
        mgmt_name = next(n for n, i in runner.org.ids.items() if i == runner.org.mgmt)
        self.project_vars = {
            "ORGCTL_PLAN_ROLE": runner.org.roles[mgmt_name],
            "ORGCTL_ROLES": json.dumps(runner.org.roles),
            "ORGCTL_RELEASES": runner.stubs.url + "/releases",
            "ORGCTL_GITLAB_TOKEN": self.token,
        }
        self.pipelines = 100

    def load(self, text, where):
        doc = yaml.safe_load(text)
        check(isinstance(doc, dict), f"{where}: not a map")
        check("include" not in doc, f"{where}: include: is not emulated")
        for k in ("image", "services", "cache", "before_script", "after_script"):
            check(k not in doc, f"{where}: the global {k} (deprecated) is not emulated; use default:")
        raw = {k: v for k, v in doc.items() if k not in GL_RESERVED}

        def resolve(name, stack=()):
            job = raw[name]
            check(name not in stack, f"{where}: extends cycle at {name}")
            out = {}
            for parent in as_list(job.get("extends")):
                check(parent in raw, f"{where}: {name} extends unknown {parent}")
                out = deep_merge(out, resolve(parent, stack + (name,)))
            return deep_merge(out, {k: v for k, v in job.items() if k != "extends"})

        jobs = {}
        default = doc.get("default") or {}
        for name in raw:
            if name.startswith("."):
                continue
            job = resolve(name)
            check("inherit" not in job, f"{where}: {name}: inherit: is not emulated")
            if "trigger" not in job:
                for k, v in default.items():
                    job.setdefault(k, v)
            jobs[name] = job
        return doc, jobs

    def expand(self, s, variables, where):
        def rep(m):
            if m.group(0) == "$$":
                return "$"
            name = m.group(1) or m.group(2)
            check(name in variables, f"{where}: ${name} is not defined in this pipeline")
            return variables[name]

        return GL_VAR.sub(rep, str(s))

    def var_values(self, block, variables, where):
        out = {}
        for k, v in (block or {}).items():
            if isinstance(v, dict):
                v = v.get("value", "")
            out[k] = self.expand(to_str(v) if not isinstance(v, str) else v, variables | out, f"{where}: variables.{k}")
        return out

    def rules(self, rules, variables, event, where):
        """'on_success', 'manual', ... or None when the item is left out."""
        if rules is None:
            return "on_success"
        for rule in rules:
            unknown = set(rule) - {"if", "changes", "when", "variables"}
            check(not unknown, f"{where}: rules keys the runner does not emulate: {unknown}")
            if "if" in rule and not gl_rule(rule["if"], variables):
                continue
            if "changes" in rule:
                ch = rule["changes"]
                pats = ch["paths"] if isinstance(ch, dict) else ch
                if variables["CI_PIPELINE_SOURCE"] in ("push", "merge_request_event") and not any_match(pats, event["changed"]):
                    continue
            when = rule.get("when", "on_success")
            return None if when == "never" else when
        return None

    def predefined(self, event, pipeline_id, source):
        v = {
            "CI": "true", "GITLAB_CI": "true", "CI_PIPELINE_SOURCE": source, "CI_PIPELINE_ID": str(pipeline_id),
            "CI_DEFAULT_BRANCH": "main", "CI_PROJECT_ID": "42", "CI_PROJECT_PATH": "example/org",
            "CI_SERVER_URL": "https://gitlab.example", "CI_API_V4_URL": self.r.stubs.url + "/api/v4",
            "CI_COMMIT_SHA": "0123456789abcdef0123456789abcdef01234567", "CI_COMMIT_MESSAGE": event.get("message", ""),
        }
        if event["name"] == "merge_request_event":
            v |= {"CI_MERGE_REQUEST_IID": "7", "CI_MERGE_REQUEST_TARGET_BRANCH_NAME": "main", "CI_MERGE_REQUEST_SOURCE_BRANCH_NAME": "org-change", "CI_COMMIT_REF_NAME": "org-change"}
        else:
            v |= {"CI_COMMIT_BRANCH": "main", "CI_COMMIT_REF_NAME": "main"}
        return v

    def pipeline(self, text, where, event, source, inherited=None, parent=None):
        """Runs one pipeline; returns its record {status, jobs: [...], artifacts: {job: dir}}."""
        self.pipelines += 1
        pid = self.pipelines
        doc, jobs = self.load(text, where)
        variables = self.project_vars | self.predefined(event, pid, source) | (inherited or {})
        variables = variables | self.var_values(doc.get("variables"), variables, where)
        log(f"\n######## GitLab pipeline {pid} ({where}, {source})")
        if source != "parent_pipeline":
            wf = (doc.get("workflow") or {}).get("rules")
            if self.rules(wf, variables, event, f"{where}: workflow") is None:
                log("workflow:rules: no pipeline")
                return {"status": "none", "jobs": [], "artifacts": {}, "id": pid}
        stages = doc.get("stages") or ["build", "test", "deploy"]
        chosen = []
        for name, job in jobs.items():
            when = self.rules(job.get("rules"), variables, event, f"{where}: {name}")
            if when is None:
                continue
            check(job.get("stage", "test") in stages, f"{where}: {name}: stage {job.get('stage')} is not in {stages}")
            chosen.append(name)
        # Order: stages, then needs (a job runs after the jobs it needs, in any stage).
        order, seen = [], set()

        def visit(n, stack=()):
            check(n not in stack, f"{where}: needs cycle at {n}")
            if n in seen:
                return
            for need in as_list(jobs[n].get("needs")):
                if isinstance(need, dict) and "pipeline" in need:
                    continue
                dep = need["job"] if isinstance(need, dict) else need
                check(dep in chosen, f"{where}: {n} needs {dep}, which is not in this pipeline")
                visit(dep, stack + (n,))
            seen.add(n)
            order.append(n)

        for n in sorted(chosen, key=lambda n: stages.index(jobs[n].get("stage", "test"))):
            visit(n)
        rec = {"status": "success", "jobs": [], "artifacts": {}, "id": pid, "parent": parent, "variables": variables}
        status = {}
        for name in order:
            job = jobs[name]
            needs = as_list(job.get("needs")) if "needs" in job else None
            if needs is None:
                deps = [n for n in order[: order.index(name)] if stages.index(jobs[n].get("stage", "test")) < stages.index(job.get("stage", "test"))]
            else:
                deps = [x["job"] if isinstance(x, dict) else x for x in needs if not (isinstance(x, dict) and "pipeline" in x)]
            if any(status[d] != "success" for d in deps):
                status[name] = "skipped"
                log(f"-- job {name}: skipped (an earlier job did not succeed)")
                continue
            if "trigger" in job:
                ok = self.trigger(name, job, variables, event, rec)
            else:
                ok = self.job(name, job, variables, event, rec, needs, deps, where)
            status[name] = "success" if ok else "failure"
            if not ok:
                rec["status"] = "failure"
        rec["status_by_job"] = status
        return rec

    def job(self, name, job, pvars, event, rec, needs, deps, where):
        check("timeout" in job, f"{where}: job {name}: no timeout")
        for k in job:
            check(k in {"stage", "image", "id_tokens", "before_script", "script", "variables", "rules", "timeout", "artifacts", "needs", "environment", "resource_group", "extends"},
                  f"{where}: job {name}: {k}: is not emulated")
        d = self.r.tmpdir(name)
        ws, home = d / "project", d / "home"
        ws.mkdir()
        home.mkdir()
        shutil.copytree(self.r.fixture, ws, dirs_exist_ok=True)  # GitLab clones the repository
        variables = pvars | {"CI_JOB_NAME": name, "CI_JOB_ID": str(5000 + self.r.counter), "CI_PROJECT_DIR": str(ws), "CI_BUILDS_DIR": str(d), "CI_JOB_TOKEN": "dummy-job-token", "CI_JOB_STAGE": job.get("stage", "test")}
        variables |= self.var_values(job.get("variables"), variables, f"{where}: {name}")
        for tok, spec in (job.get("id_tokens") or {}).items():
            check(spec.get("aud") == "sts.amazonaws.com", f"{where}: {name}: id_tokens.{tok}.aud must be sts.amazonaws.com")
            variables[tok] = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJwcm9qZWN0X3BhdGg6ZXhhbXBsZS9vcmcifQ.dummy-signature"
        env_name = job.get("environment")
        if isinstance(env_name, dict):
            env_name = env_name.get("name")
        if env_name is not None:
            env_name = self.expand(env_name, variables, f"{where}: {name}: environment")
        # Artifacts: of the jobs it needs (or of every earlier stage), and needs:pipeline.
        for need in needs or []:
            if isinstance(need, dict) and "pipeline" in need:
                parent = rec["parent"]
                pid = self.expand(need["pipeline"], variables, f"{where}: {name}: needs:pipeline")
                check(parent and pid == str(parent["id"]), f"{where}: {name}: needs pipeline {pid}, not the parent pipeline")
                check(need["job"] in parent["artifacts"], f"{where}: {name}: the parent's {need['job']} has no artifacts")
                shutil.copytree(parent["artifacts"][need["job"]], ws, dirs_exist_ok=True)
        for dep in deps:
            spec = next((x for x in needs or [] if isinstance(x, dict) and x.get("job") == dep), {})
            if dep in rec["artifacts"] and spec.get("artifacts", True):
                shutil.copytree(rec["artifacts"][dep], ws, dirs_exist_ok=True)
        log(f"\n-- job {name}" + (f" (environment {env_name})" if env_name else "") + (f" (resource_group {job['resource_group']})" if job.get("resource_group") else ""))
        lines = ["set -eo pipefail"]
        for item in as_list(job.get("before_script")) + as_list(job.get("script")):
            check(isinstance(item, str), f"{where}: {name}: a script item that is not a string: {item!r}")
            lines.append(f"printf '%s\\n' {shlex.quote('$ ' + item.splitlines()[0])}")
            lines.append(item)
        (d / "job.sh").write_text("\n".join(lines) + "\n")
        env = self.r.base_env(home) | variables
        before = len(self.r.org.calls())
        rc = self.r.bash(["bash", "--noprofile", "--norc", str(d / "job.sh")], env, ws)
        calls = self.r.org.calls()[before:]
        ok = rc == 0
        if ok and job.get("artifacts"):
            a = job["artifacts"]
            store = self.r.tmpdir(f"artifacts-{name}")
            for pat in a.get("paths", []):
                found = glob.glob(str(ws / pat))
                check(found, f"{where}: {name}: artifacts path {pat} matches nothing")
                for f in found:
                    shutil.copy(f, store / Path(f).name)
            for kind, f in (a.get("reports") or {}).items():
                check(kind == "terraform", f"{where}: {name}: reports:{kind} is not emulated")
                counts = json.loads((ws / f).read_text())
                check(set(counts) == {"create", "update", "delete"} and all(isinstance(x, int) for x in counts.values()), f"{where}: {name}: the terraform report is not {{create, update, delete}}: {counts}")
                rec.setdefault("reports", {})[name] = counts
            rec["artifacts"][name] = store
        rec["jobs"].append({"name": name, "ok": ok, "environment": env_name, "variables": variables, "calls": calls, "resource_group": job.get("resource_group")})
        log(f"-- job {name}: {'success' if ok else f'failure (exit {rc})'}")
        return ok

    def trigger(self, name, job, pvars, event, rec):
        t = job["trigger"]
        check(isinstance(t, dict) and t.get("strategy") == "depend", f"job {name}: a trigger with strategy: depend")
        inc = as_list(t.get("include"))
        check(len(inc) == 1 and set(inc[0]) == {"artifact", "job"}, f"job {name}: trigger:include must be one artifact of a job: {inc}")
        src = rec["artifacts"].get(inc[0]["job"])
        check(src and (src / inc[0]["artifact"]).exists(), f"job {name}: no artifact {inc[0]['artifact']} from {inc[0]['job']}")
        child = src / inc[0]["artifact"]
        log(f"\n-- job {name}: triggers the child pipeline {inc[0]['artifact']} of {inc[0]['job']}")
        self.r.lint(child, "vendor.gitlab-ci")
        doc = yaml.safe_load(self.recipe.read_text())
        forwarded = self.var_values(doc.get("variables"), pvars, "variables") | self.var_values(job.get("variables"), pvars, f"{name}: variables")
        sub = self.pipeline(child.read_text(), f"{inc[0]['artifact']} (child)", event, "parent_pipeline", forwarded, rec)
        rec.setdefault("children", []).append(sub)
        rec["jobs"].append({"name": name, "ok": sub["status"] == "success", "resource_group": job.get("resource_group"), "trigger": True})
        return sub["status"] == "success"

    def checks(self):
        doc = yaml.safe_load(self.recipe.read_text())
        rules = (doc.get("workflow") or {}).get("rules") or []
        for src in ("merge_request_event", "push"):
            r = next((x for x in rules if src in x.get("if", "")), None)
            check(r and "org.yaml" in r.get("changes", []) and any_match(r["changes"], ["policies/x.json", "policies/a/b.json"]), f"workflow:rules for {src} must have changes: org.yaml and policies/**")
        check(any("schedule" in x.get("if", "") for x in rules), "workflow:rules: no schedule")
        check(not re.search(r"orgctl apply[^\n]*--allow-destroy", self.recipe.read_text()), "apply must not pass --allow-destroy by default (only through the opt-in)")

    def scenario(self):
        r = self.r
        r.lint(self.recipe, "vendor.gitlab-ci")
        self.checks()
        text = self.recipe.read_text()
        events = r.args.events
        if "pull_request" in events:
            ev = {"name": "merge_request_event", "changed": ["org.yaml"]}
            before = len(r.org.calls())
            p = self.pipeline(text, self.recipe.name, ev, "merge_request_event")
            names = [j["name"] for j in p["jobs"]]
            check(names == ["plan"] and p["status"] == "success", f"merge request: {p.get('status_by_job')}")
            md = r.markdown(p["artifacts"]["plan"] / "plan.json")
            notes = r.stubs.notes.get(("42", "7"), [])
            check(len(notes) == 1 and notes[0]["body"] == "<!-- orgctl plan -->\n" + md, f"merge request: the note is not the plan's Markdown: {[n['body'][:200] for n in notes]}")
            plan = json.loads((p["artifacts"]["plan"] / "plan.json").read_text())
            acts = [c["action"] for c in plan["changes"]]
            want = {"create": sum(a in ("create", "replace") for a in acts), "update": acts.count("update"), "delete": sum(a in ("delete", "replace") for a in acts)}
            check(p.get("reports", {}).get("plan") == want, f"merge request: terraform report {p.get('reports')} != {want}")
            writes = [c for c in r.org.calls()[before:] if is_write(c)]
            check(not writes, f"merge request: the plan job wrote to AWS: {writes[:5]}")
            # A second push to the merge request edits the note in place.
            p2 = self.pipeline(text, self.recipe.name, ev, "merge_request_event")
            check(p2["status"] == "success" and len(r.stubs.notes[("42", "7")]) == 1 and r.stubs.note_writes[-1][0] == "PUT", f"merge request: the second plan did not edit the note: {r.stubs.note_writes}")
            log(f"== merge request: plan job ok, one note = the plan's Markdown ({len(md)} characters), edited in place; terraform report {want}; no AWS write")
        if "push" in events:
            ev = {"name": "push", "changed": ["org.yaml"], "message": f"Merge branch 'org-change' into 'main'\n\nReviewed plan replaces GuardDuty's administrator {DESTROY_MARKER}"}
            before = len(r.org.calls())
            p = self.pipeline(text, self.recipe.name, dict(ev, message="Merge branch 'org-change' into 'main'"), "push")
            check(p["status_by_job"] == {"plan:main": "failure", "apply": "skipped"}, f"push without the opt-in: plan:main must stop a destructive plan: {p['status_by_job']}")
            writes = [c for c in r.org.calls()[before:] if is_write(c)]
            check(not writes, f"push without the opt-in: writes: {writes[:5]}")
            log("== push without [orgctl allow-destroy]: plan:main stops the destructive plan, no child pipeline, no AWS write")
            p = self.pipeline(text, self.recipe.name, ev, "push")
            check([j["name"] for j in p["jobs"]] == ["plan:main", "apply"], f"push: {p.get('status_by_job')}")
            check(all(j["resource_group"] == "orgctl" for j in p["jobs"]), "push: plan:main and apply need resource_group: orgctl")
            plan = json.loads((p["artifacts"]["plan:main"] / "plan.json").read_text())
            stages = plan["stages"]
            child = p["children"][0]
            got = [(j["variables"].get("ORGCTL_STAGE"), j["variables"].get("ORGCTL_ACCOUNT")) for j in child["jobs"]]
            check(got == [(str(s["number"]), s["account_name"]) for s in stages], f"push: the child pipeline's jobs {got} are not the plan's stages in order")
            for j, s in zip(child["jobs"], stages):
                check(j["ok"], f"push: {j['name']} failed")
                check(j["environment"] == f"orgctl/{s['account_name']}", f"push: {j['name']}: environment {j['environment']}")
                check(j["variables"].get("ORGCTL_ID_TOKEN") and "AWS_ACCESS_KEY_ID" not in j["variables"], f"push: {j['name']}: OIDC only, no keys")
                n = r.stage_writes(j["calls"], s["account_id"], f"push: {j['name']}")
                sts = [c for c in j["calls"] if c["action"].endswith("AssumeRoleWithWebIdentity")]
                check(sts, f"push: {j['name']}: no AssumeRoleWithWebIdentity (did the SDK use the OIDC token?)")
                log(f"== push: {j['name']}: AssumeRoleWithWebIdentity, {n} writes, all from {s['account_name']} ({s['account_id']}), environment {j['environment']}")
            check(p["status"] == "success", f"push: {p.get('status_by_job')}")
            r.final_plan()
            p = self.pipeline(text, self.recipe.name, ev, "push")
            jobs = [j["name"] for j in p["children"][0]["jobs"]] if p.get("children") else None
            check(p["status"] == "success" and jobs == ["no changes"], f"push with nothing to apply: {p.get('status_by_job')} child jobs {jobs}")
            log("== push with nothing to apply: the child pipeline is its one `no changes` job")
        if "schedule" in events:
            p = self.pipeline(text, self.recipe.name, {"name": "schedule", "changed": []}, "schedule")
            check([j["name"] for j in p["jobs"]] == ["drift"] and p["status"] == "success", f"schedule: {p.get('status_by_job')}")
            log("== schedule: the drift job passes")
            r.hand_edit()
            p = self.pipeline(text, self.recipe.name, {"name": "schedule", "changed": []}, "schedule")
            check(p["status_by_job"] == {"drift": "failure"}, f"schedule after a change by hand: the drift job must fail: {p['status_by_job']}")
            log("== schedule after a change by hand: the drift job fails")


# --------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("recipe")
    ap.add_argument("--emulator", required=True, help="the emulator's URL (seeded: seed.py demo --legacy)")
    ap.add_argument("--bin-archive-dir", help="where the release archive and its .sha256 are (made here with --orgctl-bin if missing)")
    ap.add_argument("--orgctl-bin", help="the binary to package with scripts/dist.sh when the archive is missing")
    ap.add_argument("--ci", choices=["github", "gitlab"], help="default: from the file (jobs: + on: is GitHub)")
    ap.add_argument("--events", default="pull_request,push,schedule", help="which runs, in order (pull_request is GitLab's merge_request_event)")
    ap.add_argument("--no-lint", action="store_true", help="skip check-jsonschema")
    ap.add_argument("--work", help="the working directory (default: a temporary one, removed unless --keep)")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    args.events = [e.strip() for e in args.events.split(",") if e.strip()]
    # This process's own AWS calls (boto3) use explicit test credentials; nothing of the
    # caller's AWS setup (a profile, keys, a config file) may reach them or the jobs.
    for k in [k for k in os.environ if k.startswith("AWS_")]:
        del os.environ[k]
    os.environ.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull, AWS_EC2_METADATA_DISABLED="true")
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="orgctl-recipe-"))
    work.mkdir(parents=True, exist_ok=True)
    if not args.bin_archive_dir:
        args.bin_archive_dir = str(work / "dist")
    archive = Path(args.bin_archive_dir) / f"orgctl-v{version()}-{TARGET}.tar.gz"
    stubs = None
    try:
        if not archive.exists():
            check(args.orgctl_bin, f"no {archive}: make it with scripts/dist.sh, or pass --orgctl-bin")
            subprocess.run([str(ROOT / "scripts/dist.sh"), "--bin", str(Path(args.orgctl_bin).resolve()), "--target", TARGET, "--out", str(Path(args.bin_archive_dir).resolve())], check=True, stdout=subprocess.DEVNULL)
        check(Path(str(archive) + ".sha256").exists(), f"no {archive}.sha256")
        org = Org(args.emulator)
        stubs = Stubs(args.bin_archive_dir, "glpat-dummy-orgctl")
        runner = Runner(args, org, stubs, work)
        text = Path(args.recipe).read_text()
        kind = args.ci or ("github" if re.search(r"^jobs:", text, re.M) and re.search(r"^on:", text, re.M) else "gitlab")
        log(f"{kind}: {args.recipe}; emulator {org.url} (management {org.mgmt}, accounts {sorted(org.ids)}); releases {stubs.url}/releases; work {work}")
        (GitHub if kind == "github" else GitLab)(runner, args.recipe).scenario()
        check(stubs.downloads, "no job downloaded orgctl")
        log(f"\nOK: {args.recipe} ran as written ({len(stubs.downloads) // 2} checksum-verified installs of orgctl)")
        return 0
    except Fail as e:
        log(f"\nFAIL: {e}")
        return 1
    finally:
        if stubs:
            stubs.close()
        if not args.work and not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
