//! Flags of the backlog commands: assign, unassign, dismiss, priority, assignee, status,
//! violations, events.

use clap::{Args, ValueEnum};
use remedy_guardrails::Severity;
use remedy_store::{Priority, Status};

use super::shared::{StoreArgs, parse_priority, parse_severity, parse_status};
use crate::report::ListFormat;

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
    #[arg(long = "to", value_name = "NAME", default_value = remedy_store::AGENT)]
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
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

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
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

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
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

    #[command(flatten)]
    pub store: StoreArgs,
}
