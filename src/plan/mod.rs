//! Planning: the change types (`change`), what to read (`scope`), the pure diff (`diff`),
//! ordering (`order`), the plan file (`planfile`), the stages between accounts (`stages`) and
//! the re-check of a saved plan (`recheck`). A plan is data; renderers and `apply` consume it.

pub mod change;
pub mod change_ic;
pub mod delegation_policy;
pub mod diff;
pub mod format;
pub mod order;
pub mod planfile;
pub mod recheck;
pub mod scope;
pub mod stages;

pub use change::{Action, Change, Executor, Op, Plan, Risk, Summary};
pub use diff::{diff, DiffError};
