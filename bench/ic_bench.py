#!/usr/bin/env python3
"""Benchmark (not a test): `orgctl plan` of Identity Center, run as the Identity Center
delegated administrator, on 1,000 accounts / 20 permission sets / 200 groups / 2,000
assignments (defaults) in orgctl's emulator.

Seeds the organization and the instance (seed.py bench --ic-…), writes the matching org.yaml
(every user, group, membership, permission set and assignment declared, so `plan` must find
no changes), runs `orgctl --api-stats plan` with the delegated admin's credentials and prints
the calls per operation against a lower bound, wall time and peak RSS.

Lower bound for what the file declares, as the delegated administrator may read it (it may
not call ListAccountAssignmentsForPrincipal, which AWS reserves to the management account):
ListInstances; one ListUsers / ListGroups page per 100; one ListGroupMemberships page per 100
members of each declared group; one ListPermissionSets page per 100 and one
DescribePermissionSet per permission set (names are only in the description); per declared
permission set, one page each of its managed policies, customer-managed policies, inline
policy, permissions boundary and provisioned accounts; one ListAccountAssignments page per
(permission set, provisioned account) pair. The naive alternative, ListAccountAssignments
for every account × permission set, is printed for comparison.

Reads at the floor (issue 15): --pairs P spreads the assignments over exactly P (permission
set, account) pairs (seed.py --ic-pairs; 10,000 over 2,000: 5 groups per pair). --delay-ms D
and/or --rate R put bench/latency_proxy.py in front of the emulator: a warm-up plan at delay 0
records every answer (the proxy's --cache, keyed by access key, service, operation and
parameters; the reference reader makes no Identity Center reads, so orgctl's own plan is the
recorder), then a plan at D ms per request (the latency run; its calls are the table's), then,
with --rate, a plan with each service limited to R requests/s (token bucket of --burst, default
R; above it the service's own throttling error). The quota run prints, per service, calls,
calls / R, requests and throttled answers; the quota floor = max over services of calls / R
(and (calls - burst) / R, what the full bucket strictly allows); wall / floor against 1.3;
attempts; peak RSS against 60 MB; whether the plan reported no changes; and, for the limiting
service, from the proxy's trace: the quota left unused (seconds of refill lost while the bucket
was full) and per-window admitted / throttled requests per second and requests in flight.
--repeat N makes N quota runs on the same seed; --max-attempts / --concurrency pass orgctl's
hidden flags (diagnosis). Exit 1 if calls > 1.1 x bound or (with --rate) a quota run fails,
takes > 1.3 x floor or peaks at >= 60 MB.
"""
import argparse
import hashlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from latency_proxy import LatencyProxy  # noqa: E402
from plan_bench import lower_bound as org_bound, org_yaml, start_emulator  # noqa: E402


def pages(n, size=100):
    return max(1, math.ceil(n / size))


def ic_yaml(ic):
    lines = ["identity_center:", "  users:"]
    lines += [f"    - {{ user_name: {u}, display_name: User {u}, given_name: User, family_name: {u} }}" for u in ic["users"]]
    lines.append("  groups:")
    lines += [f"    - {{ name: {g}, members: [{', '.join(m)}] }}" for g, m in sorted(ic["groups"].items())]
    lines.append("  permission_sets:")
    lines += [f"    - {{ name: {p}, managed_policies: [arn:aws:iam::aws:policy/ReadOnlyAccess] }}" for p in ic["permission_sets"]]
    lines.append("  assignments:")
    lines += [f'    - {{ permission_set: {p}, group: {g}, targets: ["account:{a}"] }}' for p, g, a in ic["assignments"]]
    return "\n".join(lines) + "\n"


def ic_bound(ic):
    pairs = {(p, a) for p, _, a in ic["assignments"]}
    per_ps = {}
    for p, a in pairs:
        per_ps[p] = per_ps.get(p, 0) + 1
    n = len(ic["permission_sets"])
    return {
        "sso:ListInstances": 1,
        "identitystore:ListUsers": pages(len(ic["users"])),
        "identitystore:ListGroups": pages(len(ic["groups"])),
        "identitystore:ListGroupMemberships": sum(pages(len(m)) for m in ic["groups"].values()),
        "sso:ListPermissionSets": pages(n),
        "sso:DescribePermissionSet": n,
        "sso:ListManagedPoliciesInPermissionSet": n,
        "sso:ListCustomerManagedPolicyReferencesInPermissionSet": n,
        "sso:GetInlinePolicyForPermissionSet": n,
        "sso:GetPermissionsBoundaryForPermissionSet": n,
        "sso:ListAccountsForProvisionedPermissionSet": sum(pages(per_ps.get(p, 0)) for p in ic["permission_sets"]),
        "sso:ListAccountAssignments": len(pairs),
    }


