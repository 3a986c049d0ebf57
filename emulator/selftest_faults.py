"""Self-test checks of the fault knobs: R28 throttling in every service, R29 Organizations'
ConcurrentModificationException (both drawn from the seeded PRNG of orgemu/faults.py)."""

import json
import urllib.error

import cbor2

from selftest_lib import call, check, client, control, expect_error, member, signed

# service -> (boto3 call, code, HTTP status) under throttle_rate 1
THROTTLED = {
    "organizations": (lambda: client("organizations").list_roots(), "TooManyRequestsException", 400),
    "sso-admin": (lambda: client("sso-admin").list_instances(), "ThrottlingException", 400),
    "identitystore": (lambda: client("identitystore").list_users(IdentityStoreId="d-0000000000"), "ThrottlingException", 400),
    "guardduty": (lambda: client("guardduty").list_detectors(), "ThrottlingException", 400),
    "inspector2": (lambda: client("inspector2").list_delegated_admin_accounts(), "ThrottlingException", 429),
    "macie2": (lambda: client("macie2").list_organization_admin_accounts(), "ThrottlingException", 429),
    "securityhub": (lambda: client("securityhub").list_organization_admin_accounts(), "LimitExceededException", 429),
    "detective": (lambda: client("detective").list_organization_admin_accounts(), "TooManyRequestsException", 429),
    "fms": (lambda: client("fms").get_admin_account(), "ThrottlingException", 400),
    "cloudtrail": (lambda: client("cloudtrail").describe_trails(), "ThrottlingException", 400),
    "ec2": (lambda: client("ec2").describe_regions(RegionNames=["us-east-1"]), "RequestLimitExceeded", 503),
    "securitylake": (lambda: client("securitylake").deregister_data_lake_delegated_administrator(), "ThrottlingException", 429),
    "auditmanager": (lambda: client("auditmanager").get_organization_admin_account(), "ThrottlingException", 429),
}
REST = {"guardduty", "inspector2", "macie2", "securityhub", "detective", "securitylake", "auditmanager"}


def config(knobs):
    return control("/orgctl-emulator/config", json.dumps(knobs).encode())


def _header(name):
    return lambda r: r.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get(name.lower()) is not None


def _pattern(n):
    o, out = client("organizations"), ""
    for _ in range(n):
        try:
            o.list_roots()
            out += "."
        except Exception:  # noqa: BLE001 (a throttled answer)
            out += "T"
    return out


