#!/usr/bin/env python3
"""Self-test of orgctl's emulator through boto3, without cargo.

  .venv/bin/python emulator/selftest.py [--url URL] [--skip-r26] [--wire FILE]

Starts `emulator/orgctl_emulator.py --create-delay 0.2` (unless --url names a running one, which
must be fresh), reads its `ORGCTL_EMULATOR_URL=` line, then drives every rule group with boto3 and
dummy credentials: the default access key acts as account 123456789012 (the management account
once it creates the organization); member accounts act through sts:AssumeRole into
OrganizationAccountAccessRole, as the Rust tests do (moto keys the caller's account on the
access key it issued).

Prints one line per check, `PASS name: detail` or `FAIL name: detail`; the details are
normalised (account ids, organization/OU/policy ids, UUIDs replaced by placeholders), so two runs
can be compared with diff. Exits 1 on any failure. --skip-r26 leaves out Security Lake and Audit Manager (R26, R27: the rules added after the split).
--wire FILE also writes every boto3 response (operation, HTTP status, normalised body) to FILE,
to compare two versions of the emulator response by response (polling loops may repeat a line).
FMS is driven through boto3 (JSON 1.1) and, with raw SigV4 requests, as RPC v2 CBOR (the Rust SDK's form)
and raw JSON 1.1; an unknown Security Lake operation through a raw request too.

The checks live in selftest_orgs.py (Organizations), selftest_policy_rules.py (R35-R37: policy
grammar, defaults and limits, trusted access and policy types), selftest_services.py (the other services'
delegated-admin APIs), selftest_ic.py (Identity Center, Security Lake, Audit Manager, control
endpoints), selftest_scim.py (R41: users and groups provisioned through the SCIM stand-in carry
ExternalIds), selftest_async.py (R38 Security Hub central configuration, R39 DISABLE_IN_PROGRESS,
R40 new accounts not usable at once: the rules that play out over time), selftest_calls.py (the
call log, test support), selftest_faults.py (R28 throttling, R29 ConcurrentModificationException, run last);
selftest_lib.py is the harness they share.
"""
import argparse
import os
import re
import subprocess
import sys

import selftest_lib as lib
from selftest_async import central_configuration, disable_in_progress, knobs, new_account_lag
from selftest_calls import call_log
from selftest_faults import concurrent_modification, throttling
from selftest_ic import audit_manager, control_knobs, identity_center, security_lake
from selftest_lib import FAILURES, HERE, record_wire, report
from selftest_scim import scim
from selftest_orgs import organizations, policies, resource_policy
from selftest_policy_rules import policy_rules, policy_rules_after_services
from selftest_services import cloudtrail_ipam, detective_fms, guardduty, inspector_macie_hub


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", help="a running, fresh emulator (default: start one)")
    ap.add_argument("--quiet", action="store_true", help="print only failures and the count")
    ap.add_argument("--skip-r26", action="store_true", help="leave out Security Lake and Audit Manager (R26, R27)")
    ap.add_argument("--wire", metavar="FILE", help="also write every response (operation, status, normalised body) to FILE")
    a = ap.parse_args()
    lib.QUIET = a.quiet
    if a.wire:
        record_wire(a.wire)
    for k in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE"):
        os.environ.pop(k, None)
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_DEFAULT_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true")
    proc = None
    if a.url:
        lib.URL = a.url
    else:
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "orgctl_emulator.py"), "--create-delay", "0.2"], stdout=subprocess.PIPE, text=True)
        line = proc.stdout.readline()
        if not line.startswith("ORGCTL_EMULATOR_URL="):
            proc.kill()
            sys.exit(f"the emulator did not start: {line!r}")
        lib.URL = line.strip().split("=", 1)[1]
    print(f"# emulator at {re.sub(r':[0-9]+$', ':PORT', lib.URL)}", flush=True)
    ctx = {}
    try:
        o = organizations(ctx)
        resource_policy(ctx, o)
        policies(ctx, o)
        policy_rules(ctx, o)
        guardduty(ctx, o)
        inspector_macie_hub(ctx, o)
        policy_rules_after_services(ctx, o)
        cloudtrail_ipam(ctx, o)
        detective_fms(ctx, o)
        identity_center(ctx, o)
        scim(ctx, o)
        if not a.skip_r26:
            security_lake(ctx, o)
            audit_manager(ctx, o)
        control_knobs()
        knobs()
        disable_in_progress(ctx, o)
        central_configuration(ctx, o)
        new_account_lag(ctx, o)
        call_log(ctx, o)
        throttling(ctx)
        concurrent_modification(ctx, o)
    except Exception as e:  # noqa: BLE001
        report(False, "selftest aborted", f"{type(e).__name__}: {e}")
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=10)
    print(f"# {len(FAILURES)} failure(s)", flush=True)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
