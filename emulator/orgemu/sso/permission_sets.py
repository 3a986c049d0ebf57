"""Permission sets: R22 (SessionDuration) and the permission-set parts of R24.

Rules (IAM Identity Center; API reference https://docs.aws.amazon.com/singlesignon/latest/APIReference/,
user guide https://docs.aws.amazon.com/singlesignon/latest/userguide/):
  R22 SessionDuration is an ISO-8601 duration (moto: a number, 3600): validated against the
      Duration pattern and 1 to 12 hours -> else ValidationException; default PT1H; every
      PermissionSet returned carries it normalised (PT1H, PT4H, PT1H30M, PT12H)
                      (API_CreatePermissionSet, API_PermissionSet; howtosessionduration)
  R24 (permission sets) CreatePermissionSet with a name in use -> ConflictException;
      DeletePermissionSet still provisioned -> ConflictException; PutInlinePolicyToPermissionSet:
      invalid JSON or over 32,768 characters -> ValidationException. Added:
      Put/Get/DeletePermissionsBoundary, Tag/Untag/ListTagsForResource (and CreatePermissionSet
      Tags); permission set ARNs are arn:aws:sso:::permissionSet/ssoins-.../ps-...
      (moto: .../instance/ssoins-.../ps-...)
                      (API_CreatePermissionSet, API_DeletePermissionSet [ConflictException "Could
                       not delete because PermissionSet has ApplicationProfile associated with it":
                       terraform-provider-aws#26757], API_PutInlinePolicyToPermissionSet,
                       API_PutPermissionsBoundaryToPermissionSet, API_TagResource)
Every change bumps the permission set's version (R23: LATEST_PERMISSION_SET_NOT_PROVISIONED).
"""

import copy
import json
import re
import secrets

from moto.ssoadmin import models as ssm

from .common import _bump, _page, _provisioned_anywhere, _state, conflict, invalid, not_found, sso_err


# --- R22: SessionDuration ----------------------------------------------------------------------

DURATION = re.compile(r"(-?)P(?=\d|T\d)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)([DW]))?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?")


def _duration(value):
    """An ISO-8601 duration between 1 and 12 hours, normalised (PT1H30M)."""
    m = DURATION.fullmatch(value) if isinstance(value, str) and 1 <= len(value) <= 100 else None
    if m is None:
        raise invalid(f"SessionDuration {value!r} is not an ISO-8601 duration (e.g. PT1H).")
    neg, years, months, n, unit, hours, minutes, seconds = m.groups()
    total = int(years or 0) * 365 * 86400 + int(months or 0) * 30 * 86400
    total += int(n or 0) * (604800 if unit == "W" else 86400)
    total += int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    if neg or total < 3600 or total > 43200:
        raise invalid(f"SessionDuration {value} must be between 1 hour (PT1H) and 12 hours (PT12H).")
    h, rest = divmod(total, 3600)
    mi, s = divmod(rest, 60)
    out = f"PT{int(h)}H"
    if mi:
        out += f"{int(mi)}M"
    if s:
        out += f"{int(s) if float(s).is_integer() else s}S"
    return out


# --- permission sets -----------------------------------------------------------------------------

NAME = re.compile(r"[\w+=,.@-]+")


def _ps_json(ps):
    out = {"Name": ps.name, "PermissionSetArn": ps.permission_set_arn, "CreatedDate": ps.created_date}
    duration = ps.session_duration
    out["SessionDuration"] = duration if isinstance(duration, str) else "PT1H"
    if ps.description:
        out["Description"] = ps.description
    if ps.relay_state:
        out["RelayState"] = ps.relay_state
    return out


def _tags(tags):
    tags = tags or []
    if not isinstance(tags, list) or any(not isinstance(t, dict) or not t.get("Key") for t in tags):
        raise invalid("Tags must be a list of {Key, Value}.")
    if any(str(t["Key"]).lower().startswith("aws:") for t in tags):
        raise invalid("Tag keys may not start with aws:.")
    return [{"Key": t["Key"], "Value": t.get("Value", "")} for t in tags]


