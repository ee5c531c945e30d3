//! One module per subcommand.

pub mod audit;
pub mod store;

use anyhow::{Context, Result, bail};
use remedy_guardrails::{LoadOptions, PolicySet};

use crate::cli::PolicyArgs;

/// Load the policy packs the flags ask for, filtered by id and severity.
pub fn load_policies(args: &PolicyArgs) -> Result<PolicySet> {
    let mut set = PolicySet::load(&LoadOptions {
        builtin: !args.no_builtin_policies,
        paths: args.policy_dirs.clone(),
    })
    .context("cannot load policy packs")?;
    if let Some(unknown) = args.policies.iter().find(|id| set.get(id).is_none()) {
        bail!("unknown policy `{unknown}` (see `remedy policies` for the list)");
    }
    if !args.policies.is_empty() {
        set.retain(|p| args.policies.contains(&p.id));
    }
    if let Some(min) = args.min_severity {
        set.retain(|p| p.severity >= min);
    }
    Ok(set)
}
