"""Users and groups provisioned by an external identity provider (SCIM): R41.

Rule (botocore identitystore model: User.ExternalIds, Group.ExternalIds, a list of 1 to 10
ExternalId {Issuer, Id}, both 1 to 256 characters; CreateUserRequest / CreateGroupRequest have
no such member; IAM Identity Center user guide, provision-automatically / SCIM implementation
guide: users and groups an identity provider provisions through the SCIM endpoint carry its
identifier):
  R41 users and groups provisioned by an identity provider (SCIM) carry ExternalIds: ListUsers,
      DescribeUser, ListGroups and DescribeGroup return them (moto: DescribeUser "ExternalIds":
      null, ListGroups / DescribeGroup [], DescribeGroup discarding what the group holds); a user
      or group created through the identitystore API has none, and the member is left out (the
      model's list has at least one element). The delegated administrator and member accounts,
      served from the management account's store (R20), see the same. UpdateUser / UpdateGroup
      keep them; DeleteUser / DeleteGroup drop them with the user or group.

The SCIM endpoint itself is not emulated: POST /orgctl-emulator/scim (server.py) stands in for
it and creates the user or group in the identity store of the organization instance (R19), with
one ExternalIds entry. A group keeps its ExternalIds in moto's own Group.ExternalIds field; moto's
User has no such field, so a user's live in the store's `_orgctl_external_ids` (by UserId).
"""

import json
import re

from moto.identitystore import models as ism

from ..common import KNOBS
from .common import SSO_LOCK, _context, _instance, _store

DEFAULT_ISSUER = "https://scim.example.com"
DEFAULT_ACCOUNT = "123456789012"  # what the emulator's default credentials act as
FIELDS = {
    "user": {"kind", "user_name", "display_name", "given_name", "family_name", "email", "external_id", "account_id"},
    "group": {"kind", "display_name", "description", "external_id", "account_id"},
}
REQUIRED = {"user": ("user_name", "display_name", "given_name", "family_name"), "group": ("display_name",)}
READS = {"ListUsers": ("Users", "user"), "DescribeUser": (None, "user"), "ListGroups": ("Groups", "group"), "DescribeGroup": (None, "group")}


# --- the store -----------------------------------------------------------------------------------

def _user_ids(store):
    if not hasattr(store, "_orgctl_external_ids"):
        store._orgctl_external_ids = {}
    return store._orgctl_external_ids


def external_ids(store, kind, rid):
    """The ExternalIds of user or group `rid` ([] for one created through the API)."""
    if kind == "user":
        return list(_user_ids(store).get(rid) or [])
    group = store.groups.get(rid)
    return [e for e in (group.ExternalIds if group else None) or [] if e]


def forget_user(store, uid):
    _user_ids(store).pop(uid, None)


def with_external_ids(resp, action, body):
    """R41: the ExternalIds of each user or group in a ListUsers / DescribeUser / ListGroups /
    DescribeGroup answer of moto (`body`, JSON), the member left out where there are none."""
    if action not in READS or not getattr(resp, "_orgctl_ids_inst", None):
        return body
    key, kind = READS[action]
    store = _store(resp._orgctl_ids_account, resp._orgctl_ids_inst)
    out = json.loads(body)
    for item in (out.get(key) or []) if key else [out]:
        found = external_ids(store, kind, item.get("UserId" if kind == "user" else "GroupId"))
        if found:
            item["ExternalIds"] = found
        else:
            item.pop("ExternalIds", None)
    return json.dumps(out)


# --- POST /orgctl-emulator/scim --------------------------------------------------------------------

class Refused(Exception):
    def __init__(self, message, type_="ValidationException", reason=None):
        super().__init__(message)
        self.body = {"error": message, "type": type_}
        if reason:
            self.body["reason"] = reason


def _text(p, name, required):
    v = p.get(name)
    if v is None and not required:
        return None
    if not isinstance(v, str) or not v.strip():
        raise Refused(f"{name} is required: a non-empty string" if required else f"{name} must be a non-empty string")
    return v


def _external_id(p, default_id):
    e = p.get("external_id")
    if e is None:
        return {"Issuer": DEFAULT_ISSUER, "Id": default_id}
    if not isinstance(e, dict) or set(e) != {"Issuer", "Id"}:
        raise Refused('external_id must be an object {"Issuer": ..., "Id": ...}')
    for k in ("Issuer", "Id"):
        if not isinstance(e[k], str) or not 1 <= len(e[k]) <= 256 or not e[k].strip():
            raise Refused(f"external_id.{k} must be a string of 1 to 256 characters")
    return {"Issuer": e["Issuer"], "Id": e["Id"]}


def _where(p):
    """(identitystore backend, store, IdentityStoreId) of the organization instance (R19) of the
    organization `account_id` (default: the default credentials' account) belongs to."""
    acct = p.get("account_id", DEFAULT_ACCOUNT)
    if not isinstance(acct, str) or not re.fullmatch(r"\d{12}", acct):
        raise Refused("account_id must be an account id (12 digits)")
    mgmt, _role = _context(acct)
    region = KNOBS.get("sso_region", "us-east-1")
    _b, inst = _instance(mgmt, region)
    if inst is None:
        raise Refused(f"account {acct} belongs to no organization: no Identity Center instance to provision into (CreateOrganization first)")
    return ism.identitystore_backends[mgmt][region], _store(mgmt, inst), inst.identity_store_id


def _create(p):
    kind = p.get("kind")
    if kind not in FIELDS:
        raise Refused(f'kind must be "user" or "group", not {json.dumps(kind)}')
    unknown = sorted(set(p) - FIELDS[kind])
    if unknown:
        raise Refused(f"unknown member(s) for a {kind}: {', '.join(unknown)} (allowed: {', '.join(sorted(FIELDS[kind]))})")
    values = {k: _text(p, k, True) for k in REQUIRED[kind]}
    backend, store, sid = _where(p)
    if kind == "user":
        email = _text(p, "email", False)
        ext = _external_id(p, values["user_name"])
        if any(u.UserName == values["user_name"] for u in store.users.values()):
            raise Refused("Duplicate UserName", "ConflictException", "UNIQUENESS_CONSTRAINT_VIOLATION")
        emails = [{"Value": email, "Type": "work", "Primary": True}] if email else None
        uid, _ = backend.create_user(sid, values["user_name"], {"GivenName": values["given_name"], "FamilyName": values["family_name"]},
                                     values["display_name"], None, None, emails, None, None, None, None, None, None, None)
        _user_ids(store)[uid] = [ext]
        return {"UserId": uid, "IdentityStoreId": sid}
    description = _text(p, "description", False)
    ext = _external_id(p, values["display_name"])
    if any(g.DisplayName == values["display_name"] for g in store.groups.values()):
        raise Refused("Duplicate GroupDisplayName", "ConflictException", "UNIQUENESS_CONSTRAINT_VIOLATION")
    gid, _ = backend.create_group(sid, values["display_name"], description)
    store.groups[gid] = store.groups[gid]._replace(ExternalIds=[ext])
    return {"GroupId": gid, "IdentityStoreId": sid}


def provision(raw):
    """The control endpoint: (HTTP status, JSON body) for the request body `raw` (bytes)."""
    try:
        p = json.loads(raw or b"{}")
    except ValueError:
        return 400, {"error": "the body is not JSON", "type": "ValidationException"}
    if not isinstance(p, dict):
        return 400, {"error": "the body must be a JSON object", "type": "ValidationException"}
    try:
        with SSO_LOCK:
            return 200, _create(p)
    except Refused as e:
        return 400, e.body
