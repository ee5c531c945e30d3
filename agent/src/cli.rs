//! Command-line interface definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use remedy_guardrails::Severity;

use crate::enforcement::{EnforcementRule, parse_enforce_flag};
use crate::report::{Format, ListFormat};
use remedy_deliver::{DeliverySettings, GitHubSettings, GroupBy, Mode, Target};
use remedy_remediate::ProviderChoice;
use remedy_remediate::llm::LlmSettings;
use remedy_store::{Priority, Status};

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

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// Read settings from FILE instead of the remedy.toml found between the audited path and
    /// the repository root.
    #[arg(
        long,
        value_name = "FILE",
        env = "REMEDY_CONFIG",
        help_heading = "Configuration"
    )]
    pub config: Option<PathBuf>,
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

    /// Evaluate only policies mapped to this framework: a key or its prefix, case-insensitive
    /// (`nist` matches nist-800-53-r5, `hitrust` matches hitrust-csf-11.5).
    #[arg(long, value_name = "FRAMEWORK")]
    pub framework: Option<String>,
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

#[derive(Debug, Args)]
pub struct FixArgs {
    /// The program directory or file (inside a git repository, except with --dry-run).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Where fixes come from: the policy's declarative remediation, the LLM, or both in that
    /// order.
    #[arg(long, value_enum, default_value_t = ProviderArg::Auto)]
    pub provider: ProviderArg,

    /// Print the diffs and gate verdicts; write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Fix every violation the audit finds.
    #[arg(long, conflicts_with = "ids")]
    pub all: bool,

    /// Fix the violations with these fingerprints (a unique prefix is enough). Repeatable.
    #[arg(long = "id", value_name = "FINGERPRINT")]
    pub ids: Vec<String>,

    /// Fix at most N violations (most severe first).
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,

    /// The revision fixes are made against (default: the current branch).
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub config: ConfigArgs,

    #[command(flatten)]
    pub store: StoreArgs,

    #[command(flatten)]
    pub llm: LlmArgs,

    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// The repository (a directory inside its git work tree).
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// The base branch pull requests target (default: the current branch).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    pub format: ListFormat,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub config: ConfigArgs,

    #[command(flatten)]
    pub store: StoreArgs,

    #[command(flatten)]
    pub llm: LlmArgs,

    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

/// Where fixes go and how fast: every key of `[delivery]` and `[github]` in remedy.toml. The
/// GitHub token is read from REMEDY_GITHUB_TOKEN or GITHUB_TOKEN, never from a flag.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Delivery")]
pub struct DeliveryArgs {
    /// local: a branch per group in this repository (no forge, no token). github: pushed from a
    /// managed clone and opened as pull requests [default: local, or `[delivery] target`].
    #[arg(long = "deliver", value_enum, value_name = "TARGET")]
    pub deliver: Option<TargetArg>,

    /// One branch (and pull request) per violation, resource, file or policy.
    #[arg(long, value_enum, value_name = "GROUPING")]
    pub group_by: Option<GroupByArg>,

    /// At most N violations in one pull request [default: 10].
    #[arg(long, value_name = "N")]
    pub max_violations_per_pr: Option<usize>,

    /// New pull requests per hour [default: 5].
    #[arg(long, value_name = "N")]
    pub prs_per_hour: Option<u32>,

    /// Commits per hour [default: 60].
    #[arg(long, value_name = "N")]
    pub commits_per_hour: Option<u32>,

    /// At most N of remedy's pull requests open at once [default: 10].
    #[arg(long, value_name = "N")]
    pub max_open_prs: Option<usize>,

    /// What happens to pull requests where no `[[delivery.rules]]` says otherwise
    /// [default: review].
    #[arg(long, value_enum, value_name = "MODE")]
    pub mode: Option<ModeArg>,

    /// A label for every pull request (replaces the configured labels). Repeatable.
    #[arg(long = "label", value_name = "LABEL")]
    pub labels: Vec<String>,