def create_permission_set(c):
    name = c.p.get("Name")
    if not isinstance(name, str) or not NAME.fullmatch(name) or len(name) > 32:
        raise invalid("Name must be 1-32 characters of [\\w+=,.@-].")
    if any(ps.name == name for ps in c.b.permission_sets if ps.instance_arn == c.inst.instance_arn):
        raise conflict(f"PermissionSet with name {name} already exists.")
    _check_lengths(c.p)
    duration = _duration(c.p.get("SessionDuration", "PT1H"))
    tags = _tags(c.p.get("Tags"))
    ps = ssm.PermissionSet(name, c.p.get("Description"), c.inst.instance_arn, duration, c.p.get("RelayState"), tags)
    ps.permission_set_arn = c.inst.instance_arn.replace(":instance/", ":permissionSet/") + "/ps-" + secrets.token_hex(8)
    c.b.permission_sets.append(ps)
    return {"PermissionSet": _ps_json(ps)}


def describe_permission_set(c):
    return {"PermissionSet": _ps_json(c.ps())}


def _check_lengths(p):
    """R33 for permission sets: `Description` is 1-700 characters and `RelayState` 1-240
    (sso-admin API reference, CreatePermissionSet / UpdatePermissionSet); an empty string is a
    ValidationException, on an update too (moto stores it), so neither can be removed."""
    for key, most in (("Description", 700), ("RelayState", 240)):
        v = p.get(key)
        if v is not None and not 1 <= len(v) <= most:
            raise invalid(f"{key} must be 1-{most} characters.")


def update_permission_set(c):
    ps = c.ps()
    _check_lengths(c.p)
    if "SessionDuration" in c.p:
        ps.session_duration = _duration(c.p["SessionDuration"])
    if "Description" in c.p:
        ps.description = c.p["Description"]
    if "RelayState" in c.p:
        ps.relay_state = c.p["RelayState"]
    _bump(ps)
    return {}


def delete_permission_set(c):
    ps = c.ps()
    if _provisioned_anywhere(c.b, ps):
        raise conflict("Could not delete because PermissionSet has ApplicationProfile associated with it.")
    c.b.permission_sets.remove(ps)
    return {}


def list_permission_sets(c):
    arns = [ps.permission_set_arn for ps in c.b.permission_sets if ps.instance_arn == c.inst.instance_arn]
    return _page(arns, c.p, "PermissionSets")


def put_inline_policy(c):
    ps = c.ps()
    policy = c.p.get("InlinePolicy")
    if not isinstance(policy, str) or not policy:
        raise invalid("InlinePolicy is required.")
    if len(policy) > 32768:
        raise invalid("The inline policy exceeds 32,768 characters.")
    try:
        doc = json.loads(policy)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        raise invalid("The inline policy is not a valid JSON policy document.")
    ps.inline_policy = policy
    _bump(ps)
    return {}


def get_inline_policy(c):
    return {"InlinePolicy": c.ps().inline_policy or ""}


def delete_inline_policy(c):
    ps = c.ps()
    ps.inline_policy = ""
    _bump(ps)
    return {}


def attach_managed(c):
    ps = c.ps()
    c.b.attach_managed_policy_to_permission_set(c.inst.instance_arn, ps.permission_set_arn, c.p.get("ManagedPolicyArn"))
    _bump(ps)
    return {}


def detach_managed(c):
    ps = c.ps()
    c.b.detach_managed_policy_from_permission_set(c.inst.instance_arn, ps.permission_set_arn, c.p.get("ManagedPolicyArn"))
    _bump(ps)
    return {}


def list_managed(c):
    items = [{"Arn": m.arn, "Name": m.name} for m in c.ps().managed_policies]
    return _page(items, c.p, "AttachedManagedPolicies")


