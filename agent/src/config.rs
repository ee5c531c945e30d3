//! `remedy.toml`: the team's settings for a repository.
//!
//! The file sits at the repository root; remedy finds it by walking up from the audited path to
//! the project root (the enclosing git work tree), or takes `--config FILE`. Every section is
//! optional and every key has a default, so a repository without the file behaves as documented
//! in the README. Unknown keys are an error that names the key, the file and the line: a typo
//! must not silently turn a gate off.
//!
//! Sections are independent structs; a later section (store, llm, delivery) is one more field on
//! [`Config`] and one more struct here.

use std::path::{Path, PathBuf};

use remedy_guardrails::Severity;
use serde::Deserialize;

use crate::enforcement::EnforcementRule;
use crate::project;

/// The file name remedy looks for.
pub const FILE_NAME: &str = "remedy.toml";

/// Everything `remedy.toml` can say.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Which policies are loaded.
    #[serde(default)]
    pub policies: PoliciesConfig,
    /// The CI gate (`remedy check`).
    #[serde(default)]
    pub check: CheckConfig,
    /// Enforcement levels per policy and per path glob, as `[[enforcement]]` rules.
    #[serde(default)]
    pub enforcement: Vec<EnforcementRule>,
    /// The LLM for fixes the declarative remediations cannot make (`--llm-*` override).
    #[serde(default)]
    pub llm: remedy_remediate::llm::LlmSettings,
    /// The long-running agent (`remedy run`).
    #[serde(default)]
    pub daemon: crate::daemon::DaemonSettings,
    /// Values only the team knows, named by policies' `value_from_config` (for example the
    /// address range SSH may be opened to). Never invented: a fix that needs a missing one goes
    /// to a person, naming the key.
    #[serde(default)]
    pub values: std::collections::BTreeMap<String, toml::Value>,
    /// Where fixes go and how fast (`--deliver`, `--group-by`, … override).
    #[serde(default)]
    pub delivery: remedy_deliver::DeliverySettings,
    /// The GitHub repository and API (`--github-repo`, `--github-api-url` override).
    #[serde(default)]
    pub github: remedy_deliver::GitHubSettings,
    /// The gate's `validate` check: the team's type checker on every fix.
    #[serde(default)]
    pub gate: GateSettings,
    /// Where the settings were read from; `None` when no file was found.
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// `[policies]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoliciesConfig {
    /// Load the built-in packs (`--no-builtin-policies` turns them off).
    #[serde(default = "yes")]
    pub builtin: bool,
    /// Directories or files of the team's own packs, relative to the config file
    /// (`--policy-dir` adds more).
    #[serde(default)]
    pub dirs: Vec<PathBuf>,
    /// Evaluate only policies of at least this severity (`--min-severity` overrides).
    #[serde(default)]
    pub min_severity: Option<Severity>,
    /// Evaluate only policies mapped to this framework, by key prefix (`--framework` overrides).
    #[serde(default)]
    pub framework: Option<String>,
}

impl Default for PoliciesConfig {
    fn default() -> Self {
        Self {
            builtin: true,
            dirs: Vec::new(),
            min_severity: None,
            framework: None,
        }
    }
}

fn yes() -> bool {
    true
}

/// `[check]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckConfig {
    /// The lowest severity of a mandatory violation that fails the gate (`--fail-on`).
    #[serde(default = "lowest")]
    pub fail_on: Severity,
    /// Whether a file that cannot be read or fully parsed fails the gate with exit status 2
    /// (`--allow-file-errors` turns this off).
    #[serde(default = "yes")]
    pub fail_on_file_errors: bool,
}

impl Default for CheckConfig {
    fn default() -> Self {
        Self {
            fail_on: Severity::Low,
            fail_on_file_errors: true,
        }
    }
}

fn lowest() -> Severity {
    Severity::Low
}

/// `[gate]`
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GateSettings {
    /// The commands the `validate` check runs on every fixed program, each split into words
    /// without a shell (`["npx tsc --noEmit", "pyright"]`); `["auto"]`: detect `tsc`,
    /// `pyright` or `mypy` per program. Unset or empty: no type check (the evidence says so).
    /// Only the operator chooses what runs: in a `remedy.toml` found in the audited repository
    /// this key is ignored (see [`Config::discover`]).
    #[serde(default)]
    pub validate: Option<Vec<String>>,
    /// Seconds one run of one validate command may take before its process group is killed
    /// and the fix rejected.
    #[serde(default = "validate_timeout")]
    pub validate_timeout: u64,
}

impl Default for GateSettings {
    fn default() -> Self {
        Self {
            validate: None,
            validate_timeout: validate_timeout(),
        }
    }
}

fn validate_timeout() -> u64 {
    remedy_remediate::ValidateSettings::default()
        .timeout
        .as_secs()
}

/// What `validate = ["auto"]` (or `--validate auto`) means: detect the checker per program.
pub const VALIDATE_AUTO: &str = "auto";

impl GateSettings {
    /// The `validate` check as configured; every fix goes through it.
    pub fn validator(&self) -> std::sync::Arc<remedy_remediate::Validator> {
        let commands = match self.validate.as_deref() {
            Some([auto]) if auto == VALIDATE_AUTO => None,
            Some(commands) => Some(commands.to_vec()),
            None => Some(Vec::new()),
        };
        std::sync::Arc::new(remedy_remediate::Validator::new(
            remedy_remediate::ValidateSettings {
                commands,
                timeout: std::time::Duration::from_secs(self.validate_timeout.max(1)),
            },
        ))
    }
}