    /// A reviewer to request: a login, or ORG/TEAM (replaces the configured ones). Repeatable.
    #[arg(long = "reviewer", value_name = "WHO")]
    pub reviewers: Vec<String>,

    /// The author and committer name of remedy's commits [default: remedy].
    #[arg(long, value_name = "NAME")]
    pub author_name: Option<String>,

    /// The author and committer email of remedy's commits.
    #[arg(long, value_name = "EMAIL")]
    pub author_email: Option<String>,

    /// A pull request template replacing the built-in one.
    #[arg(long, value_name = "FILE")]
    pub pr_template: Option<PathBuf>,

    /// Where managed clones live [default: ~/.local/share/remedy].
    #[arg(long, value_name = "DIR", env = "REMEDY_DATA_DIR")]
    pub data_dir: Option<PathBuf>,

    /// The GitHub API (GitHub Enterprise Server: https://HOST/api/v3) [default: the public API].
    #[arg(long, value_name = "URL", env = "GITHUB_API_URL")]
    pub github_api_url: Option<String>,

    /// The GitHub repository, OWNER/NAME [default: parsed from the origin remote].
    #[arg(long, value_name = "OWNER/NAME")]
    pub github_repo: Option<String>,
}

impl DeliveryArgs {
    /// The settings (from remedy.toml, or the defaults) with the flags on top.
    pub fn apply(
        &self,
        mut delivery: DeliverySettings,
        mut github: GitHubSettings,
    ) -> (DeliverySettings, GitHubSettings) {
        if let Some(v) = self.deliver {
            delivery.target = v.into();
        }
        if let Some(v) = self.group_by {
            delivery.group_by = v.into();
        }
        if let Some(v) = self.max_violations_per_pr {
            delivery.max_violations_per_pr = v;
        }
        if let Some(v) = self.prs_per_hour {
            delivery.prs_per_hour = v;
        }
        if let Some(v) = self.commits_per_hour {
            delivery.commits_per_hour = v;
        }
        if let Some(v) = self.max_open_prs {
            delivery.max_open_prs = v;
        }
        if let Some(v) = self.mode {
            delivery.mode = v.into();
        }
        if !self.labels.is_empty() {
            delivery.labels.clone_from(&self.labels);
        }
        if !self.reviewers.is_empty() {
            delivery.reviewers.clone_from(&self.reviewers);
        }
        if let Some(v) = &self.author_name {
            delivery.author_name.clone_from(v);
        }
        if let Some(v) = &self.author_email {
            delivery.author_email.clone_from(v);
        }
        if let Some(v) = &self.pr_template {
            // Relative to where remedy runs (remedy.toml's own path is relative to the file).
            delivery.template = Some(std::path::absolute(v).unwrap_or_else(|_| v.clone()));
        }
        if let Some(v) = &self.github_api_url {
            github.api_url = Some(v.clone());
        }
        if let Some(v) = &self.github_repo {
            github.repo = Some(v.clone());
        }
        (delivery, github)
    }
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The repository to work on.
    #[arg(value_name = "PATH", default_value = ".")]
    pub path: PathBuf,

    /// Where the HTTP API listens [default: 127.0.0.1:7807]. Beyond loopback, mutating
    /// requests need `Authorization: Bearer $REMEDY_API_TOKEN`.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,

    /// Workers [default: the number of CPUs].
    #[arg(long, value_name = "N")]
    pub concurrency: Option<usize>,

    /// The branch fixes are made against [default: the branch checked out].
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,

    /// Seconds a claim lasts without a heartbeat [default: 600].
    #[arg(long, value_name = "SECS")]
    pub lease_secs: Option<u64>,

    /// Seconds an idle worker waits before looking for work again [default: 5].
    #[arg(long, value_name = "SECS")]
    pub poll_secs: Option<u64>,

    /// Seconds between re-audits of the base (0: never) [default: 900].
    #[arg(long, value_name = "SECS")]
    pub audit_interval_secs: Option<u64>,

