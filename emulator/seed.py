#!/usr/bin/env python3
"""Seeds an organization into orgctl's emulator (127.0.0.1 only), through boto3.

  seed.py --endpoint URL demo         the brownfield seed of `make demo`
  seed.py --endpoint URL bench --accounts 1000 --ous 100 --delegations 8

Prints a JSON summary (ids by name) on stdout. Credentials are dummies; the default
identity is the emulator's account 123456789012, which becomes the management account.
"""
import argparse
import json
import sys
import time
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


def create_accounts(o, specs):
    """specs: [(name, email)] -> {name: id}; waits for the asynchronous creations."""
    reqs = {name: o.create_account(Email=email, AccountName=name)["CreateAccountStatus"]["Id"] for name, email in specs}
    ids = {}
    while len(ids) < len(reqs):
        time.sleep(0.05)
        for name, rid in reqs.items():
            if name in ids:
                continue
            st = o.describe_create_account_status(CreateAccountRequestId=rid)["CreateAccountStatus"]
            if st["State"] == "SUCCEEDED":
                ids[name] = st["AccountId"]
            elif st["State"] == "FAILED":
                sys.exit(f"seed: creating {name} failed: {st.get('FailureReason')}")
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


def sso_clients(o):
    kw = dict(endpoint_url=o.meta.endpoint_url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
    sso, store = boto3.client("sso-admin", **kw), boto3.client("identitystore", **kw)
    inst = sso.list_instances()["Instances"][0]
    return sso, store, inst["InstanceArn"], inst["IdentityStoreId"]


def identity_center_brownfield(o):
    """What an identity provider and an earlier console session left: SCIM user bob and group
    auditors, an unmanaged user, and a ReadOnly permission set with another session duration."""
    sso, store, arn, sid = sso_clients(o)
    for user in ["bob", "legacy-admin"]:
        store.create_user(IdentityStoreId=sid, UserName=user, DisplayName=user, Name={"GivenName": user, "FamilyName": "Idp"})
    store.create_group(IdentityStoreId=sid, DisplayName="auditors")
    ps = sso.create_permission_set(InstanceArn=arn, Name="ReadOnly", SessionDuration="PT2H")["PermissionSet"]["PermissionSetArn"]
    sso.attach_managed_policy_to_permission_set(InstanceArn=arn, PermissionSetArn=ps, ManagedPolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")


def bench(o, n_accounts, n_ous, n_deleg):
    o.create_organization(FeatureSet="ALL")
    root = root_id(o)
    top = max(1, n_ous // 10)
    ous = {}
    for i in range(top):
        ous[f"ou{i:02d}"] = o.create_organizational_unit(ParentId=root, Name=f"ou{i:02d}")["OrganizationalUnit"]["Id"]
    i = 0
    while len(ous) < n_ous:
        parent = f"ou{i % top:02d}"
        path = f"{parent}/sub{i:03d}"
        ous[path] = o.create_organizational_unit(ParentId=ous[parent], Name=f"sub{i:03d}")["OrganizationalUnit"]["Id"]
        i += 1
    paths = sorted(ous)
    specs = [(f"acct-{k:04d}", f"aws+acct-{k:04d}@example.com") for k in range(n_accounts)]
    ids = {}
    for start in range(0, len(specs), 50):
        ids.update(create_accounts(o, specs[start:start + 50]))
    placement = {}
    for k, (name, _) in enumerate(specs):
        path = paths[k % len(paths)]
        o.move_account(AccountId=ids[name], SourceParentId=root, DestinationParentId=ous[path])
        placement[name] = path
    admins = {}
    for k, p in enumerate(BENCH_SERVICES[:n_deleg]):
        o.enable_aws_service_access(ServicePrincipal=p)
        admin = specs[k % 4][0]
        o.register_delegated_administrator(AccountId=ids[admin], ServicePrincipal=p)
        admins[p] = admin
    return {"root": root, "ous": ous, "accounts": ids, "placement": placement, "admins": admins}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("scenario", choices=["demo", "bench"])
    ap.add_argument("--accounts", type=int, default=1000)
    ap.add_argument("--ous", type=int, default=100)
    ap.add_argument("--delegations", type=int, default=8)
    a = ap.parse_args()
    o = client(a.endpoint)
    out = demo(o) if a.scenario == "demo" else bench(o, a.accounts, a.ous, a.delegations)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
