//! Command-line interface definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use remedy_guardrails::Severity;

use crate::report::Format;
use crate::store::{Priority, Status};

/// remedy: find infrastructure policy violations in Pulumi programs (TypeScript and Python),
/// fix them, and keep them from coming back.
#[derive(Debug, Parser)]
#[command(
    name = "remedy",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, help_heading = "Global options")]
    pub color: ColorChoice,

    /// More log output (-v info, -vv debug, -vvv trace). REMEDY_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,

    /// Only errors on stderr.
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    pub quiet: bool,

    /// Log line format on stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human, help_heading = "Global options")]
    pub log_format: LogFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find policy violations in Pulumi programs.
    ///
    /// Reads every .ts and .py file under the given paths (honouring .gitignore, skipping
    /// node_modules, virtual environments and build output), finds the Pulumi resources they
    /// declare and evaluates them against the policy packs. Values that are only known at deploy
    /// time (config, outputs of other resources) never trigger a violation.
    ///
    /// Exit status: 0 when the audit ran (whatever it found), 2 on errors.
    Audit(AuditArgs),

    /// Put matching open violations in someone's hands: the agent's (`remedy`, the default),
    /// whose work queue they join, or a person's.
    Assign(AssignArgs),

    /// Hand matching assigned (or needs-human) violations back to open.
    Unassign(BulkArgs),

    /// Dismiss violations by design or as an accepted risk; kept dismissed across audits.
    Dismiss(DismissArgs),

    /// Set the priority (p0 first … p4 last) of matching violations.
    Priority(PriorityArgs),

    /// Set or clear the assignee of matching violations, keeping their status.
    Assignee(AssigneeArgs),

    /// The burn-down: counts per status, compliance scores and their trend, daily activity,
    /// and what needs a human and why.
    Status(StatusArgs),

    /// List recorded violations, a page at a time, in priority order.
    Violations(ViolationsArgs),

    /// The history of violations: every change, who made it and when.
    Events(EventsArgs),
}

/// Where the violation store is.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Store")]
pub struct StoreArgs {
    /// sqlite://PATH or postgres://USER@HOST:PORT/DB. Default: sqlite://.remedy/remedy.db at
    /// the repository root.
    #[arg(long = "store", env = "REMEDY_STORE", value_name = "URL")]
    pub store: Option<String>,
}

/// Which violations a store command applies to. All given filters must match.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Selection")]
pub struct SelectArgs {
    /// Violations of this policy. Repeatable.
    #[arg(long = "policy", value_name = "ID")]
    pub policies: Vec<String>,

    /// Violations of at least this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub min_severity: Option<Severity>,

    /// Violations of policies mapped to this framework, or to one control of it
    /// (`pci-dss-4.0:1.4.1`). Repeatable.
    #[arg(long = "framework", value_name = "F[:CONTROL]")]
    pub frameworks: Vec<String>,

    /// Violations in files matching this glob (relative to the repository root; a directory
    /// means everything under it). Repeatable.
    #[arg(long = "path", value_name = "GLOB")]
    pub paths: Vec<String>,

    /// This violation: its fingerprint, or at least its first 6 hex digits. Repeatable.
    #[arg(long = "id", value_name = "FP")]
    pub ids: Vec<String>,

    /// Violations of this repository (its remote URL in any form, or its path). Repeatable.
    #[arg(long = "repo", value_name = "URL")]
    pub repos: Vec<String>,

    /// Violations with this priority. Repeatable.
    #[arg(long = "priority", value_name = "P", value_parser = parse_priority)]
    pub priorities: Vec<Priority>,

    /// Violations assigned to this person (or `remedy`). Repeatable.
    #[arg(long = "assignee", value_name = "NAME")]
    pub assignees: Vec<String>,
}

/// Selection for commands that change violations in bulk.
#[derive(Debug, Args)]
pub struct BulkArgs {
    #[command(flatten)]
    pub select: SelectArgs,

    /// Every violation (needed when no filter is given).
    #[arg(long)]
    pub all: bool,

    /// At most N violations, highest priority first.
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct AssignArgs {
    #[command(flatten)]
    pub bulk: BulkArgs,

    /// Assign to this person instead of the agent.
    #[arg(long = "to", value_name = "NAME", default_value = crate::store::AGENT)]
    pub to: String,
}

#[derive(Debug, Args)]
pub struct DismissArgs {
    /// The violation: its fingerprint, or at least its first 6 hex digits. Repeatable.
    #[arg(long = "id", value_name = "FP", required = true)]
    pub ids: Vec<String>,

    /// Why: by design, or the risk accepted and by whom.
    #[arg(long, value_name = "TEXT")]
    pub reason: String,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct PriorityArgs {
    /// The new priority: p0 (first) to p4 (last).
    #[arg(value_name = "P", value_parser = parse_priority)]
    pub priority: Priority,

    #[command(flatten)]
    pub bulk: BulkArgs,
}

#[derive(Debug, Args)]
pub struct AssigneeArgs {
    /// The new assignee: a person, or `remedy` for the agent.
    #[arg(
        value_name = "NAME",
        required_unless_present = "none",
        conflicts_with = "none"
    )]
    pub name: Option<String>,

    /// Clear the assignee.
    #[arg(long)]
    pub none: bool,

    #[command(flatten)]
    pub bulk: BulkArgs,
}

/// How `remedy status` breaks counts down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusByArg {
    Status,
    Policy,
    Framework,
    Severity,
    Repo,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Break the counts down by this.
    #[arg(long, value_enum, default_value_t = StatusByArg::Status)]
    pub by: StatusByArg,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Only these repositories (remote URL in any form, or path). Repeatable.
    #[arg(long = "repo", value_name = "URL")]
    pub repos: Vec<String>,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct ViolationsArgs {
    #[command(flatten)]
    pub select: SelectArgs,

    /// Only violations in this status. Repeatable.
    #[arg(long = "status", value_name = "STATUS", value_parser = parse_status)]
    pub statuses: Vec<Status>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    /// Violations per page.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub limit: u64,

    /// Which page (from 1).
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub page: u64,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    #[command(flatten)]
    pub select: SelectArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,

    #[command(flatten)]
    pub store: StoreArgs,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Policies")]
pub struct PolicyArgs {
    /// Also load the policy packs (.rego files) in this directory or file. Repeatable.
    #[arg(long = "policy-dir", value_name = "DIR")]
    pub policy_dirs: Vec<PathBuf>,

    /// Do not load the built-in packs (use only --policy-dir).
    #[arg(long)]
    pub no_builtin_policies: bool,

    /// Evaluate only these policy ids. Repeatable.
    #[arg(long = "policy", value_name = "ID")]
    pub policies: Vec<String>,

    /// Evaluate only policies of at least this severity.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub min_severity: Option<Severity>,
}

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

    /// Record the result in the store: new violations open, ones no longer found are resolved,
    /// resolved ones found again reopen, dismissed ones stay dismissed.
    #[arg(long, help_heading = "Store")]
    pub record: bool,

    #[command(flatten)]
    pub store: StoreArgs,
}

fn parse_priority(s: &str) -> Result<Priority, String> {
    s.parse()
}

fn parse_status(s: &str) -> Result<Status, String> {
    s.parse()
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}
