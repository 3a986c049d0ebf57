//! Planning: the change types (`change`), the pure diff (`diff`), ordering (`order`) and
//! the plan file (`planfile`). A plan is data; renderers and `apply` consume it.

pub mod change;
pub mod change_ic;
pub mod delegation_policy;
pub mod diff;
pub mod order;
pub mod planfile;

pub use change::{Action, Change, Executor, Op, Plan, Risk, Summary};
pub use diff::{diff, DiffError};
