//! remedy's orchestration: the audit over a tree of programs, its reports, and (as they land)
//! the store, the remediation loop, delivery and the daemon. The `remedy` binary is a thin CLI
//! over this library.

pub mod audit;
pub mod cli;
pub mod commands;
pub mod output;
pub mod project;
pub mod report;
pub mod store;
