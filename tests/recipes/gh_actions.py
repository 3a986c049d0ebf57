"""GitHub Actions for the recipe runner (run_recipe.py): the `${{ }}` expressions of the forms the
recipe uses, the few actions it emulates, and the runs of a workflow per event."""

import glob
import json
import os
import re
import shutil
from pathlib import Path

import yaml

from recipe_common import DESTROY_MARKER, Fail, any_match, as_list, check, is_write, log, to_str, truthy


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


