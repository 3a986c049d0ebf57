"""Self-test checks of R41: users and groups provisioned by an identity provider (SCIM) through
POST /orgctl-emulator/scim carry ExternalIds in ListUsers / DescribeUser / ListGroups /
DescribeGroup, for the management account, the delegated administrator and members alike; users
and groups created through the identitystore API have none; bad input is refused.

Runs after selftest_ic.identity_center (which created the API user alice and registered infra as
the sso.amazonaws.com delegated administrator)."""

import json
import urllib.error
import urllib.request

import selftest_lib as lib
from selftest_lib import call, check, client, member, signed

ISSUER = "https://scim.example.com"


def post_scim(body):
    """POST /orgctl-emulator/scim -> (HTTP status, JSON answer or {"raw": text})."""
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    req = urllib.request.Request(lib.URL + "/orgctl-emulator/scim", data=data, method="POST", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req) as r:
            status, text = r.status, r.read()
    except urllib.error.HTTPError as e:
        status, text = e.code, e.read()
    try:
        return status, json.loads(text)
    except ValueError:
        return status, {"raw": "not JSON"}


def raw_ids(operation, body, creds=None):
    """An identitystore call as raw JSON 1.1 (to see whether a member is on the wire at all)."""
    status, _h, text = signed("identitystore", "POST", "/", json.dumps(body).encode(),
                              {"X-Amz-Target": f"AWSIdentityStore.{operation}", "Content-Type": "application/x-amz-json-1.1"}, creds)
    try:
        return status, json.loads(text)
    except ValueError:
        return status, {}


def _named(items, key, name):
    return next((x for x in items if x.get(key) == name), None)


def _ext(item):
    return (item or {}).get("ExternalIds")


def scim(ctx, o):
    sid = client("sso-admin").list_instances()["Instances"][0]["IdentityStoreId"]
    ids, da, dev = client("identitystore"), client("identitystore", member(ctx["infra"])), client("identitystore", member(ctx["dev"]))
    bob_ext = [{"Issuer": ISSUER, "Id": "scim-bob"}]
    grp_ext = [{"Issuer": "https://idp.example.org/scim/v2", "Id": "00g-auditors"}]

    status, user = post_scim({"kind": "user", "user_name": "scim-bob", "display_name": "Bob (IdP)", "given_name": "Bob", "family_name": "Idp",
                              "email": "bob@example.com"})
    check("R41 SCIM user: 200 with a UserId", status == 200 and "UserId" in user and user.get("IdentityStoreId") == sid, f"HTTP {status} {sorted(user)}")
    status, group = post_scim({"kind": "group", "display_name": "scim-auditors", "description": "from the IdP", "external_id": grp_ext[0]})
    check("R41 SCIM group with its own external_id: 200 with a GroupId", status == 200 and "GroupId" in group, f"HTTP {status} {sorted(group)}")
    uid, gid = user.get("UserId"), group.get("GroupId")

    def sees(who, c):
        call(f"R41 {who}: ListUsers lists the SCIM user with ExternalIds", lambda: c.list_users(IdentityStoreId=sid),
             lambda r: _ext(_named(r["Users"], "UserName", "scim-bob")) == bob_ext, lambda r: f"{_ext(_named(r['Users'], 'UserName', 'scim-bob'))}")
        call(f"R41 {who}: DescribeUser returns the SCIM user's ExternalIds", lambda: c.describe_user(IdentityStoreId=sid, UserId=uid or "none"),
             lambda r: r.get("ExternalIds") == bob_ext, lambda r: f"{r.get('ExternalIds')}")
        call(f"R41 {who}: ListGroups lists the SCIM group with ExternalIds", lambda: c.list_groups(IdentityStoreId=sid),
             lambda r: _ext(_named(r["Groups"], "DisplayName", "scim-auditors")) == grp_ext, lambda r: f"{_ext(_named(r['Groups'], 'DisplayName', 'scim-auditors'))}")
        call(f"R41 {who}: DescribeGroup returns the SCIM group's ExternalIds", lambda: c.describe_group(IdentityStoreId=sid, GroupId=gid or "none"),
             lambda r: r.get("ExternalIds") == grp_ext, lambda r: f"{r.get('ExternalIds')}")

    sees("management account", ids)
    call("R41 the SCIM user's names and email are stored", lambda: ids.describe_user(IdentityStoreId=sid, UserId=uid or "none"),
         lambda r: r.get("DisplayName") == "Bob (IdP)" and r.get("Name", {}).get("GivenName") == "Bob" and [e.get("Value") for e in r.get("Emails") or []] == ["bob@example.com"],
         lambda r: f"DisplayName={r.get('DisplayName')!r} Emails={[e.get('Value') for e in r.get('Emails') or []]}")
    sees("delegated administrator (R20)", da)
    call("R41 member account (R20 read): ListUsers lists the SCIM user with ExternalIds", lambda: dev.list_users(IdentityStoreId=sid),
         lambda r: _ext(_named(r["Users"], "UserName", "scim-bob")) == bob_ext, lambda r: f"{_ext(_named(r['Users'], 'UserName', 'scim-bob'))}")
    call("R41 UpdateUser keeps the ExternalIds", lambda: (ids.update_user(IdentityStoreId=sid, UserId=uid or "none", Operations=[{"AttributePath": "title", "AttributeValue": "Auditor"}]),
                                                         ids.describe_user(IdentityStoreId=sid, UserId=uid or "none"))[1],
         lambda r: r.get("Title") == "Auditor" and r.get("ExternalIds") == bob_ext, lambda r: f"Title={r.get('Title')!r} ExternalIds={r.get('ExternalIds')}")

    # Created through the identitystore API: no ExternalIds, and no member on the wire (the model's list has 1 to 10).
    call("R41 an API-created user (alice) has no ExternalIds in ListUsers", lambda: raw_ids("ListUsers", {"IdentityStoreId": sid})[1],
         lambda r: (a := _named(r.get("Users", []), "UserName", "alice")) is not None and "ExternalIds" not in a, lambda r: f"{sorted(_named(r.get('Users', []), 'UserName', 'alice') or {})}")
    alice = _named(ids.list_users(IdentityStoreId=sid)["Users"], "UserName", "alice") or {}
    call("R41 an API-created user (alice) has no ExternalIds in DescribeUser", lambda: raw_ids("DescribeUser", {"IdentityStoreId": sid, "UserId": alice.get("UserId", "none")}),
         lambda r: r[0] == 200 and "ExternalIds" not in r[1], lambda r: f"HTTP {r[0]} ExternalIds={r[1].get('ExternalIds', '<absent>')}")
    api_gid = ids.create_group(IdentityStoreId=sid, DisplayName="r41-api-group")["GroupId"]
    call("R41 an API-created group has no ExternalIds in ListGroups", lambda: raw_ids("ListGroups", {"IdentityStoreId": sid})[1],
         lambda r: (g := _named(r.get("Groups", []), "GroupId", api_gid)) is not None and "ExternalIds" not in g,
         lambda r: f"ExternalIds={(_named(r.get('Groups', []), 'GroupId', api_gid) or {}).get('ExternalIds', '<absent>')}")
    call("R41 an API-created group has no ExternalIds in DescribeGroup", lambda: raw_ids("DescribeGroup", {"IdentityStoreId": sid, "GroupId": api_gid}),
         lambda r: r[0] == 200 and "ExternalIds" not in r[1], lambda r: f"HTTP {r[0]} ExternalIds={r[1].get('ExternalIds', '<absent>')}")

    refusals(sid, ids)
    ids.delete_group(IdentityStoreId=sid, GroupId=api_gid)
    status, tmp = post_scim({"kind": "user", "user_name": "scim-tmp", "display_name": "T", "given_name": "T", "family_name": "Mp"})
    if status == 200:
        ids.delete_user(IdentityStoreId=sid, UserId=tmp["UserId"])
    status, again = post_scim({"kind": "user", "user_name": "scim-tmp", "display_name": "T", "given_name": "T", "family_name": "Mp",
                               "external_id": {"Issuer": ISSUER, "Id": "tmp-2"}})
    call("R41 a SCIM user deleted and provisioned again carries only its new ExternalIds",
         lambda: ids.describe_user(IdentityStoreId=sid, UserId=again.get("UserId", "none")),
         lambda r: r.get("ExternalIds") == [{"Issuer": ISSUER, "Id": "tmp-2"}], lambda r: f"{r.get('ExternalIds')}")


