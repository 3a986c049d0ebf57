"""The per-type rules of Organizations policies, read from data/policy-types.yaml (common.py loads
it; orgctl's catalog mirrors the same file): document grammar, AWS-managed defaults, attachment
and tag limits, and the trusted access a policy type needs.

Rules (Organizations, API reference https://docs.aws.amazon.com/organizations/latest/APIReference/,
user guide https://docs.aws.amazon.com/organizations/latest/userguide/):
  R35 CreatePolicy / UpdatePolicy (Content): a document that is not valid for its type's grammar
      -> MalformedPolicyDocumentException (HTTP 400) "The provided policy document does not meet
      the requirements of the specified policy type." (after R11's JSON and size checks):
      family iam (SCP, RCP): a JSON object whose top-level keys are among Version, Id, Statement;
        Version, if present, "2012-10-17" or "2008-10-17"; Statement present, an object or a
        non-empty list of objects; each statement's keys among Sid, Effect, Action, NotAction,
        Resource, NotResource, Principal, NotPrincipal, Condition; Effect present and among the
        type's `effects`; exactly one of Action / NotAction; at most one of Resource / NotResource;
        none of the type's `statement_forbids`; all of its `statement_requires`; a type that
        requires Principal (RCP) accepts only the string "*" there ({"AWS": "*"} is refused: the
        RCP syntax page says only "*" can be specified).
      family management: a non-empty JSON object whose top-level keys are among the type's
        `top_level` (never Statement or Version); anywhere in the document, a key starting with
        "@@" must be one of the file's `operators` (values such as "@@none" are not keys).
      The AWS-managed FullAWSAccess / RCPFullAWSAccess are created by AWS (moto builds them
      directly, not through CreatePolicy), so they are never checked.
          (MalformedPolicyDocumentException (botocore); orgs_manage_policies_scps_syntax,
           orgs_manage_policies_rcps_syntax ("You can only specify "*" in the Principal element",
           "For RCPs that you create, the value must be Deny", NotPrincipal and NotAction
           unsupported); policy-operators (inheritance operators); each management type's
           syntax page, listed per type in data/policy-types.yaml)
  R36 AWS-managed defaults and per-type limits:
      (a) A type's default (the file's `default`) is attached by AWS to the root, every OU and
          every account when the type becomes ENABLED, and to each new OU and account while it is
          enabled; DisablePolicyType detaches every policy of the type from every root, OU and
          account (the policies are not deleted). moto attached RCPFullAWSAccess at organization
          creation and to every new OU/account whatever the type's state: it now follows
          RESOURCE_CONTROL_POLICY, so ListPoliciesForTarget(Filter=RESOURCE_CONTROL_POLICY) and
          ListTargetsForPolicy(p-RCPFullAWSAccess) are empty until RCPs are enabled, list every
          target once they are, and are empty again after DisablePolicyType. FullAWSAccess keeps
          moto's behaviour (attached from the organization's creation; re-attached everywhere when
          SCPs are enabled again after a DisablePolicyType, as AWS documents).
          (orgs_manage_policies_rcps_syntax: RCPFullAWSAccess "is automatically attached to the
           organization root, every OU, and every account in your organization, when you enable
           resource control policies"; disable-policy-type: "all policies of the specified type
           are automatically detached from all entities in the organization root", and for SCPs
           re-enabling attaches only FullAWSAccess)
      (b) DetachPolicy of a default whose `default_detachable` is false (RCPFullAWSAccess) ->
          InvalidInputException Reason NON_DETACHABLE_POLICY "You can't detach this Amazon Web
          Services Managed Policy." (the reason and its sentence are in botocore's
          InvalidInputExceptionReason; that AWS answers it for RCPFullAWSAccess is unconfirmed, an
          inference: it is the only AWS-managed policy documented as undetachable, "You cannot
          detach this policy" (orgs_manage_policies_rcps_syntax); no AWS response was seen)
      (c) AttachPolicy beyond the type's `attach_max` on one root, OU or account (the default
          attached there counts) -> ConstraintViolationException MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED;
          types whose attach_max is null are not limited (orgs_reference_limits; API_AttachPolicy)
      (d) Tags (CreatePolicy, CreateAccount, CreateOrganizationalUnit Tags; TagResource): a key
          starting with "aws:" (any case) -> InvalidInputException INVALID_SYSTEM_TAGS_PARAMETER;
          more than 50 tags on the resource after the call (keys already there count once) ->
          ConstraintViolationException MAX_TAG_LIMIT_EXCEEDED; nothing is changed or created
          (moto checks neither). (botocore InvalidInputExceptionReason / ConstraintViolationExceptionReason;
           API_TagResource and API_CreateAccount: "if you exceed the maximum allowed number of tags
           ... the entire request fails"; the number 50 is AWS's general per-resource tag limit
           (tag-editor tagging best practices, the aws: prefix reserved); the Organizations quota
           page was not found to state it)
  R37 Trusted access and policy types (the type's `service_principal`):
      EnablePolicyType while that principal's trusted access is not enabled ->
      ConstraintViolationException SERVICE_ACCESS_NOT_ENABLED "You attempted to enable a policy
      type before you enabled service access. Call the EnableAWSServiceAccess API first." (R5's
      RegisterDelegatedAdministrator keeps its own sentence for the same reason);
      DisableAWSServiceAccess of a principal while a type needing it is ENABLED or PENDING_ENABLE ->
      ConstraintViolationException POLICY_TYPE_ENABLED_FOR_THIS_SERVICE. The Inspector and
      Security Hub designations (R13, R14) still enable trusted access as a side effect, so a
      designated service's policy type can then be enabled.
          (botocore ConstraintViolationExceptionReason: SERVICE_ACCESS_NOT_ENABLED's two sentences,
           POLICY_TYPE_ENABLED_FOR_THIS_SERVICE "... (for example, SECURITYHUB_POLICY) ...";
           data/delegation-catalog.yaml securityhub notes)

install() wraps OrganizationsBackend methods already patched by organizations.py and policies.py
and registers R36's ENABLED hook with policies.ON_ENABLED; server.install() calls it right after
policies.install().
"""

