//! `[delivery]` and `[github]` in `remedy.toml`: where fixes go, how they are grouped, how fast,
//! and who is asked to review them. Every key has a flag of `remedy fix` (see
//! `remedy_agent::cli::DeliveryArgs`); tokens come from the environment only.

use std::path::PathBuf;

use globset::{Glob, GlobMatcher};
use remedy_guardrails::Severity;
use serde::Deserialize;

use super::group::{GroupBy, Mode};

/// Where accepted fixes go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// A local branch per group in the repository itself: no forge, no token.
    #[default]
    Local,
    /// Pushed from a managed clone and opened as pull requests on GitHub (or GitHub
    /// Enterprise).
    Github,
}

/// `[[delivery.rules]]`: the mode for some policies (ids or globs) and severities.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModeRule {
    /// Policy ids or globs (`aws-s3-*`); none = every policy.
    #[serde(default)]
    pub policies: Vec<String>,
    /// Severities; none = every severity.
    #[serde(default)]
    pub severities: Vec<Severity>,
    pub mode: Mode,
}

/// `[delivery.schedule]`: when remedy may push and open pull requests (UTC).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// `mon` … `sun`; none = every day.
    #[serde(default)]
    pub days: Vec<String>,
    /// `HH:MM-HH:MM`, UTC; a range past midnight (`22:00-06:00`) wraps.
    #[serde(default = "all_day")]
    pub hours: String,
}

fn all_day() -> String {
    "00:00-24:00".into()
}

/// `[delivery]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySettings {
    /// `local` (the default) or `github` (`--deliver`).
    #[serde(default)]
    pub target: Target,
    /// How fixes are grouped into branches and pull requests (`--group-by`).
    #[serde(default)]
    pub group_by: GroupBy,
    /// At most this many violations in one pull request; more go to the group's next branch.
    #[serde(default = "ten")]
    pub max_violations_per_pr: usize,
    /// New pull requests in any hour, counted over every run and replica on the store and the
    /// pull requests the forge reports remedy opened.
    #[serde(default = "five")]
    pub prs_per_hour: u32,
    /// Commits in any hour, counted like `prs_per_hour`.
    #[serde(default = "sixty")]
    pub commits_per_hour: u32,
    /// remedy's open pull requests, counted from the store and the forge.
    #[serde(default = "ten")]
    pub max_open_prs: usize,
    /// The mode where no rule matches (`--mode`).
    #[serde(default)]
    pub mode: Mode,
    /// Modes per policy and severity; the last matching rule wins. `auto_merge` happens only
    /// where a rule (or `--mode auto-merge`) says so.
    #[serde(default)]
    pub rules: Vec<ModeRule>,
    /// When remedy may push and open pull requests; any time when absent.
    #[serde(default)]
    pub schedule: Option<Schedule>,
    /// Labels on every pull request (`--label`).
    #[serde(default = "default_labels")]
    pub labels: Vec<String>,
    /// Reviewers requested in `review` mode: logins, or `org/team` (`--reviewer`).
    #[serde(default)]
    pub reviewers: Vec<String>,
    /// Author and committer of remedy's commits. A commit on a remedy branch by anyone else
    /// makes remedy leave the branch alone.
    #[serde(default = "default_author_name")]
    pub author_name: String,
    #[serde(default = "default_author_email")]
    pub author_email: String,
    /// A pull request template replacing the built-in `agent/templates/pr.md`, relative to
    /// remedy.toml (`--pr-template`).
    #[serde(default)]
    pub template: Option<PathBuf>,
    /// Open pull requests as drafts.
    #[serde(default)]
    pub draft: bool,
}

fn ten() -> usize {
    10
}

fn five() -> u32 {
    5
}

fn sixty() -> u32 {
    60
}

fn default_labels() -> Vec<String> {
    vec!["remedy".into()]
}

fn default_author_name() -> String {
    remedy_git::Author::default().name
}

fn default_author_email() -> String {
    remedy_git::Author::default().email
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            target: Target::default(),
            group_by: GroupBy::default(),
            max_violations_per_pr: ten(),
            prs_per_hour: five(),
            commits_per_hour: sixty(),
            max_open_prs: ten(),
            mode: Mode::default(),
            rules: Vec::new(),
            schedule: None,
            labels: default_labels(),
            reviewers: Vec::new(),
            author_name: default_author_name(),
            author_email: default_author_email(),
            template: None,
            draft: false,
        }
    }
}

