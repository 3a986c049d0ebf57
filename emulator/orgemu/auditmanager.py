"""AWS Audit Manager's delegated administrator (REST-JSON, signing name auditmanager; moto: absent).

Rules (Audit Manager user guide https://docs.aws.amazon.com/audit-manager/latest/userguide/,
API reference https://docs.aws.amazon.com/audit-manager/latest/APIReference/):
  R27 Audit Manager Register/Get/DeregisterOrganizationAdminAccount, per Region (moto: absent):
      - only the organization's management account calls them; any other caller ->
        AccessDeniedException (HTTP 403)                       (add-delegated-admin: "management account")
      - trusted access for auditmanager.amazonaws.com first (catalog: required_before_register)
        -> else ValidationException (AWS documents no code for it: a stand-in)
      - the admin is a member account, never the management account -> ValidationException
                                                   (delegated-admin-issues; catalog mgmt_can_be_da: false)
      - one admin, the same account in every Region: registering another account while one is
        the admin in any Region -> ValidationException "Cannot change delegated Admin for an
        active account …"                                (delegated-admin-issues; aws-api-facts.md §2)
      - Register records the Region's admin and registers the Organizations delegated
        administrator when it is not (add-delegated-admin); Get returns the Region's admin
        (adminAccountId, organizationId), none -> ResourceNotFoundException (404); Deregister
        (adminAccountId) removes the Region's admin, not the Organizations registration
        (change-delegated-admin: deregister in Audit Manager, then in Organizations); an account
        that is not the Region's admin -> ResourceNotFoundException
Wire shapes (botocore data/auditmanager/2017-07-25/service-2.json):
  RegisterOrganizationAdminAccount   POST /account/registerOrganizationAdminAccount   {"adminAccountId"}
  DeregisterOrganizationAdminAccount POST /account/deregisterOrganizationAdminAccount {"adminAccountId"}
  GetOrganizationAdminAccount        GET  /account/organizationAdminAccount
  errors: x-amzn-ErrorType + {"message"}; ValidationException 400, AccessDeniedException 403,
  ResourceNotFoundException 404.
"""

from .common import ADMINS, Reply, _enable_side_effects, _org_of

AM = "auditmanager.amazonaws.com"


def _management(acct):
    mgmt, ob, is_mgmt = _org_of(acct)
    if not is_mgmt:
        raise Reply(403, "AccessDeniedException", "Only the organization's management account can manage Audit Manager's delegated administrator.")
    return mgmt, ob


def _admins(mgmt):
    """Region -> admin account, every Region with one."""
    return {key[2]: next(iter(state)) for key, state in ADMINS.items() if key[0] == "auditmanager" and key[1] == mgmt and state}


def register(acct, region, body):
    mgmt, ob = _management(acct)
    admin = body.get("adminAccountId")
    if not any(x["ServicePrincipal"] == AM for x in ob.services):
        raise Reply(400, "ValidationException", "Trusted access for Audit Manager is not enabled in AWS Organizations.")
    if admin == mgmt:
        raise Reply(400, "ValidationException", "The management account can't be the delegated administrator.")
    if not any(a.id == admin for a in ob.accounts):
        raise Reply(400, "ValidationException", f"{admin} is not a member of the organization.")
    others = {r: a for r, a in _admins(mgmt).items() if a != admin}
    if others:
        r, a = sorted(others.items())[0]
        raise Reply(400, "ValidationException", f"Cannot change delegated Admin for an active account: {a} is the delegated administrator in {r}.")
    ADMINS.setdefault(("auditmanager", mgmt, region), {})[admin] = "ENABLED"
    _enable_side_effects(ob, admin, AM)
    return {"adminAccountId": admin, "organizationId": ob.org.id}


def get(acct, region):
    mgmt, ob = _management(acct)
    admin = _admins(mgmt).get(region)
    if admin is None:
        raise Reply(404, "ResourceNotFoundException", f"There is no Audit Manager delegated administrator in {region}.")
    return {"adminAccountId": admin, "organizationId": ob.org.id}


def deregister(acct, region, body):
    mgmt, _ob = _management(acct)
    state = ADMINS.get(("auditmanager", mgmt, region), {})
    admin = body.get("adminAccountId") or next(iter(state), None)
    if admin not in state:
        raise Reply(404, "ResourceNotFoundException", f"{admin} is not the Audit Manager delegated administrator in {region}.")
    state.clear()
    return {}


def auditmanager(acct, region, method, path, body):
    """Serves one Audit Manager request (native.native_app holds the lock)."""
    if path == "/account/registerOrganizationAdminAccount" and method == "POST":
        return register(acct, region, body)
    if path == "/account/deregisterOrganizationAdminAccount" and method == "POST":
        return deregister(acct, region, body)
    if path == "/account/organizationAdminAccount" and method == "GET":
        return get(acct, region)
    raise Reply(404, "ResourceNotFoundException", f"unknown Audit Manager operation {method} {path}")
