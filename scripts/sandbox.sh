#!/usr/bin/env bash
# Try orgctl as the README says: start orgctl's emulator on 127.0.0.1, seed the example's
# organization (and Identity Center), write a sandbox folder with org.yaml, its
# policies and an AWS config file holding a profile per account (management is the default;
# sec-ops, infra-ops and networking are their own roles, as CI jobs would have), print the
# environment to export, and keep the emulator running until Ctrl-C (or SIGTERM).
#
#   make sandbox            # then, in another terminal, paste the printed lines
#   ORGCTL_SANDBOX=/tmp/x scripts/sandbox.sh
#
# Nothing reaches AWS: the endpoint is the emulator, the keys are dummy values.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
VPY=$root/.venv/bin/python
dir=${ORGCTL_SANDBOX:-$root/sandbox}
rm -rf "$dir"
mkdir -p "$dir"
cp examples/org.yaml "$dir/org.yaml"
cp -R examples/policies "$dir/policies"
log=$dir/emulator.log
$VPY emulator/orgctl_emulator.py --create-delay 1 >"$log" 2>&1 &
emu=$!
trap 'kill $emu 2>/dev/null || true' EXIT
trap 'exit 0' INT TERM
for _ in $(seq 100); do grep -q ORGCTL_EMULATOR_URL "$log" && break; sleep 0.1; done
url=$(sed -n 's/^ORGCTL_EMULATOR_URL=//p' "$log")
[ -n "$url" ] || { cat "$log"; echo "sandbox: the emulator did not start" >&2; exit 1; }
$VPY emulator/seed.py --endpoint "$url" demo >/dev/null
# One profile per account: management's own keys, STS AssumeRole into each member.
$VPY - "$url" "$dir/aws-config" <<'PY'
import sys
import boto3
url, path = sys.argv[1], sys.argv[2]
kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="testing", aws_secret_access_key="testing")
org = boto3.client("organizations", **kw)
sts = boto3.client("sts", **kw)
lines = ["[default]", "region = us-east-1", "aws_access_key_id = testing", "aws_secret_access_key = testing", ""]
for page in org.get_paginator("list_accounts").paginate():
    for a in page["Accounts"]:
        if a["Name"] not in ("sec-ops", "infra-ops", "networking"):
            continue
        c = sts.assume_role(RoleArn=f"arn:aws:iam::{a['Id']}:role/OrganizationAccountAccessRole", RoleSessionName="sandbox", DurationSeconds=43200)["Credentials"]
        lines += [f"[profile {a['Name']}]", "region = us-east-1", f"aws_access_key_id = {c['AccessKeyId']}",
                  f"aws_secret_access_key = {c['SecretAccessKey']}", f"aws_session_token = {c['SessionToken']}", ""]
open(path, "w").write("\n".join(lines))
PY
cat <<ENV
# orgctl sandbox: the emulator runs at $url with the example organization (stop: Ctrl-C here).
# In another terminal:
export AWS_ENDPOINT_URL=$url
export AWS_CONFIG_FILE=$dir/aws-config AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_EC2_METADATA_DISABLED=true
unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
export PATH="$root/target/debug:\$PATH"
cd $dir
# The default profile is the management account; AWS_PROFILE=sec-ops (or infra-ops,
# networking) runs as that account. Then try the README's "Use" commands.
ENV
wait $emu