def refusals(sid, ids):
    before = len(ids.list_users(IdentityStoreId=sid)["Users"]), len(ids.list_groups(IdentityStoreId=sid)["Groups"])
    user = {"kind": "user", "user_name": "scim-carol", "display_name": "Carol", "given_name": "Carol", "family_name": "Idp"}
    cases = [
        ("unknown kind", {"kind": "robot", "display_name": "x"}, "ValidationException"),
        ("no kind", {"display_name": "x"}, "ValidationException"),
        ("a user without given_name", {k: v for k, v in user.items() if k != "given_name"}, "ValidationException"),
        ("a user with an empty user_name", dict(user, user_name=""), "ValidationException"),
        ("a group without display_name", {"kind": "group", "description": "d"}, "ValidationException"),
        ("an external_id without Id", dict(user, external_id={"Issuer": ISSUER}), "ValidationException"),
        ("an unknown member (a group with user_name)", {"kind": "group", "display_name": "scim-x", "user_name": "x"}, "ValidationException"),
        ("a body that is not JSON", b"{not json", "ValidationException"),
        ("a duplicate user_name (a SCIM user's)", dict(user, user_name="scim-bob"), "ConflictException"),
        ("a user_name of an API-created user (alice)", dict(user, user_name="alice"), "ConflictException"),
        ("a duplicate group display_name", {"kind": "group", "display_name": "r41-api-group"}, "ConflictException"),
    ]
    for what, body, kind in cases:
        status, out = post_scim(body)
        ok = status == 400 and out.get("type") == kind and bool(out.get("error"))
        if kind == "ConflictException":
            ok = ok and out.get("reason") == "UNIQUENESS_CONSTRAINT_VIOLATION" and out.get("error", "").startswith("Duplicate ")
        check(f"R41 refused: {what}", ok, f"HTTP {status} {out}")
    after = len(ids.list_users(IdentityStoreId=sid)["Users"]), len(ids.list_groups(IdentityStoreId=sid)["Groups"])
    check("R41 the refusals created nothing", before == after, f"users/groups before {before} after {after}")
