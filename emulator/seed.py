#!/usr/bin/env python3
"""Seeds an organization into orgctl's emulator (127.0.0.1 only), through boto3.

  seed.py --endpoint URL demo [--legacy]
          the brownfield seed of `make demo`; --legacy adds what years of hand work leave:
          GuardDuty administered by infra-ops in both Regions (the file moves it to sec-ops)
          and a hand-made SCP deny-leave-organization with an older document
  seed.py --endpoint URL bench --accounts 1000 --ous 100 --delegations 8
          [--depth 5 --wide 25 --crowd 25] [--tags 2]
          [--ic-permission-sets 20 --ic-groups 200 --ic-users 500 --ic-assignments 2000 [--ic-pairs 2000]]

bench's tree: ous // 10 top-level OUs, the others below them. By default (--depth 2, no --wide
or --crowd) each top-level OU gets sub-OUs round-robin and the accounts are spread evenly (10 per
OU at 1,000 / 100). --depth D (2-5 levels of OUs) builds chains instead: each new OU goes under
the last one made below the same top-level OU until the chain is D levels deep, then a new chain
starts; --wide W first puts W child OUs under ou00 and --crowd C puts the first C accounts in
the first OU at the deepest level, so that (W, C > 20) a parent needs a second page of child OUs
and one a second page of accounts (pages hold 20), as bench/floor_bench.py wants. --tags N (0-2)
gives account k the tags team=team{k % 10} and cost-center=cc{k % 7} (the first N of them),
passed to CreateAccount; the summary lists them under "tags" by account name.

Prints a JSON summary (ids by name) on stdout. Credentials are dummies; the default
identity is the emulator's account 123456789012, which becomes the management account.
"""
import argparse
import json
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlparse

import boto3

# Organizations-mechanism services (so `plan` can execute them), for the benchmark.
BENCH_SERVICES = [
    "sso.amazonaws.com",
    "reporting.trustedadvisor.amazonaws.com",
    "cost-optimization-hub.bcm.amazonaws.com",
    "backup.amazonaws.com",
    "access-analyzer.amazonaws.com",
    "ssm.amazonaws.com",
    "compute-optimizer.amazonaws.com",
    "health.amazonaws.com",
]


def client(endpoint):
    host = urlparse(endpoint).hostname
    if host not in ("127.0.0.1", "localhost"):
        sys.exit(f"refusing to seed {endpoint}: the seed only talks to a local emulator")
    return boto3.client("organizations", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")


def root_id(o):
    """The root's id, paging through empty pages (AWS may return one with a NextToken)."""
    for page in o.get_paginator("list_roots").paginate():
        if page["Roots"]:
            return page["Roots"][0]["Id"]
    sys.exit("seed: the organization has no root")


IN_FLIGHT = 5  # AWS (and the emulator's R30): at most 5 account creations in progress


def create_accounts(o, specs, tags=None):
    """specs: [(name, email)] -> {name: id}; waits for the asynchronous creations, never more than
    IN_FLIGHT in progress at once. tags: {name: {key: value}} passed to CreateAccount."""
    todo, reqs, ids = list(specs), {}, {}
    pause = 0.002  # doubles up to 0.05 s while no creation completes (an emulator with --create-delay 0 completes them at once)
    while todo or len(ids) < len(reqs):
        while todo and len(reqs) - len(ids) < IN_FLIGHT:
            name, email = todo.pop(0)
            extra = {"Tags": [{"Key": k, "Value": v} for k, v in tags[name].items()]} if tags and tags.get(name) else {}
            reqs[name] = o.create_account(Email=email, AccountName=name, **extra)["CreateAccountStatus"]["Id"]
        time.sleep(pause)
        done = len(ids)
        for name, rid in reqs.items():
            if name in ids:
                continue
            st = o.describe_create_account_status(CreateAccountRequestId=rid)["CreateAccountStatus"]
            if st["State"] == "SUCCEEDED":
                ids[name] = st["AccountId"]
            elif st["State"] == "FAILED":
                sys.exit(f"seed: creating {name} failed: {st.get('FailureReason')}")
        pause = 0.002 if len(ids) > done else min(0.05, pause * 2)
    return ids


def demo(o):
    o.create_organization(FeatureSet="ALL")
    root = root_id(o)
    ous = {n: o.create_organizational_unit(ParentId=root, Name=n)["OrganizationalUnit"]["Id"] for n in ["Security", "Infrastructure", "Sandbox"]}
    ids = create_accounts(o, [("sec-ops", "aws+sec-ops@example.com"), ("infra-ops", "aws+infra-ops@example.com"), ("backup", "aws+backup@example.com")])
    o.move_account(AccountId=ids["infra-ops"], SourceParentId=root, DestinationParentId=ous["Infrastructure"])
    o.move_account(AccountId=ids["backup"], SourceParentId=root, DestinationParentId=ous["Sandbox"])
    for p in ["reporting.trustedadvisor.amazonaws.com", "ram.amazonaws.com"]:
        o.enable_aws_service_access(ServicePrincipal=p)
    o.register_delegated_administrator(AccountId=ids["infra-ops"], ServicePrincipal="reporting.trustedadvisor.amazonaws.com")
    identity_center_brownfield(o)
    return {"root": root, "ous": ous, "accounts": ids}


def legacy(o, ids):
    """GuardDuty's admin is infra-ops in us-east-1 and eu-west-1; a hand-made SCP."""
    kw = dict(endpoint_url=o.meta.endpoint_url, aws_access_key_id="testing", aws_secret_access_key="testing")
    o.enable_aws_service_access(ServicePrincipal="guardduty.amazonaws.com")
    for region in ["us-east-1", "eu-west-1"]:
        boto3.client("guardduty", region_name=region, **kw).enable_organization_admin_account(AdminAccountId=ids["infra-ops"])
    root = root_id(o)
    try:
        o.enable_policy_type(RootId=root, PolicyType="SERVICE_CONTROL_POLICY")
    except o.exceptions.PolicyTypeAlreadyEnabledException:
        pass
    doc = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "organizations:LeaveOrganization", "Resource": "*"}]}
    o.create_policy(Name="deny-leave-organization", Type="SERVICE_CONTROL_POLICY", Description="member accounts may not leave the organization", Content=json.dumps(doc))