/// `[github]`
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GitHubSettings {
    /// The API base URL (`--github-api-url`, `GITHUB_API_URL`); GitHub Enterprise Server is
    /// `https://HOST/api/v3`. Default: the public API.
    #[serde(default)]
    pub api_url: Option<String>,
    /// `OWNER/NAME` (`--github-repo`); default: parsed from the `origin` remote.
    #[serde(default)]
    pub repo: Option<String>,
}

/// A setting that cannot work, named by its key.
#[derive(Debug, thiserror::Error)]
#[error("delivery.{key}: {message}")]
pub struct SettingsError {
    pub key: &'static str,
    pub message: String,
}

impl DeliverySettings {
    /// Check values the types cannot.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let positive = |key: &'static str, v: u64| {
            if v == 0 {
                Err(SettingsError {
                    key,
                    message: "must be at least 1".into(),
                })
            } else {
                Ok(())
            }
        };
        positive("max_violations_per_pr", self.max_violations_per_pr as u64)?;
        positive("prs_per_hour", u64::from(self.prs_per_hour))?;
        positive("commits_per_hour", u64::from(self.commits_per_hour))?;
        positive("max_open_prs", self.max_open_prs as u64)?;
        for (i, rule) in self.rules.iter().enumerate() {
            for p in &rule.policies {
                Glob::new(p).map_err(|e| SettingsError {
                    key: "rules",
                    message: format!("rules[{i}]: invalid policy glob `{p}`: {e}"),
                })?;
            }
        }
        if let Some(schedule) = &self.schedule {
            super::limits::Window::parse(schedule).map_err(|message| SettingsError {
                key: "schedule",
                message,
            })?;
        }
        if self.author_email.trim().is_empty() || self.author_name.trim().is_empty() {
            return Err(SettingsError {
                key: "author_email",
                message: "remedy's commits need an author name and email".into(),
            });
        }
        Ok(())
    }

    /// The mode for a violation of `policy` with `severity`: the last matching rule's, else
    /// `mode`.
    pub fn mode_for(&self, policy: &str, severity: Severity) -> Mode {
        self.rules
            .iter()
            .rev()
            .find(|r| {
                (r.severities.is_empty() || r.severities.contains(&severity))
                    && (r.policies.is_empty()
                        || r.policies
                            .iter()
                            .any(|p| matcher(p).is_some_and(|m| m.is_match(policy))))
            })
            .map_or(self.mode, |r| r.mode)
    }

    /// The author of remedy's commits.
    pub fn author(&self) -> remedy_git::Author {
        remedy_git::Author {
            name: self.author_name.clone(),
            email: self.author_email.clone(),
        }
    }
}

fn matcher(pattern: &str) -> Option<GlobMatcher> {
    Glob::new(pattern).ok().map(|g| g.compile_matcher())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::group_mode;

    #[test]
    fn rules_pick_modes_and_groups_take_the_most_careful() {
        let settings: DeliverySettings = toml::from_str(
            r#"
mode = "review"
[[rules]]
policies = ["aws-s3-*"]
mode = "auto_merge"
[[rules]]
severities = ["critical"]
mode = "review"
"#,
        )
        .unwrap();
        settings.validate().unwrap();
        assert_eq!(
            settings.mode_for("aws-s3-bucket-versioning", Severity::Medium),
            Mode::AutoMerge
        );
        assert_eq!(
            settings.mode_for("aws-s3-bucket-versioning", Severity::Critical),
            Mode::Review
        );
        assert_eq!(
            settings.mode_for("aws-kms-key-rotation", Severity::Low),
            Mode::Review
        );
        assert_eq!(
            group_mode([Mode::AutoMerge, Mode::AutoMerge]),
            Mode::AutoMerge
        );
        assert_eq!(group_mode([Mode::AutoMerge, Mode::Review]), Mode::Review);
        assert_eq!(group_mode([Mode::Local, Mode::AutoMerge]), Mode::Review);
    }

    #[test]
    fn zero_limits_are_errors_naming_the_key() {
        let settings: DeliverySettings = toml::from_str("prs_per_hour = 0").unwrap();
        let err = settings.validate().unwrap_err().to_string();
        assert!(err.starts_with("delivery.prs_per_hour"), "{err}");
        assert!(toml::from_str::<DeliverySettings>("prs_per_hr = 1").is_err());
    }
}
