//! The integration-test binary: SDK mapping against a canned local endpoint, the code's shape
//! (`architecture`), and end-to-end
//! tests that run the real `orgctl` binary and the real SDK against orgctl's emulator
//! (moto plus the AWS rules it lacks) on a free 127.0.0.1 port.
// Test code: a failed setup step should stop the test where it happened.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::disallowed_methods
)]

mod architecture;
mod e2e;
mod e2e_async;
mod e2e_audit;
mod e2e_delegation;
mod e2e_faults;
mod e2e_ic;
mod e2e_import;
mod e2e_permissions;
mod e2e_pipeline;
mod e2e_policies;
mod e2e_policy_rules;
mod e2e_safety;
mod emulator;
mod emulator_rules;
mod emulator_rules_ic;
mod readme;
mod recipes;
mod schema;
mod sdk_mapping;
