//! orgctl keeps an AWS Organization in the shape declared in `org.yaml`.
//!
//! # Crate map (layers, lowest first; a module names only lower layers)
//!
//! | layer | module | what it is |
//! |---|---|---|
//! | 0 | [`catalog`] | the built-in table of AWS services (principal, limits, delegation mechanism) and [`catalog::native()`], the services whose own delegation API orgctl drives |
//! | 0 | [`poll`] | the one wait policy (backoff with jitter and a deadline) |
//! | 1 | [`model`] | `org.yaml`: its shape, validation with `file:line:col` diagnostics, the desired state, the shared vocabulary ([`model::vocab`]) |
//! | 2 | [`live`] | the live organization as data, and the ports: [`live::LiveRead`], [`live::LiveWrite`], [`live::IcWrite`]; errors and their meaning ([`live::ErrorKind`]) |
//! | 3 | [`plan`] | the pure diff of desired and live, the plan as data, stages between accounts, the re-check of a saved plan |
//! | 4 | [`apply`] | carries a plan out through the write ports |
//! | 4 | [`permissions`] | the IAM policy each executor's role needs (pure), for `orgctl permissions` |
//! | 4 | [`audit`] | what the management account still does that a delegated account could (pure), for `orgctl audit` |
//! | 4 | [`import`] | an `org.yaml` from the live organization (pure), for `orgctl import` |
//! | 5 | [`ops`], [`render`], [`aws`] | the use cases (plan, apply, locks); text, JSON and Markdown; the AWS SDK adapter that implements the ports |
//! | 6 | [`cli`] | the composition root: parses arguments, reads the environment, builds [`aws::Aws`], prints |
//!
//! `tests/it/architecture.rs` checks the layers, that only `cli` names `aws`, that `model` has
//! no import cycle, and the size limits; the lint policy in `Cargo.toml` keeps printing and
//! environment reads in `cli` and panics out of everything but tests.
//!
//! # Adding a service whose delegated administrator has its own API
//!
//! 1. `catalog/native.rs`: a [`catalog::NativeId`] variant and its row (scope, executor
//!    reason, self-removal or teardown if AWS has one).
//! 2. `aws/delegation/<service>.rs`: one type implementing `RegionalAdmin` (per Region) or
//!    `OrgAdmin` (one registration), its SDK crate in `Cargo.toml`.
//! 3. `aws/delegation/mod.rs`: its line in `adapter()`.
//! 4. The emulator rule in `emulator/orgemu/`, listed in `docs/emulator.md` with its AWS source.
//! 5. Tests: the rule (`tests/it/emulator_rules*.rs`) and the delegation end to end
//!    (`tests/it/e2e_delegation.rs`). Nothing under `model/`, `plan/`, `ops/` or `apply/` changes.
//!
//! # Adding an `org.yaml` section
//!
//! 1. `model/schema.rs`: the serde shape (spans kept for diagnostics); `make schema`.
//! 2. `model/validate/<section>.rs`: its named checks (helpers from `validate/common.rs` only),
//!    called from `validate/mod.rs`; the validated type in `model/desired.rs`.
//! 3. `plan/scope.rs`: what must be read for it; `live/` and `aws/read.rs`: the read.
//! 4. `plan/diff/<section>.rs`: changes built with [`plan::change::Change::draft`], one
//!    function per concern; new operations in [`plan::change::Op`].
//! 5. `apply/<concern>.rs`: the operations, through the ports; `aws/write.rs`: the calls.
//! 6. Snapshots of the rendered plan (`cargo insta`), and an end-to-end test on the emulator.
pub mod apply;
pub mod audit;
pub mod aws;
pub mod catalog;
pub mod cli;
pub mod import;
pub mod live;
pub mod model;
pub mod ops;
pub mod permissions;
pub mod plan;
pub mod poll;
pub mod render;

#[cfg(test)]
mod tests;
