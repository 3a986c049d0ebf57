#!/usr/bin/env python3
"""Benchmark (not a test): `orgctl plan` on a large organization in orgctl's emulator.

Seeds 1,000 accounts / 100 OUs / 8 delegated administrators (defaults), writes the
matching org.yaml, runs `orgctl --api-stats plan` (which must find no changes), and
prints the API calls per operation (client side and as served by the emulator), the lower
bound of calls for that organization shape (computed from the seeded shape, below), wall
time and peak RSS. Targets (issue 2): calls <= 1.1 x bound, RSS < 40 MB.

Lower bound: reading the tree needs, for every parent (the root and each OU), at least one
page of its child OUs and one page of its accounts (an account's parent comes with
ListAccountsForParent; the alternative, ListAccounts + ListParents per account, costs
more); pages hold at most 20 items. Plus GetCallerIdentity, DescribeOrganization, ListRoots,
one page per 20 trusted services, DescribeResourcePolicy (the delegation policy), one page
per 20 delegated-admin accounts and, per admin
account, one page per 20 of its services (cheaper than one ListDelegatedAdministrators per
service whenever an account administers more than one service, as here).

This counts calls; bench/floor_bench.py measures the time they take (latency behind
bench/latency_proxy.py against bench/reference_reader.py, and a per-service quota): see
bench/README.md.
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


def pages(n):
    return max(1, math.ceil(n / 20))


def start_emulator():
    proc = subprocess.Popen([sys.executable, os.path.join(ROOT, "emulator", "orgctl_emulator.py"), "--create-delay", "0"], stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline()
    if not line.startswith("ORGCTL_EMULATOR_URL="):
        proc.kill()
        sys.exit("emulator did not start")
    return proc, line.strip().split("=", 1)[1]


def org_yaml(seed):
    """The org.yaml describing a seed.py bench summary exactly; an account with tags in
    seed["tags"] (seed.py bench --tags) declares them, so `plan` reads its tags."""
    lines = ["version: 1", "organization:", '  management_account_id: "123456789012"', "organizational_units:"]
    lines += [f"  - path: {p}" for p in sorted(seed["ous"])]
    lines.append("accounts:")
    tags = seed.get("tags") or {}
    for name, path in sorted(seed["placement"].items()):
        declared = f", tags: {{ {', '.join(f'{k}: {v}' for k, v in tags[name].items())} }}" if tags.get(name) else ""
        lines.append(f"  - {{ name: {name}, email: aws+{name}@example.com, ou: {path}{declared} }}")
    if seed["admins"]:  # (orgctl refuses an empty `delegations:`)
        lines.append("delegations:")
    for principal, admin in sorted(seed["admins"].items()):
        lines += [f"  {principal}:", f"    admin: {admin}"]
    return "\n".join(lines) + "\n"


def lower_bound(seed):
    ous = seed["ous"]
    parents = ["root"] + list(ous)
    child_ous = {p: 0 for p in parents}
    for path in ous:
        parent = path.rsplit("/", 1)[0] if "/" in path else "root"
        child_ous[parent] += 1
    accounts_in = {p: 0 for p in parents}
    accounts_in["root"] = 1  # the management account
    for path in seed["placement"].values():
        accounts_in[path] += 1
    admins = {}
    for principal, admin in seed["admins"].items():
        admins.setdefault(admin, []).append(principal)
    bound = {
        "sts:GetCallerIdentity": 1,
        "organizations:DescribeOrganization": 1,
        "organizations:ListRoots": 1,
        "organizations:ListOrganizationalUnitsForParent": sum(pages(child_ous[p]) for p in parents),
        "organizations:ListAccountsForParent": sum(pages(accounts_in[p]) for p in parents),
        "organizations:ListAWSServiceAccessForOrganization": pages(len(seed["admins"])),
        "organizations:ListDelegatedAdministrators": pages(len(admins)),
        "organizations:ListDelegatedServicesForAccount": sum(pages(len(s)) for s in admins.values()),
        # Whether a delegation policy exists (declared or to be reported as unmanaged).
        "organizations:DescribeResourcePolicy": 1,
    }
    if seed.get("tags"):
        # One page of tags per account that declares tags (seed.py bench --tags): AWS has no
        # call reading several resources' tags.
        bound["organizations:ListTagsForResource"] = sum(1 for t in seed["tags"].values() if t)
    return bound


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgctl", default=os.path.join(ROOT, "target", "release", "orgctl"))
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--ous", type=int, default=100)
    ap.add_argument("--delegations", type=int, default=8)
    a = ap.parse_args()
    proc, url = start_emulator()
    try:
        t0 = time.time()
        out = subprocess.run([sys.executable, os.path.join(ROOT, "emulator", "seed.py"), "--endpoint", url, "bench", "--accounts", str(a.accounts), "--ous", str(a.ous), "--delegations", str(a.delegations)], check=True, capture_output=True, text=True)
        seed = json.loads(out.stdout)
        print(f"seeded {len(seed['accounts'])} accounts, {len(seed['ous'])} OUs, {len(seed['admins'])} delegations in {time.time() - t0:.1f} s")
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "org.yaml")
            with open(path, "w") as f:
                f.write(org_yaml(seed))
            urllib.request.urlopen(urllib.request.Request(url + "/orgctl-emulator/stats/reset", method="POST", data=b"")).read()
            env = {"PATH": os.environ.get("PATH", ""), "HOME": d, "AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1"}
            t1 = time.time()
            run = subprocess.run([a.orgctl, "--api-stats", "plan", "-f", path, "--detailed-exitcode"], env=env, capture_output=True, text=True)
            wall = time.time() - t1
            if run.returncode != 0:
                print(run.stdout[-3000:], run.stderr[-3000:])
                sys.exit(f"plan exited {run.returncode} (expected 0: no changes)")
            stats = json.loads(next(l for l in run.stderr.splitlines() if l.startswith("orgctl-api-stats ")).split(" ", 1)[1])
            served = json.loads(urllib.request.urlopen(url + "/orgctl-emulator/stats").read())
    finally:
        proc.kill()
    bound = lower_bound(seed)
    calls = {k: v["calls"] for k, v in stats["api_calls"].items()}
    print(f"\n{'operation':55} {'calls':>6} {'bound':>6} {'served':>7}")
    for op in sorted(set(calls) | set(bound)):
        served_n = served["organizations"].get(op.split(":", 1)[1], "-") if op.startswith("organizations:") else "-"
        print(f"{op:55} {calls.get(op, 0):>6} {bound.get(op, 0):>6} {served_n:>7}")
    total, total_bound = sum(calls.values()), sum(bound.values())
    rss_mb = (stats.get("peak_rss_kib") or 0) / 1024
    print(f"{'total':55} {total:>6} {total_bound:>6} {served['total']:>7}")
    print(f"\ncalls / bound = {total / total_bound:.3f} (target <= 1.1); attempts incl. retries = {stats['total_attempts']}")
    print(f"plan wall time = {wall:.2f} s (orgctl's own measure {stats['wall_ms']} ms); peak RSS = {rss_mb:.1f} MB (target < 40 MB)")
    ok = total <= 1.1 * total_bound and rss_mb < 40
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