import json

from moto.organizations import exceptions as oe
from moto.organizations import models as om

from . import policies
from .common import POLICY_OPERATORS, POLICY_RULES, B, constraint, err, invalid_input

ORIG = {}  # the methods in place before install() (organizations.py's, policies.py's or moto's)

MALFORMED = "The provided policy document does not meet the requirements of the specified policy type."
IAM_TOP = {"Version", "Id", "Statement"}
IAM_VERSIONS = {"2012-10-17", "2008-10-17"}
STATEMENT_KEYS = {"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"}
MAX_TAGS = 50  # R36 (d)
# R36 (a): FullAWSAccess stays attached from the organization's creation, as moto does.
ATTACHED_FROM_CREATION = {"SERVICE_CONTROL_POLICY"}


# --- R35: the grammar of each type -------------------------------------------------------------

def _iam_problem(doc, rules):
    """Why `doc` is not a valid document of an IAM-family type, or None."""
    if not isinstance(doc, dict):
        return "not a JSON object"
    if set(doc) - IAM_TOP:
        return f"top-level keys {sorted(set(doc) - IAM_TOP)}"
    if "Version" in doc and doc["Version"] not in IAM_VERSIONS:
        return f"Version {doc['Version']!r}"
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements or not all(isinstance(s, dict) for s in statements):
        return "Statement missing, empty or not objects"
    for s in statements:
        if set(s) - STATEMENT_KEYS:
            return f"statement keys {sorted(set(s) - STATEMENT_KEYS)}"
        if s.get("Effect") not in rules.get("effects", []):
            return f"Effect {s.get('Effect')!r}"
        if ("Action" in s) == ("NotAction" in s):
            return "not exactly one of Action/NotAction"
        if "Resource" in s and "NotResource" in s:
            return "both Resource and NotResource"
        forbidden = [k for k in rules.get("statement_forbids") or [] if k in s]
        if forbidden:
            return f"{forbidden} not supported"
        missing = [k for k in rules.get("statement_requires") or [] if k not in s]
        if missing:
            return f"{missing} required"
        if "Principal" in (rules.get("statement_requires") or []) and s["Principal"] != "*":
            return "Principal must be \"*\""
    return None


