//! The command line: [`Cli`] and its subcommands; each group of commands' flags in a module of
//! its own. The domain types know nothing of clap; [`shared`] maps flags onto them.

mod agent;
mod audit;
mod backlog;
mod shared;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use agent::{EvalArgs, EvalFormat, EvalProvider, FixArgs, RunArgs, SyncArgs};
pub use audit::{AuditArgs, CheckArgs, PoliciesArgs};
pub use backlog::{
    AssignArgs, AssigneeArgs, BulkArgs, DismissArgs, EventsArgs, PriorityArgs, SelectArgs,
    StatusArgs, StatusByArg, ViolationsArgs,
};
pub use shared::{
    ConfigArgs, DeliveryArgs, GateArgs, GroupByArg, LlmArgs, ModeArg, PolicyArgs, ProviderArg,
    StoreArgs, TargetArg,
};

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

    /// Run the agent: work the queue, re-audit on a schedule, serve the HTTP API.
    ///
    /// Inside a repository with no configuration it works that repository with the embedded
    /// defaults: SQLite store under .remedy/, declarative fixes, fixes on local branches. Workers
    /// claim assigned violations under leases (heartbeats keep them), fix, deliver and record the
    /// outcome; the base is re-audited and recorded every --audit-interval-secs. The API
    /// (--listen) serves /v1/assignments, /v1/violations, /v1/status, /v1/prs, /healthz,
    /// /readyz and /metrics (Prometheus). SIGTERM or SIGINT drains: no new claims, in-flight
    /// work may finish until --shutdown-deadline-secs, the rest is handed back; exit 0.
    Run(RunArgs),

    /// Fix violations in the source, proven by the gate.
    ///
    /// Re-audits the programs at the base revision, produces a fix for each selected violation
    /// (the policy's declarative remediation first, the LLM when one is configured and the
    /// declarative path declines), and runs every fix through the gate: it must parse, resolve
    /// the violation for real, add no violation and stay inside the resource. Accepted fixes are
    /// committed on branches `remedy/<policy-or-group>/<hash>`: local ones without touching the
    /// working tree or the current branch (the default), or pushed and opened as pull requests
    /// with --deliver github. --dry-run prints the diffs instead.
    ///
    /// Exit status: 0 when the run completed (whatever the outcomes), 2 on errors.
    Fix(FixArgs),

    /// Follow remedy's pull requests on GitHub: merged → re-audit the base → resolved (or open again);
    /// closed unmerged → needs_human; base moved and the branch conflicts → the fixes are redone
    /// on the new base (unless a person committed to the branch).
    ///
    /// Exit status: 0 when the run completed, 2 on errors.
    Sync(SyncArgs),

    /// Measure fix quality on a case corpus, or run the gate's adversarial suite.
    ///
    /// Each case (a directory with case.toml and before/) is fixed by the chosen provider and
    /// scored: resolved, clean, no new violations, parses, type-checks (--typecheck), scope
    /// kept, kept properties unchanged, not deceptive, diff size, attempts, tokens, latency.
    ///
    /// Exit status: 0 ok, 1 regressions against --baseline (or a gate-suite failure), 2 errors.
    Eval(EvalArgs),

    /// The CI gate: fail when mandatory violations at or above a severity exist.
    ///
    /// Audits like `remedy audit`, then applies the enforcement levels of remedy.toml
    /// (mandatory, advisory or disabled, per policy and per path glob). Only mandatory violations
    /// at or above --fail-on fail the gate.
    ///
    /// Exit status: 0 clean, 1 mandatory violations at or above the threshold, 2 on errors
    /// (bad flags or config, broken policies, missing paths, and files that cannot be read or
    /// parsed unless --allow-file-errors).
    Check(CheckArgs),

    /// List the loaded policies with their severities, fixes and framework controls.
    ///
    /// With --framework, lists the framework's controls and the policies that cover each.
    Policies(PoliciesArgs),
}
