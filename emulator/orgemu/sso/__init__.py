"""IAM Identity Center (sso-admin, identitystore) rules of orgctl's emulator.

The run-time knobs are common.KNOBS (create_delay, sso_region). The state lives in moto's own
backends (ssoadmin_backends / identitystore_backends of the management account, in the Identity
Center home Region), so /moto-api/reset clears it too.

Modules: common.py (who is asking, errors, paging, state), admin.py (sso-admin dispatch: R19,
R20, R21), permission_sets.py (R22, R24), assignments.py (R21, R23, R24, R34: customer managed
policies missing in the target account), identitystore.py (R20, R24, R33: no empty strings),
scim.py (R41: users and groups provisioned by an identity provider carry ExternalIds; the
POST /orgctl-emulator/scim stand-in for the SCIM endpoint); this file wires them into moto
(install()). R33, R34 and R41 are stated in full in their modules.

Rules (IAM Identity Center; API reference https://docs.aws.amazon.com/singlesignon/latest/APIReference/,
user guide https://docs.aws.amazon.com/singlesignon/latest/userguide/):
  R19 One organization instance: the management account of an organization has exactly one
      instance, in the home Region (--sso-region, default us-east-1); ListInstances elsewhere, and
      from member accounts other than the delegated administrator, returns none; the sso.amazonaws.com
      delegated administrator sees the management account's instance (same InstanceArn and
      IdentityStoreId); DescribeInstance (moto: absent) returns it ACTIVE, owned by the management
      account; an InstanceArn that is not this instance -> AccessDeniedException
                      (identity-center-instances; API_ListInstances; API_DescribeInstance)
  R20 Who is served: sso-admin and identitystore requests of the delegated administrator are served
      from the management account's backends (moto: the caller's own, with a fresh instance per
      account and Region); identitystore reads (Describe*, List*, Get*, IsMemberInGroups) from any
      member account of the organization are served from the management account's store; every
      other sso-admin call and identitystore write from a member account -> AccessDeniedException;
      an IdentityStoreId that is not the instance's -> ResourceNotFoundException IDENTITY_STORE
                      (delegated-admin; limiting-access-from-member-accounts [identitystore API docs:
                       "you can use this API operation from the member account"])
  R21 What the delegated administrator may not do: create or delete an account assignment to the
      management account; change a permission set provisioned to the management account (Update,
      Delete, Put/DeleteInlinePolicy, Attach/Detach managed and customer managed policies,
      Put/DeletePermissionsBoundary, Tag/UntagResource, ProvisionPermissionSet), nor provision any
      permission set to the management account -> AccessDeniedException. A permission set is
      provisioned to an account from the CreateAccountAssignment or ProvisionPermissionSet request
      until the deletion of its last assignment there completes. The management account may do all
      of it                        (delegated-admin: tasks a delegated administrator cannot perform)
  R22 SessionDuration is an ISO-8601 duration (moto: a number, 3600): validated against the
      Duration pattern and 1 to 12 hours -> else ValidationException; default PT1H; every
      PermissionSet returned carries it normalised (PT1H, PT4H, PT1H30M, PT12H)
                      (API_CreatePermissionSet, API_PermissionSet; howtosessionduration)
  R23 Asynchronous operations: Create/DeleteAccountAssignment and ProvisionPermissionSet answer
      IN_PROGRESS and turn SUCCEEDED --create-delay seconds later; the change takes effect then
      (an assignment is listed, a permission set provisioned, only once SUCCEEDED);
      Describe/ListAccountAssignmentCreation/DeletionStatus and Describe/ListPermissionSet-
      ProvisioningStatus (moto: absent or always SUCCEEDED) follow; at most 10 assignment
      operations (creation + deletion) IN_PROGRESS per instance -> the 11th gets ThrottlingException;
      ProvisionPermissionSet to an account with a provisioning IN_PROGRESS -> ConflictException;
      ListAccountsForProvisionedPermissionSet / ListPermissionSetsProvisionedToAccount (moto: the
      caller's account, no AccountId, no filter) honour AccountId and ProvisioningStatus
      (LATEST_PERMISSION_SET_NOT_PROVISIONED once the permission set changed after provisioning)
                      (API_CreateAccountAssignment, API_DeleteAccountAssignment,
                       API_ProvisionPermissionSet, API_Describe*Status, API_List*Status; limits;
                       API_ListAccountsForProvisionedPermissionSet)
  R24 Validation moto skips, and the APIs it lacks: CreatePermissionSet with a name in use ->
      ConflictException; CreateAccountAssignment to an account outside the organization ->
      ValidationException, for a user/group not in the identity store -> ResourceNotFoundException,
      an existing assignment -> SUCCEEDED with no duplicate; DeletePermissionSet still provisioned
      -> ConflictException; PutInlinePolicyToPermissionSet: invalid JSON or over 32,768 characters
      -> ValidationException; MaxResults outside 1-100 or a bad NextToken -> ValidationException;
      identitystore: a UserName / group DisplayName in use -> ConflictException
      UNIQUENESS_CONSTRAINT_VIOLATION, a membership that exists -> ConflictException, deleting a
      user/group/membership that does not exist -> ResourceNotFoundException (moto: silently OK),
      deleting a user or group removes its memberships. Added: Put/Get/DeletePermissionsBoundary,
      Tag/Untag/ListTagsForResource (and CreatePermissionSet Tags), identitystore UpdateUser,
      UpdateGroup, DescribeIdentityStore, ListIdentityStores; permission set ARNs are
      arn:aws:sso:::permissionSet/ssoins-.../ps-... (moto: .../instance/ssoins-.../ps-...)
                      (API_CreatePermissionSet, API_CreateAccountAssignment, API_DeletePermissionSet
                       [ConflictException "Could not delete because PermissionSet has
                       ApplicationProfile associated with it": terraform-provider-aws#26757],
                       API_PutInlinePolicyToPermissionSet, API_PutPermissionsBoundaryToPermissionSet,
                       API_TagResource; identitystore API_CreateUser, API_UpdateUser, API_UpdateGroup)
Stats: stats() / reset_stats() feed /orgctl-emulator/stats under "sso": the peak number of
outstanding assignment operations, the provisioning conflicts answered, the requests per operation.

install() replaces SSOAdminResponse.call_action and IdentityStoreResponse.call_action (the latter
with R41's rewrite of moto's ListUsers / DescribeUser / ListGroups / DescribeGroup answers) and
their backend properties; server.install() calls it last.
"""