def sso_clients(o):
    kw = dict(endpoint_url=o.meta.endpoint_url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    sso, store = boto3.client("sso-admin", **kw), boto3.client("identitystore", **kw)
    inst = sso.list_instances()["Instances"][0]
    return sso, store, inst["InstanceArn"], inst["IdentityStoreId"]


def scim(o, body):
    """Provisions a user or group as an identity provider does, through the emulator's stand-in
    for the SCIM endpoint (POST /orgctl-emulator/scim, R41: it carries ExternalIds)."""
    req = urllib.request.Request(o.meta.endpoint_url.rstrip("/") + "/orgctl-emulator/scim", data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            return json.loads(r.read())
    except urllib.error.HTTPError as e:
        sys.exit(f"seed: SCIM provisioning of {body.get('user_name') or body.get('display_name')} failed: HTTP {e.code} {e.read().decode('utf-8', 'replace')}")


def identity_center_brownfield(o):
    """What an identity provider and an earlier console session left: SCIM user bob and group
    auditors (provisioned through the SCIM stand-in, with ExternalIds), an unmanaged user created
    through the identitystore API, and a ReadOnly permission set with another session duration."""
    sso, store, arn, sid = sso_clients(o)
    scim(o, {"kind": "user", "user_name": "bob", "display_name": "bob", "given_name": "bob", "family_name": "Idp"})
    store.create_user(IdentityStoreId=sid, UserName="legacy-admin", DisplayName="legacy-admin", Name={"GivenName": "legacy-admin", "FamilyName": "Idp"})
    scim(o, {"kind": "group", "display_name": "auditors"})
    ps = sso.create_permission_set(InstanceArn=arn, Name="ReadOnly", SessionDuration="PT2H")["PermissionSet"]["PermissionSetArn"]
    sso.attach_managed_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=ps, ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")


def tree_paths(n_ous, depth=2, wide=0):
    """The bench tree's OU paths in creation order (parents first); see the module docstring."""
    if not 2 <= depth <= 5:
        sys.exit("seed: --depth is 2 to 5 levels of OUs")
    top = max(1, n_ous // 10)
    paths = [f"ou{i:02d}" for i in range(top)]
    if depth == 2 and not wide:
        i = 0
        while len(paths) < n_ous:
            paths.append(f"ou{i % top:02d}/sub{i:03d}")
            i += 1
        return paths
    paths += [f"ou00/w{i:02d}" for i in range(min(wide, n_ous - len(paths)))]
    last = {t: t for t in paths[:top]}  # per top-level OU, the last OU of its current chain
    i = 0
    while len(paths) < n_ous:
        t = f"ou{i % top:02d}"
        parent = last[t] if last[t].count("/") + 1 < depth else t
        last[t] = f"{parent}/sub{i:03d}"
        paths.append(last[t])
        i += 1
    return paths


def account_tags(k, n):
    """bench --tags: account k's first n tags."""
    return dict(list({"team": f"team{k % 10}", "cost-center": f"cc{k % 7}"}.items())[:n])


def bench(o, n_accounts, n_ous, n_deleg, depth=2, wide=0, crowd=0, n_tags=0):
    o.create_organization(FeatureSet="ALL")
    root = root_id(o)
    ous = {}
    for path in tree_paths(n_ous, depth, wide):
        parent, _, name = path.rpartition("/")
        ous[path] = o.create_organizational_unit(ParentId=ous[parent] if parent else root, Name=name)["OrganizationalUnit"]["Id"]
    paths = sorted(ous)
    order = {p: i for i, p in enumerate(ous)}
    deepest = max(ous, key=lambda p: (p.count("/"), -order[p]))  # the first OU made at the deepest level
    specs = [(f"acct-{k:04d}", f"aws+acct-{k:04d}@example.com") for k in range(n_accounts)]
    tags = {name: account_tags(k, n_tags) for k, (name, _) in enumerate(specs)} if n_tags else {}
    ids = {}
    for start in range(0, len(specs), 50):
        ids.update(create_accounts(o, specs[start:start + 50], tags))
    placement = {name: deepest if k < crowd else paths[(k - crowd) % len(paths)] for k, (name, _) in enumerate(specs)}
    # Four moves at a time: the client's CPU (botocore) overlaps the emulator's.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda name: o.move_account(AccountId=ids[name], SourceParentId=root, DestinationParentId=ous[placement[name]]), placement))
    admins = {}
    for k, p in enumerate(BENCH_SERVICES[:n_deleg]):
        o.enable_aws_service_access(ServicePrincipal=p)
        admin = specs[k % 4][0]
        o.register_delegated_administrator(AccountId=ids[admin], ServicePrincipal=p)
        admins[p] = admin
    out = {"root": root, "ous": ous, "accounts": ids, "placement": placement, "admins": admins}
    if tags:
        out["tags"] = tags
    return out


def bench_assignments(names, n_ps, n_groups, n_assign, n_pairs=0):
    """[[permission set, group, account]] of the benchmark. Without n_pairs: assignment k gives
    group (k // 10) % groups permission set k % sets in account (7k) % accounts (all distinct for
    the default shape). With n_pairs P: exactly P (permission set, account) pairs, pair j =
    (permission set (j + j // accounts) % sets, account j % accounts), so every account has
    about P / accounts of them; assignment k is pair k % P with group (per * (k % P) + k // P)
    % groups, per = ceil(assignments / P) (P = 2,000, 10,000 assignments: 5 groups per pair)."""
    if not n_pairs:
        return [[f"ps{k % n_ps:02d}", f"g{(k // 10) % n_groups:03d}", names[(7 * k) % len(names)]] for k in range(n_assign)]
    if n_pairs > n_assign or n_pairs > n_ps * len(names):
        sys.exit("seed: --ic-pairs must be at most --ic-assignments and permission sets x accounts")
    per = -(-n_assign // n_pairs)
    if per > n_groups:
        sys.exit(f"seed: {per} groups per pair but only {n_groups} groups")
    out = []
    for k in range(n_assign):
        j, i = k % n_pairs, k // n_pairs
        out.append([f"ps{(j + j // len(names)) % n_ps:02d}", f"g{(per * j + i) % n_groups:03d}", names[j % len(names)]])
    if len({(p, a) for p, _, a in out}) != n_pairs:
        sys.exit("seed: the benchmark's (permission set, account) pairs are not distinct; choose other counts")
    return out


def create_assignments_fast(sso, arn, todo):
    """Creates the group assignments [(permission set ARN, group id, account id)] four requests at
    a time (botocore's CPU overlaps the emulator's) without polling each creation's status: the
    emulator (--create-delay 0) completes a creation before it serves the next sso request, so
    fewer than AWS's 10 are ever in progress; a ThrottlingException (10 in progress, a slower
    emulator) waits and retries. Then ListAccountAssignmentCreationStatus until none is
    IN_PROGRESS, and none may have FAILED. Polling each creation (DescribeAccountAssignment-
    CreationStatus) doubled the requests: 10,000 assignments took over 5 minutes."""
    def create(item):
        ps, gid, acct = item
        for _ in range(200):
            try:
                return sso.create_account_assignment(InstanceArn=arn, PermissionSetArn=ps, PrincipalType="GROUP", PrincipalId=gid, TargetType="AWS_ACCOUNT", TargetId=acct)
            except sso.exceptions.ThrottlingException:
                time.sleep(0.05)
        sys.exit(f"seed: CreateAccountAssignment {item} throttled 200 times")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(create, todo))

    def statuses(status):
        pages = sso.get_paginator("list_account_assignment_creation_status").paginate(InstanceArn=arn, Filter={"Status": status})
        return [x for page in pages for x in page["AccountAssignmentsCreationStatus"]]
    for _ in range(600):
        if not statuses("IN_PROGRESS"):
            break
        time.sleep(0.1)
    else:
        sys.exit("seed: account assignment creations still IN_PROGRESS after a minute")
    failed = statuses("FAILED")
    if failed:
        st = sso.describe_account_assignment_creation_status(InstanceArn=arn, AccountAssignmentCreationRequestId=failed[0]["RequestId"])
        sys.exit(f"seed: {len(failed)} account assignment creations FAILED, e.g. {st['AccountAssignmentCreationStatus'].get('FailureReason')}")


def identity_center_bench(o, accounts, n_ps, n_groups, n_users, n_assign, create_assignments=True, n_pairs=0):
    """Users, groups (5 members each), permission sets and assignments for the benchmark (which
    assignments: bench_assignments)."""
    sso, store, arn, sid = sso_clients(o)
    users = [f"u{k:04d}" for k in range(n_users)]
    uid = {u: store.create_user(IdentityStoreId=sid, UserName=u, DisplayName=f"User {u}", Name={"GivenName": "User", "FamilyName": u})["UserId"] for u in users}
    groups = {}
    for g in range(n_groups):
        name = f"g{g:03d}"
        gid = store.create_group(IdentityStoreId=sid, DisplayName=name)["GroupId"]
        members = [users[(g * 5 + m) % n_users] for m in range(5)]
        for m in members:
            store.create_group_membership(IdentityStoreId=sid, GroupId=gid, MemberId={"UserId": uid[m]})
        groups[name] = (gid, members)
    sets = {}
    for p in range(n_ps):
        name = f"ps{p:02d}"
        ps = sso.create_permission_set(InstanceArn=arn, Name=name, SessionDuration="PT1H")["PermissionSet"]["PermissionSetArn"]
        sso.attach_managed_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=ps, ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
        sets[name] = ps
    assignments = bench_assignments(sorted(accounts), n_ps, n_groups, n_assign, n_pairs)
    if create_assignments:
        t0 = time.time()
        create_assignments_fast(sso, arn, [(sets[p], groups[g][0], accounts[a]) for p, g, a in assignments])
    if create_assignments:
        print(f"seed: {len(assignments)} account assignments in {time.time() - t0:.1f} s", file=sys.stderr)
    if len({tuple(x) for x in assignments}) != len(assignments):
        sys.exit("seed: the benchmark's assignments are not distinct; choose other counts")
    return {"users": users, "groups": {g: m for g, (_, m) in groups.items()}, "permission_sets": sorted(sets), "assignments": assignments}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("scenario", choices=["demo", "bench"])
    ap.add_argument("--legacy", action="store_true", help="demo: also an outgoing GuardDuty admin and a hand-made SCP")
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--ous", type=int, default=100)
    ap.add_argument("--delegations", type=int, default=8)
    ap.add_argument("--tags", type=int, default=0, choices=[0, 1, 2], help="bench: tags per account, passed to CreateAccount")
    ap.add_argument("--depth", type=int, default=2, help="bench: levels of OUs below the root (2-5); above 2, chains")
    ap.add_argument("--wide", type=int, default=0, help="bench: child OUs of ou00 made first (> 20: a second page)")
    ap.add_argument("--crowd", type=int, default=0, help="bench: accounts put in the first deepest OU (> 20: a second page)")
    ap.add_argument("--ic-permission-sets", type=int, default=0, help="bench: also seed Identity Center")
    ap.add_argument("--ic-groups", type=int, default=200)
    ap.add_argument("--ic-users", type=int, default=500)
    ap.add_argument("--ic-assignments", type=int, default=2000)
    ap.add_argument("--ic-pairs", type=int, default=0, help="bench: spread the assignments over exactly this many (permission set, account) pairs")
    ap.add_argument("--ic-skip-assignments", action="store_true", help="list the assignments without creating them (for an apply benchmark)")
    a = ap.parse_args()
    o = client(a.endpoint)
    out = demo(o) if a.scenario == "demo" else bench(o, a.accounts, a.ous, a.delegations, a.depth, a.wide, a.crowd, a.tags)
    if a.scenario == "demo" and a.legacy:
        legacy(o, out["accounts"])
    if a.scenario == "bench" and a.ic_permission_sets:
        out["identity_center"] = identity_center_bench(o, out["accounts"], a.ic_permission_sets, a.ic_groups, a.ic_users, a.ic_assignments, not a.ic_skip_assignments, a.ic_pairs)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
