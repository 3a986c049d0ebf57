//! AWS Region names: the shape of a Region code, the Regions this orgctl knows, and the
//! check that makes a near miss (`eu-wset-1`) an error with "did you mean" and an unknown
//! well-formed name a warning (AWS opens Regions).

use super::diag::{Diagnostics, Pos};

/// Region names look like `us-east-1`, `eu-central-2`, `us-gov-west-1`, `ap-southeast-5`.
pub(super) fn is_region(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The AWS Regions known to this orgctl (commercial, GovCloud, China), as of 2026-11.
pub(super) const KNOWN_REGIONS: &[&str] = &[
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-6",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "cn-north-1",
    "cn-northwest-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-gov-east-1",
    "us-gov-west-1",
    "us-west-1",
    "us-west-2",
];

pub(super) fn check_region_at(region: &str, at: Pos, field: &str, d: &mut Diagnostics) {
    if !is_region(region) {
        d.error(
            at,
            field,
            format!("`{region}` is not an AWS Region name"),
            "use a Region code such as us-east-1 or eu-west-1",
        );
        return;
    }
    if KNOWN_REGIONS.contains(&region) {
        return;
    }
    let near = KNOWN_REGIONS
        .iter()
        // Insertions, deletions, substitutions and adjacent swaps (optimal string alignment).
        .map(|k| (strsim::osa_distance(region, k), *k))
        .min();
    match near {
        Some((n, k)) if n <= 2 => d.error(
            at,
            field,
            format!("`{region}` is not an AWS Region; did you mean {k}?"),
            format!("write {k}"),
        ),
        _ => d.warning(
            at,
            field,
            format!("`{region}` is not a Region this orgctl knows (as of 2026-11)"),
            "if AWS opened it since, ignore this; otherwise correct the name",
        ),
    }
}
