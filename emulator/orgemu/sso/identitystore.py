"""The identity store (identitystore API): R20's identity-store part and R24's identitystore rules.

Rules (IAM Identity Center user guide https://docs.aws.amazon.com/singlesignon/latest/userguide/,
identitystore API reference https://docs.aws.amazon.com/singlesignon/latest/IdentityStoreAPIReference/):
  R20 (identitystore) requests of the delegated administrator are served from the management
      account's store; reads (Describe*, List*, Get*, IsMemberInGroups) from any member account of
      the organization are served from the management account's store; writes from a member
      account -> AccessDeniedException; an IdentityStoreId that is not the instance's ->
      ResourceNotFoundException IDENTITY_STORE
                      (delegated-admin; limiting-access-from-member-accounts [identitystore API docs:
                       "you can use this API operation from the member account"])
  R24 (identitystore) a UserName / group DisplayName in use -> ConflictException
      UNIQUENESS_CONSTRAINT_VIOLATION, a membership that exists -> ConflictException, deleting a
      user/group/membership that does not exist -> ResourceNotFoundException (moto: silently OK),
      deleting a user or group removes its memberships. Added: UpdateUser, UpdateGroup,
      DescribeIdentityStore, ListIdentityStores
                      (identitystore API_CreateUser, API_UpdateUser, API_UpdateGroup)
  R33 Identity store strings are at least 1 character: CreateUser / CreateGroup with an empty
      string in any member (Description, NickName, Emails[].Value, ...) and UpdateUser /
      UpdateGroup with an AttributeValue of "" (or holding one) -> ValidationException (moto: stored
      as ""); an AttributeOperation without AttributeValue (or null) removes the attribute (a
      group's description; a user's nickName, title, name.middleName, emails, ...); the required
      ones (userName, displayName, name.givenName, name.familyName; a group's displayName) cannot be
      removed -> ValidationException
                      (botocore identitystore string shapes: min length 1; API_UpdateUser /
                       API_UpdateGroup / API_AttributeOperation: "might add, replace, or remove an
                       attribute"; hashicorp/terraform-provider-aws internal/service/identitystore
                       user.go: "The API doesn't allow empty attribute values. To unset an
                       attribute, set it to null.")
"""

from moto.identitystore import exceptions as ise
from moto.identitystore import models as ism

from .common import FALLTHROUGH, Ctx, IdsAccessDenied, _check_max_results, _context, _instance, _page, _store
from .scim import forget_user


def _ids_conflict(message):
    return ise.ConflictException(message=message, reason="UNIQUENESS_CONSTRAINT_VIOLATION")


def _user(store, uid):
    if uid not in store.users:
        raise ise.ResourceNotFoundException(message="USER not found.", resource_type="USER")
    return store.users[uid]


def _group(store, gid):
    if gid not in store.groups:
        raise ise.ResourceNotFoundException(message="GROUP not found.", resource_type="GROUP")
    return store.groups[gid]


def _cap_keys(v):
    if isinstance(v, list):
        return [{(k[:1].upper() + k[1:]): x for k, x in e.items()} if isinstance(e, dict) else e for e in v]
    return v


USER_FIELDS = {
    "username": "UserName", "displayname": "DisplayName", "nickname": "NickName", "profileurl": "ProfileUrl",
    "usertype": "UserType", "title": "Title", "preferredlanguage": "PreferredLanguage", "locale": "Locale",
    "timezone": "Timezone", "emails": "Emails", "addresses": "Addresses", "phonenumbers": "PhoneNumbers",
}
NAME_FIELDS = {"formatted": "Formatted", "familyname": "FamilyName", "givenname": "GivenName", "middlename": "MiddleName",
               "honorificprefix": "HonorificPrefix", "honorificsuffix": "HonorificSuffix"}
REQUIRED_USER = {"username", "displayname", "name.givenname", "name.familyname"}


def _empty_at(value, path):
    """The path of the first empty string in value (a request member or an AttributeValue), or None."""
    if value == "":
        return path
    if isinstance(value, dict):
        for k, v in value.items():
            found = _empty_at(v, f"{path}.{k}" if path else k)
            if found:
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            found = _empty_at(v, f"{path}.{i + 1}")
            if found:
                return found
    return None


def _too_short(path):
    # R33: every identity store string has a minimum length of 1 (botocore string shapes);
    # AWS's validation message names the member and the constraint.
    return ise.ValidationException(message=f"1 validation error detected: Value at '{path}' failed to satisfy constraint: Member must have length greater than or equal to 1")


def _operations(p):
    ops = p.get("Operations")
    if not isinstance(ops, list) or not 1 <= len(ops) <= 100:
        raise ise.ValidationException(message="Operations must hold 1 to 100 attribute operations.")
    for op in ops:
        # R33: an AttributeValue of "" is refused; an operation without one (or null) removes the attribute.
        found = _empty_at(op.get("AttributeValue"), str(op.get("AttributePath", "")))
        if found:
            raise _too_short(found)
    return ops


def create_checked(c):
    """R33: CreateUser / CreateGroup with an empty string anywhere -> ValidationException."""
    found = _empty_at({k: v for k, v in c.p.items() if k != "IdentityStoreId"}, "")
    if found:
        raise _too_short(found[:1].lower() + found[1:])
    return FALLTHROUGH


