//! remedy's agent: the audit over a tree of programs, the settings, the work pipeline that turns
//! violations into delivered fixes, the pull-request sync, the long-running daemon and its HTTP
//! API, and the command line over all of it (the `remedy` binary is a thin `main` over this).
//!
//! The pieces it drives live in crates of their own: `remedy-source` (parse and edit),
//! `remedy-guardrails` (policies and the gate), `remedy-store` (store and queue),
//! `remedy-remediate` (recipes and the LLM), `remedy-deliver` (branches and pull requests).

pub mod audit;
pub mod check;
pub mod cli;
pub mod commands;
pub mod config;
pub mod daemon;
pub mod enforcement;
pub mod output;
pub mod pipeline;
pub mod pr_sync;
pub mod project;
pub mod report;
