#!/usr/bin/env python3
"""Benchmark (not a test): `orgctl plan`'s wall time against the floor (issue "reads at the floor").

  floor_bench.py [--orgctl PATH] [--shapes 1000x100,5000x500] [--delay-ms 50] [--rate 40]
                 [--concurrency N[,M...]] [--no-cache] [--no-rate] [--tags N] [--quota-max-attempts N]

For each shape (accounts x OUs; at most 5 levels of OUs: seed.py bench --depth 5 --wide 25
--crowd 25, so one parent has more than 20 child OUs and one more than 20 accounts, and each
needs a second page; with 500 OUs the root has 50 child OUs, three pages): starts the emulator,
seeds, writes the matching org.yaml (plan_bench.org_yaml), puts bench/latency_proxy.py in front
of the emulator and
  1. latency: at --delay-ms per request, runs `orgctl --api-stats [--concurrency N] plan
     --detailed-exitcode` (it must report no changes) and bench/reference_reader.py (the same
     reads, 16 in flight, each as soon as its inputs are known) through the same proxy, and prints
     orgctl's wall time (the process) and read span (the proxy's first request to its last
     answer), the reference's, their ratio, the calls, the mean and peak requests in flight,
     peak RSS, and a lower bound: max(the tree's critical path, calls / 16) round trips x the delay
     (not always reachable: the calls a level makes may not fill 16 places);
  2. quota: with the proxy limiting each service to --rate requests/s (token bucket, --burst,
     default one second's worth; above it the service's own throttling error), runs the plan
     again (with --quota-max-attempts N: `orgctl --max-attempts N`) and prints its wall time
     against the quota floor calls / rate, the ratio, the throttled answers, the attempts and
     whether the plan succeeded (the bucket starts full, so (calls - burst) / rate is what the
     quota strictly allows; printed too).
--concurrency takes a list (each value is one orgctl run per table; without it orgctl runs with
its default). The emulator is a Python process that spends ~10 ms of CPU per request under one
GIL, which would be measured instead of the latency with 16 requests in flight; so the proxy
runs with --cache: a warm-up pass of the reference reader at delay 0 records every answer, and
the measured runs are answered from that record after the delay (cache misses, i.e. requests
the warm-up did not make, go to the emulator and are printed). --no-cache measures through to
the emulator instead. The proxy's own overhead is measured and printed first.
--tags N (1 or 2): every account is seeded with N tags (seed.py bench --tags) and org.yaml
declares them, so the plan also reads one ListTagsForResource per account; the reference reader
reads them too (reference_reader.py --tags: each as soon as the page naming the account has
arrived), the bound counts them and the critical path gets one more round trip after the
accounts' pages.

Lower bound of the calls: plan_bench.lower_bound (one page per 20 children per parent, ...).
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

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from latency_proxy import LatencyProxy, measure_overhead, overhead_lines  # noqa: E402
from plan_bench import lower_bound, org_yaml, start_emulator  # noqa: E402


def pages(n):
    return max(1, math.ceil(n / 20))


def critical_path(seed):
    """Round trips on the longest chain of dependent reads: ListRoots, then per parent its child
    OUs' pages (a child is known once the page naming it has arrived; the emulator lists children
    in creation order) and its accounts' pages (with seed["tags"], then the last page's accounts'
    ListTagsForResource); ListDelegatedAdministrators, then ListDelegatedServicesForAccount."""
    children = {"root": []}
    for path in seed["ous"]:  # creation order
        parent = path.rsplit("/", 1)[0] if "/" in path else "root"
        children.setdefault(parent, []).append(path)
        children.setdefault(path, [])
    accounts = {p: 0 for p in children}
    accounts["root"] = 1
    for path in seed["placement"].values():
        accounts[path] += 1
    tagged = 1 if seed.get("tags") else 0
    known = {"root": 1}  # round trip after which the parent's id is known
    longest = 2  # ListDelegatedAdministrators -> ListDelegatedServicesForAccount
    todo = ["root"]
    while todo:
        p = todo.pop()
        kids = children[p]
        longest = max(longest, known[p] + max(pages(len(kids)), pages(accounts[p]) + (tagged if p != "root" and accounts[p] else 0)))
        for i, c in enumerate(kids):
            known[c] = known[p] + i // 20 + 1
            todo.append(c)
    return longest


def reset(url):
    import urllib.request
    urllib.request.urlopen(urllib.request.Request(url + "/orgctl-emulator/stats/reset", method="POST", data=b"")).read()


def run_orgctl(a, url, path, home, conc, log=None, attempts=None):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    if log:
        env["RUST_LOG"] = log
    cmd = [a.orgctl, "--api-stats"] + (["--concurrency", str(conc)] if conc else []) + (["--max-attempts", str(attempts)] if attempts else []) + ["plan", "-f", path, "--detailed-exitcode"]
    t0 = time.perf_counter()
    run = subprocess.run(cmd, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    run.started = time.monotonic() - wall  # the proxy's clock (time.monotonic), for before/after the reads
    stats = None
    for line in run.stderr.splitlines():
        if line.startswith("orgctl-api-stats "):
            stats = json.loads(line.split(" ", 1)[1])
    return run, wall, stats


def run_reference(url, conc, tags=False):
    out = subprocess.run([sys.executable, os.path.join(HERE, "reference_reader.py"), "--endpoint", url, "--concurrency", str(conc), "--json"] + (["--tags"] if tags else []),
                         capture_output=True, text=True)
    line = next((x for x in out.stdout.splitlines() if x.startswith("reference-reader ")), None)
    if out.returncode != 0 or line is None:
        sys.exit(f"reference reader failed ({out.returncode}):\n{out.stdout[-2000:]}\n{out.stderr[-2000:]}")
    return json.loads(line.split(" ", 1)[1])


def failure(run):
    lines = [x for x in (run.stderr + run.stdout).splitlines() if x.strip() and not x.startswith("orgctl-api-stats ") and " DEBUG " not in x]
    return (lines[-1] if lines else f"exit {run.returncode}")[:160]


def shape_of(s):
    acc, ous = s.lower().split("x")
    return int(acc), int(ous)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orgctl", default=os.path.join(ROOT, "target", "release", "orgctl"))
    ap.add_argument("--shapes", default="1000x100,5000x500", help="accounts x OUs, comma-separated")
    ap.add_argument("--depth", type=int, default=5, help="levels of OUs (seed.py bench --depth)")
    ap.add_argument("--wide", type=int, default=25, help="child OUs of one parent (seed.py bench --wide)")
    ap.add_argument("--crowd", type=int, default=25, help="accounts of one OU (seed.py bench --crowd)")
    ap.add_argument("--delegations", type=int, default=8)
    ap.add_argument("--delay-ms", type=float, default=50.0)
    ap.add_argument("--rate", type=float, default=40.0, help="requests/s per service for the quota run")
    ap.add_argument("--burst", type=float, default=None, help="token bucket size for the quota run (default: --rate)")
    ap.add_argument("--concurrency", default="", help="orgctl --concurrency N (a comma-separated list: one run each); default: orgctl's own")
    ap.add_argument("--reference-concurrency", type=int, default=16)
    ap.add_argument("--no-cache", action="store_true", help="measure through to the emulator (its CPU then counts)")
    ap.add_argument("--no-rate", action="store_true", help="skip the quota run")
    ap.add_argument("--quota-max-attempts", type=int, default=None, help="orgctl --max-attempts for the quota run (default: orgctl's own, 8)")
    ap.add_argument("--tags", type=int, default=0, choices=[0, 1, 2], help="tags per account, declared in org.yaml (the plan reads each account's tags)")
    a = ap.parse_args()
    if not os.path.exists(a.orgctl):
        sys.exit(f"{a.orgctl} not found (make build / cargo build --release)")
    concs = [int(x) for x in a.concurrency.split(",") if x.strip()] or [None]
    st = os.stat(a.orgctl)
    with open(a.orgctl, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()[:12]
    version = subprocess.run([a.orgctl, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"orgctl: {a.orgctl}, {version} (modified {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(st.st_mtime))} UTC, sha256 {digest}); "
          f"{f'every account with {a.tags} tag(s) declared; ' if a.tags else ''}delay {a.delay_ms:g} ms per request, reference {a.reference_concurrency} in flight, {'answers replayed by the proxy (--cache)' if not a.no_cache else 'no cache: the emulator serves every request'}")
    latency_rows, quota_rows = [], []
    overhead_done = False
    for shape in a.shapes.split(","):
        n_acc, n_ous = shape_of(shape)
        label = f"{n_acc}/{n_ous}" + ("+tags" if a.tags else "")
        proc, url = start_emulator()
        proxy = None
        try:
            t0 = time.time()
            out = subprocess.run([sys.executable, os.path.join(ROOT, "emulator", "seed.py"), "--endpoint", url, "bench", "--accounts", str(n_acc), "--ous", str(n_ous),
                                  "--delegations", str(a.delegations), "--depth", str(a.depth), "--wide", str(a.wide), "--crowd", str(a.crowd), "--tags", str(a.tags)],
                                 check=True, capture_output=True, text=True)
            seed = json.loads(out.stdout)
            bound = sum(lower_bound(seed).values())
            crit = critical_path(seed)
            print(f"\n[{label}] seeded {len(seed['accounts'])} accounts, {len(seed['ous'])} OUs (max depth {max(p.count('/') + 1 for p in seed['ous'])}), "
                  f"{len(seed['admins'])} delegations in {time.time() - t0:.0f} s; lower bound {bound} calls, critical path {crit} round trips")
            if not overhead_done:
                for line in overhead_lines(measure_overhead(url, n=200, delay_ms=a.delay_ms)):
                    print(line)
                overhead_done = True
            with tempfile.TemporaryDirectory() as d:
                path = os.path.join(d, "org.yaml")
                with open(path, "w") as f:
                    f.write(org_yaml(seed))
                proxy = LatencyProxy(url, delay_ms=0, cache=not a.no_cache).start()
                if not a.no_cache:
                    warm = run_reference(proxy.url, a.reference_concurrency, a.tags)
                    print(f"[{label}] warm-up (delay 0): the reference's {warm['total_calls']} reads recorded ({len(proxy._cache)} answers) in {warm['wall_ms'] / 1000:.1f} s")
                proxy.configure(delay_ms=a.delay_ms)
                for conc in concs:
                    reset(url)
                    proxy.reset_stats()
                    run, wall, stats = run_orgctl(a, proxy.url, path, d, conc)
                    ps = proxy.stats()
                    first, last = proxy.span()
                    if run.returncode != 0 or stats is None:
                        print(run.stdout[-3000:], run.stderr[-3000:])
                        sys.exit(f"[{label}] plan exited {run.returncode} (expected 0: no changes)")
                    proxy.reset_stats()
                    ref = run_reference(proxy.url, a.reference_concurrency, a.tags)
                    rs = proxy.stats()
                    ideal = max(crit, math.ceil(ref["total_calls"] / a.reference_concurrency)) * a.delay_ms / 1000
                    latency_rows.append({
                        "shape": label, "conc": conc or "default", "wall": wall, "own": stats["wall_ms"] / 1000, "span": ps["span_s"], "ref_span": rs["span_s"],
                        "ref_wall": ref["wall_ms"] / 1000, "ideal": ideal, "calls": stats["total_calls"], "ref_calls": ref["total_calls"], "bound": bound,
                        "mean": ps["mean_in_flight"], "peak": ps["peak_in_flight"], "ref_mean": rs["mean_in_flight"], "rss": (stats.get("peak_rss_kib") or 0) / 1024,
                        "misses": ps["cache_misses"] + rs["cache_misses"], "attempts": stats["total_attempts"],
                        "before": first - run.started, "after": run.started + wall - last})
                    r = latency_rows[-1]
                    print(f"[{label}] conc {r['conc']}: orgctl {r['wall']:.2f} s ({r['before']:.2f} s before its first request, reads {r['span']:.2f} s, {r['after']:.2f} s after the last answer; "
                          f"{r['calls']} calls, {r['mean']:.1f} in flight on average, peak {r['peak']}); "
                          f"reference {r['ref_wall']:.2f} s ({r['ref_calls']} calls, {r['ref_mean']:.1f} in flight); cache misses {r['misses']}")
                if not a.no_rate:
                    proxy.configure(delay_ms=a.delay_ms, rate=a.rate, burst=a.burst)
                    needed = max([r["calls"] for r in latency_rows if r["shape"] == label] or [bound])
                    for conc in concs:
                        proxy.configure(rate=a.rate, burst=a.burst)  # full buckets for each run
                        proxy.reset_stats()
                        # The SDK's retry strategy logs at debug level when its retry quota is spent.
                        run, wall, stats = run_orgctl(a, proxy.url, path, d, conc, log="warn,aws_smithy_runtime::client::retries::strategy::standard=debug",
                                                    attempts=a.quota_max_attempts)
                        ps = proxy.stats()
                        calls = stats["total_calls"] if stats else None
                        requests = sum(ps["requests"].values())
                        ok = run.returncode == 0
                        quota_out = run.stderr.count("not enough retry quota")
                        quota_rows.append({"shape": label, "conc": conc or "default", "wall": wall, "floor": needed / a.rate, "calls": calls, "requests": requests,
                                           "throttled": ps["throttled_total"], "attempts": stats["total_attempts"] if stats else None, "ok": ok, "quota_out": quota_out,
                                           "why": "" if ok else failure(run), "peak": ps["peak_in_flight"], "mean": ps["mean_in_flight"], "burst": ps["burst"]})
                        q = quota_rows[-1]
                        print(f"[{label}] --rate {a.rate:g}, conc {q['conc']}{f', --max-attempts {a.quota_max_attempts}' if a.quota_max_attempts else ''}: orgctl {q['wall']:.2f} s vs floor {q['floor']:.2f} s ({needed} calls); "
                              f"{q['throttled']} throttled of {q['requests']} requests; {q['mean']:.1f} in flight on average, peak {q['peak']}; "
                              f"SDK retry quota spent {quota_out} times; {'no changes' if ok else 'FAILED: ' + q['why']}")
        finally:
            if proxy is not None:
                proxy.stop()
            proc.kill()
            proc.wait()

    print(f"\nlatency: {a.delay_ms:g} ms per request; reference = the same reads, {a.reference_concurrency} in flight; ratio = orgctl wall / reference wall "
          "(reads: first request to last answer, at the proxy; reads ratio: orgctl's reads / the reference's); before / after: orgctl's seconds before its first request "
          "and after its last answer; bound = max(critical path, calls/16) x delay")
    print(f"{'shape':>13} {'conc':>7} {'orgctl s':>8} {'reads s':>7} {'ref s':>6} {'ratio':>6} {'before':>6} {'after':>5} {'reads ratio':>11} {'bound s':>7} {'calls':>5} {'ref':>5} {'bound':>5} "
          f"{'in flight':>9} {'ref in flight':>13} {'RSS MB':>6}")
    for r in latency_rows:
        print(f"{r['shape']:>13} {str(r['conc']):>7} {r['wall']:>8.2f} {r['span']:>7.2f} {r['ref_wall']:>6.2f} {r['wall'] / r['ref_wall']:>6.2f} {r['before']:>6.2f} {r['after']:>5.2f} {r['span'] / r['ref_span']:>11.2f} "
              f"{r['ideal']:>7.2f} {r['calls']:>5} {r['ref_calls']:>5} {r['bound']:>5} {r['mean']:>5.1f}/{r['peak']:<3} {r['ref_mean']:>13.1f} {r['rss']:>6.1f}")
    if quota_rows:
        print(f"\nquota: --rate {a.rate:g} requests/s per service (token bucket of {quota_rows[0]['burst']:g}), {a.delay_ms:g} ms per request; floor = calls / rate "
              "(calls: the latency run's); floor-burst = (calls - bucket) / rate; quota out = the SDK's retry quota found spent (a throttled call then fails)")
        print(f"{'shape':>13} {'conc':>7} {'orgctl s':>8} {'floor s':>7} {'ratio':>6} {'floor-burst s':>13} {'calls':>5} {'throttled':>9} {'attempts':>8} {'in flight':>9} {'quota out':>9}  result")
        for q in quota_rows:
            print(f"{q['shape']:>13} {str(q['conc']):>7} {q['wall']:>8.2f} {q['floor']:>7.2f} {(format(q['wall'] / q['floor'], '.2f') if q['ok'] else '-'):>6} {q['floor'] - q['burst'] / a.rate:>13.2f} {str(q['calls'] or '-'):>5} {q['throttled']:>9} "
                  f"{str(q['attempts'] or '-'):>8} {q['mean']:>5.1f}/{q['peak']:<3} {q['quota_out']:>9}  {'ok, no changes' if q['ok'] else 'FAILED: ' + q['why'][:90]}")
    misses = sum(r["misses"] for r in latency_rows)
    if misses:
        print(f"\nnote: {misses} requests were not in the warm-up's record and went to the emulator")


if __name__ == "__main__":
    main()
