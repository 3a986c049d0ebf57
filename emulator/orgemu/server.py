"""The emulator's HTTP server: moto's WSGI app behind the control endpoints and `native_app`.

install() patches moto, once, by calling each rule module's install() in INSTALL_ORDER (the order
of the single-file emulator this package replaces). main() parses the launcher's command line,
installs, and serves on 127.0.0.1, printing `ORGCTL_EMULATOR_URL=http://127.0.0.1:PORT`.

Control endpoints (test knobs, not AWS):
  GET  /orgctl-emulator/stats        Organizations requests per operation, their total, "sso",
                                     "throttled" (R28: throttled answers per service),
                                     "concurrent_modifications" (R29: per Organizations operation)
                                     "new_account_lag" (R40: refusals per "service:Operation")
                                     and "account_creations" ({"peak_in_progress": the most
                                     CreateAccount requests IN_PROGRESS at once, "refused": the
                                     CreateAccount calls R30 refused})
  POST /orgctl-emulator/stats/reset  clears them
  POST /orgctl-emulator/config       sets knobs (create_delay, throttle_every, empty_pages,
                                     policy_type_delay, sso_region, throttle_rate, throttle_seed,
                                     throttle_services, cme_rate, ic_check_customer_policies,
                                     disable_delay, new_account_lag); answers the knobs; an
                                     invalid fault knob or a negative/non-numeric delay -> HTTP
                                     400 {"error": ...}; setting a fault knob reseeds the PRNG
  POST /orgctl-emulator/scim         R41, the IAM Identity Center SCIM endpoint's stand-in: creates a
                                     user or group provisioned by an identity provider, with
                                     ExternalIds, in the organization instance's identity store.
                                     Body {"kind": "user", "user_name", "display_name",
                                     "given_name", "family_name", "email"?, "external_id"?,
                                     "account_id"?} or {"kind": "group", "display_name",
                                     "description"?, "external_id"?, "account_id"?};
                                     external_id {"Issuer", "Id"} defaults to {"Issuer":
                                     "https://scim.example.com", "Id": user_name / display_name};
                                     account_id (default 123456789012) names an account of the
                                     organization. Answers 200 {"UserId" | "GroupId",
                                     "IdentityStoreId"}; bad input -> HTTP 400 {"error", "type":
                                     "ValidationException"}, a user name / group name in use ->
                                     400 {"error": "Duplicate UserName" | "Duplicate
                                     GroupDisplayName", "type": "ConflictException", "reason":
                                     "UNIQUENESS_CONSTRAINT_VIOLATION"}
Test support (not an AWS rule; calls.py):
  GET  /orgctl-emulator/calls        {"calls": [{"account", "action", "status"}, ...]}: every AWS
                                     request served, in arrival order, throttled and refused ones
                                     too: the account it acts as, its IAM action
                                     "<prefix>:<Operation>", its HTTP status, and for some
                                     Organizations calls the request context IAM evaluates
                                     ("context": {"resource", "keys"})
  POST /orgctl-emulator/calls/reset  empties it
Every request but the control endpoints is recorded (calls.serve), then passes faults.middleware
(R28), then native_app, then moto.
"""

import argparse
import json

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app

from . import (access, calls, cloudtrail, faults, guardduty, hub_central, inspector, ipam, macie_securityhub, newaccounts, organizations, paging,
               policies, policy_rules, resource_policy, speed, sso)
from .common import KNOBS, LOCK, STATS, check_delays, lag_stats
from .native import native_app

# Each module's install() patches moto; this is the order they are applied in. The rule modules
# only import moto at load time; nothing is patched before install().
INSTALL_ORDER = (
    speed,              # not a rule: moto's per-request look-ups (caller's account, its modules) without scans
    organizations,      # R6 catalog principals, R1-R5, R9 (OrganizationsBackend)
    resource_policy,    # R10 (OrganizationsBackend, OrganizationsResponse)
    policies,           # R11 (FakePolicy, FakeRoot, OrganizationsBackend)
    policy_rules,       # R35-R37 (wraps R1/R4/R11's OrganizationsBackend methods; data/policy-types.yaml)
    guardduty,          # R12, R25, R39 (GuardDuty routes and handlers)
    inspector,          # R13, R39
    macie_securityhub,  # R14, R39 (Security Hub)
    hub_central,        # R38 (wraps macie_securityhub's Security Hub Enable/Disable)
    cloudtrail,         # R15
    ipam,               # R16 (EC2Response)
    paging,             # R7 (OrganizationsResponse List* handlers)
    access,             # R8, throttling knob, request counts (OrganizationsResponse.call_action)
    sso,                # R19-R24 (SSOAdminResponse, IdentityStoreResponse)
    newaccounts,        # R40 (sts TokenResponse, OrganizationsResponse.register_delegated_administrator)
)
_INSTALLED = []


