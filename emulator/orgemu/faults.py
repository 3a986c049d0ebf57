"""Faults AWS produces at random: throttling in every service (R28) and Organizations'
ConcurrentModificationException (R29), drawn from one seeded PRNG so a run is reproducible.

Test knobs (not AWS rules; POST /orgctl-emulator/config, or the launcher's options):
  R28 throttle_rate (0..1, default 0: off) answers that fraction of the requests of every service
      the emulator serves with the service's own throttling error; throttle_services (a list of
      service names, empty = all) limits it to some; throttle_seed (default 1) seeds the PRNG.
      throttle_every N (Organizations only, every Nth request, as before) still works.
      Each service answers exactly as AWS throttles it, in its own protocol:
        organizations  TooManyRequestsException  HTTP 400  JSON 1.1 (__type, Type, Message)
                       [access.py; botocore model: no httpStatusCode -> 400; botocore _retry.json
                        matches TooManyRequestsException + 400 for Organizations]
        sso-admin      ThrottlingException       HTTP 400  JSON 1.1 (Message)
        identitystore  ThrottlingException       HTTP 400  JSON 1.1 (Message, RequestId)
        cloudtrail     ThrottlingException       HTTP 400  JSON 1.1 (modelled, no status -> 400)
        fms            ThrottlingException       HTTP 400  JSON 1.1, or RPC v2 CBOR on the CBOR path
                       (fms models no throttling shape: its LimitExceededException is a resource
                        limit; ThrottlingException/400 is the API reference's Common Errors)
        guardduty      ThrottlingException       HTTP 400  REST-JSON (x-amzn-ErrorType, message)
                       (guardduty models only BadRequest/InternalServerError: Common Errors again)
        inspector2     ThrottlingException       HTTP 429  REST-JSON (message)
        macie2         ThrottlingException       HTTP 429  REST-JSON (message)
        securityhub    LimitExceededException    HTTP 429  REST-JSON (Message): the error the
                       classic operations (the admin APIs among them) list; "throttling limits"
                       (its ThrottlingException/429 is listed only by the *V2 operations)
        detective      TooManyRequestsException  HTTP 429  REST-JSON (Message)
        securitylake   ThrottlingException       HTTP 429  REST-JSON (message, serviceCode)
        auditmanager   ThrottlingException       HTTP 429  REST-JSON (message)
        ec2            RequestLimitExceeded      HTTP 503  EC2 query XML <Response><Errors><Error>
                       (EC2 devguide ec2-api-throttling; botocore _retry.json matches
                        RequestLimitExceeded + 503 for EC2)
      sts is left out: orgctl calls it once per run (AssumeRole into a member) and the SDK retries
      it anyway. The optional Retry-After / RetryAfterSeconds members are not sent (a client that
      honours them would only wait longer). Throttled answers are counted per service under
      "throttled" in GET /orgctl-emulator/stats (a throttled request of another service never
      reaches moto, so "sso"'s per-operation request counts leave it out; Organizations' own
      per-operation counts include it, as they did for --throttle-every).
                 (botocore service-2.json error shapes and httpStatusCode of each service; each API
                  reference's Common Errors page: "ThrottlingException ... HTTP Status Code: 400")
  R29 cme_rate (0..1, default 0) answers that fraction of Organizations writes (every operation
      whose errors list ConcurrentModificationException, the reads DescribeOrganization,
      DescribeHandshake and ListHandshakes* excepted) with ConcurrentModificationException
      (HTTP 400, JSON 1.1) before the write is made; counted per operation under
      "concurrent_modifications" in the stats
                 (API reference: ConcurrentModificationException "The target of the operation is
                  currently being modified by a different request. Try again later."; each
                  operation's Errors)
The PRNG is reseeded (throttle_seed) whenever a config request sets any of these knobs; a draw is
made only for a request the knob applies to, so the same requests get the same answers.

`middleware(environ, start_response)` is called by server.control_app before native_app and moto;
Organizations' own throttling and R29 are checked in access.call_action (after its request count).
No moto patch.
"""

import json
import random
import threading
import uuid

import cbor2
from werkzeug.wrappers import Response

from .common import KNOBS, _caller

FAULT_LOCK = threading.Lock()
RNG = random.Random(1)
THROTTLED = {}  # service -> throttled answers (R28)
CME = {}  # Organizations operation -> ConcurrentModificationException answers (R29)
KNOB_NAMES = ("throttle_rate", "throttle_seed", "throttle_services", "cme_rate")

# The SigV4 signing name (the credential scope's service) -> the service's name (botocore client).
SCOPE = {"sso": "sso-admin"}
SERVICES = ("organizations", "sso-admin", "identitystore", "guardduty", "inspector2", "macie2", "securityhub", "detective",
            "fms", "cloudtrail", "ec2", "securitylake", "auditmanager")