def canonical(op):
    """The client's `service:Operation` key in the bound's naming."""
    svc, name = op.split(":", 1)
    svc = {"sso admin": "sso", "ssoadmin": "sso", "identitystore": "identitystore"}.get(svc, svc)
    return f"{svc}:{name}"


def service_calls(calls):
    """{service: calls} from {service:Operation: calls} (the proxy's SigV4 service names)."""
    out = {}
    for op, n in calls.items():
        svc = op.split(":", 1)[0]
        out[svc] = out.get(svc, 0) + n
    return out


def in_flight(rows):
    """(mean, peak) requests in flight over the rows' span: rows [(start, end), ...]."""
    if not rows:
        return 0.0, 0
    events = sorted([(a, 1) for a, _ in rows] + [(b, -1) for _, b in rows], key=lambda e: (e[0], e[1]))
    n = peak = 0
    for _, d in events:
        n += d
        peak = max(peak, n)
    span = max(b for _, b in rows) - min(a for a, _ in rows)
    return (sum(b - a for a, b in rows) / span if span > 0 else 0.0), peak


def unused_quota(admits, rate, burst, start, end):
    """Seconds of the token bucket's refill lost because it was full: a bucket of `burst` tokens
    refilled at `rate`, starting full at `start`, taking one token at each of `admits` (the
    requests it let through, time-ordered), until `end`; the overflow / rate."""
    tokens, t, lost = burst, start, 0.0
    for k, x in enumerate(admits + [end]):
        tokens += (x - t) * rate
        if tokens > burst:
            lost += tokens - burst
            tokens = burst
        if k < len(admits):
            tokens -= 1
        t = x
    return lost / rate


