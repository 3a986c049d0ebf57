#!/usr/bin/env python3
"""Benchmark (not a test): `orgctl apply` creating 200 accounts (issue "reads at the floor"),
against its floor.

  apply_bench.py [--orgctl PATH] [--accounts 200] [--ous 10] [--create-delay 1] [--delay-ms 0,50]

AWS lets an organization have at most 5 account creations in progress (the emulator's R30
refuses a sixth with ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED), and each takes the emulator's
create_delay seconds (IN_PROGRESS, then SUCCEEDED). So creating N accounts takes at least
  floor = ceil(N / 5) x create_delay
and, with a round trip of D ms per request, ceil(N / 5) x (create_delay + D) for a client that
learns of a completion from a poll and starts the next creation at once (the emulator frees the
place when the creation is due; the next CreateAccount still takes a trip to arrive).

Per --delay-ms value (each a fresh emulator): seeds an organization with --ous OUs and no
accounts (seed.py bench --accounts 0), writes an org.yaml that declares them and N new accounts
spread over them (names new-000..., emails aws+new-000@example.com), sets the emulator's
create_delay, and runs `orgctl --api-stats apply -f org.yaml --auto-approve` through
bench/latency_proxy.py adding --delay-ms per request (no cache: the answers of
DescribeCreateAccountStatus change, and writes must reach the emulator). Prints the wall time
against both floors, the calls per operation (CreateAccount, DescribeCreateAccountStatus polls,
MoveAccount, the rest), the peak RSS (`--api-stats`), the emulator's peak of creations in progress
and the CreateAccount calls it refused (GET /orgctl-emulator/stats "account_creations"), and the
creation phase from the proxy's trace (first CreateAccount sent to last MoveAccount answered).
Then `orgctl plan --detailed-exitcode` must exit 0 (no changes).

Identity Center's counterpart (2,000 assignments, 10 operations in flight) is
`bench/ic_bench.py --apply`.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from latency_proxy import LatencyProxy  # noqa: E402
from plan_bench import org_yaml, start_emulator  # noqa: E402

IN_PROGRESS_MAX = 5  # AWS: account creations in progress at once (the emulator's R30)


def control(url, path, body=None):
    req = urllib.request.Request(url + path, method="POST" if body is not None else "GET", data=body)
    return json.loads(urllib.request.urlopen(req).read() or b"{}")


def run_orgctl(orgctl, url, home, args):
    env = {"PATH": os.environ.get("PATH", ""), "HOME": home, "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1", "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull}
    t0 = time.perf_counter()
    started = time.monotonic()  # the proxy's clock
    run = subprocess.run([orgctl, "--api-stats"] + args, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    run.started = started
    stats = next((json.loads(x.split(" ", 1)[1]) for x in run.stderr.splitlines() if x.startswith("orgctl-api-stats ")), None)
    return run, wall, stats


def calls_of(stats):
    """{Operation: calls} (the service prefix dropped; every call here is Organizations' or sts')."""
    out = {}
    for k, v in (stats or {}).get("api_calls", {}).items():
        op = k.split(":", 1)[-1]
        out[op] = out.get(op, 0) + v["calls"]
    return out


def one_run(a, delay_ms):
    proc, url = start_emulator()
    proxy = None
    try:
        out = subprocess.run([sys.executable, os.path.join(ROOT, "emulator", "seed.py"), "--endpoint", url, "bench", "--accounts", "0", "--ous", str(a.ous), "--delegations", "0"],
                             check=True, capture_output=True, text=True)
        seed = json.loads(out.stdout)
        paths = sorted(seed["ous"])
        seed["placement"] = {f"new-{k:03d}": paths[k % len(paths)] for k in range(a.accounts)}
        control(url, "/orgctl-emulator/config", json.dumps({"create_delay": a.create_delay}).encode())
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "org.yaml")
            with open(path, "w") as f:
                f.write(org_yaml(seed))
            proxy = LatencyProxy(url, delay_ms=delay_ms, cache=False).start()
            control(url, "/orgctl-emulator/stats/reset", b"")
            proxy.reset_stats()
            run, wall, stats = run_orgctl(a.orgctl, proxy.url, d, ["apply", "-f", path, "--auto-approve"])
            if run.returncode != 0 or stats is None:
                print(run.stdout[-3000:], run.stderr[-3000:])
                sys.exit(f"[{delay_ms:g} ms] apply exited {run.returncode}")
            served = control(url, "/orgctl-emulator/stats")
            trace = proxy.trace()
            ps = proxy.stats()
            first_request = proxy.span()[0] - run.started
            creates = [t for t in trace if t[3] == "CreateAccount"]
            moves = [t for t in trace if t[3] == "MoveAccount"]
            first_create = min(t[0] for t in creates)  # from the first request
            phase = max(t[1] for t in moves or creates) - first_create
            # The plan after the apply: nothing left to do.
            proxy.reset_stats()
            plan, plan_wall, plan_stats = run_orgctl(a.orgctl, proxy.url, d, ["plan", "-f", path, "--detailed-exitcode"])
            if plan.returncode != 0:
                print(plan.stdout[-3000:], plan.stderr[-3000:])
                sys.exit(f"[{delay_ms:g} ms] the plan after apply exited {plan.returncode} (expected 0: no changes)")
    finally:
        if proxy is not None:
            proxy.stop()
        proc.kill()
        proc.wait()
    calls = calls_of(stats)
    floor = math.ceil(a.accounts / IN_PROGRESS_MAX) * a.create_delay
    floor_rtt = math.ceil(a.accounts / IN_PROGRESS_MAX) * (a.create_delay + delay_ms / 1000)
    created = served["organizations"].get("CreateAccount", 0)
    return {"delay": delay_ms, "wall": wall, "own": stats["wall_ms"] / 1000, "floor": floor, "floor_rtt": floor_rtt, "phase": phase,
            "before": first_request + first_create, "creates": calls.get("CreateAccount", 0), "polls": calls.get("DescribeCreateAccountStatus", 0),
            "moves": calls.get("MoveAccount", 0), "other": stats["total_calls"] - sum(calls.get(k, 0) for k in ("CreateAccount", "DescribeCreateAccountStatus", "MoveAccount")),
            "others": {k: v for k, v in calls.items() if k not in ("CreateAccount", "DescribeCreateAccountStatus", "MoveAccount")},
            "total": stats["total_calls"], "attempts": stats["total_attempts"], "served_creates": created,
            "peak": served.get("account_creations", {}).get("peak_in_progress", "-"), "refused": served.get("account_creations", {}).get("refused", "-"),
            "slot": phase * IN_PROGRESS_MAX / a.accounts, "rss": (stats.get("peak_rss_kib") or 0) / 1024, "proxy_peak": ps["peak_in_flight"],
            "plan_wall": plan_wall, "plan_calls": (plan_stats or {}).get("total_calls")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--orgctl", default=os.path.join(ROOT, "target", "release", "orgctl"))
    ap.add_argument("--accounts", type=int, default=200)
    ap.add_argument("--ous", type=int, default=10, help="OUs of the seeded organization (seed.py bench: ou00 and its children); the accounts go round-robin")
    ap.add_argument("--create-delay", type=float, default=1.0, help="seconds a creation stays IN_PROGRESS (the emulator's create_delay)")
    ap.add_argument("--delay-ms", default="0,50", help="latency_proxy.py delay per request; a comma-separated list: one run each")
    a = ap.parse_args()
    if not os.path.exists(a.orgctl):
        sys.exit(f"{a.orgctl} not found (make build / cargo build --release)")
    version = subprocess.run([a.orgctl, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"orgctl: {a.orgctl}, {version}; {a.accounts} new accounts in {a.ous} OUs, create_delay {a.create_delay:g} s, at most {IN_PROGRESS_MAX} creations in progress")
    rows = []
    for d in [float(x) for x in a.delay_ms.split(",") if x.strip()]:
        r = one_run(a, d)
        rows.append(r)
        print(f"[{d:g} ms] apply {r['wall']:.2f} s (floor {r['floor']:.0f} s, ratio {r['wall'] / r['floor']:.2f}; with the round trip {r['floor_rtt']:.1f} s, ratio {r['wall'] / r['floor_rtt']:.2f}); "
              f"{r['before']:.2f} s before the first CreateAccount (from the process' start), creations {r['phase']:.2f} s ({r['slot']:.2f} s per creation and place, create_delay {a.create_delay:g} s); {r['creates']} CreateAccount, {r['polls']} DescribeCreateAccountStatus "
              f"({r['polls'] / max(r['creates'], 1):.2f} per account), {r['moves']} MoveAccount, others {r['others']}; {r['attempts']} attempts; peak {r['peak']} in progress, "
              f"{r['refused']} refused; peak RSS {r['rss']:.1f} MB; then plan: no changes in {r['plan_wall']:.2f} s ({r['plan_calls']} calls)")
    print(f"\napply of {a.accounts} accounts: floor = ceil({a.accounts}/{IN_PROGRESS_MAX}) x create_delay {a.create_delay:g} s; floor+rtt adds one round trip per creation; "
          "creations = first CreateAccount sent to last MoveAccount answered (proxy trace); s/place = creations x 5 / accounts, the time one creation holds one of the 5 places; peak / refused = the emulator's creations in progress at once / CreateAccount refused (R30)")
    print(f"{'delay ms':>8} {'orgctl s':>8} {'floor s':>7} {'ratio':>5} {'floor+rtt s':>11} {'ratio':>5} {'creations s':>11} {'s/place':>7} {'Create':>6} {'polls':>5} {'polls/acct':>10} {'Move':>4} "
          f"{'other':>5} {'total':>5} {'peak':>4} {'refused':>7} {'RSS MB':>6} {'plan after':>10}")
    for r in rows:
        print(f"{r['delay']:>8g} {r['wall']:>8.2f} {r['floor']:>7.1f} {r['wall'] / r['floor']:>5.2f} {r['floor_rtt']:>11.1f} {r['wall'] / r['floor_rtt']:>5.2f} {r['phase']:>11.2f} {r['slot']:>7.2f} {r['creates']:>6} "
              f"{r['polls']:>5} {r['polls'] / max(r['creates'], 1):>10.2f} {r['moves']:>4} {r['other']:>5} {r['total']:>5} {str(r['peak']):>4} {str(r['refused']):>7} {r['rss']:>6.1f} {'exit 0':>10}")


if __name__ == "__main__":
    main()