def update_user(c):
    store = _store(c.mgmt, c.inst)
    user = _user(store, c.p.get("UserId"))
    changes = {}
    name = dict(user.Name._asdict()) if user.Name else {f: None for f in NAME_FIELDS.values()}
    for op in _operations(c.p):
        path = str(op.get("AttributePath", "")).lower()
        value = op.get("AttributeValue")
        if value is None and path in REQUIRED_USER:
            raise ise.ValidationException(message=f"{op.get('AttributePath')}: The attribute is required and cannot be removed")
        if path in USER_FIELDS:
            field = USER_FIELDS[path]
            if field == "UserName" and any(u.UserName == value and u.UserId != user.UserId for u in store.users.values()):
                raise _ids_conflict("Duplicate UserName")
            changes[field] = _cap_keys(value)
        elif path.startswith("name.") and path[5:] in NAME_FIELDS:
            name[NAME_FIELDS[path[5:]]] = value
        elif path == "name":
            if not isinstance(value, dict) or not value.get("GivenName") or not value.get("FamilyName"):
                raise ise.ValidationException(message="name needs GivenName and FamilyName")
            name = {f: value.get(f) for f in NAME_FIELDS.values()}
        else:
            raise ise.ValidationException(message=f"Invalid attribute path {op.get('AttributePath')}")
    changes["Name"] = ism.Name(**name)
    store.users[user.UserId] = user._replace(**changes)
    return {"IdentityStoreId": c.inst.identity_store_id, "UserId": user.UserId}


def update_group(c):
    store = _store(c.mgmt, c.inst)
    group = _group(store, c.p.get("GroupId"))
    changes = {}
    for op in _operations(c.p):
        path = str(op.get("AttributePath", "")).lower()
        value = op.get("AttributeValue")
        if path == "displayname":
            if not value:
                raise ise.ValidationException(message="displayName: The attribute is required and cannot be removed")
            if any(g.DisplayName == value and g.GroupId != group.GroupId for g in store.groups.values()):
                raise _ids_conflict("Duplicate GroupDisplayName")
            changes["DisplayName"] = value
        elif path == "description":
            changes["Description"] = value
        else:
            raise ise.ValidationException(message=f"Invalid attribute path {op.get('AttributePath')}")
    store.groups[group.GroupId] = group._replace(**changes)
    return {"IdentityStoreId": c.inst.identity_store_id, "GroupId": group.GroupId}


def create_group_membership(c):
    store = _store(c.mgmt, c.inst)
    uid = (c.p.get("MemberId") or {}).get("UserId")
    if any(m["GroupId"] == c.p.get("GroupId") and m["MemberId"].get("UserId") == uid for m in store.group_memberships.values()):
        raise _ids_conflict("Member is already in the group")
    return FALLTHROUGH


def delete_user(c):
    store = _store(c.mgmt, c.inst)
    uid = _user(store, c.p.get("UserId")).UserId
    del store.users[uid]
    forget_user(store, uid)
    store.group_memberships = {k: m for k, m in store.group_memberships.items() if m["MemberId"].get("UserId") != uid}
    return {}


def delete_group(c):
    store = _store(c.mgmt, c.inst)
    gid = _group(store, c.p.get("GroupId")).GroupId
    del store.groups[gid]
    store.group_memberships = {k: m for k, m in store.group_memberships.items() if m["GroupId"] != gid}
    return {}


def delete_group_membership(c):
    store = _store(c.mgmt, c.inst)
    if c.p.get("MembershipId") not in store.group_memberships:
        raise ise.ResourceNotFoundException(message="GROUP_MEMBERSHIP not found.", resource_type="GROUP_MEMBERSHIP")
    del store.group_memberships[c.p["MembershipId"]]
    return {}


def _store_json(c):
    sid = c.inst.identity_store_id
    return {"IdentityStoreId": sid, "IdentityStoreArn": f"arn:aws:identitystore::{c.mgmt}:identitystore/{sid}"}


IDS_HANDLERS = {
    "CreateUser": create_checked,
    "CreateGroup": create_checked,
    "UpdateUser": update_user,
    "UpdateGroup": update_group,
    "CreateGroupMembership": create_group_membership,
    "DeleteUser": delete_user,
    "DeleteGroup": delete_group,
    "DeleteGroupMembership": delete_group_membership,
    "DescribeIdentityStore": _store_json,
}


def _ids_read(action):
    return action.startswith(("Describe", "List", "Get")) or action == "IsMemberInGroups"


def _ids(self, action, params):
    mgmt, role = _context(self.current_account)
    _check_max_results(params, lambda m: ise.ValidationException(message=m))
    if role == "member" and not _ids_read(action):
        raise IdsAccessDenied(message=f"Account {self.current_account} may read the identity store but not change it.")
    b, inst = _instance(mgmt, self.region)
    if action == "ListIdentityStores":
        c = Ctx(self, b, inst, mgmt, role, params)
        return _page([_store_json(c)] if inst else [], params, "IdentityStores")
    if inst is None or params.get("IdentityStoreId") != inst.identity_store_id:
        raise ise.ResourceNotFoundException(message=f"Identity store {params.get('IdentityStoreId')} not found.", resource_type="IDENTITY_STORE")
    self._orgctl_ids_account, self._orgctl_ids_inst = mgmt, inst
    handler = IDS_HANDLERS.get(action)
    if handler is None:
        return FALLTHROUGH
    return handler(Ctx(self, b, inst, mgmt, role, params))