/// Why the settings could not be read. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}:{line}:{column}: {message}", .path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
}

impl Config {
    /// The `[values]` table as JSON, for remediations.
    pub fn team_values(&self) -> remedy_remediate::TeamValues {
        self.values
            .iter()
            .filter_map(|(k, v)| serde_json::to_value(v).ok().map(|json| (k.clone(), json)))
            .collect()
    }

    /// The settings for a run over `start`: the nearest `remedy.toml` between `start` and the
    /// project root, or the defaults when there is none.
    ///
    /// That file belongs to the repository, and whoever commits to it is not trusted to choose
    /// what runs on the machine that audits or fixes it: its `[gate] validate` commands are
    /// ignored (with a warning); the operator gives them with `--validate` or `--config`.
    pub fn discover(start: &Path) -> Result<Self, ConfigError> {
        match find(start) {
            Some(path) => {
                let mut config = Self::load(&path)?;
                if let Some(commands) = config.gate.validate.take()
                    && !commands.is_empty()
                {
                    tracing::warn!(
                        config = %path.display(),
                        "ignoring [gate] validate from the repository's own remedy.toml: \
                         the commands that run on this machine come from --validate or --config"
                    );
                }
                Ok(config)
            }
            None => Ok(Self::default()),
        }
    }

    /// Read one file (`--config FILE`).
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut config = Self::parse(&text, path)?;
        config.source = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parse settings; `path` is what errors call the file.
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        toml::from_str::<Self>(text).map_err(|err| {
            let (line, column) = err
                .span()
                .map_or((1, 1), |span| line_column(text, span.start));
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message: err.message().trim().to_string(),
            }
        })
    }

    /// How errors about keys name this file.
    pub fn origin(&self) -> String {
        self.source
            .as_ref()
            .map_or_else(|| FILE_NAME.to_string(), |p| p.display().to_string())
    }

    /// `[policies].dirs`, resolved against the config file's directory.
    pub fn policy_dirs(&self) -> Vec<PathBuf> {
        let base = self
            .source
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new(""));
        self.policies.dirs.iter().map(|d| base.join(d)).collect()
    }
}

/// The nearest `remedy.toml` from `start` (a file or directory) up to the project root.
fn find(start: &Path) -> Option<PathBuf> {
    let root = project::root_of(start);
    let absolute = project::absolute(start);
    let dir = if absolute.is_file() {
        absolute.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        absolute
    };
    dir.ancestors()
        .take_while(|d| d.starts_with(&root))
        .map(|d| d.join(FILE_NAME))
        .find(|p| p.is_file())
}

fn line_column(text: &str, byte: usize) -> (usize, usize) {
    let before = text.get(..byte).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_the_defaults() {
        let c = Config::parse("", Path::new("remedy.toml")).unwrap();
        assert!(c.policies.builtin);
        assert_eq!(c.check.fail_on, Severity::Low);
        assert!(c.check.fail_on_file_errors);
        assert!(c.enforcement.is_empty());
    }

    #[test]
    fn the_gate_section_configures_validate() {
        let config = Config::parse("", Path::new("remedy.toml")).unwrap();
        assert_eq!(config.gate.validate, None);
        assert_eq!(config.gate.validate_timeout, 120);
        let config = Config::parse(
            "[gate]\nvalidate = [\"npx tsc --noEmit\", \"pyright\"]\nvalidate_timeout = 30\n",
            Path::new("remedy.toml"),
        )
        .unwrap();
        assert_eq!(
            config.gate.validate.as_deref(),
            Some(&["npx tsc --noEmit".to_string(), "pyright".to_string()][..])
        );
        let validator = config.gate.validator();
        assert_eq!(validator.settings().timeout.as_secs(), 30);
        let err = Config::parse("[gate]\nvalidat = []\n", Path::new("remedy.toml")).unwrap_err();
        assert!(err.to_string().contains("validat"), "{err}");
    }

    #[test]
    fn unknown_key_names_file_line_and_key() {
        let err = Config::parse(
            "[check]\nfial_on = \"high\"\n",
            Path::new("repo/remedy.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("repo/remedy.toml:2:1: "), "{err}");
        assert!(err.contains("fial_on"), "{err}");
    }

    #[test]
    fn bad_value_names_the_line() {
        let err = Config::parse(
            "[[enforcement]]\npolicies = [\"x\"]\nlevel = \"strict\"\n",
            Path::new("remedy.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("remedy.toml:3:"), "{err}");
        assert!(err.contains("strict"), "{err}");
    }

    #[test]
    fn discovery_walks_up_to_the_repository_root_only() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        std::fs::create_dir_all(repo.join("infra/prod")).unwrap();
        // Above the repository: never read.
        std::fs::write(
            dir.path().join(FILE_NAME),
            "[check]\nfail_on = \"critical\"\n",
        )
        .unwrap();
        let none = Config::discover(&repo.join("infra/prod")).unwrap();
        assert!(none.source.is_none());
        std::fs::write(repo.join(FILE_NAME), "[check]\nfail_on = \"high\"\n").unwrap();
        let found = Config::discover(&repo.join("infra/prod")).unwrap();
        assert_eq!(found.check.fail_on, Severity::High);
        assert_eq!(
            found.source.as_deref(),
            Some(repo.join(FILE_NAME).as_path())
        );
    }
}
