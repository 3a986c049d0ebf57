//! The rules AWS applies to each Organizations policy type: its grammar family (the IAM policy
//! language, or the management-policy syntax with its top-level key), the document size limit,
//! how many policies of the type one root, OU or account may carry, the AWS-managed default
//! attached everywhere (and whether it can be detached), and the trusted access the type needs.
//! Mirrors `data/policy-types.yaml` (sources there; the emulator reads that file); a unit test
//! checks that the two agree.

/// How a policy document of the type is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// SCPs and RCPs: `Version` and `Statement`, as IAM policies.
    Iam,
    /// Management policies: one top-level key, inheritance operators (`@@assign`, …).
    Management,
}

/// One policy type's rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PolicyType {
    pub name: &'static str,
    pub family: Family,
    /// Management policies: the keys allowed at the top level.
    pub top_level: &'static [&'static str],
    /// Maximum document size in characters.
    pub max_size: usize,
    /// At most this many policies of the type on one target (`None`: not documented).
    pub attach_max: Option<usize>,
    /// At least this many must stay attached to every target.
    pub attach_min: usize,
    /// The AWS-managed policy attached to every target, and whether it can be detached.
    pub default: Option<(&'static str, bool)>,
    /// Trusted access that must be enabled before the type, and stays while it is enabled.
    pub service_principal: Option<&'static str>,
    /// IAM family: statement elements the type does not support, those it requires, and
    /// the effects it accepts.
    pub statement_forbids: &'static [&'static str],
    pub statement_requires: &'static [&'static str],
    pub effects: &'static [&'static str],
}

/// Inheritance operators a management policy may use; any other `@@` key is malformed.
pub const OPERATORS: &[&str] = &[
    "@@assign",
    "@@append",
    "@@remove",
    "@@operators_allowed_for_child_policies",
    "@@enforced_for",
];

const fn management(
    name: &'static str,
    key: &'static [&'static str],
    max_size: usize,
    attach_max: Option<usize>,
    service_principal: Option<&'static str>,
) -> PolicyType {
    PolicyType {
        name,
        family: Family::Management,
        top_level: key,
        max_size,
        attach_max,
        attach_min: 0,
        default: None,
        service_principal,
        statement_forbids: &[],
        statement_requires: &[],
        effects: &[],
    }
}

/// Every policy type, in the order of `data/policy-types.yaml`.
pub const TYPES: &[PolicyType] = &[
    PolicyType {
        name: "SERVICE_CONTROL_POLICY",
        family: Family::Iam,
        top_level: &[],
        max_size: 5_120,
        attach_max: Some(5),
        attach_min: 1,
        default: Some(("FullAWSAccess", true)),
        service_principal: None,
        statement_forbids: &["Principal", "NotPrincipal"],
        statement_requires: &["Effect"],
        effects: &["Allow", "Deny"],
    },
    PolicyType {
        name: "RESOURCE_CONTROL_POLICY",
        family: Family::Iam,
        top_level: &[],
        max_size: 5_120,
        attach_max: Some(5),
        attach_min: 0,
        default: Some(("RCPFullAWSAccess", false)),
        service_principal: None,
        statement_forbids: &["NotPrincipal", "NotAction"],
        statement_requires: &["Effect", "Principal"],
        effects: &["Deny"],
    },
    management(
        "AISERVICES_OPT_OUT_POLICY",
        &["services"],
        2_500,
        Some(5),
        None,
    ),
    management("BACKUP_POLICY", &["plans"], 10_000, Some(10), None),
    management("TAG_POLICY", &["tags"], 10_000, Some(10), None),
    management("CHATBOT_POLICY", &["chatbot"], 10_000, None, None),
    management(
        "DECLARATIVE_POLICY_EC2",
        &["ec2_attributes"],
        10_000,
        None,
        None,
    ),
    management(
        "SECURITYHUB_POLICY",
        &["securityhub"],
        10_000,
        None,
        Some("securityhub.amazonaws.com"),
    ),
    management(
        "INSPECTOR_POLICY",
        &["inspector"],
        10_000,
        None,
        Some("inspector2.amazonaws.com"),
    ),
    management("BEDROCK_POLICY", &["bedrock"], 10_000, None, None),
    management("S3_POLICY", &["s3_attributes"], 10_000, None, None),
    management(
        "UPGRADE_ROLLOUT_POLICY",
        &["upgrade_rollout"],
        5_120,
        None,
        None,
    ),
    management(
        "NETWORK_SECURITY_DIRECTOR_POLICY",
        &["network_security_director"],
        10_000,
        None,
        None,
    ),
];

/// The rules of a policy type, by its API name.
pub fn policy_type(name: &str) -> Option<&'static PolicyType> {
    TYPES.iter().find(|t| t.name == name)
}

/// The policy types that need trusted access for `principal`.
pub fn needing(principal: &str) -> impl Iterator<Item = &'static PolicyType> + '_ {
    TYPES
        .iter()
        .filter(move |t| t.service_principal == Some(principal))
}

/// The AWS-managed default policy named `name`, with its type.
pub fn default_policy(name: &str) -> Option<&'static PolicyType> {
    TYPES
        .iter()
        .find(|t| t.default.is_some_and(|(n, _)| n == name))
}

#[cfg(test)]
#[path = "policy_types_tests.rs"]
mod tests;
