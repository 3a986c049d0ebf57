"""Organizations policies (moto knows 5 types and checks little).

Rules (Organizations, API reference https://docs.aws.amazon.com/organizations/latest/APIReference/):
  R11 Policies: all 13 policy types (moto: 5, BACKUP_POLICY fails); EnablePolicyType is
      asynchronous (PENDING_ENABLE, then ENABLED); AttachPolicy needs the type enabled
      (PolicyTypeNotEnabledException), refuses a duplicate (DuplicatePolicyAttachmentException)
      (the per-type attachment maximum is R36, policy_rules.py); DetachPolicy of a policy not
      attached -> PolicyNotAttachedException, of the last SCP -> MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED;
      malformed JSON -> MalformedPolicyDocumentException (the grammar of each type is R35);
      over the type's size (max_size in data/policy-types.yaml) ->
      POLICY_CONTENT_LIMIT_EXCEEDED; a member account the delegation policy grants policy actions
      may make them for the granted types (R8 otherwise denies); CreatePolicy with Tags and
      Tag/UntagResource also need organizations:TagResource granted
          (API_AttachPolicy, API_DetachPolicy, API_CreatePolicy, API_EnablePolicyType;
           orgs_reference_limits; orgs_delegate_policies)
The delegated-write check itself lives in access.py (R8), with POLICY_WRITES and
_request_policy_type from here and _grants from resource_policy.py.

install() patches FakePolicy, FakeRoot and OrganizationsBackend; server.install() calls it after
resource_policy.install(). ON_ENABLED lets policy_rules.py (R36) act when a type becomes ENABLED.
"""

import json
import time

from moto.organizations import models as om

from .common import KNOBS, POLICY_RULES, B, _internal, constraint, err

ORIG = {}  # moto's methods, captured by install()

POLICY_TYPES = [
    "AISERVICES_OPT_OUT_POLICY", "BACKUP_POLICY", "BEDROCK_POLICY", "CHATBOT_POLICY", "DECLARATIVE_POLICY_EC2",
    "INSPECTOR_POLICY", "NETWORK_SECURITY_DIRECTOR_POLICY", "RESOURCE_CONTROL_POLICY", "S3_POLICY",
    "SECURITYHUB_POLICY", "SERVICE_CONTROL_POLICY", "TAG_POLICY", "UPGRADE_ROLLOUT_POLICY",
]
MAX_SIZE = {ty: rules["max_size"] for ty, rules in POLICY_RULES.items()}  # characters, per type
ON_ENABLED = []  # callables (backend, policy type) run when a type becomes ENABLED (R36)


def _policy_init(self, organization, **kw):
    ty = kw.get("Type", "")
    if ty in ("SERVICE_CONTROL_POLICY", "TAG_POLICY", "AISERVICES_OPT_OUT_POLICY", "RESOURCE_CONTROL_POLICY"):
        return ORIG["policy_init"](self, organization, **kw)
    # moto raises NotImplementedError for the other types; AWS's ARN shape is the same.
    kw2 = dict(kw, Type="TAG_POLICY")
    ORIG["policy_init"](self, organization, **kw2)
    self.type = ty
    self._arn_format = "arn:{0}:organizations::{1}:policy/{2}/" + ty.lower() + "/{3}"


def _check_document(content, ty):
    try:
        json.loads(content)
    except Exception:
        raise err("MalformedPolicyDocumentException", "The provided policy document does not meet the requirements of the specified policy type.")
    if len(content) > MAX_SIZE.get(ty, 10000):
        raise constraint("POLICY_CONTENT_LIMIT_EXCEEDED")


def create_policy(self, **kw):
    _check_document(kw.get("Content", ""), kw.get("Type", ""))
    return ORIG["create_policy"](self, **kw)


def update_policy(self, **kw):
    policy = self.get_policy_by_id(kw["PolicyId"])
    if "Content" in kw:
        _check_document(kw["Content"], policy.type)
    return ORIG["update_policy"](self, **kw)


def _root(self):
    return next(o for o in self.ou if isinstance(o, om.FakeRoot))


