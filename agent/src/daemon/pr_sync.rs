//! The daemon's pull-request sync: every `sync_interval_secs`, what `remedy sync` does. It runs
//! on its own thread with a current-thread runtime (delivery futures are not `Send`), sharing
//! the workers' GitHub delivery so the managed clone's lock and the rate limits stay one.

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::pool::Shared;
use crate::pr_sync::{PrSync, SyncAction};
use remedy_store::Repository;

/// Start syncing, when delivery goes to GitHub and the interval is not 0.
pub fn start(
    shared: &Arc<Shared>,
    repository: &Repository,
    every: Duration,
) -> Option<JoinHandle<()>> {
    if shared.forge.is_none() || every.is_zero() {
        return None;
    }
    let shared = Arc::clone(shared);
    let repository = repository.url.clone();
    let spawned = std::thread::Builder::new()
        .name("remedy-pr-sync".into())
        .spawn(move || {
            match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime.block_on(run(&shared, &repository, every)),
                Err(err) => {
                    tracing::error!("the pull-request sync cannot start its runtime: {err}")
                }
            }
        });
    match spawned {
        Ok(handle) => Some(handle),
        Err(err) => {
            tracing::error!("cannot start the pull-request sync: {err}");
            None
        }
    }
}

async fn run(shared: &Shared, repository: &str, every: Duration) {
    let Some(forge) = &shared.forge else { return };
    let remediator = shared.remediator();
    let mut stop = shared.shutdown.subscribe();
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let sync = PrSync {
            store: &shared.store,
            delivery: forge,
            remediator: &remediator,
            repository,
            actor: "remedy-daemon",
        };
        match sync.run().await {
            Ok(synced) => {
                let changed = synced
                    .iter()
                    .filter(|s| s.action != SyncAction::Open)
                    .count();
                let merged = synced
                    .iter()
                    .filter(|s| s.action == SyncAction::Resolved)
                    .count();
                shared.metrics.prs_merged(merged as u64);
                tracing::info!(
                    pull_requests = synced.len(),
                    changed,
                    "pull requests synced"
                );
            }
            Err(err) => {
                shared.metrics.store_error();
                tracing::warn!("pull-request sync failed (next try in {every:?}): {err}");
            }
        }
    }
}