def analyse(trace, svc, rate, burst, delay, wall):
    """Lines on where the time beyond the floor went for the limiting service `svc`, from the
    proxy's trace [(start, end, service, operation, outcome)] (times from the first request)."""
    rows = [r for r in trace if r[2] == svc]
    if not rows:
        return []
    ok = sorted(r[0] + delay for r in rows if r[4] == "ok")  # the bucket decides after the delay
    thr = [r for r in rows if r[4] == "throttled"]
    first, last = min(r[0] for r in rows), max(r[1] for r in rows)
    lost = unused_quota(ok, rate, burst, first, last)
    mean, peak = in_flight([(r[0], r[1]) for r in rows])
    lines = [f"analysis of {svc} (the limiting service): its requests from {first:.2f} s to {last:.2f} s after the first request of the run "
             f"(the run's wall {wall:.2f} s); {len(ok)} admitted, {len(thr)} throttled; {mean:.1f} in flight on average, peak {peak}",
             f"  quota left unused (the bucket full while nobody asked): {lost:.2f} s of refill; (admitted - burst) / rate = {(len(ok) - burst) / rate:.2f} s; "
             f"so the span {last - first:.2f} s ~ {(len(ok) - burst) / rate:.2f} + {lost:.2f} + the last round trip"]
    gaps, busy_until = [], first
    for r in sorted(rows):
        if r[0] - busy_until > 1.0:
            gaps.append((busy_until, r[0]))
        busy_until = max(busy_until, r[1])
    if gaps:
        lines.append(f"  no {svc} request in flight for {sum(b - a for a, b in gaps):.2f} s in gaps over 1 s: " + ", ".join(f"{a:.1f}-{b:.1f} s" for a, b in gaps))
    others = {}
    for r in trace:
        if r[2] != svc:
            o = others.setdefault(r[2], [r[0], r[1], 0, 0])
            o[0], o[1] = min(o[0], r[0]), max(o[1], r[1])
            o[2 if r[4] == "ok" else 3] += 1
    if others:
        lines.append("  the other services: " + "; ".join(f"{k} {v[0]:.1f}-{v[1]:.1f} s ({v[2]} admitted, {v[3]} throttled)" for k, v in sorted(others.items())))
    width = max(1.0, round((last - first) / 20))
    lines.append(f"  per {width:g} s: admitted/s, throttled/s, mean in flight (ok + throttled)")
    t = first
    while t < last:
        win = [r for r in rows if t <= r[0] < t + width]
        busy = sum(max(0.0, min(r[1], t + width) - max(r[0], t)) for r in rows if r[0] < t + width and r[1] > t)
        n_ok = sum(1 for r in win if r[4] == "ok")
        lines.append(f"    {t - first:7.1f} s  {n_ok / width:5.1f}  {(len(win) - n_ok) / width:6.1f}  {busy / width:5.1f}")
        t += width
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgctl", default=os.path.join(ROOT, "target", "release", "orgctl"))
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--permission-sets", type=int, default=20)
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--users", type=int, default=500)
    ap.add_argument("--assignments", type=int, default=2000)
    ap.add_argument("--pairs", type=int, default=0, help="spread the assignments over exactly this many (permission set, account) pairs (seed.py --ic-pairs)")
    ap.add_argument("--apply", action="store_true", help="seed no assignments; measure `apply` creating them all, then `plan`")
    ap.add_argument("--delay-ms", type=float, default=None, help="plan through bench/latency_proxy.py adding this delay per request")
    ap.add_argument("--rate", type=float, default=None, help="then plan again with the proxy limiting each service to this many requests/s")
    ap.add_argument("--burst", type=float, default=None, help="token bucket size for --rate (default: --rate)")
    ap.add_argument("--no-cache", action="store_true", help="with the proxy: let the emulator answer every read (its CPU then counts)")
    ap.add_argument("--max-attempts", type=int, default=None, help="diagnosis: orgctl --max-attempts (hidden flag; default: orgctl's, 8)")
    ap.add_argument("--concurrency", type=int, default=None, help="diagnosis: orgctl --concurrency (hidden flag; default: orgctl's, 8)")
    ap.add_argument("--repeat", type=int, default=1, help="quota runs (each with full buckets) on the same seed")
    ap.add_argument("--trace", help="write the proxy's trace of the --rate run (JSON) to this file (FILE.N with --repeat)")
    a = ap.parse_args()
    if not os.path.exists(a.orgctl):
        sys.exit(f"{a.orgctl} not found (make build / cargo build --release)")
    with open(a.orgctl, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    print(f"orgctl: {a.orgctl} (modified {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(os.stat(a.orgctl).st_mtime))} UTC, sha256 {digest})")
    proxied = a.delay_ms is not None or a.rate is not None
    delay_ms = a.delay_ms or 0.0
    proc, url = start_emulator()
    proxy = None
    results = {}
    try:
        t0 = time.time()
        out = subprocess.run([sys.executable, os.path.join(ROOT, "emulator", "seed.py"), "--endpoint", url, "bench", "--accounts", str(a.accounts), "--ous", "100", "--delegations", "8",
                              "--ic-permission-sets", str(a.permission_sets), "--ic-groups", str(a.groups), "--ic-users", str(a.users), "--ic-assignments", str(a.assignments),
                              "--ic-pairs", str(a.pairs)] + (["--ic-skip-assignments"] if a.apply else []), capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"seed failed ({out.returncode}): {out.stderr[-2000:]}")
        seed = json.loads(out.stdout)
        ic = seed["identity_center"]
        n_pairs = len({(p, acct) for p, _, acct in ic["assignments"]})
        assign_line = next((x for x in out.stderr.splitlines() if "account assignments in" in x), "")
        print(f"seeded {len(seed['accounts'])} accounts, {len(ic['permission_sets'])} permission sets, {len(ic['groups'])} groups, {len(ic['users'])} users, "
              f"{len(ic['assignments'])} assignments over {n_pairs} (permission set, account) pairs in {time.time() - t0:.1f} s"
              + (f" ({assign_line.split('seed: ', 1)[-1]})" if assign_line else ""))
        admin = seed["accounts"][seed["admins"]["sso.amazonaws.com"]]
        kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
        creds = boto3.client("sts", **kw).assume_role(RoleArn=f"arn:aws:iam::{admin}:role/OrganizationAccountAccessRole", RoleSessionName="bench")["Credentials"]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "org.yaml")
            with open(path, "w") as f:
                f.write(org_yaml(seed) + ic_yaml(ic))
            env = {"PATH": os.environ.get("PATH", ""), "HOME": d, "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": creds["AccessKeyId"], "AWS_SECRET_ACCESS_KEY": creds["SecretAccessKey"], "AWS_SESSION_TOKEN": creds["SessionToken"],
                   "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
            if a.apply:
                # Each assignment operation stays IN_PROGRESS for half a second, so the ten
                # orgctl keeps in flight overlap as they would on AWS (where they take seconds).
                urllib.request.urlopen(urllib.request.Request(url + "/orgctl-emulator/config", method="POST", data=b'{"create_delay": 0.5}')).read()
                t1 = time.time()
                run = subprocess.run([a.orgctl, "--api-stats", "apply", "-f", path, "--auto-approve"], env=env, capture_output=True, text=True)
                took = time.time() - t1
                if run.returncode != 0:
                    print(run.stdout[-3000:], run.stderr[-3000:])
                    sys.exit(f"apply exited {run.returncode}")
                st = json.loads(next(l for l in run.stderr.splitlines() if l.startswith("orgctl-api-stats ")).split(" ", 1)[1])
                peak = json.loads(urllib.request.urlopen(url + "/orgctl-emulator/stats").read())["sso"]["peak_outstanding_assignment_ops"]
                created = sum(v["calls"] for k, v in st["api_calls"].items() if k.endswith(":CreateAccountAssignment"))
                polls = sum(v["calls"] for k, v in st["api_calls"].items() if k.endswith(":DescribeAccountAssignmentCreationStatus"))
                print(f"apply: {created} CreateAccountAssignment + {polls} status calls, {st['total_calls']} calls in all, {took:.1f} s; peak assignment operations in progress {peak} (AWS limit 10); peak RSS {(st.get('peak_rss_kib') or 0) / 1024:.1f} MB")

            def plan(label):
                t1 = time.perf_counter()
                extra = (["--max-attempts", str(a.max_attempts)] if a.max_attempts else []) + (["--concurrency", str(a.concurrency)] if a.concurrency else [])
                run = subprocess.run([a.orgctl, "--api-stats"] + extra + ["plan", "-f", path, "--detailed-exitcode"], env=env, capture_output=True, text=True)
                wall = time.perf_counter() - t1
                stats = next((json.loads(x.split(" ", 1)[1]) for x in run.stderr.splitlines() if x.startswith("orgctl-api-stats ")), None)
                errs = [x for x in (run.stderr + run.stdout).splitlines() if x.strip() and not x.startswith("orgctl-api-stats ")]
                r = {"wall": wall, "rc": run.returncode, "stats": stats, "why": "" if run.returncode == 0 else "\n".join(errs[-12:])[-2500:]}
                if proxy is not None:
                    r["proxy"] = proxy.stats()
                    r["trace"] = proxy.trace()
                results[label] = r
                return r

            if not proxied:
                plan("direct")
            else:
                proxy = LatencyProxy(url, delay_ms=0, cache=not a.no_cache).start()
                env["AWS_ENDPOINT_URL"] = proxy.url
                if not a.no_cache:
                    # The recorder: orgctl's own plan at delay 0 (the reference reader does not
                    # make Identity Center reads); the cache is keyed by access key, service,
                    # operation and parameters, so the measured plans replay these answers.
                    w = plan("warm-up")
                    print(f"warm-up (delay 0, the emulator answering): plan {w['wall']:.1f} s, exit {w['rc']}; {len(proxy._cache)} answers recorded")
                proxy.configure(delay_ms=delay_ms)
                proxy.reset_stats()
                plan("latency")
                for i in range(a.repeat if a.rate is not None else 0):
                    proxy.configure(rate=a.rate, burst=a.burst)  # buckets start full
                    proxy.reset_stats()
                    plan(f"quota {i + 1}")
                    if a.trace:
                        with open(a.trace if a.repeat == 1 else f"{a.trace}.{i + 1}", "w") as f:
                            json.dump(results[f"quota {i + 1}"]["trace"], f)
    finally:
        if proxy is not None:
            proxy.stop()
        proc.kill()
    main_run = results.get("direct") or results.get("latency")
    if main_run["rc"] != 0 or main_run["stats"] is None:
        print(main_run["why"])
        sys.exit(f"plan exited {main_run['rc']} (expected 0: no changes)")
    stats, wall = main_run["stats"], main_run["wall"]
    bound = {**{k: v for k, v in org_bound(seed).items()}, **ic_bound(ic)}
    calls = {}
    for k, v in stats["api_calls"].items():
        calls[canonical(k)] = calls.get(canonical(k), 0) + v["calls"]
    print(f"\n{'operation':60} {'calls':>6} {'bound':>6}")
    for op in sorted(set(calls) | set(bound)):
        print(f"{op:60} {calls.get(op, 0):>6} {bound.get(op, 0):>6}")
    total, total_bound = sum(calls.values()), sum(bound.values())
    ic_calls = sum(v for k, v in calls.items() if k.startswith(("sso:", "identitystore:")))
    ic_b = sum(ic_bound(ic).values())
    rss_mb = (stats.get("peak_rss_kib") or 0) / 1024
    print(f"{'total':60} {total:>6} {total_bound:>6}")
    print(f"\nIdentity Center calls {ic_calls} vs bound {ic_b} ({ic_calls / ic_b:.3f}); naive accounts x permission sets would be {(len(seed['accounts']) + 1) * len(ic['permission_sets'])} ListAccountAssignments calls alone")
    print(f"calls / bound = {total / total_bound:.3f} (target <= 1.1); attempts incl. retries = {stats['total_attempts']}")
    where = "" if not proxied else f" (at {delay_ms:g} ms per request{', answers replayed' if not a.no_cache else ''})"
    print(f"plan wall time = {wall:.2f} s{where} (orgctl's own measure {stats['wall_ms']} ms); peak RSS = {rss_mb:.1f} MB")
    ok = total <= 1.1 * total_bound
    print(f"calls: {'PASS' if ok else 'FAIL'}")
    if proxied:
        per_svc = service_calls(calls)
        lat = results["latency"]
        ps = lat["proxy"]
        print(f"\nlatency run: {lat['wall']:.2f} s at {delay_ms:g} ms per request, {ps['mean_in_flight']:.1f} in flight on average (peak {ps['peak_in_flight']}), "
              f"cache misses {ps['cache_misses']}; calls per service: " + ", ".join(f"{k} {v}" for k, v in sorted(per_svc.items())))
    quota = [(k, v) for k, v in results.items() if k.startswith("quota ")]
    summary = []
    for label, q in quota:
        burst = a.burst or a.rate
        qs = q["proxy"]
        # The floor counts the calls of the whole plan (the latency run's): a failed quota run
        # stops short of them.
        qcalls = per_svc
        done = service_calls({canonical(k): v["calls"] for k, v in q["stats"]["api_calls"].items()}) if q["stats"] else {}
        limiting = max(qcalls, key=lambda k: qcalls[k])
        floor = qcalls[limiting] / a.rate
        strict = max(0.0, (qcalls[limiting] - burst) / a.rate)
        no_changes = q["rc"] == 0
        qrss = ((q["stats"] or {}).get("peak_rss_kib") or 0) / 1024
        print(f"\n{label if len(quota) > 1 else 'quota run'}: --rate {a.rate:g} requests/s per service (burst {burst:g}), {delay_ms:g} ms per request")
        print(f"{'service':16} {'calls':>6} {'calls/rate s':>12} {'calls made':>10} {'requests':>9} {'throttled':>9}")
        for svc in sorted(set(qcalls) | set(qs["requests"])):
            print(f"{svc:16} {qcalls.get(svc, 0):>6} {qcalls.get(svc, 0) / a.rate:>12.2f} {done.get(svc, 0):>10} {qs['requests'].get(svc, 0):>9} {qs['throttled'].get(svc, 0):>9}")
        ratio = q["wall"] / floor
        print(f"wall {q['wall']:.2f} s; quota floor = max over services of calls / rate = {floor:.2f} s ({limiting}); (calls - burst) / rate = {strict:.2f} s")
        against = f"{ratio:.3f} (target <= 1.3; {q['wall'] / strict if strict else float('inf'):.3f} against (calls - burst) / rate)" if no_changes else "- (the plan failed)"
        print(f"wall / floor = {against}; "
              f"throttled answers {qs['throttled_total']}; attempts incl. retries {(q['stats'] or {}).get('total_attempts', '-')} for {sum(done.values())} calls made; "
              f"{qs['mean_in_flight']:.1f} in flight on average, peak {qs['peak_in_flight']}; cache misses {qs['cache_misses']}")
        print(f"peak RSS {qrss:.1f} MB (target < 60); plan: {'no changes' if no_changes else 'FAILED (exit ' + str(q['rc']) + ')'}")
        if not no_changes:
            print("orgctl's last lines:\n" + q["why"])
        ok_q = no_changes and ratio <= 1.3 and qrss < 60
        for line in analyse(q["trace"], limiting, a.rate, burst, delay_ms / 1000, q["wall"]):
            print(line)
        print(f"quota: {'PASS' if ok_q else 'FAIL'}")
        summary.append(f"{q['wall']:.1f} s = {ratio:.2f}x{'' if no_changes else ' FAILED'}")
        ok = ok and ok_q
    if len(quota) > 1:
        print(f"\nquota runs (wall, wall / floor): " + "; ".join(summary))
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
