//! The gate's `validate` check: the team's own checker (`tsc --noEmit`, `pyright`, `mypy`, or
//! the commands `remedy.toml` names) run on the fixed program in a scratch copy, with a timeout.
//!
//! Only what a fix introduces counts: the checker also runs on the program as it was (once per
//! program and unfixed text), and a fix fails only on error lines that were not there before.
//! Nothing here knows about policies, queues or git; the remediation engine records the result
//! next to the gate's own checks.

mod detect;
mod error;
mod run;
mod scratch;
mod validator;

pub use detect::{Checker, detect};
pub use error::ValidateError;
pub use run::{Command, Output};
pub use scratch::{Scratch, program_dir};
pub use validator::{DEFAULT_TIMEOUT, Outcome, Settings, Validation, Validator};