def _type_enabled(self, ty):
    return any(t["Type"] == ty and t["Status"] == "ENABLED" for t in _root(self).policy_types)


def _target(self, target_id):
    t = next((o for o in self.ou if o.id == target_id), None) or next((a for a in self.accounts if a.id == target_id), None)
    if t is None:
        raise err("TargetNotFoundException", "We can't find a root, OU, account, or policy with the TargetId that you specified.")
    return t


def attach_policy(self, **kw):
    if getattr(self, "_orgctl_internal", 0):
        # moto attaching its default policies while creating an OU or account.
        return ORIG["attach_policy"](self, **kw)
    policy = self.get_policy_by_id(kw["PolicyId"])
    target = _target(self, kw["TargetId"])
    if not _type_enabled(self, policy.type):
        raise err("PolicyTypeNotEnabledException", f"The {policy.type} policy type is not enabled on the root.")
    if policy in target.attached_policies:
        raise err("DuplicatePolicyAttachmentException", "The selected policy is already attached to the specified target.")
    return ORIG["attach_policy"](self, **kw)


def detach_policy(self, **kw):
    policy = self.get_policy_by_id(kw["PolicyId"])
    target = _target(self, kw["TargetId"])
    if policy not in target.attached_policies:
        raise err("PolicyNotAttachedException", "The policy isn't attached to the specified target.")
    if policy.type == "SERVICE_CONTROL_POLICY" and _type_enabled(self, policy.type):
        if len([p for p in target.attached_policies if p.type == policy.type]) <= 1:
            raise constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
    return ORIG["detach_policy"](self, **kw)


def enable_policy_type(self, **kw):
    root = self._get_root_by_id(kw["RootId"])
    ty = kw["PolicyType"]
    if ty not in POLICY_TYPES:
        raise err("InvalidInputException", "You specified an invalid value.")
    if any(t["Type"] == ty for t in root.policy_types):
        raise err("PolicyTypeAlreadyEnabledException", "The specified policy type is already enabled.")
    root.policy_types.append({"Type": ty, "Status": "PENDING_ENABLE"})
    if not hasattr(self, "_orgctl_pending_types"):
        self._orgctl_pending_types = {}
    self._orgctl_pending_types[ty] = time.time() + float(KNOBS["policy_type_delay"])
    return {"Root": root.describe()}


def tick_policy_types(self):
    pending = getattr(self, "_orgctl_pending_types", {})
    now = time.time()
    for ty, due in list(pending.items()):
        if due <= now:
            for t in _root(self).policy_types:
                if t["Type"] == ty:
                    t["Status"] = "ENABLED"
            del pending[ty]
            for hook in ON_ENABLED:
                hook(self, ty)


# Who may make a delegated policy write (R8 + the delegation policy).
POLICY_WRITES = {"CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy", "EnablePolicyType", "DisablePolicyType"}


def _request_policy_type(self, action, mb):
    params = self.request_params
    if action == "CreatePolicy":
        return params.get("Type")
    if action in ("EnablePolicyType", "DisablePolicyType"):
        return params.get("PolicyType")
    p = next((x for x in mb.policies if x.id == params.get("PolicyId")), None)
    return p.type if p else None


def install():
    om.FakePolicy.SUPPORTED_POLICY_TYPES = POLICY_TYPES
    om.FakeRoot.SUPPORTED_POLICY_TYPES = POLICY_TYPES
    ORIG["policy_init"] = om.FakePolicy.__init__
    om.FakePolicy.__init__ = _policy_init
    for name in ("create_policy", "update_policy", "attach_policy", "detach_policy"):
        ORIG[name] = getattr(B, name)
    # moto's own calls that attach default policies (R4's CreateAccount completion is wrapped in
    # organizations.install()).
    B.create_organization = _internal(B.create_organization)
    B.create_organizational_unit = _internal(B.create_organizational_unit)
    B.create_policy = create_policy
    B.update_policy = update_policy
    B.attach_policy = attach_policy
    B.detach_policy = detach_policy
    B.enable_policy_type = enable_policy_type
