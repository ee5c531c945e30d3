//! `remedy sync`: follow remedy's pull requests and settle their violations.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use anyhow::{Context, Result};
use remedy_git::Repo;

use remedy_deliver::{Target, setup};
use remedy_remediate::ProviderChoice;
use remedy_store::Repository;

use crate::cli::SyncArgs;
use crate::pr_sync::{PrSync, SyncAction};
use crate::report::ListFormat as Format;

const GOOD: Style = AnsiColor::Green.on_default().bold();
const WARN: Style = AnsiColor::Yellow.on_default().bold();
const BAD: Style = AnsiColor::Red.on_default().bold();
const DIM: Style = Style::new().dimmed();

pub fn run(args: &SyncArgs) -> Result<()> {
    let config = super::load_config(&args.config, &args.path)?;
    let (policies, _) = super::load_policies(&args.policy, &config, &[])?;
    let remediator = super::fix::remediator(
        ProviderChoice::Auto,
        &args.llm,
        &args.gate,
        &config,
        &policies,
    )?;
    let repo = Repo::discover(&args.path).context("remedy sync follows a git repository")?;
    let root = repo.root().to_path_buf();
    let base_name = match &args.base {
        Some(base) => base.clone(),
        None => repo.current_branch().unwrap_or_else(|| "main".into()),
    };
    let base = repo.resolve(&base_name)?;
    let (settings, github) = args
        .delivery
        .apply(config.delivery.clone(), config.github.clone());
    if settings.target == Target::Local {
        // Pull requests live on a forge; GitHub is the one remedy knows so far.
        tracing::debug!("remedy sync follows pull requests on GitHub");
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let results = runtime.block_on(async {
        let store = super::store::open(&args.store, &root).await?;
        let repository = Repository::at(&root);
        let delivery = setup::github(setup::Setup {
            repo: &repo,
            base_name: &base_name,
            base,
            settings,
            github,
            data_dir: args
                .delivery
                .data_dir
                .clone()
                .unwrap_or_else(remedy_deliver::clone::data_dir),
            token: setup::token_from_env(),
            clock: store.clock().clone(),
            store: Some((store.clone(), repository.url.clone())),
            retry: remedy_forge::RetryPolicy::default(),
        })
        .context("cannot set up delivery")?;
        let actor = super::store::actor();
        let results = PrSync {
            store: &store,
            delivery: &delivery,
            remediator: &remediator,
            repository: &repository.url,
            actor: &actor,
        }
        .run()
        .await?;
        store.close().await;
        anyhow::Ok(results)
    })?;

    let mut out = crate::output::open(None)?;
    match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &results)?;
            writeln!(out)?;
        }
        Format::Table => {
            for r in &results {
                let style = match r.action {
                    SyncAction::Resolved | SyncAction::Redone => GOOD,
                    SyncAction::Closed | SyncAction::LeftAlone => WARN,
                    SyncAction::Error => BAD,
                    SyncAction::Open | SyncAction::Local => DIM,
                };
                let what = r.url.as_deref().unwrap_or(&r.branch);
                writeln!(
                    out,
                    "{style}{:<10}{style:#} {what} {DIM}{}{DIM:#}",
                    r.action.as_str(),
                    r.detail
                )?;
                for v in &r.violations {
                    writeln!(
                        out,
                        "           {DIM}{} → {}: {}{DIM:#}",
                        &v.fingerprint[..v.fingerprint.len().min(12)],
                        v.status,
                        v.reason
                    )?;
                }
            }
            writeln!(out, "\n{} pull request(s) followed", results.len())?;
        }
    }
    out.flush()?;
    Ok(())
}