def install():
    """Patches moto with every rule, once (a second call does nothing)."""
    if _INSTALLED:
        return
    _INSTALLED.append(True)
    for module in INSTALL_ORDER:
        module.install()


def control_app(inner):
    def app(environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/orgctl-emulator/stats":
            throttled, cme = faults.stats()
            with LOCK:
                body = json.dumps({"organizations": STATS, "total": sum(STATS.values()), "sso": sso.stats(),
                                   "throttled": throttled, "concurrent_modifications": cme, "new_account_lag": lag_stats(),
                                   "account_creations": organizations.creation_stats()})
            return Response(body, mimetype="application/json")(environ, start_response)
        if path == "/orgctl-emulator/stats/reset" and environ["REQUEST_METHOD"] == "POST":
            with LOCK:
                STATS.clear()
                sso.reset_stats()
            faults.reset_stats()
            lag_stats(reset=True)
            organizations.creation_stats(reset=True)
            return Response("{}", mimetype="application/json")(environ, start_response)
        if path == "/orgctl-emulator/config" and environ["REQUEST_METHOD"] == "POST":
            req = Request(environ)
            new = {k: v for k, v in json.loads(req.get_data() or b"{}").items() if k in KNOBS}
            problem = faults.check_knobs(new) or check_delays(new)
            if problem:
                return Response(json.dumps({"error": problem}), status=400, mimetype="application/json")(environ, start_response)
            KNOBS.update(new)
            if any(k in new for k in faults.KNOB_NAMES):
                faults.reseed()
            return Response(json.dumps(KNOBS), mimetype="application/json")(environ, start_response)
        if path == "/orgctl-emulator/scim" and environ["REQUEST_METHOD"] == "POST":
            status, body = sso.provision(Request(environ).get_data())
            return Response(json.dumps(body), status=status, mimetype="application/json")(environ, start_response)
        served = calls.control(environ, start_response)
        if served is not None:
            return served
        return calls.serve(aws, environ, start_response)

    def aws(environ, start_response):
        served = faults.middleware(environ, start_response)
        if served is not None:
            return served
        served = native_app(environ, start_response)
        if served is not None:
            return served
        return inner(environ, start_response)

    return app


class QuietHandler(MotoRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def main(argv=None, description="orgctl's AWS emulator: moto's server plus the AWS rules moto lacks."):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--create-delay", type=float, default=KNOBS["create_delay"], help="seconds a CreateAccount request stays IN_PROGRESS")
    ap.add_argument("--throttle-every", type=int, default=0)
    ap.add_argument("--empty-pages", action="store_true")
    ap.add_argument("--sso-region", default=KNOBS["sso_region"], help="IAM Identity Center home Region (where the organization instance lives)")
    ap.add_argument("--throttle-rate", type=float, default=0.0, help="R28: fraction (0..1) of the requests of every service answered with its throttling error")
    ap.add_argument("--throttle-seed", type=int, default=1, help="R28/R29: seed of the PRNG that picks them")
    ap.add_argument("--throttle-services", default="", help="R28: comma-separated services to throttle (default: all)")
    ap.add_argument("--cme-rate", type=float, default=0.0, help="R29: fraction (0..1) of Organizations writes answered ConcurrentModificationException")
    ap.add_argument("--disable-delay", type=float, default=KNOBS["disable_delay"],
                    help="R39: seconds a disabled GuardDuty/Inspector/Security Hub admin stays DISABLE_IN_PROGRESS (0: gone at once)")
    ap.add_argument("--new-account-lag", type=float, default=KNOBS["new_account_lag"],
                    help="R40: seconds after CreateAccount SUCCEEDED during which the account is not usable (0: off)")
    a = ap.parse_args(argv)
    faults_knobs = {"throttle_rate": a.throttle_rate, "throttle_seed": a.throttle_seed, "cme_rate": a.cme_rate,
                    "throttle_services": [x for x in a.throttle_services.split(",") if x]}
    delays = {"disable_delay": a.disable_delay, "new_account_lag": a.new_account_lag}
    problem = faults.check_knobs(faults_knobs) or check_delays(delays)
    if problem:
        ap.error(problem)
    KNOBS.update(create_delay=a.create_delay, throttle_every=a.throttle_every, empty_pages=a.empty_pages, sso_region=a.sso_region,
                 **faults_knobs, **delays)
    faults.reseed()
    install()
    app = control_app(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", a.port, app, threaded=True, request_handler=QuietHandler)
    print(f"ORGCTL_EMULATOR_URL=http://127.0.0.1:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0