def _cmp_ref(ref):
    if not isinstance(ref, dict) or not isinstance(ref.get("Name"), str) or not NAME.fullmatch(ref["Name"]):
        raise invalid("CustomerManagedPolicyReference needs a Name of [\\w+=,.@-].")
    return {"Name": ref["Name"], "Path": ref.get("Path") or "/"}


def attach_cmp(c):
    ps = c.ps()
    ref = _cmp_ref(c.p.get("CustomerManagedPolicyReference"))
    c.b.attach_customer_managed_policy_reference_to_permission_set(c.inst.instance_arn, ps.permission_set_arn, ref)
    _bump(ps)
    return {}


def detach_cmp(c):
    ps = c.ps()
    ref = _cmp_ref(c.p.get("CustomerManagedPolicyReference"))
    c.b.detach_customer_managed_policy_reference_from_permission_set(c.inst.instance_arn, ps.permission_set_arn, ref)
    _bump(ps)
    return {}


def list_cmp(c):
    items = [{"Name": m.name, "Path": m.path} for m in c.ps().customer_managed_policies]
    return _page(items, c.p, "CustomerManagedPolicyReferences")


def put_boundary(c):
    ps = c.ps()
    pb = c.p.get("PermissionsBoundary") or {}
    has_cmp, has_arn = "CustomerManagedPolicyReference" in pb, "ManagedPolicyArn" in pb
    if has_cmp == has_arn:
        raise invalid("PermissionsBoundary takes exactly one of CustomerManagedPolicyReference and ManagedPolicyArn.")
    if has_arn:
        c.b._find_managed_policy(pb["ManagedPolicyArn"])  # ResourceNotFoundException if unknown
        ps._orgctl_boundary = {"ManagedPolicyArn": pb["ManagedPolicyArn"]}
    else:
        ps._orgctl_boundary = {"CustomerManagedPolicyReference": _cmp_ref(pb["CustomerManagedPolicyReference"])}
    _bump(ps)
    return {}


def _no_boundary(ps):
    return not_found(f"Could not find PermissionsBoundary for PermissionSet with id {ps.permission_set_arn.split('/')[-1]}")


def get_boundary(c):
    ps = c.ps()
    if not getattr(ps, "_orgctl_boundary", None):
        raise _no_boundary(ps)
    return {"PermissionsBoundary": copy.deepcopy(ps._orgctl_boundary)}


def delete_boundary(c):
    ps = c.ps()
    if not getattr(ps, "_orgctl_boundary", None):
        raise _no_boundary(ps)
    ps._orgctl_boundary = None
    _bump(ps)
    return {}


def _tag_holder(c):
    arn = c.p.get("ResourceArn")
    if arn == c.inst.instance_arn:
        return _state(c.b), "instance_tags"
    ps = c.ps(arn)
    if ps.tags is None:
        ps.tags = []
    return ps, "tags"


def _get_tags(holder, attr):
    return holder[attr] if isinstance(holder, dict) else getattr(holder, attr)


def _set_tags(holder, attr, tags):
    if isinstance(holder, dict):
        holder[attr] = tags
    else:
        setattr(holder, attr, tags)


def tag_resource(c):
    holder, attr = _tag_holder(c)
    new = _tags(c.p.get("Tags"))
    keys = {t["Key"] for t in new}
    tags = [t for t in _get_tags(holder, attr) if t["Key"] not in keys] + new
    if len(tags) > 50:
        raise sso_err("ServiceQuotaExceededException", "A resource can have at most 50 tags.")
    _set_tags(holder, attr, tags)
    return {}


def untag_resource(c):
    holder, attr = _tag_holder(c)
    keys = set(c.p.get("TagKeys") or [])
    _set_tags(holder, attr, [t for t in _get_tags(holder, attr) if t["Key"] not in keys])
    return {}


def list_tags(c):
    holder, attr = _tag_holder(c)
    return _page([dict(t) for t in _get_tags(holder, attr)], c.p, "Tags")