def _operator_problem(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if isinstance(k, str) and k.startswith("@@") and k not in POLICY_OPERATORS:
                return f"unknown operator {k}"
            found = _operator_problem(v)
            if found:
                return found
    elif isinstance(node, list):
        for v in node:
            found = _operator_problem(v)
            if found:
                return found
    return None


def _entries(doc, key):
    node = doc.get(key)
    return [(k, v) for k, v in node.items() if not k.startswith("@@")] if isinstance(node, dict) else []


def _ai_opt_out_problem(doc):
    """AI opt-out policy syntax: each service (or default) holds only opt_out_policy, whose
    @@assign is optOut or optIn."""
    for service, v in _entries(doc, "services"):
        if not isinstance(v, dict):
            return f"services.{service} is not an object"
        for k, child in v.items():
            if k.startswith("@@"):
                continue
            if k != "opt_out_policy" or not isinstance(child, dict):
                return f"services.{service}.{k}"
            if "@@assign" in child and child["@@assign"] not in ("optOut", "optIn"):
                return f"services.{service}.opt_out_policy = {child['@@assign']!r}"
    return None


def _tag_policy_problem(doc):
    """Tag policy syntax: a policy key matches its tag_key's value except for case."""
    for key, v in _entries(doc, "tags"):
        node = v.get("tag_key") if isinstance(v, dict) else None
        if node is not None and not isinstance(node, dict):
            return f"tags.{key}.tag_key is not an object"
        tag_key = (node or {}).get("@@assign")
        if isinstance(tag_key, str) and tag_key.lower() != key.lower():
            return f"tag key {tag_key} under policy key {key}"
    return None


TYPE_GRAMMAR = {"AISERVICES_OPT_OUT_POLICY": _ai_opt_out_problem, "TAG_POLICY": _tag_policy_problem}


def _management_problem(doc, rules, policy_type=None):
    """Why `doc` is not a valid document of a management-family type, or None."""
    if not isinstance(doc, dict) or not doc:
        return "not a non-empty JSON object"
    if "Statement" in doc or "Version" in doc:
        return "IAM elements in a management policy"
    extra = set(doc) - set(rules.get("top_level") or [])
    if extra:
        return f"top-level keys {sorted(extra)}"
    found = _operator_problem(doc)
    if found or policy_type not in TYPE_GRAMMAR:
        return found
    return TYPE_GRAMMAR[policy_type](doc)


def document_problem(content, policy_type):
    """Why `content` is not a valid document of `policy_type` (R35), or None."""
    rules = POLICY_RULES.get(policy_type)
    if rules is None:
        return None
    try:
        doc = json.loads(content)
    except (TypeError, ValueError):
        return "not JSON"
    if rules.get("family") == "iam":
        return _iam_problem(doc, rules)
    return _management_problem(doc, rules, policy_type)


def _check_document(content, policy_type):
    policies._check_document(content, policy_type)  # R11 first: JSON, then the size limit
    if document_problem(content, policy_type):
        raise err("MalformedPolicyDocumentException", MALFORMED)


# --- R36 (d): tags ------------------------------------------------------------------------------

def _check_tags(tags, existing=()):
    keys = [str(t.get("Key", "")) for t in tags or []]
    if any(k.lower().startswith("aws:") for k in keys):
        raise invalid_input("INVALID_SYSTEM_TAGS_PARAMETER")
    if len(set(existing) | set(keys)) > MAX_TAGS:
        raise constraint("MAX_TAG_LIMIT_EXCEEDED")


def create_policy(self, **kw):
    _check_document(kw.get("Content", ""), kw.get("Type", ""))
    _check_tags(kw.get("Tags"))
    return ORIG["create_policy"](self, **kw)


def update_policy(self, **kw):
    if "Content" in kw:
        policy = self.get_policy_by_id(kw["PolicyId"])
        _check_document(kw["Content"], policy.type)
    return ORIG["update_policy"](self, **kw)


def create_account(self, **kw):
    _check_tags(kw.get("Tags"))
    return ORIG["create_account"](self, **kw)


def create_organizational_unit(self, **kw):
    _check_tags(kw.get("Tags"))
    return ORIG["create_organizational_unit"](self, **kw)


def tag_resource(self, **kw):
    resource = self._get_resource_for_tagging(kw["ResourceId"])
    _check_tags(kw.get("Tags"), resource.tags)
    return ORIG["tag_resource"](self, **kw)


# --- R36 (a-c): defaults and attachment limits ---------------------------------------------------

def _targets(self):
    """The root, every OU and every account."""
    return list(self.ou) + list(self.accounts)


def _default_policy(self, policy_type):
    name = (POLICY_RULES.get(policy_type) or {}).get("default")
    return next((p for p in self.policies if p.aws_managed and p.name == name), None) if name else None


def _attach(policy, target):
    if policy not in target.attached_policies:
        target.attached_policies.append(policy)
        policy.attachments.append(target)


def _detach(policy, target):
    if policy in target.attached_policies:
        target.attached_policies.remove(policy)
    if target in policy.attachments:
        policy.attachments.remove(target)


def on_enabled(self, policy_type):
    """policies.ON_ENABLED hook: AWS attaches the type's default everywhere."""
    default = _default_policy(self, policy_type)
    if default is not None:
        for target in _targets(self):
            _attach(default, target)


def attach_policy(self, **kw):
    policy = self.get_policy_by_id(kw["PolicyId"])
    if getattr(self, "_orgctl_internal", 0):
        # moto attaching its defaults to a new organization, OU or account: AWS attaches a type's
        # default only while the type is enabled (FullAWSAccess excepted, see ATTACHED_FROM_CREATION).
        if policy.aws_managed and policy.type not in ATTACHED_FROM_CREATION and not policies._type_enabled(self, policy.type):
            return None
        return ORIG["attach_policy"](self, **kw)
    target = policies._target(self, kw["TargetId"])
    limit = (POLICY_RULES.get(policy.type) or {}).get("attach_max")
    # The other refusals (type not enabled, duplicate) come first, from policies.attach_policy.
    if limit is not None and policies._type_enabled(self, policy.type) and policy not in target.attached_policies:
        if sum(p.type == policy.type for p in target.attached_policies) >= limit:
            raise constraint("MAX_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    return ORIG["attach_policy"](self, **kw)


def detach_policy(self, **kw):
    policy = self.get_policy_by_id(kw["PolicyId"])
    rules = POLICY_RULES.get(policy.type) or {}
    if policy.aws_managed and policy.name == rules.get("default") and rules.get("default_detachable") is False:
        if policy in policies._target(self, kw["TargetId"]).attached_policies:
            raise invalid_input("NON_DETACHABLE_POLICY")
    return ORIG["detach_policy"](self, **kw)


def disable_policy_type(self, **kw):
    """Replaces moto's (which fails with HTTP 500 on a PENDING_ENABLE type): the type leaves the
    root and every policy of the type is detached from every target (R36 a)."""
    root = self._get_root_by_id(kw["RootId"])
    ty = kw["PolicyType"]
    if not om.FakePolicy.supported_policy_type(ty):
        raise err("InvalidInputException", "You specified an invalid value.")  # as policies.enable_policy_type
    entry = next((t for t in root.policy_types if t["Type"] == ty), None)
    if entry is None:
        raise oe.PolicyTypeNotEnabledException
    root.policy_types.remove(entry)
    getattr(self, "_orgctl_pending_types", {}).pop(ty, None)
    for target in _targets(self):
        for policy in [p for p in target.attached_policies if p.type == ty]:
            _detach(policy, target)
    return {"Root": root.describe()}


# --- R37: trusted access and policy types ------------------------------------------------------

def _trusted(self, principal):
    return any(s["ServicePrincipal"] == principal for s in self.services)


def enable_policy_type(self, **kw):
    principal = (POLICY_RULES.get(kw.get("PolicyType")) or {}).get("service_principal")
    if principal and not _trusted(self, principal):
        raise constraint("SERVICE_ACCESS_NOT_ENABLED", operation="EnablePolicyType")
    return ORIG["enable_policy_type"](self, **kw)


def disable_aws_service_access(self, **kw):
    principal = kw.get("ServicePrincipal")
    if self.org is not None:
        for t in policies._root(self).policy_types:  # ENABLED or PENDING_ENABLE
            if (POLICY_RULES.get(t["Type"]) or {}).get("service_principal") == principal:
                raise constraint("POLICY_TYPE_ENABLED_FOR_THIS_SERVICE")
    return ORIG["disable_aws_service_access"](self, **kw)


WRAPPED = {
    "create_policy": create_policy, "update_policy": update_policy, "create_account": create_account,
    "create_organizational_unit": create_organizational_unit, "tag_resource": tag_resource,
    "attach_policy": attach_policy, "detach_policy": detach_policy, "disable_policy_type": disable_policy_type,
    "enable_policy_type": enable_policy_type, "disable_aws_service_access": disable_aws_service_access,
}


def install():
    for name, fn in WRAPPED.items():
        ORIG[name] = getattr(B, name)
        setattr(B, name, fn)
    policies.ON_ENABLED.append(on_enabled)
