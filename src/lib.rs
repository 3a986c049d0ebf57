//! orgctl keeps an AWS Organization in the shape declared in `org.yaml`.
//!
//! - [`model`]: the file's shape, validation with `file:line:col` diagnostics, the desired state.
//! - [`catalog`]: the built-in table of AWS services that can have delegated administrators.
pub mod apply;
pub mod aws;
pub mod catalog;
pub mod cli;
pub mod live;
pub mod model;
pub mod ops;
pub mod plan;
pub mod poll;
pub mod render;

#[cfg(test)]
mod tests;
