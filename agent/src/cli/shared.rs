//! Flags several commands share: settings, policies, the store, the LLM, the gate, delivery, and the value
//! enums that map onto the domain's own types (which know nothing of clap).

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use remedy_deliver::{DeliverySettings, GitHubSettings, GroupBy, Mode, Target};
use remedy_guardrails::Severity;
use remedy_remediate::ProviderChoice;
use remedy_remediate::llm::LlmSettings;
use remedy_store::{Priority, Status};

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

/// Where the violation store is.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Store")]
pub struct StoreArgs {
    /// sqlite://PATH or postgres://USER@HOST:PORT/DB. Default: sqlite://.remedy/remedy.db at
    /// the repository root.
    #[arg(long = "store", env = "REMEDY_STORE", value_name = "URL")]
    pub store: Option<String>,
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

/// The gate's `validate` check: every key of `[gate]` in remedy.toml.
#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Gate")]
pub struct GateArgs {
    /// A command the gate's validate check runs on every fixed program, split into words without
    /// a shell; repeat for more, or `auto` to detect tsc, pyright or mypy per program. Replaces
    /// `[gate] validate` [default: none; fixes are not type-checked].
    #[arg(long = "validate", value_name = "COMMAND")]
    pub validate: Vec<String>,

    /// Do not type-check fixes (`[gate] validate = []`); the evidence says so.
    #[arg(long, conflicts_with = "validate")]
    pub no_validate: bool,

    /// Seconds one validate command may run before it is killed and the fix rejected [default: 120].
    #[arg(long, value_name = "SECS")]
    pub validate_timeout: Option<u64>,
}

impl GateArgs {
    /// `settings` (from remedy.toml, or the defaults) with the flags on top.
    pub fn apply(&self, mut settings: crate::config::GateSettings) -> crate::config::GateSettings {
        if self.no_validate {
            settings.validate = Some(Vec::new());
        } else if !self.validate.is_empty() {
            settings.validate = Some(self.validate.clone());
        }
        if let Some(v) = self.validate_timeout {
            settings.validate_timeout = v;
        }
        settings
    }
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

pub(crate) fn parse_priority(s: &str) -> Result<Priority, String> {
    s.parse()
}

pub(crate) fn parse_status(s: &str) -> Result<Status, String> {
    s.parse()
}

pub(crate) fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}
