//! Flags of the commands that fix: `remedy fix`, `remedy sync`, `remedy run`, `remedy eval`.

use std::path::PathBuf;

use clap::{Args, ValueEnum};

use super::shared::{
    ConfigArgs, DeliveryArgs, GateArgs, LlmArgs, PolicyArgs, ProviderArg, StoreArgs,
};
use crate::report::ListFormat;

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
    pub gate: GateArgs,

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
    pub gate: GateArgs,

    #[command(flatten)]
    pub delivery: DeliveryArgs,
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

    /// A name the API answers to besides localhost and the listen address (a DNS name or a
    /// proxy's). Repeatable.
    #[arg(long = "api-host", value_name = "NAME")]
    pub api_hosts: Vec<String>,

    /// Require the token on reads too (every endpoint but /healthz and /readyz).
    #[arg(long)]
    pub read_token: bool,

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
    pub gate: GateArgs,

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
