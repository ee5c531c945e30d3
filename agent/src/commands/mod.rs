//! One module per subcommand.

pub mod audit;
pub mod check;
pub mod eval;
pub mod fix;
pub mod policies;
pub mod run;
pub mod store;
pub mod sync;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use remedy_guardrails::{LoadOptions, PolicySet, RepositoryPacks};
use remedy_remediate::{LlmFixer, ProviderChoice};

use crate::cli::{ConfigArgs, PolicyArgs};
use crate::config::Config;
use crate::enforcement::{Enforcement, EnforcementRule};

/// The settings for a run: `--config FILE`, else the remedy.toml found from `start` up to the
/// repository root, else the defaults.
pub fn load_config(args: &ConfigArgs, start: &Path) -> Result<Config> {
    let config = match &args.config {
        Some(path) => Config::load(path),
        None => Config::discover(start),
    }
    .context("invalid settings")?;
    if let Some(source) = &config.source {
        tracing::debug!(config = %source.display(), "settings loaded");
    }
    Ok(config)
}

/// Where a run starts: the first path given, or the current directory.
pub fn start_of(paths: &[PathBuf]) -> &Path {
    paths.first().map_or(Path::new("."), PathBuf::as_path)
}

/// Load the policy packs the settings and flags ask for, and the enforcement rules (checked
/// against every loaded policy, before the id, severity and framework filters narrow the set).
pub fn load_policies(
    args: &PolicyArgs,
    config: &Config,
    extra_rules: &[EnforcementRule],
) -> Result<(PolicySet, Enforcement)> {
    // Directories the repository's own file names stay inside the repository; the operator's
    // (flags, --config) are read as given.
    let mut paths = args.policy_dirs.clone();
    let repository = match &config.policies_confined_to {
        Some(root) => Some(RepositoryPacks {
            root: root.clone(),
            paths: config.policy_dirs(),
        }),
        None => {
            paths.splice(0..0, config.policy_dirs());
            None
        }
    };
    let mut set = PolicySet::load(&LoadOptions {
        builtin: config.policies.builtin && !args.no_builtin_policies,
        paths,
        repository,
    })
    .context("cannot load policy packs")?;

    let mut rules = config.enforcement.clone();
    rules.extend(extra_rules.iter().cloned());
    let enforcement = Enforcement::new(&rules, &config.origin(), &set)?;

    if let Some(unknown) = args.policies.iter().find(|id| set.get(id).is_none()) {
        bail!("unknown policy `{unknown}` (see `remedy policies` for the list)");
    }
    if !args.policies.is_empty() {
        set.retain(|p| args.policies.contains(&p.id));
    }
    if let Some(min) = args.min_severity.or(config.policies.min_severity) {
        set.retain(|p| p.severity >= min);
    }
    if let Some(framework) = args
        .framework
        .as_ref()
        .or(config.policies.framework.as_ref())
    {
        let known = frameworks(&set);
        set.retain(|p| p.in_framework(framework));
        if set.policies().is_empty() {
            bail!(
                "no policy maps to a framework starting with `{framework}` (frameworks: {})",
                known.join(", ")
            );
        }
    }
    Ok((set, enforcement))
}

/// Every framework key the loaded policies map to, sorted.
fn frameworks(set: &PolicySet) -> Vec<String> {
    let mut keys: Vec<String> = set
        .policies()
        .iter()
        .flat_map(|p| p.frameworks.keys().cloned())
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The LLM the settings and flags configure, with its attempt budget; `None` when no endpoint is
/// configured or the provider is `recipe`.
pub fn llm_fixer(
    args: &crate::cli::LlmArgs,
    config: &Config,
    provider: ProviderChoice,
) -> Result<Option<(Arc<dyn LlmFixer>, usize)>> {
    let llm = args.apply(config.llm.clone());
    llm.validate()?;
    if !llm.is_configured() || provider == ProviderChoice::Recipe {
        return Ok(None);
    }
    let key = remedy_remediate::llm::ApiKey::from_env()?;
    let agent = remedy_remediate::llm::LlmAgent::new(&llm, key).context("cannot set up the LLM")?;
    tracing::info!(
        model = llm.model.as_deref().unwrap_or_default(),
        "LLM configured"
    );
    Ok(Some((Arc::new(agent), llm.max_attempts)))
}
