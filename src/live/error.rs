//! What a failed AWS call means. The adapter keeps AWS's error code; [`LiveError::kind`]
//! classifies it once, here, so the apply engine decides on meanings (already done, already
//! gone, the organization changed, a conflict to wait out, throttled, denied) and never
//! compares codes itself.

/// The meaning of a failed call, for deciding what to do next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// What the call asked for is already so (registered, attached, enabled, in place).
    AlreadyDone,
    /// What the call would remove or change is not there (not registered, not attached,
    /// no such policy or resource).
    Gone,
    /// The organization changed since the plan was made (a name now taken, an account
    /// moved away): plan again.
    Stale,
    /// Another operation holds the resource; it may succeed later (Identity Center's
    /// ConflictException, Organizations' ConcurrentModificationException).
    Conflict,
    /// AWS throttled the call.
    Throttled,
    /// The caller may not make the call.
    Denied,
    /// The call names an account AWS does not know (there): for an account created minutes
    /// ago, it may only not be known yet (AccountNotFoundException; the services answer as
    /// for an account outside the organization).
    NotYetKnown,
    /// Anything else: report it.
    Other,
}

/// AWS error codes by meaning (Organizations, Identity Center and the services' own
/// delegation APIs; sources in docs/aws-api-facts.md).
const KINDS: &[(&str, ErrorKind)] = &[
    ("AccountAlreadyRegisteredException", ErrorKind::AlreadyDone),
    ("AccountRegisteredException", ErrorKind::AlreadyDone),
    ("DuplicatePolicyAttachmentException", ErrorKind::AlreadyDone),
    ("PolicyTypeAlreadyEnabledException", ErrorKind::AlreadyDone),
    // MoveAccount to the account's current parent.
    ("DuplicateAccountException", ErrorKind::AlreadyDone),
    ("AccountNotRegisteredException", ErrorKind::Gone),
    ("AccountNotFoundException", ErrorKind::NotYetKnown),
    // VPC IPAM's (EC2) answer to disabling an account that is not its admin.
    ("IpamOrganizationAccountNotRegistered", ErrorKind::Gone),
    ("PolicyNotAttachedException", ErrorKind::Gone),
    ("PolicyNotFoundException", ErrorKind::Gone),
    ("ResourcePolicyNotFoundException", ErrorKind::Gone),
    ("ResourceNotFoundException", ErrorKind::Gone),
    ("DuplicateOrganizationalUnitException", ErrorKind::Stale),
    ("DuplicatePolicyException", ErrorKind::Stale),
    ("SourceParentNotFoundException", ErrorKind::Stale),
    ("ConflictException", ErrorKind::Conflict),
    ("ConcurrentModificationException", ErrorKind::Conflict),
    ("TooManyRequestsException", ErrorKind::Throttled),
    ("ThrottlingException", ErrorKind::Throttled),
    ("Throttling", ErrorKind::Throttled),
];

/// A call to AWS failed.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("{operation}: access denied: {message}\n  fix: run as the management account or a delegated administrator (only they may read the organization), or check the IAM policy")]
    AccessDenied {
        operation: &'static str,
        message: String,
    },
    #[error("{operation}: the caller's account is not in an organization\n  fix: check the credentials (--profile) and the endpoint")]
    NotInOrganization { operation: &'static str },
    #[error("{operation}: the endpoint does not support this operation (HTTP {status}, no AWS error code)\n  fix: check --endpoint-url; emulators implement only part of AWS")]
    Unsupported {
        operation: &'static str,
        status: u16,
    },
    #[error("{operation}: {code}{}: {message}", reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default())]
    Service {
        operation: &'static str,
        code: String,
        message: String,
        /// The `Reason` member AWS sends with some errors (ConstraintViolationException,
        /// InvalidInputException): a field of its own, never part of the message.
        reason: Option<String>,
    },
    /// Credentials missing, unloadable or refused: what and the fix, nothing of the SDK's.
    #[error("{problem}\n  fix: {fix}")]
    Credentials { problem: String, fix: &'static str },
    #[error("{operation}: {message}\n  fix: check network access, the Region and credentials (AWS_PROFILE, AWS_ACCESS_KEY_ID, web identity)")]
    Transport {
        operation: &'static str,
        message: String,
    },
    #[error("{operation}: no answer in time ({message})\n  fix: check that the endpoint answers (--endpoint-url, AWS_ENDPOINT_URL…) and the network path to it; or allow more time with --connect-timeout / --attempt-timeout / --operation-timeout")]
    Timeout {
        operation: &'static str,
        message: String,
    },
    #[error("no IAM Identity Center organization instance is visible in {region}\n  fix: enable Identity Center in the management account, set organization.identity_center_region to its home Region, or run as the management account or the Identity Center delegated administrator")]
    NoIdentityCenter { region: String },
    #[error("{0}")]
    Inconsistent(String),
}

/// How the regional services answer a call naming an account they do not know: as for an
/// account outside the organization (GuardDuty BadRequestException; Inspector, Macie,
/// Detective ValidationException; Security Hub InvalidInputException; EC2 IPAM
/// InvalidParameterValue). Ambiguous in general; meaningful for an account created minutes ago.
const UNKNOWN_ACCOUNT_CODES: &[&str] = &[
    "BadRequestException",
    "ValidationException",
    "InvalidInputException",
    "InvalidParameterValue",
];

impl LiveError {
    /// Whether this answer to a call naming a just-created account may only mean that AWS
    /// does not know the account there yet ("You might need to wait a few minutes before you
    /// can successfully access the account", CreateAccount).
    pub fn may_be_new_account_lag(&self) -> bool {
        match self {
            LiveError::Service { code, .. } => {
                self.kind() == ErrorKind::NotYetKnown
                    || UNKNOWN_ACCOUNT_CODES.contains(&code.as_str())
            }
            LiveError::AccessDenied { .. } => true,
            _ => false,
        }
    }

    /// What the failure means.
    pub fn kind(&self) -> ErrorKind {
        match self {
            LiveError::AccessDenied { .. } => ErrorKind::Denied,
            // Five account creations already in progress: wait for them, as for throttling.
            LiveError::Service { code, reason, .. }
                if code == "ConstraintViolationException"
                    && reason.as_deref() == Some("ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED") =>
            {
                ErrorKind::Throttled
            }
            LiveError::Service { code, .. } => KINDS
                .iter()
                .find(|(c, _)| c == code)
                .map_or(ErrorKind::Other, |(_, k)| *k),
            _ => ErrorKind::Other,
        }
    }

    /// The `Reason` AWS sent with the error, if any (`SERVICE_ACCESS_NOT_ENABLED`, …).
    pub fn reason(&self) -> Option<&str> {
        match self {
            LiveError::Service { reason, .. } => reason.as_deref(),
            _ => None,
        }
    }

    /// The AWS error code, if AWS sent one.
    pub fn code(&self) -> Option<&str> {
        match self {
            LiveError::Service { code, .. } => Some(code),
            _ => None,
        }
    }
}

#[cfg(test)]
#[path = "error_tests.rs"]
mod tests;
