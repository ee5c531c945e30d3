//! `remedy.toml`: the team's settings for a repository, and the operator's for the machine.
//!
//! The repository's file sits at its root; remedy finds it by walking up from the audited path
//! to the project root (the enclosing git work tree). The operator's file is `--config FILE`
//! (used alone) or `remedy.toml` in the user's config directory, whose sections replace the
//! repository's sections of the same name. Every section is optional and every key has a
//! default. Unknown keys are an error that names the key, the file and the line: a typo must not
//! silently turn a gate off.
//!
//! Whoever commits to a repository is not trusted with the machine that audits it: the keys of
//! [`OPERATOR_KEYS`] (where secrets are sent, what the daemon serves) are refused in the
//! repository's file, and every path it names must resolve inside the repository.
//!
//! Sections are independent structs; a later section is one more field on [`Config`] and one
//! more struct here.

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
    /// The repository `[policies] dirs` came from, when they came from its own file: every
    /// policy file read under them must be inside it.
    #[serde(skip)]
    pub policies_confined_to: Option<PathBuf>,
}

/// Keys only the operator sets, with where to set them instead: each chooses where a secret is
/// sent or what the machine serves, so a repository's own `remedy.toml` naming one is refused.
pub const OPERATOR_KEYS: &[(&str, &str, &str)] = &[
    ("llm", "base_url", "--llm-base-url or REMEDY_LLM_BASE_URL"),
    ("llm", "prompts_dir", "--llm-prompts-dir"),
    ("github", "api_url", "--github-api-url or GITHUB_API_URL"),
    ("daemon", "listen", "--listen"),
    ("daemon", "hosts", "--api-host"),
    ("daemon", "read_token", "--read-token"),
];

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
    #[error(
        "{}:{line}: `{key}` is not read from a repository's own remedy.toml (it decides where \
         secrets go or what this machine serves): set it with {instead}, or in the operator's \
         file (--config FILE, or remedy/remedy.toml in the user's config directory)",
        .path.display()
    )]
    OperatorOnly {
        path: PathBuf,
        line: usize,
        key: String,
        instead: &'static str,
    },
    #[error("{}: `{key}` names {}, which {reason}", .path.display(), .named.display())]
    OutsideRepository {
        path: PathBuf,
        key: String,
        named: PathBuf,
        reason: String,
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
    /// project root, with the sections of the operator's own file (in the user's config
    /// directory) in place of the repository's, or the defaults when there is neither.
    ///
    /// The repository's file belongs to whoever commits to it, who is not trusted to choose
    /// what runs on the machine that audits or fixes it, nor where its secrets go: see
    /// [`Config::load_repository`].
    pub fn discover(start: &Path) -> Result<Self, ConfigError> {
        let operator = user_config_file().filter(|p| p.is_file());
        Self::discover_with(start, operator.as_deref())
    }

    /// [`Config::discover`] with the operator's file given.
    pub fn discover_with(start: &Path, operator: Option<&Path>) -> Result<Self, ConfigError> {
        let repository = match find(start) {
            Some(path) => Some(Self::load_repository(&path, &project::root_of(start))?),
            None => None,
        };
        let Some(operator) = operator else {
            return Ok(repository.unwrap_or_default());
        };
        let (mine, sections) = Self::load_with_sections(operator)?;
        let Some(mut config) = repository else {
            return Ok(mine);
        };
        for section in &sections {
            config.take_section(section, &mine);
        }
        tracing::debug!(
            operator = %operator.display(),
            sections = ?sections,
            "the operator's sections replace the repository's"
        );
        Ok(config)
    }

    /// A `remedy.toml` found in the repository at `root`: keys of [`OPERATOR_KEYS`] are refused
    /// (the error names the key and where to set it), `[gate] validate` is ignored with a
    /// warning (the operator gives the commands that run, with `--validate` or `--config`), and
    /// every path it names must resolve, symlinks followed, inside the repository.
    pub fn load_repository(path: &Path, root: &Path) -> Result<Self, ConfigError> {
        let text = read(path)?;
        refuse_operator_keys(&text, path)?;
        let mut config = Self::parse(&text, path)?;
        config.source = Some(path.to_path_buf());
        config.resolve_paths();
        if let Some(commands) = config.gate.validate.take()
            && !commands.is_empty()
        {
            tracing::warn!(
                config = %path.display(),
                "ignoring [gate] validate from the repository's own remedy.toml: \
                 the commands that run on this machine come from --validate or --config"
            );
        }
        let inside = |key: &str, named: &Path| -> Result<(), ConfigError> {
            match inside_repository(named, root) {
                Ok(()) => Ok(()),
                Err(reason) => Err(ConfigError::OutsideRepository {
                    path: path.to_path_buf(),
                    key: key.to_string(),
                    named: named.to_path_buf(),
                    reason,
                }),
            }
        };
        for dir in &config.policies.dirs {
            inside("policies.dirs", dir)?;
        }
        if let Some(template) = &config.delivery.template {
            inside("delivery.template", template)?;
        }
        config.policies_confined_to = Some(root.to_path_buf());
        Ok(config)
    }

    /// Read one file (`--config FILE`): the operator's, trusted with every key.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        Ok(Self::load_with_sections(path)?.0)
    }

    /// [`Config::load`], with the names of the sections the file has.
    fn load_with_sections(path: &Path) -> Result<(Self, Vec<String>), ConfigError> {
        let text = read(path)?;
        let mut config = Self::parse(&text, path)?;
        config.source = Some(path.to_path_buf());
        config.resolve_paths();
        let sections = toml::from_str::<toml::Table>(&text)
            .map(|table| table.keys().cloned().collect())
            .unwrap_or_default();
        Ok((config, sections))
    }

    /// Paths in the file are relative to it; from here on they are absolute, so that sections
    /// of two files can be combined.
    fn resolve_paths(&mut self) {
        let Some(base) = self.source.as_deref().and_then(Path::parent) else {
            return;
        };
        let base = project::absolute(base);
        for dir in &mut self.policies.dirs {
            *dir = base.join(&*dir);
        }
        if let Some(template) = &mut self.delivery.template {
            *template = base.join(&*template);
        }
        if let Some(prompts) = &mut self.llm.prompts_dir {
            *prompts = base.join(&*prompts);
        }
    }

    /// Replace one section with `other`'s.
    fn take_section(&mut self, section: &str, other: &Self) {
        match section {
            "policies" => {
                self.policies = other.policies.clone();
                self.policies_confined_to = None;
            }
            "check" => self.check = other.check.clone(),
            "enforcement" => self.enforcement = other.enforcement.clone(),
            "llm" => self.llm = other.llm.clone(),
            "daemon" => self.daemon = other.daemon.clone(),
            "values" => self.values = other.values.clone(),
            "delivery" => self.delivery = other.delivery.clone(),
            "github" => self.github = other.github.clone(),
            "gate" => self.gate = other.gate.clone(),
            // `parse` accepted the file, so every top-level key is a field above.
            _ => {}
        }
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

    /// `[policies].dirs`, absolute.
    pub fn policy_dirs(&self) -> Vec<PathBuf> {
        self.policies.dirs.clone()
    }
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The operator's own file: `$XDG_CONFIG_HOME/remedy/remedy.toml`, else
/// `$HOME/.config/remedy/remedy.toml`.
pub fn user_config_file() -> Option<PathBuf> {
    let non_empty = |var: &str| std::env::var_os(var).filter(|v| !v.is_empty());
    let dir = non_empty("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| non_empty("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(dir.join("remedy").join(FILE_NAME))
}

/// The first key of [`OPERATOR_KEYS`] the text sets, as an error naming its line.
fn refuse_operator_keys(text: &str, path: &Path) -> Result<(), ConfigError> {
    // A file that does not parse is reported by `parse` with its own line.
    let Ok(table) = toml::de::DeTable::parse(text) else {
        return Ok(());
    };
    for (section, key, instead) in OPERATOR_KEYS {
        let value = table
            .get_ref()
            .get(*section)
            .and_then(|v| v.get_ref().as_table())
            .and_then(|t| t.get(*key));
        if let Some(value) = value {
            let (line, _) = line_column(text, value.span().start);
            return Err(ConfigError::OperatorOnly {
                path: path.to_path_buf(),
                line,
                key: format!("{section}.{key}"),
                instead,
            });
        }
    }
    Ok(())
}

/// Whether `named` (absolute) resolves, symlinks followed, inside `root`.
fn inside_repository(named: &Path, root: &Path) -> Result<(), String> {
    let real = named
        .canonicalize()
        .map_err(|e| format!("cannot be resolved: {e}"))?;
    let root = root
        .canonicalize()
        .map_err(|e| format!("the repository cannot be resolved: {e}"))?;
    if real.starts_with(&root) {
        Ok(())
    } else {
        Err(format!(
            "resolves to {}, outside the repository",
            real.display()
        ))
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

    /// A repository with a hostile remedy.toml: every key that would send a secret elsewhere or
    /// open the daemon is refused by name and line; paths it names must stay inside it.
    #[test]
    fn a_repository_file_cannot_choose_secret_endpoints_or_paths_outside() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).unwrap();
        for (text, key, line) in [
            (
                "[llm]\nmodel = \"m\"\nbase_url = \"http://evil.example/v1\"\n",
                "llm.base_url",
                3,
            ),
            (
                "[github]\napi_url = \"http://evil.example\"\n",
                "github.api_url",
                2,
            ),
            ("[llm]\nprompts_dir = \"/etc\"\n", "llm.prompts_dir", 2),
            ("[daemon]\nlisten = \"0.0.0.0:80\"\n", "daemon.listen", 2),
            ("[daemon]\nhosts = [\"evil.example\"]\n", "daemon.hosts", 2),
        ] {
            std::fs::write(repo.join(FILE_NAME), text).unwrap();
            let err = Config::discover_with(&repo, None).unwrap_err().to_string();
            assert!(
                err.contains(&format!("{FILE_NAME}:{line}: `{key}`")),
                "{err}"
            );
            assert!(err.contains("--config"), "{err}");
        }
        // The same keys from the operator's file are taken.
        let operator = dir.path().join("operator.toml");
        std::fs::write(
            &operator,
            "[github]\napi_url = \"https://ghe.example/api/v3\"\n[llm]\nbase_url = \"https://llm.example/v1\"\nmodel = \"m\"\n",
        )
        .unwrap();
        std::fs::write(
            repo.join(FILE_NAME),
            "[check]\nfail_on = \"high\"\n[llm]\nmodel = \"theirs\"\n",
        )
        .unwrap();
        let both = Config::discover_with(&repo, Some(&operator)).unwrap();
        assert_eq!(
            both.check.fail_on,
            Severity::High,
            "the repository's own sections stay"
        );
        assert_eq!(
            both.github.api_url.as_deref(),
            Some("https://ghe.example/api/v3")
        );
        assert_eq!(
            both.llm.model.as_deref(),
            Some("m"),
            "the operator's section replaces"
        );
        assert_eq!(
            Config::load(&operator).unwrap().llm.model.as_deref(),
            Some("m")
        );

        // Paths: inside is fine, outside (directly or through a symlink) is refused.
        std::fs::create_dir_all(repo.join("policies")).unwrap();
        std::fs::write(repo.join("pr.md"), "{{title}}").unwrap();
        std::fs::write(
            repo.join(FILE_NAME),
            "[policies]\ndirs = [\"policies\"]\n[delivery]\ntemplate = \"pr.md\"\n",
        )
        .unwrap();
        let inside = Config::discover_with(&repo, None).unwrap();
        assert_eq!(inside.policy_dirs(), vec![repo.join("policies")]);
        assert_eq!(inside.delivery.template, Some(repo.join("pr.md")));
        assert_eq!(inside.policies_confined_to.as_deref(), Some(repo.as_path()));
        std::fs::write(dir.path().join("secret"), "token").unwrap();
        std::os::unix::fs::symlink(dir.path().join("secret"), repo.join("link.md")).unwrap();
        for (text, key) in [
            (
                "[delivery]\ntemplate = \"../secret\"\n",
                "delivery.template",
            ),
            ("[delivery]\ntemplate = \"link.md\"\n", "delivery.template"),
            (
                "[delivery]\ntemplate = \"/etc/hostname\"\n",
                "delivery.template",
            ),
            ("[policies]\ndirs = [\"..\"]\n", "policies.dirs"),
        ] {
            std::fs::write(repo.join(FILE_NAME), text).unwrap();
            let err = Config::discover_with(&repo, None).unwrap_err().to_string();
            assert!(err.contains(&format!("`{key}`")), "{err}");
            assert!(
                err.contains("outside the repository") || err.contains("cannot be resolved"),
                "{err}"
            );
        }
    }
}
