"""GitLab CI for the recipe runner (run_recipe.py): rules, variables, extends/default, needs and
artifacts, id_tokens, the trigger of a child pipeline from an artifact, and the runs per
pipeline source."""

import glob
import json
import re
import shlex
import shutil
from pathlib import Path

import yaml

from recipe_common import DESTROY_MARKER, Fail, any_match, as_list, check, is_write, log, to_str


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


def code_quality_ok(report, where):
    """GitLab's code-quality report: a JSON array of issues, each with the members GitLab reads
    (docs.gitlab.com, ci/testing/code_quality: description, check_name, fingerprint, severity,
    location.path, location.lines.begin); GitLab ignores the whole report if one lacks them."""
    check(isinstance(report, list), f"{where}: not a JSON array")
    for e in report:
        check(isinstance(e, dict) and all(isinstance(e.get(k), str) and e[k] for k in ("description", "check_name", "fingerprint")), f"{where}: an entry without description/check_name/fingerprint: {e}")
        check(e.get("severity") in ("info", "minor", "major", "critical", "blocker"), f"{where}: severity {e.get('severity')!r}")
        loc = e.get("location") or {}
        check(isinstance(loc.get("path"), str) and not loc["path"].startswith("/") and isinstance((loc.get("lines") or {}).get("begin"), int), f"{where}: location {loc}")
    check(len({e["fingerprint"] for e in report}) == len(report), f"{where}: two entries share a fingerprint")


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
        a = job.get("artifacts") or {}
        when = a.get("when", "on_success")
        check(when in ("on_success", "always"), f"{where}: {name}: artifacts:when {when} is not emulated")
        if a and (ok or when == "always"):
            store = self.r.tmpdir(f"artifacts-{name}")
            for pat in a.get("paths", []):
                found = glob.glob(str(ws / pat))
                # GitLab only warns about a path that matches nothing; a job that succeeded
                # must have made all of its artifacts.
                check(found or not ok, f"{where}: {name}: artifacts path {pat} matches nothing")
                for f in found:
                    shutil.copy(f, store / Path(f).name)
            for kind, f in (a.get("reports") or {}).items():
                check(kind in ("terraform", "codequality"), f"{where}: {name}: reports:{kind} is not emulated")
                if not (ws / f).exists():
                    check(not ok, f"{where}: {name}: reports:{kind} {f} was not written")
                    continue
                report = json.loads((ws / f).read_text())
                if kind == "codequality":
                    code_quality_ok(report, f"{where}: {name}: reports:codequality")
                else:
                    check(set(report) == {"create", "update", "delete"} and all(isinstance(x, int) for x in report.values()), f"{where}: {name}: the terraform report is not {{create, update, delete}}: {report}")
                rec.setdefault("reports", {}).setdefault(name, {})[kind] = report
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

    def typo_merge_request(self, text, ev):
        """A merge request whose org.yaml has a Region typo: the plan job fails before any AWS
        call, the code-quality report puts the finding on the typo's line, no note is posted."""
        r = self.r
        good = (r.fixture / "org.yaml").read_text()
        line = next(i for i, l in enumerate(good.splitlines(), 1) if "eu-west-1" in l)
        (r.fixture / "org.yaml").write_text(good.replace("eu-west-1", "eu-wset-1", 1))
        try:
            before = len(r.org.calls())
            p = self.pipeline(text, self.recipe.name, ev, "merge_request_event")
        finally:
            (r.fixture / "org.yaml").write_text(good)
        check(p["status_by_job"] == {"plan": "failure"}, f"merge request with a typo: {p['status_by_job']}")
        cq = p.get("reports", {}).get("plan", {}).get("codequality") or []
        hit = [e for e in cq if e["location"] == {"path": "org.yaml", "lines": {"begin": line}} and "eu-west-1" in e["description"]]
        check(len(hit) == 1 and hit[0]["severity"] == "critical", f"merge request with a typo: the code-quality report {cq} has no finding on org.yaml:{line}")
        calls = r.org.calls()[before:]
        check(not calls, f"merge request with a typo: AWS was called: {calls[:5]}")
        check(not r.stubs.notes.get(("42", "7")), "merge request with a typo: a note was posted")
        log(f"== merge request with a typo: plan job fails, code-quality report on org.yaml:{line} ({hit[0]['description'][:60]}...), no AWS call, no note")

    def scenario(self):
        r = self.r
        r.lint(self.recipe, "vendor.gitlab-ci")
        self.checks()
        text = self.recipe.read_text()
        events = r.args.events
        if "pull_request" in events:
            ev = {"name": "merge_request_event", "changed": ["org.yaml"]}
            self.typo_merge_request(text, ev)
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
            cq = p.get("reports", {}).get("plan", {}).get("codequality")
            check(cq == [], f"merge request: the code-quality report of a valid org.yaml is not empty: {cq}")
            check(p.get("reports", {}).get("plan", {}).get("terraform") == want, f"merge request: terraform report {p.get('reports')} != {want}")
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


