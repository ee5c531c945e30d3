//! How audit results are shown: a human table, or JSON for tools.

pub mod json;
pub mod store;
pub mod table;

use clap::ValueEnum;

/// Output formats of `remedy audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped by file, coloured on a terminal.
    Table,
    /// The stable JSON document described in the README.
    Json,
}
