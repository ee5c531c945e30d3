//! How results are shown: a human table, JSON for tools, SARIF for code scanning; and the
//! policy list.

pub mod json;
pub mod policies;
pub mod sarif;
pub mod store;
pub mod table;

use clap::ValueEnum;

/// Output formats of `remedy audit` and `remedy check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Grouped by file, coloured on a terminal.
    Table,
    /// The stable JSON document described in the README.
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
}

/// Output formats of `remedy policies` and `remedy fix`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// Aligned columns, coloured on a terminal.
    Table,
    /// A JSON document.
    Json,
}
