//! remedy's orchestration: the audit over a tree of programs, its reports, the violation store
//! and work queue, and (as they land) the remediation loop, delivery and the daemon. The
//! `remedy` binary is a thin CLI over this library.

pub mod audit;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod daemon;
pub mod deliver;
pub mod llm;
pub mod output;
pub mod project;
pub mod remediate;
pub mod report;
pub mod store;
pub mod worker;
