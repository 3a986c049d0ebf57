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

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orgctl", default=os.path.join(ROOT, "target", "release", "orgctl"))
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--permission-sets", type=int, default=20)
    ap.add_argument("--groups", type=int, default=200)
    ap.add_argument("--users", type=int, default=500)
    ap.add_argument("--assignments", type=int, default=2000)
    ap.add_argument("--apply", action="store_true", help="seed no assignments; measure `apply` creating them all, then `plan`")
    a = ap.parse_args()
    proc, url = start_emulator()
    try:
        t0 = time.time()
        out = subprocess.run([sys.executable, os.path.join(ROOT, "emulator", "seed.py"), "--endpoint", url, "bench", "--accounts", str(a.accounts), "--ous", "100", "--delegations", "8",
                              "--ic-permission-sets", str(a.permission_sets), "--ic-groups", str(a.groups), "--ic-users", str(a.users), "--ic-assignments", str(a.assignments)] + (["--ic-skip-assignments"] if a.apply else []), check=True, capture_output=True, text=True)
        seed = json.loads(out.stdout)
        ic = seed["identity_center"]
        print(f"seeded {len(seed['accounts'])} accounts, {len(ic['permission_sets'])} permission sets, {len(ic['groups'])} groups, {len(ic['users'])} users, {len(ic['assignments'])} assignments in {time.time() - t0:.1f} s")
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
            t1 = time.time()
            run = subprocess.run([a.orgctl, "--api-stats", "plan", "-f", path, "--detailed-exitcode"], env=env, capture_output=True, text=True)
            wall = time.time() - t1
            if run.returncode != 0:
                print(run.stdout[-3000:], run.stderr[-3000:])
                sys.exit(f"plan exited {run.returncode} (expected 0: no changes)")
            stats = json.loads(next(l for l in run.stderr.splitlines() if l.startswith("orgctl-api-stats ")).split(" ", 1)[1])
    finally:
        proc.kill()
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
    print(f"plan wall time = {wall:.2f} s (orgctl's own measure {stats['wall_ms']} ms); peak RSS = {rss_mb:.1f} MB")
    ok = total <= 1.1 * total_bound
    print("PASS" if ok else "FAIL")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
