//! Flags of `remedy audit`, `remedy check` and `remedy policies`.

use std::path::PathBuf;

use clap::Args;
use remedy_guardrails::Severity;

use super::shared::{ConfigArgs, PolicyArgs, StoreArgs, parse_severity};
use crate::enforcement::{EnforcementRule, parse_enforce_flag};
use crate::report::{Format, ListFormat};

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Files or directories to audit.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub config: ConfigArgs,

    /// Record the result in the store: new violations open, ones no longer found are resolved,
    /// resolved ones found again reopen, dismissed ones stay dismissed.
    #[arg(long, help_heading = "Store")]
    pub record: bool,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check.
    #[arg(value_name = "PATH", default_value = ".")]
    pub paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Write the report to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Fail on mandatory violations of at least this severity [default: low, or `[check]
    /// fail_on` in remedy.toml].
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity, help_heading = "Gate")]
    pub fail_on: Option<Severity>,

    /// Do not exit 2 when a file cannot be read or fully parsed; gate on the resources that were
    /// read (`[check] fail_on_file_errors = false`).
    #[arg(long, help_heading = "Gate")]
    pub allow_file_errors: bool,

    /// Set a policy's enforcement level for this run: POLICY=mandatory|advisory|disabled.
    /// Repeatable; applied after the rules in remedy.toml.
    #[arg(long = "enforce", value_name = "POLICY=LEVEL", value_parser = parse_enforce_flag, help_heading = "Gate")]
    pub enforce: Vec<EnforcementRule>,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Debug, Args)]
pub struct PoliciesArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

    /// Write the list to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub config: ConfigArgs,
}