def throttling(ctx):
    control("/orgctl-emulator/stats/reset", b"")
    config({"throttle_rate": 1.0, "throttle_services": []})
    for service, (fn, code, status) in THROTTLED.items():
        expect_error(f"R28 {service} throttled: {code} HTTP {status}", fn, code, status=status,
                     extra=_header("x-amzn-ErrorType") if service in REST else None)
    call("R28 sts is never throttled", lambda: member(ctx["dev"]), lambda r: r.get("aws_access_key_id"), lambda r: "AssumeRole answered")
    # The wire forms: EC2 XML, identitystore JSON 1.1, Firewall Manager RPC v2 CBOR.
    status, _h, body = signed("ec2", "POST", "/", b"Action=DescribeRegions&Version=2016-11-15", {"Content-Type": "application/x-www-form-urlencoded"})
    check("R28 ec2 answers the EC2 XML error", status == 503 and b"<Response><Errors><Error><Code>RequestLimitExceeded</Code>" in body, f"HTTP {status} {body[:120]!r}")
    status, _h, body = signed("identitystore", "POST", "/", b'{"IdentityStoreId": "d-0000000000"}',
                              {"X-Amz-Target": "AWSIdentityStore.ListUsers", "Content-Type": "application/x-amz-json-1.1"})
    out = json.loads(body or b"{}")
    check("R28 identitystore answers JSON 1.1 with __type", status == 400 and out.get("__type") == "ThrottlingException" and out.get("Message"), f"HTTP {status} {sorted(out)}")
    status, headers, body = signed("fms", "POST", "/service/AWSFMS_20180101/operation/GetAdminAccount", cbor2.dumps({}),
                                   {"smithy-protocol": "rpc-v2-cbor", "Content-Type": "application/cbor", "Accept": "application/cbor"})
    out = cbor2.loads(body) if body else {}
    check("R28 fms answers RPC v2 CBOR on the CBOR path", status == 400 and out.get("__type") == "ThrottlingException" and headers.get("smithy-protocol") == "rpc-v2-cbor",
          f"HTTP {status} {out}")
    stats = control("/orgctl-emulator/stats")["throttled"]
    check("R28 stats count the throttled answers per service", all(stats.get(s, 0) >= 1 for s in THROTTLED) and stats.get("ec2") == 2,
          f"{dict(sorted(stats.items()))}")

    config({"throttle_rate": 1.0, "throttle_services": ["guardduty"]})
    expect_error("R28 throttle_services: guardduty throttled", lambda: client("guardduty").list_detectors(), "ThrottlingException", status=400)
    call("R28 throttle_services: inspector2 served", lambda: client("inspector2").list_delegated_admin_accounts())
    call("R28 throttle_services: organizations served", lambda: client("organizations").list_roots())
    config({"throttle_rate": 0.5, "throttle_services": ["organizations"], "throttle_seed": 7})
    first = _pattern(24)
    config({"throttle_seed": 7})
    second = _pattern(24)
    config({"throttle_seed": 8})
    third = _pattern(24)
    check("R28 the same seed throttles the same requests", first == second and "T" in first and "." in first, f"{first} / {second}")
    check("R28 another seed throttles others", third != first, f"{third}")
    config({"throttle_rate": 0.0, "throttle_services": [], "throttle_seed": 1})
    for service in ("organizations", "sso-admin", "guardduty", "ec2", "detective"):
        fn, _code, _status = THROTTLED[service]
        call(f"R28 throttle_rate 0: {service} served", fn)
    try:
        config({"throttle_rate": 2})
        check("R28 throttle_rate 2 refused", False, "accepted")
    except urllib.error.HTTPError as e:
        check("R28 throttle_rate 2 refused", e.code == 400, f"HTTP {e.code} {json.loads(e.read())}")
    try:
        config({"throttle_services": ["sts"]})
        check("R28 throttle_services sts refused", False, "accepted")
    except urllib.error.HTTPError as e:
        check("R28 throttle_services sts refused", e.code == 400, f"HTTP {e.code}")


def concurrent_modification(ctx, o):
    root = ctx["root"]
    control("/orgctl-emulator/stats/reset", b"")
    config({"cme_rate": 1.0})
    expect_error("R29 create_organizational_unit: ConcurrentModificationException", lambda: o.create_organizational_unit(ParentId=root, Name="Cme"),
                 "ConcurrentModificationException", status=400)
    expect_error("R29 register_delegated_administrator: ConcurrentModificationException",
                 lambda: o.register_delegated_administrator(AccountId=ctx["dev"], ServicePrincipal="backup.amazonaws.com"), "ConcurrentModificationException", status=400)
    call("R29 reads are never refused", lambda: o.list_organizational_units_for_parent(ParentId=root),
         lambda r: "Cme" not in [u["Name"] for u in r["OrganizationalUnits"]], lambda r: f"no OU Cme: the write was not made ({len(r['OrganizationalUnits'])} OUs)")
    call("R29 stats count them per operation", lambda: control("/orgctl-emulator/stats")["concurrent_modifications"],
         lambda r: r == {"CreateOrganizationalUnit": 1, "RegisterDelegatedAdministrator": 1}, lambda r: f"{r}")
    config({"cme_rate": 0.0})
    ou = call("R29 cme_rate 0: the write is made", lambda: o.create_organizational_unit(ParentId=root, Name="Cme"),
              lambda r: r["OrganizationalUnit"]["Name"] == "Cme", lambda r: f"Name={r['OrganizationalUnit']['Name']}")
    if ou:
        o.delete_organizational_unit(OrganizationalUnitId=ou["OrganizationalUnit"]["Id"])
