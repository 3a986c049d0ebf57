"""Organizations list paging.

Rules (Organizations, API reference https://docs.aws.amazon.com/organizations/latest/APIReference/):
  R7  List* pages hold at most 20 items (MaxResults 1-20) and page with NextToken; an invalid
      token -> InvalidInputException INVALID_NEXT_TOKEN; --empty-pages makes every list
      start with an empty page that carries a NextToken, as AWS may  (API_ListAccounts "NextToken")

install() wraps OrganizationsResponse's List* handlers; server.install() calls it after the
service modules (native.py has no patch) and before access.install().
"""

import base64
import json

from moto.organizations import responses as orsp

from .common import KNOBS, err

LISTS = {
    "list_accounts": "Accounts",
    "list_accounts_for_parent": "Accounts",
    "list_organizational_units_for_parent": "OrganizationalUnits",
    "list_children": "Children",
    "list_roots": "Roots",
    "list_delegated_administrators": "DelegatedAdministrators",
    "list_delegated_services_for_account": "DelegatedServices",
    "list_aws_service_access_for_organization": "EnabledServicePrincipals",
    "list_create_account_status": "CreateAccountStatuses",
    "list_policies": "Policies",
    "list_policies_for_target": "Policies",
    "list_targets_for_policy": "Targets",
}
R = orsp.OrganizationsResponse


def _token(n):
    return base64.urlsafe_b64encode(json.dumps({"o": n}).encode()).decode()


def _offset(token):
    try:
        return int(json.loads(base64.urlsafe_b64decode(token.encode()))["o"])
    except Exception:
        raise err("InvalidInputException", "The NextToken value is not valid.", Reason="INVALID_NEXT_TOKEN")


def paged(name, key):
    orig = getattr(R, name)

    def handler(self):
        params = self.request_params
        size = params.get("MaxResults") or 20
        if not isinstance(size, int) or size < 1:
            raise err("InvalidInputException", "You provided a numeric parameter that has a smaller value than allowed.", Reason="MIN_VALUE_EXCEEDED")
        if size > 20:
            raise err("InvalidInputException", "You provided a numeric parameter that has a larger value than allowed.", Reason="MAX_VALUE_EXCEEDED")
        token = params.get("NextToken")
        start = _offset(token) if token else 0
        params = {k: v for k, v in params.items() if k not in ("NextToken", "MaxResults")}
        if name in ("list_accounts", "list_accounts_for_parent", "list_organizational_units_for_parent", "list_policies", "list_policies_for_target"):
            params["MaxResults"] = 10**6
        self.body = json.dumps(params)
        full = json.loads(orig(self))
        items = full.get(key) or []
        full.pop("NextToken", None)
        if KNOBS["empty_pages"] and not token and items:
            full[key] = []
            full["NextToken"] = _token(0)
            return json.dumps(full)
        full[key] = items[start:start + size]
        if start + size < len(items):
            full["NextToken"] = _token(start + size)
        return json.dumps(full)

    handler.__name__ = name
    return handler


def install():
    for _n, _k in LISTS.items():
        setattr(R, _n, paged(_n, _k))
