#!/usr/bin/env bash
# The demo: start orgctl's emulator on a free 127.0.0.1 port, seed a brownfield
# organization (and Identity Center), plan, apply each account's share with its own
# credentials, and plan again (which must show no changes).
set -euo pipefail
cd "$(dirname "$0")/.."
VPY=.venv/bin/python
BIN=target/debug/orgctl
log=$(mktemp)
$VPY emulator/orgctl_emulator.py --create-delay 1 >"$log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true; rm -f "$log"' EXIT
for _ in $(seq 100); do grep -q ORGCTL_EMULATOR_URL "$log" && break; sleep 0.1; done
url=$(sed -n 's/^ORGCTL_EMULATOR_URL=//p' "$log")
[ -n "$url" ] || { cat "$log"; echo "emulator did not start" >&2; exit 1; }
export AWS_ENDPOINT_URL="$url" AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN

echo "== emulator at $url; seeding a brownfield organization"
$VPY emulator/seed.py --endpoint "$url" demo >/dev/null
echo
echo "== orgctl plan -f examples/org.yaml"
$BIN plan -f examples/org.yaml
echo
echo "== management account: orgctl apply --executor 123456789012 (only what AWS reserves to it)"
$BIN apply -f examples/org.yaml --executor 123456789012 --auto-approve
echo
# Each delegated team applies its own share from its own account (STS AssumeRole, as on AWS).
for team in sec-ops infra-ops; do
  creds=$($VPY - "$url" "$team" <<'PY'
import boto3, sys
url, name = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
acct = next(a["Id"] for p in boto3.client("organizations", **kw).get_paginator("list_accounts").paginate() for a in p["Accounts"] if a["Name"] == name)
c = boto3.client("sts", **kw).assume_role(RoleArn=f"arn:aws:iam::{acct}:role/OrganizationAccountAccessRole", RoleSessionName="orgctl-demo")["Credentials"]
print(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"])
PY
)
  read -r key secret token <<<"$creds"
  echo "== $team: orgctl apply --executor $team (with $team's own credentials)"
  AWS_ACCESS_KEY_ID=$key AWS_SECRET_ACCESS_KEY=$secret AWS_SESSION_TOKEN=$token \
    $BIN apply -f examples/org.yaml --executor "$team" --auto-approve
  echo
done
echo "== orgctl plan -f examples/org.yaml --detailed-exitcode   (no changes expected)"
set +e
$BIN plan -f examples/org.yaml --detailed-exitcode
rc=$?
set -e
if [ "$rc" -ne 0 ]; then echo "demo: the second plan was not empty (exit $rc)" >&2; exit 1; fi
echo "demo: OK — the organization matches examples/org.yaml"
