"""Amazon Security Lake's delegated administrator (REST-JSON, signing name securitylake; moto: absent).

Rules (Security Lake user guide https://docs.aws.amazon.com/security-lake/latest/userguide/,
Organizations user guide https://docs.aws.amazon.com/organizations/latest/userguide/):
  R26 Security Lake Register/DeregisterDataLakeDelegatedAdministrator (moto: absent):
      - only the organization's management account calls them; any other caller ->
        AccessDeniedException (HTTP 403)        (botocore securitylake operation docs: "This API can
        only be called by the organization management account.")
      - the account must be a member of the organization -> else BadRequestException (400); never
        the management account itself -> BadRequestException ("The organization management account
        cannot be the delegated administrator account."; data/delegation-catalog.yaml
        mgmt_can_be_da: false)
      - one delegated administrator (catalog max_delegated_admins: 1): registering while an account
        is registered -> ConflictException (409). AWS does not document a repeated registration of
        the same account; the emulator answers ConflictException for it too (not idempotent)
      - Register enables trusted access for securitylake.amazonaws.com and registers the
        Organizations delegated administrator, so ListDelegatedAdministrators shows it
        (services-that-can-integrate-sl: "Use Security Lake's RegisterDataLakeDelegatedAdministrator
        API to allow Security Lake access to your Organization and to register Organizations's
        delegated administrator"; catalog trusted_access.auto_enabled_by)
      - Deregister (no parameters) removes that Organizations registration and keeps trusted
        access; with no admin -> ResourceNotFoundException (404)
      - the admin is organization-wide (multi-account-management: "The delegated administrator is
        the same in all Regions"): the state is the Organizations registration itself, so a
        registration through organizations:RegisterDelegatedAdministrator counts too
Wire shapes (botocore data/securitylake/2018-05-10/service-2.json):
  RegisterDataLakeDelegatedAdministrator   POST   /v1/datalake/delegate  {"accountId": "..."} -> 200 {}
  DeregisterDataLakeDelegatedAdministrator DELETE /v1/datalake/delegate  (no input)          -> 200 {}
  errors: x-amzn-ErrorType header + JSON body {"message": ...}; BadRequestException 400,
  AccessDeniedException 403 (also `errorCode`: the model has the member, AWS documents no value;
  the emulator sends "AccessDeniedException"), ResourceNotFoundException 404, ConflictException 409.
  Any other Security Lake request -> ResourceNotFoundException 404 (not served).
"""

from .common import Reply, _enable_side_effects, _org_of

SL = "securitylake.amazonaws.com"
DELEGATE = "/v1/datalake/delegate"


def _management(acct):
    mgmt, ob, is_mgmt = _org_of(acct)
    if not is_mgmt:
        raise Reply(403, "AccessDeniedException", "This API can only be called by the organization management account.",
                    errorCode="AccessDeniedException")
    return mgmt, ob


def _current(ob):
    return [a.account.id for a in ob.admins if SL in a.services]


def register(acct, body):
    mgmt, ob = _management(acct)
    admin = body.get("accountId")
    if not admin:
        raise Reply(400, "BadRequestException", "accountId is required.")
    if admin == mgmt:
        raise Reply(400, "BadRequestException", "The organization management account cannot be the delegated administrator account.")
    if not any(a.id == admin for a in ob.accounts):
        raise Reply(400, "BadRequestException", f"{admin} is not a member of the organization.")
    current = _current(ob)
    if admin in current:
        raise Reply(409, "ConflictException", f"{admin} is already the Security Lake delegated administrator.")
    if current:
        raise Reply(409, "ConflictException", f"{current[0]} is already the Security Lake delegated administrator: deregister it first.")
    _enable_side_effects(ob, admin, SL)
    return {}


def deregister(acct):
    _mgmt, ob = _management(acct)
    current = _current(ob)
    if not current:
        raise Reply(404, "ResourceNotFoundException", "There is no Security Lake delegated administrator.")
    for admin in current:
        ob.deregister_delegated_administrator(AccountId=admin, ServicePrincipal=SL)
    return {}


def securitylake(acct, method, path, body):
    """Serves one Security Lake request (native.native_app holds the lock)."""
    if path == DELEGATE and method == "POST":
        return register(acct, body)
    if path == DELEGATE and method == "DELETE":
        return deregister(acct)
    raise Reply(404, "ResourceNotFoundException", f"unknown Security Lake operation {method} {path}")
