#!/usr/bin/env bash
# The demo: start orgctl's emulator on a free 127.0.0.1 port, seed a brownfield
# organization (and Identity Center), make one plan file, apply it stage by stage, each
# account with its own credentials and no re-plan in between, and plan again (which must
# show no changes).
set -euo pipefail
cd "$(dirname "$0")/.."
VPY=.venv/bin/python
BIN=target/debug/orgctl
log=$(mktemp)
$VPY emulator/orgctl_emulator.py --create-delay 1 >"$log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true; rm -f "$log"; [ -n "${plan:-}" ] && rm -rf "$(dirname "$plan")"' EXIT
for _ in $(seq 100); do grep -q ORGCTL_EMULATOR_URL "$log" && break; sleep 0.1; done
url=$(sed -n 's/^ORGCTL_EMULATOR_URL=//p' "$log")
[ -n "$url" ] || { cat "$log"; echo "emulator did not start" >&2; exit 1; }
export AWS_ENDPOINT_URL="$url" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN

echo "== emulator at $url; seeding a brownfield organization (GuardDuty run by infra-ops, a hand-made SCP, Identity Center)"
$VPY emulator/seed.py --endpoint "$url" demo --legacy >/dev/null
plan=$(mktemp -d)/plan.json
echo
echo "== orgctl plan -f examples/org.yaml --out plan.json   (the pull request: one plan, reviewed once)"
$BIN plan -f examples/org.yaml --out "$plan"
md=$($BIN show "$plan" --format markdown | wc -c)
echo "(orgctl show plan.json --format markdown: the PR comment, $md characters)"
echo

# Credentials of one account: the management account's own, or STS AssumeRole into a member
# (as a CI job with its own role would have).
creds_for() {
  $VPY - "$url" "$1" <<'PY'
import boto3, sys
url, name = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
o = boto3.client("organizations", **kw)
mgmt = o.describe_organization()["Organization"]["MasterAccountId"]
acct = next(a["Id"] for p in o.get_paginator("list_accounts").paginate() for a in p["Accounts"] if a["Name"] == name or a["Id"] == name)
if acct == mgmt:
    print("testing testing -")
else:
    c = boto3.client("sts", **kw).assume_role(RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole", RoleSessionName="orgctl-demo")["Credentials"]
    print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
PY
}

# The stages, as the plan file lists them: number and account, in order.
stages=$($VPY -c 'import json,sys; [print(s["number"], s["account_name"]) for s in json.load(open(sys.argv[1]))["stages"]]' "$plan")
while read -r n account; do
  read -r key secret token <<<"$(creds_for "$account")"
  echo "== stage $n: $account applies plan.json with its own credentials (no re-plan)"
  if [ "$token" = "-" ]; then
    env -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret \
      $BIN apply "$plan" --executor "$account" --stage "$n" --allow-destroy
  else
    AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token \
      $BIN apply "$plan" --executor "$account" --stage "$n" --allow-destroy
  fi
  echo
done <<<"$stages"
echo "== orgctl plan -f examples/org.yaml --detailed-exitcode   (no changes expected)"
set +e
$BIN plan -f examples/org.yaml --detailed-exitcode
rc=$?
set -e
if [ "$rc" -ne 0 ]; then echo "demo: the second plan was not empty (exit $rc)" >&2; exit 1; fi
echo "demo: OK — one reviewed plan, applied stage by stage by each account; the organization matches examples/org.yaml"