RATE = "Rate exceeded"
# service -> (protocol, HTTP status, code, body members)
THROTTLE = {
    "sso-admin": ("json", 400, "ThrottlingException", {"Message": RATE}),
    "identitystore": ("json", 400, "ThrottlingException", {"Message": RATE}),
    "cloudtrail": ("json", 400, "ThrottlingException", {"Message": RATE}),
    "fms": ("json", 400, "ThrottlingException", {"Message": RATE}),
    "guardduty": ("rest", 400, "ThrottlingException", {"message": RATE}),
    "inspector2": ("rest", 429, "ThrottlingException", {"message": RATE}),
    "macie2": ("rest", 429, "ThrottlingException", {"message": RATE}),
    "securityhub": ("rest", 429, "LimitExceededException", {"Message": RATE}),
    "detective": ("rest", 429, "TooManyRequestsException", {"Message": RATE}),
    "securitylake": ("rest", 429, "ThrottlingException", {"message": RATE, "serviceCode": "securitylake"}),
    "auditmanager": ("rest", 429, "ThrottlingException", {"message": RATE}),
    "ec2": ("ec2", 503, "RequestLimitExceeded", {"Message": "Request limit exceeded."}),
}

# R29: the Organizations writes whose errors list ConcurrentModificationException (botocore).
CME_WRITES = {
    "AcceptHandshake", "AttachPolicy", "CancelHandshake", "CloseAccount", "CreateAccount", "CreateGovCloudAccount",
    "CreateOrganization", "CreateOrganizationalUnit", "CreatePolicy", "DeclineHandshake", "DeleteOrganization",
    "DeleteOrganizationalUnit", "DeletePolicy", "DeleteResourcePolicy", "DeregisterDelegatedAdministrator", "DetachPolicy",
    "DisableAWSServiceAccess", "DisablePolicyType", "EnableAWSServiceAccess", "EnableAllFeatures", "EnablePolicyType",
    "InviteAccountToOrganization", "InviteOrganizationToTransferResponsibility", "LeaveOrganization", "MoveAccount",
    "PutResourcePolicy", "RegisterDelegatedAdministrator", "RemoveAccountFromOrganization", "TagResource",
    "TerminateResponsibilityTransfer", "UntagResource", "UpdateOrganizationalUnit", "UpdatePolicy",
}
CME_MESSAGE = "The target of the operation is currently being modified by a different request. Try again later."


def check_knobs(new):
    """The error text for invalid fault knobs in a config request, or None."""
    for k in ("throttle_rate", "cme_rate"):
        if k in new and (not isinstance(new[k], (int, float)) or isinstance(new[k], bool) or not 0 <= new[k] <= 1):
            return f"{k} must be a number from 0 to 1"
    if "throttle_seed" in new and (not isinstance(new["throttle_seed"], int) or isinstance(new["throttle_seed"], bool)):
        return "throttle_seed must be an integer"
    services = new.get("throttle_services", [])
    if not isinstance(services, list) or any(s not in SERVICES for s in services):
        return f"throttle_services must be a list of: {', '.join(SERVICES)}"
    return None


def reseed():
    with FAULT_LOCK:
        RNG.seed(int(KNOBS["throttle_seed"]))


def stats():
    with FAULT_LOCK:
        return dict(THROTTLED), dict(CME)


def reset_stats():
    with FAULT_LOCK:
        THROTTLED.clear()
        CME.clear()


def count_throttled(service):
    with FAULT_LOCK:
        THROTTLED[service] = THROTTLED.get(service, 0) + 1


def throttle(service):
    """R28: True when this request of `service` is to be throttled (counted)."""
    rate = float(KNOBS["throttle_rate"] or 0)
    chosen = KNOBS["throttle_services"] or SERVICES
    if rate <= 0 or service not in chosen:
        return False
    with FAULT_LOCK:
        hit = RNG.random() < rate
        if hit:
            THROTTLED[service] = THROTTLED.get(service, 0) + 1
    return hit


def concurrent_modification(action):
    """R29: True when this Organizations write is to be refused (counted)."""
    rate = float(KNOBS["cme_rate"] or 0)
    if rate <= 0 or action not in CME_WRITES:
        return False
    with FAULT_LOCK:
        hit = RNG.random() < rate
        if hit:
            CME[action] = CME.get(action, 0) + 1
    return hit


def _throttle_response(service, environ):
    protocol, status, code, body = THROTTLE[service]
    if protocol == "ec2":
        rid = str(uuid.uuid4())
        xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>{code}</Code><Message>{body["Message"]}</Message>'
               f"</Error></Errors><RequestID>{rid}</RequestID></Response>")
        return Response(xml, status=status, mimetype="text/xml")
    if service == "fms" and environ.get("PATH_INFO", "").startswith("/service/AWSFMS_20180101/operation/"):
        out = cbor2.dumps(dict(body, __type=code))
        return Response(out, status=status, headers={"smithy-protocol": "rpc-v2-cbor"}, mimetype="application/cbor")
    if protocol == "json":
        members = dict(body, __type=code)
        if service == "identitystore":
            members["RequestId"] = str(uuid.uuid4())
        return Response(json.dumps(members), status=status, headers={"x-amzn-ErrorType": code}, mimetype="application/x-amz-json-1.1")
    return Response(json.dumps(body), status=status, headers={"x-amzn-ErrorType": code}, mimetype="application/json")


def middleware(environ, start_response):
    """R28 for every service but Organizations (access.py) and sts: the throttling answer, or None."""
    _acct, _region, scope = _caller(environ)
    service = SCOPE.get(scope, scope)
    if service not in THROTTLE or not throttle(service):
        return None
    return _throttle_response(service, environ)(environ, start_response)