import json

from werkzeug.exceptions import HTTPException

from moto.identitystore import models as ism
from moto.identitystore import responses as isr
from moto.ssoadmin import models as ssm
from moto.ssoadmin import responses as ssr

from .admin import _sso
from .common import FALLTHROUGH, SSO_LOCK, _count, invalid, reset_stats, stats
from .identitystore import _ids
from .scim import provision, with_external_ids

__all__ = ["install", "stats", "reset_stats", "provision"]


# --- wiring --------------------------------------------------------------------------------------

def _wrap(orig, serve, after=None):
    """serve(self, action, params) answers, or returns FALLTHROUGH for moto to; then
    after(self, action, body), if given, rewrites moto's successful answer (R41)."""
    def call_action(self):
        action = self._get_action()
        _count(action)
        try:
            params = json.loads(self.body or "{}")
        except ValueError:
            params = {}
        try:
            with SSO_LOCK:
                out = serve(self, action, params)
                if out is FALLTHROUGH:
                    status, headers, body = orig(self)
                    if status == 400 and '"InvalidToken"' in str(body):
                        # moto's paginator; AWS answers a bad NextToken with ValidationException.
                        raise invalid("The NextToken value is not valid.")
                    if after is not None and status == 200:
                        body = after(self, action, body)
                    return status, headers, body
        except HTTPException as e:
            headers = dict(self.response_headers)
            headers.update(dict(e.get_headers() or []))
            return e.code, headers, e.description
        headers = dict(self.response_headers, **{"Content-Type": "application/x-amz-json-1.1"})
        return 200, headers, json.dumps(out)
    return call_action


def install():
    ssr.SSOAdminResponse.call_action = _wrap(ssr.SSOAdminResponse.call_action, _sso)
    isr.IdentityStoreResponse.call_action = _wrap(isr.IdentityStoreResponse.call_action, _ids, with_external_ids)
    ssr.SSOAdminResponse.ssoadmin_backend = property(
        lambda self: ssm.ssoadmin_backends[getattr(self, "_orgctl_sso_account", None) or self.current_account][self.region])
    isr.IdentityStoreResponse.identitystore_backend = property(
        lambda self: ism.identitystore_backends[getattr(self, "_orgctl_ids_account", None) or self.current_account][self.region])