    /// Seconds in-flight work may run after SIGTERM before it is handed back [default: 30].
    #[arg(long, value_name = "SECS")]
    pub shutdown_deadline_secs: Option<u64>,

    /// Seconds between syncs of remedy's pull requests, with GitHub delivery (0: never)
    /// [default: 300].
    #[arg(long, value_name = "SECS")]
    pub sync_interval_secs: Option<u64>,

    /// Exit once no assigned violation is left (a batch run).
    #[arg(long)]
    pub exit_when_idle: bool,

    /// Where fixes come from.
    #[arg(long, value_enum, default_value_t = ProviderArg::Auto)]
    pub provider: ProviderArg,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub config: ConfigArgs,

    #[command(flatten)]
    pub store: StoreArgs,

    #[command(flatten)]
    pub llm: LlmArgs,

    #[command(flatten)]
    pub delivery: DeliveryArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalProvider {
    /// Declarative remediations only.
    Recipe,
    /// The LLM path only, against a live OpenAI-compatible endpoint (the --llm-* settings).
    Llm,
    /// The LLM path only, each case's transcript served from a local OpenAI-compatible server:
    /// deterministic, no network.
    Replay,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    Md,
    Json,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The case corpus.
    #[arg(long, value_name = "DIR", default_value = "eval/cases")]
    pub cases: PathBuf,

    #[arg(long, value_enum, default_value_t = EvalProvider::Recipe)]
    pub provider: EvalProvider,

    /// Runs per case; reports pass@1 and pass@k. Replay runs are identical, so replay takes 1.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(usize))]
    pub k: usize,

    /// Where --provider replay reads each case's transcript: DIR/<case-id>.json.
    #[arg(long, value_name = "DIR", default_value = "eval/transcripts")]
    pub transcripts: PathBuf,

    /// With --provider llm: save what the endpoint answered for each case as
    /// DIR/<case-id>.json, a transcript --provider replay can replay.
    #[arg(long, value_name = "DIR")]
    pub record_transcripts: Option<PathBuf>,

    #[arg(long, value_enum, default_value_t = EvalFormat::Md)]
    pub format: EvalFormat,

    /// Write the report to FILE.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    /// A JSON report to compare against: any case that passed there and fails now is a
    /// regression (exit status 1).
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,

    /// Type-check fixed TypeScript with tsc against @pulumi/aws (installs them with npm once).
    #[arg(long)]
    pub typecheck: bool,

    /// Where the type-checking packages are installed.
    #[arg(long, value_name = "DIR", default_value = "eval/.typecheck")]
    pub typecheck_cache: PathBuf,

    /// Run the gate suite instead: every known-bad patch must be rejected, every known-good one
    /// accepted.
    #[arg(long)]
    pub gate_suite: bool,

    #[arg(long, value_name = "DIR", default_value = "eval/gate-suite")]
    pub gate_suite_dir: PathBuf,

    #[command(flatten)]
    pub policy: PolicyArgs,

    #[command(flatten)]
    pub config: ConfigArgs,

    #[command(flatten)]
    pub llm: LlmArgs,
}

/// The LLM, for violations the declarative fixes cannot handle. The API key is read from
/// REMEDY_LLM_API_KEY or OPENAI_API_KEY, never from a flag.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "LLM")]
pub struct LlmArgs {
    /// An OpenAI-compatible endpoint, e.g. https://api.openai.com/v1 or http://localhost:11434/v1.
    #[arg(long, value_name = "URL", env = "REMEDY_LLM_BASE_URL")]
    pub llm_base_url: Option<String>,

    /// The model to use at that endpoint.
    #[arg(long, value_name = "NAME", env = "REMEDY_LLM_MODEL")]
    pub llm_model: Option<String>,

    /// Seconds to wait for one LLM request [default: 120].
    #[arg(long, value_name = "SECS")]
    pub llm_timeout_secs: Option<u64>,

