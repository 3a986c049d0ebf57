"""Organizations' delegation policy (the resource policy; moto: HTTP 500).

Rules (Organizations, API reference https://docs.aws.amazon.com/organizations/latest/APIReference/):
  R10 Put/Describe/DeleteResourcePolicy (the delegation policy; moto: HTTP 500): invalid JSON ->
      INVALID_RESOURCE_POLICY_JSON; a non-delegable action -> UNSUPPORTED_ACTION_IN_RESOURCE_POLICY;
      a principal that is not a member account -> INVALID_PRINCIPAL; over 40,000 characters
      rejected; none -> ResourcePolicyNotFoundException
                  (API_PutResourcePolicy, API_DescribeResourcePolicy, API_DeleteResourcePolicy;
                   orgs_delegate_policies)
The delegable actions come from data/delegation-catalog.yaml (organizations_policy_delegation).
`_grants` reads the policy for R8 (access.py) and R11 (delegated policy writes).

install() patches OrganizationsBackend and OrganizationsResponse; server.install() calls it after
organizations.install().
"""

import json
import uuid

import yaml

from moto.organizations import responses as orsp

from .common import CATALOG, B, _as_list, err


def _delegable():
    with open(CATALOG) as f:
        d = yaml.safe_load(f)["organizations_policy_delegation"]
    return set(d["delegable_actions_2023_doc"]) | set(d["botocore_ops_callable_by_mgmt_or_da"])


DELEGABLE = _delegable()


def _action_ok(action):
    if not isinstance(action, str) or not action.lower().startswith("organizations:"):
        return False
    name = action.split(":", 1)[1]
    if name.endswith("*"):
        prefix = name[:-1].lower()
        matched = [a for a in DELEGABLE if a.lower().startswith(prefix)]
        return bool(matched) and prefix in ("describe", "list")
    return any(a.lower() == name.lower() for a in DELEGABLE)


def put_resource_policy(self, **kw):
    content = kw.get("Content") or ""
    if len(content) > 40000:
        raise err("InvalidInputException", "You provided a string parameter that is longer than allowed.", Reason="MAX_LENGTH_EXCEEDED")
    try:
        doc = json.loads(content)
        statements = _as_list(doc["Statement"])
    except Exception:
        raise err("InvalidInputException", "The provided policy document is not valid JSON for a resource policy.", Reason="INVALID_RESOURCE_POLICY_JSON")
    members = {a.id for a in self.accounts if a.id != self.account_id}
    for st in statements:
        for action in _as_list(st.get("Action", [])):
            if not _action_ok(action):
                raise err("InvalidInputException", f"The action {action} is not supported in a resource policy.", Reason="UNSUPPORTED_ACTION_IN_RESOURCE_POLICY")
        principal = st.get("Principal", {})
        for p in _as_list(principal.get("AWS", []) if isinstance(principal, dict) else principal):
            acct = str(p).replace("arn:aws:iam::", "").replace(":root", "")
            if acct not in members:
                raise err("InvalidInputException", "You specified an invalid principal element in the policy.", Reason="INVALID_PRINCIPAL")
    pid = getattr(self, "_orgctl_policy_id", None) or "rp-" + uuid.uuid4().hex[:8]
    self._orgctl_policy_id = pid
    self._orgctl_policy = content
    return _policy(self)


def _policy(self):
    return {
        "ResourcePolicy": {
            "ResourcePolicySummary": {"Id": self._orgctl_policy_id, "Arn": f"arn:aws:organizations::{self.account_id}:resourcepolicy/{self.org.id}/{self._orgctl_policy_id}"},
            "Content": self._orgctl_policy,
        }
    }


def _no_policy():
    return err("ResourcePolicyNotFoundException", "We can't find a resource policy request with the parameter that you specified.")


def describe_resource_policy(self, **kw):
    if getattr(self, "_orgctl_policy", None) is None:
        raise _no_policy()
    return _policy(self)


def delete_resource_policy(self, **kw):
    if getattr(self, "_orgctl_policy", None) is None:
        raise _no_policy()
    self._orgctl_policy = None


def _put_rp(self):
    return json.dumps(self.organizations_backend.put_resource_policy(**self.request_params))


def _describe_rp(self):
    return json.dumps(self.organizations_backend.describe_resource_policy(**self.request_params))


def _delete_rp(self):
    self.organizations_backend.delete_resource_policy(**self.request_params)
    return "{}"


def _grants(mb, acct, action, policy_type):
    """Whether the management backend's delegation policy grants `action` (for `policy_type`) to `acct`."""
    content = getattr(mb, "_orgctl_policy", None)
    if not content:
        return False
    for st in _as_list(json.loads(content).get("Statement", [])):
        if st.get("Effect") != "Allow":
            continue
        principal = st.get("Principal", {})
        principals = [str(p).replace("arn:aws:iam::", "").replace(":root", "") for p in _as_list(principal.get("AWS", []) if isinstance(principal, dict) else principal)]
        if acct not in principals:
            continue
        actions = [a.lower() for a in _as_list(st.get("Action", []))]
        wanted = f"organizations:{action}".lower()
        if not any(a == wanted or (a.endswith("*") and wanted.startswith(a[:-1])) for a in actions):
            continue
        cond = (st.get("Condition") or {})
        types = None
        for op, kv in cond.items():
            if "organizations:PolicyType" in kv:
                types = _as_list(kv["organizations:PolicyType"])
        if types is None or policy_type is None or policy_type in types:
            return True
    return False


def install():
    B.put_resource_policy = put_resource_policy
    B.describe_resource_policy = describe_resource_policy
    B.delete_resource_policy = delete_resource_policy
    orsp.OrganizationsResponse.put_resource_policy = _put_rp
    orsp.OrganizationsResponse.describe_resource_policy = _describe_rp
    orsp.OrganizationsResponse.delete_resource_policy = _delete_rp
