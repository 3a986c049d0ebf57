//! `orgctl validate`: offline checks; prints every diagnostic.

use clap::Args;

use super::{FileArg, Global};
use crate::model::{self, LoadError};

#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub file: FileArg,
}

pub fn run(a: &ValidateArgs, _g: &Global) -> u8 {
    match model::load(&a.file.file) {
        Ok(l) => {
            for w in &l.warnings {
                eprintln!("{w}");
            }
            println!(
                "{} is valid ({} warning(s)).",
                a.file.file.display(),
                l.warnings.len()
            );
            0
        }
        Err(e @ LoadError::Invalid { .. }) => {
            super::report_error(&e.into());
            1
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}
