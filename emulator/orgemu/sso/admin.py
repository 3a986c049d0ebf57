"""sso-admin requests: who may call (R19, R20, R21) and the dispatch to the handlers.

Rules (IAM Identity Center; API reference https://docs.aws.amazon.com/singlesignon/latest/APIReference/,
user guide https://docs.aws.amazon.com/singlesignon/latest/userguide/):
  R19 One organization instance: the management account of an organization has exactly one
      instance, in the home Region (--sso-region, default us-east-1); ListInstances elsewhere, and
      from member accounts other than the delegated administrator, returns none; the sso.amazonaws.com
      delegated administrator sees the management account's instance (same InstanceArn and
      IdentityStoreId); DescribeInstance (moto: absent) returns it ACTIVE, owned by the management
      account; an InstanceArn that is not this instance -> AccessDeniedException
                      (identity-center-instances; API_ListInstances; API_DescribeInstance)
  R20 (sso-admin) requests of the delegated administrator are served from the management account's
      backends (moto: the caller's own, with a fresh instance per account and Region); every other
      sso-admin call from a member account -> AccessDeniedException      (delegated-admin)
  R21 (permission sets) the delegated administrator may not change a permission set provisioned to
      the management account (Update, Delete, Put/DeleteInlinePolicy, Attach/Detach managed and
      customer managed policies, Put/DeletePermissionsBoundary, Tag/UntagResource,
      ProvisionPermissionSet) -> AccessDeniedException. The management account may do all of it
                      (delegated-admin: tasks a delegated administrator cannot perform)
  R24 MaxResults outside 1-100 or a bad NextToken -> ValidationException
"""

from ..common import KNOBS
from .assignments import (_describe_op, _list_ops, create_account_assignment, delete_account_assignment, list_account_assignments,
                          list_account_assignments_for_principal, list_accounts_for_provisioned,
                          list_permission_sets_provisioned_to_account, provision_permission_set, tick)
from .common import FALLTHROUGH, Ctx, _check_max_results, _context, _inst_json, _instance, _page, _provisioned_to, denied, invalid
from .permission_sets import (attach_cmp, attach_managed, create_permission_set, delete_boundary, delete_inline_policy,
                              delete_permission_set, describe_permission_set, detach_cmp, detach_managed, get_boundary,
                              get_inline_policy, list_cmp, list_managed, list_permission_sets, list_tags, put_boundary,
                              put_inline_policy, tag_resource, untag_resource, update_permission_set)


def describe_instance(c):
    return _inst_json(c.inst)


SSO_HANDLERS = {
    "DescribeInstance": describe_instance,
    "CreatePermissionSet": create_permission_set,
    "DescribePermissionSet": describe_permission_set,
    "UpdatePermissionSet": update_permission_set,
    "DeletePermissionSet": delete_permission_set,
    "ListPermissionSets": list_permission_sets,
    "PutInlinePolicyToPermissionSet": put_inline_policy,
    "GetInlinePolicyForPermissionSet": get_inline_policy,
    "DeleteInlinePolicyFromPermissionSet": delete_inline_policy,
    "AttachManagedPolicyToPermissionSet": attach_managed,
    "DetachManagedPolicyFromPermissionSet": detach_managed,
    "ListManagedPoliciesInPermissionSet": list_managed,
    "AttachCustomerManagedPolicyReferenceToPermissionSet": attach_cmp,
    "DetachCustomerManagedPolicyReferenceFromPermissionSet": detach_cmp,
    "ListCustomerManagedPolicyReferencesInPermissionSet": list_cmp,
    "PutPermissionsBoundaryToPermissionSet": put_boundary,
    "GetPermissionsBoundaryForPermissionSet": get_boundary,
    "DeletePermissionsBoundaryFromPermissionSet": delete_boundary,
    "TagResource": tag_resource,
    "UntagResource": untag_resource,
    "ListTagsForResource": list_tags,
    "CreateAccountAssignment": create_account_assignment,
    "DeleteAccountAssignment": delete_account_assignment,
    "DescribeAccountAssignmentCreationStatus": _describe_op("create", "AccountAssignmentCreationRequestId", "AccountAssignmentCreationStatus"),
    "DescribeAccountAssignmentDeletionStatus": _describe_op("delete", "AccountAssignmentDeletionRequestId", "AccountAssignmentDeletionStatus"),
    "ListAccountAssignmentCreationStatus": _list_ops("create", "AccountAssignmentsCreationStatus"),
    "ListAccountAssignmentDeletionStatus": _list_ops("delete", "AccountAssignmentsDeletionStatus"),
    "ProvisionPermissionSet": provision_permission_set,
    "DescribePermissionSetProvisioningStatus": _describe_op("provision", "ProvisionPermissionSetRequestId", "PermissionSetProvisioningStatus"),
    "ListPermissionSetProvisioningStatus": _list_ops("provision", "PermissionSetsProvisioningStatus"),
    "ListAccountAssignments": list_account_assignments,
    "ListAccountAssignmentsForPrincipal": list_account_assignments_for_principal,
    "ListAccountsForProvisionedPermissionSet": list_accounts_for_provisioned,
    "ListPermissionSetsProvisionedToAccount": list_permission_sets_provisioned_to_account,
}


# R21: changes the delegated administrator may not make to a permission set provisioned to the
# management account.
PS_CHANGES = {
    "UpdatePermissionSet", "DeletePermissionSet", "PutInlinePolicyToPermissionSet", "DeleteInlinePolicyFromPermissionSet",
    "AttachManagedPolicyToPermissionSet", "DetachManagedPolicyFromPermissionSet",
    "AttachCustomerManagedPolicyReferenceToPermissionSet", "DetachCustomerManagedPolicyReferenceFromPermissionSet",
    "PutPermissionsBoundaryToPermissionSet", "DeletePermissionsBoundaryFromPermissionSet",
    "TagResource", "UntagResource", "ProvisionPermissionSet",
}


def _sso(self, action, params):
    mgmt, role = _context(self.current_account)
    _check_max_results(params, invalid)
    if action == "ListInstances":
        _b, inst = _instance(mgmt, self.region) if role in ("mgmt", "da") else (None, None)
        return _page([_inst_json(inst)] if inst else [], params, "Instances")
    if role not in ("mgmt", "da"):
        raise denied(f"Account {self.current_account} is not the management account or the IAM Identity Center delegated administrator.")
    b, inst = _instance(mgmt, self.region)
    if inst is None:
        raise denied(f"There is no IAM Identity Center instance in {self.region} (home Region: {KNOBS.get('sso_region')}).")
    if "InstanceArn" in params and params["InstanceArn"] != inst.instance_arn:
        raise denied(f"User is not authorized to perform this action on instance {params['InstanceArn']}.")
    self._orgctl_sso_account = mgmt
    tick(b)
    c = Ctx(self, b, inst, mgmt, role, params)
    if role == "da" and action in PS_CHANGES:
        arn = params.get("ResourceArn") if action in ("TagResource", "UntagResource") else params.get("PermissionSetArn")
        if arn != inst.instance_arn:
            ps = c.ps(arn)
            if _provisioned_to(b, ps, mgmt):
                raise denied(f"The delegated administrator cannot change permission set {ps.name}: it is provisioned to the management account.")
    handler = SSO_HANDLERS.get(action)
    if handler is None:
        return FALLTHROUGH
    return handler(c)
