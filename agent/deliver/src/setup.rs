//! Building a delivery from the settings: local branches, or GitHub through octocrab with a
//! managed clone. Shared by `remedy fix`, `remedy sync` and the daemon.

use std::path::PathBuf;
use std::sync::Arc;

use remedy_forge::github::{GitHub, PUBLIC_API};
use remedy_forge::{RetryPolicy, Token};
use remedy_git::{Auth, Repo, redact_url};

use super::delivery::Delivery;
use super::error::DeliveryError;
use super::forge::{ForgeDelivery, ForgeTarget};
use super::limits::Limits;
use super::local::LocalBranches;
use super::settings::{DeliverySettings, GitHubSettings, Target};
use super::template::Template;
use remedy_store::{Clock, Store};

/// The environment variables a GitHub token is read from, in order. Never a flag, never a file.
pub const TOKEN_VARS: [&str; 2] = ["REMEDY_GITHUB_TOKEN", "GITHUB_TOKEN"];

/// The GitHub token from the environment, if one is set.
pub fn token_from_env() -> Option<Token> {
    TOKEN_VARS
        .iter()
        .filter_map(|var| std::env::var(var).ok())
        .map(|t| t.trim().to_string())
        .find(|t| !t.is_empty())
        .map(Token::from)
}

/// `OWNER/NAME` from a GitHub remote URL in any form (HTTPS, SSH, scp-like).
pub fn github_repo_of(url: &str) -> Option<(String, String)> {
    let key = remedy_store::normalize_remote(url);
    let mut parts = key.split('/');
    let _host = parts.next().filter(|h| !h.is_empty())?;
    let owner = parts.next()?;
    let name = parts.next()?;
    (parts.next().is_none() && !owner.is_empty() && !name.is_empty())
        .then(|| (owner.to_string(), name.to_string()))
}

/// Everything a delivery is built from.
pub struct Setup<'a> {
    /// The user's repository (its origin is the remote; local branches go here).
    pub repo: &'a Repo,
    /// The base branch's name and, for local delivery, the commit fixes are made against.
    pub base_name: &'a str,
    pub base: remedy_git::Oid,
    pub settings: DeliverySettings,
    pub github: GitHubSettings,
    /// Where managed clones live.
    pub data_dir: PathBuf,
    pub token: Option<Token>,
    /// The store and the repository's key in it (for counting open pull requests).
    pub store: Option<(Store, String)>,
    pub clock: Clock,
    pub retry: RetryPolicy,
}

/// A delivery as the settings say: local branches (the default) or GitHub.
pub fn build(setup: Setup<'_>) -> Result<Arc<dyn Delivery>, DeliveryError> {
    setup
        .settings
        .validate()
        .map_err(|e| DeliveryError::Config(e.to_string()))?;
    match setup.settings.target {
        Target::Local => Ok(Arc::new(LocalBranches::with_settings(
            setup.repo,
            setup.base,
            setup.base_name,
            setup.settings,
        ))),
        Target::Github => Ok(Arc::new(github(setup)?)),
    }
}

/// GitHub delivery: the repository from `[github] repo` or the origin remote, the API from
/// `[github] api_url` (default the public API), pushes to the origin remote from a managed
/// clone.
pub fn github(setup: Setup<'_>) -> Result<ForgeDelivery, DeliveryError> {
    setup
        .settings
        .validate()
        .map_err(|e| DeliveryError::Config(e.to_string()))?;
    let remote = remedy_store::origin_url(setup.repo.root()).ok_or_else(|| {
        DeliveryError::Config(format!(
            "{} has no `origin` remote to push to (git remote add origin URL)",
            setup.repo.root().display()
        ))
    })?;
    let (owner, name) = match &setup.github.repo {
        Some(repo) => repo
            .split_once('/')
            .filter(|(o, n)| !o.is_empty() && !n.is_empty() && !n.contains('/'))
            .map(|(o, n)| (o.to_string(), n.to_string()))
            .ok_or_else(|| {
                DeliveryError::Config(format!("github.repo `{repo}`: expected OWNER/NAME"))
            })?,
        None => github_repo_of(&remote).ok_or_else(|| {
            DeliveryError::Config(format!(
                "cannot tell the GitHub repository from origin `{}`: set --github-repo \
                 OWNER/NAME (or [github] repo)",
                redact_url(&remote)
            ))
        })?,
    };
    let api = setup.github.api_url.as_deref().unwrap_or(PUBLIC_API);
    if setup.token.is_none() {
        tracing::warn!(
            "no GitHub token in {} or {}: requests are anonymous and pushes over HTTPS will fail",
            TOKEN_VARS[0],
            TOKEN_VARS[1]
        );
    }
    let forge = GitHub::new(api, &owner, &name, setup.token.as_ref(), setup.retry)?;
    // The settings made the path absolute (and, from a repository's file, kept it inside).
    let template = Template::load(setup.settings.template.as_deref())
        .map_err(|e| DeliveryError::Config(format!("delivery.template: {e}")))?;
    let mut limits = Limits::new(&setup.settings, setup.clock).map_err(DeliveryError::Config)?;
    if let Some((store, repository)) = &setup.store {
        // Every run and replica on this store shares the hourly budgets.
        limits = limits.shared_through(store.clone(), repository.clone());
    }
    let clone = super::clone::clone_path(&setup.data_dir, &remote);
    tracing::debug!(
        repo = %format!("{owner}/{name}"),
        api,
        remote = %redact_url(&remote),
        clone = %clone.display(),
        "GitHub delivery"
    );
    Ok(ForgeDelivery::new(
        ForgeTarget {
            forge: Arc::new(forge),
            remote,
            auth: Auth {
                token: setup.token,
                ssh_agent: true,
            },
            clone,
            base: setup.base_name.to_string(),
        },
        setup.settings,
        template,
        Arc::new(limits),
        setup.store,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_repositories_from_remotes() {
        for url in [
            "git@github.com:acme/infra.git",
            "https://x-access-token:t@github.com/acme/infra",
            "ssh://git@github.example.com/acme/infra.git",
        ] {
            assert_eq!(
                github_repo_of(url),
                Some(("acme".into(), "infra".into())),
                "{url}"
            );
        }
        assert_eq!(github_repo_of("file:///srv/git/infra.git"), None);
    }
}