    /// Proposals per violation, gate rejections included, before it goes to a person [default: 3].
    #[arg(long, value_name = "N")]
    pub llm_max_attempts: Option<usize>,

    /// LLM requests per minute [default: 60].
    #[arg(long, value_name = "N")]
    pub llm_requests_per_minute: Option<u32>,

    /// LLM prompt tokens per minute [default: 200000].
    #[arg(long, value_name = "N")]
    pub llm_tokens_per_minute: Option<u32>,

    /// A directory whose system.txt, task.txt or feedback.txt replace the built-in prompts.
    #[arg(long, value_name = "DIR")]
    pub llm_prompts_dir: Option<PathBuf>,
}

impl LlmArgs {
    /// `settings` (from remedy.toml, or the defaults) with the flags on top.
    pub fn apply(&self, mut settings: LlmSettings) -> LlmSettings {
        if let Some(v) = &self.llm_base_url {
            settings.base_url = Some(v.clone());
        }
        if let Some(v) = &self.llm_model {
            settings.model = Some(v.clone());
        }
        if let Some(v) = self.llm_timeout_secs {
            settings.timeout_secs = v;
        }
        if let Some(v) = self.llm_max_attempts {
            settings.max_attempts = v;
        }
        if let Some(v) = self.llm_requests_per_minute {
            settings.requests_per_minute = v;
        }
        if let Some(v) = self.llm_tokens_per_minute {
            settings.tokens_per_minute = v;
        }
        if let Some(v) = &self.llm_prompts_dir {
            settings.prompts_dir = Some(v.clone());
        }
        settings
    }
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

fn parse_priority(s: &str) -> Result<Priority, String> {
    s.parse()
}

fn parse_status(s: &str) -> Result<Status, String> {
    s.parse()
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// `--provider`: where fixes come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    /// The policy's declarative remediation, then the LLM when one is configured.
    Auto,
    /// Declarative remediations only.
    Recipe,
    /// The LLM only.
    Llm,
}

impl From<ProviderArg> for ProviderChoice {
    fn from(arg: ProviderArg) -> Self {
        match arg {
            ProviderArg::Auto => Self::Auto,
            ProviderArg::Recipe => Self::Recipe,
            ProviderArg::Llm => Self::Llm,
        }
    }
}

/// `--deliver`: where accepted fixes go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TargetArg {
    /// A local branch per group in the repository itself: no forge, no token.
    Local,
    /// Pushed from a managed clone and opened as pull requests on GitHub (or GitHub Enterprise).
    Github,
}

impl From<TargetArg> for Target {
    fn from(arg: TargetArg) -> Self {
        match arg {
            TargetArg::Local => Self::Local,
            TargetArg::Github => Self::Github,
        }
    }
}

/// `--group-by`: how fixes are grouped into branches and pull requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupByArg {
    /// One pull request per violation.
    PerViolation,
    /// One per resource: every policy's fixes on it together.
    PerResource,
    /// One per file.
    PerFile,
    /// One per policy, across files.
    PerPolicy,
}

impl From<GroupByArg> for GroupBy {
    fn from(arg: GroupByArg) -> Self {
        match arg {
            GroupByArg::PerViolation => Self::PerViolation,
            GroupByArg::PerResource => Self::PerResource,
            GroupByArg::PerFile => Self::PerFile,
            GroupByArg::PerPolicy => Self::PerPolicy,
        }
    }
}

/// `--mode`: what happens to a group's pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ModeArg {
    /// The branch is pushed; no pull request is opened.
    Local,
    /// A pull request, with reviewers requested.
    Review,
    /// A pull request merged by the forge once its required checks pass.
    #[value(name = "auto-merge", alias = "auto_merge")]
    AutoMerge,
}

impl From<ModeArg> for Mode {
    fn from(arg: ModeArg) -> Self {
        match arg {
            ModeArg::Local => Self::Local,
            ModeArg::Review => Self::Review,
            ModeArg::AutoMerge => Self::AutoMerge,
        }
    }
}
