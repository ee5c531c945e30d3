//! `remedy run`

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};
use remedy_git::Repo;
use tokio::sync::watch;

use remedy_deliver::forge::ForgeDelivery;
use remedy_deliver::{Target, setup};
use remedy_store::{ClaimScope, Repository};

use crate::cli::RunArgs;
use crate::daemon::metrics::Metrics;
use crate::daemon::pool::{DeliveryConfig, Shared};
use crate::daemon::{Daemon, DaemonSettings};

pub fn run(args: &RunArgs) -> Result<()> {
    let config = super::load_config(&args.config, &args.path)?;
    let (policies, enforcement) = super::load_policies(&args.policy, &config, &[])?;
    let repo = Repo::discover(&args.path)
        .context("remedy run works on a git repository: run it inside one, or give its path")?;
    let root = repo.root().to_path_buf();
    let settings = settings(args, config.daemon.clone(), &repo);
    let base = settings.base.clone().unwrap_or_else(|| "HEAD".into());
    let (delivery, github) = args
        .delivery
        .apply(config.delivery.clone(), config.github.clone());
    let delivery_config = DeliveryConfig {
        settings: delivery,
        github,
        data_dir: args
            .delivery
            .data_dir
            .clone()
            .unwrap_or_else(remedy_deliver::clone::data_dir),
    };
    delivery_config
        .settings
        .validate()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let llm = super::llm_fixer(&args.llm, &config, args.provider.into())?;
    let api_token = std::env::var("REMEDY_API_TOKEN")
        .ok()
        .filter(|t| !t.is_empty());

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let store = super::store::open(&args.store, &root).await?;
        let repository = Repository::at(&root);
        let scope = ClaimScope {
            repository: Some(repository.url.clone()),
            policies: args.policy.policies.clone(),
            groups: delivery_config.settings.group_by.claim_groups(),
        };
        let (shutdown, _) = watch::channel(false);
        let mut shared = Shared::new(
            store,
            Arc::new(policies),
            Arc::new(Metrics::new()),
            root,
            base,
            scope,
            settings.concurrency,
            shutdown,
        );
        shared.values = config.team_values();
        shared.provider = args.provider.into();
        shared.validator = Some(args.gate.apply(config.gate.clone()).validator());
        if let Some((llm, max_attempts)) = llm {
            shared.llm = Some(llm);
            shared.max_attempts = max_attempts;
        }
        shared.lease = Duration::from_secs(settings.lease_secs.max(1));
        shared.poll = Duration::from_secs(settings.poll_secs.max(1));
        shared.exit_when_idle = args.exit_when_idle;
        // A worker claims at most one pull request's worth, so a group is fixed together.
        shared.batch = delivery_config.settings.max_violations_per_pr.max(1);
        if delivery_config.settings.target == Target::Github {
            shared.forge = Some(Arc::new(forge(&shared, &delivery_config)?));
        }
        shared.delivery = delivery_config;
        Daemon {
            settings,
            shared: Arc::new(shared),
            enforcement: Arc::new(enforcement),
            repository,
            exit_when_idle: args.exit_when_idle,
            api_token,
        }
        .run()
        .await
    })
}

/// GitHub delivery for the whole process (one managed clone, one set of rate limits).
fn forge(shared: &Shared, config: &DeliveryConfig) -> Result<ForgeDelivery> {
    let repo = Repo::discover(&shared.root)?;
    let base = repo.resolve(&shared.base)?;
    setup::github(setup::Setup {
        repo: &repo,
        base_name: &shared.base,
        base,
        settings: config.settings.clone(),
        github: config.github.clone(),
        data_dir: config.data_dir.clone(),
        token: setup::token_from_env(),
        store: Some((
            shared.store.clone(),
            shared.scope.repository.clone().unwrap_or_default(),
        )),
        clock: shared.store.clock().clone(),
        retry: remedy_forge::RetryPolicy::default(),
    })
    .context("cannot set up GitHub delivery")
}

/// `[daemon]` with the flags on top, and the base defaulting to the checked-out branch.
fn settings(args: &RunArgs, mut s: DaemonSettings, repo: &Repo) -> DaemonSettings {
    if let Some(v) = &args.listen {
        s.listen.clone_from(v);
    }
    if !args.api_hosts.is_empty() {
        s.hosts.clone_from(&args.api_hosts);
    }
    if args.read_token {
        s.read_token = true;
    }
    if let Some(v) = args.concurrency {
        s.concurrency = v.max(1);
    }
    if let Some(v) = &args.base {
        s.base = Some(v.clone());
    }
    if let Some(v) = args.lease_secs {
        s.lease_secs = v;
    }
    if let Some(v) = args.poll_secs {
        s.poll_secs = v;
    }
    if let Some(v) = args.audit_interval_secs {
        s.audit_interval_secs = v;
    }
    if let Some(v) = args.shutdown_deadline_secs {
        s.shutdown_deadline_secs = v;
    }
    if let Some(v) = args.sync_interval_secs {
        s.sync_interval_secs = v;
    }
    if s.base.is_none() {
        s.base = repo.current_branch();
    }
    s
}
