//! The worker pool: each worker is an OS thread with its own small runtime (remediation is CPU
//! work; it must not starve the HTTP API), claiming one violation at a time under a lease.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use remedy_guardrails::PolicySet;
use remedy_tools::git::{Author, Repo};
use tokio::sync::watch;
use tracing::Instrument;

use super::metrics::Metrics;
use crate::deliver::LocalBranches;
use crate::remediate::{LlmFixer, ProviderChoice, Remediator, TeamValues};
use crate::store::{ClaimScope, Lease, Queue, Store, WorkItem};
use crate::worker::{self, Processed};

/// Everything the workers share.
pub struct Shared {
    pub store: Store,
    pub policies: Arc<PolicySet>,
    pub values: TeamValues,
    pub provider: ProviderChoice,
    pub llm: Option<Arc<dyn LlmFixer>>,
    pub max_attempts: usize,
    pub metrics: Arc<Metrics>,
    /// The repository's work tree (or git directory).
    pub root: PathBuf,
    /// The base branch fixes are made against (re-resolved for every violation).
    pub base: String,
    pub scope: ClaimScope,
    pub lease: Duration,
    pub poll: Duration,
    pub workers: usize,
    pub exit_when_idle: bool,
    pub shutdown: watch::Sender<bool>,
    /// The lease each busy worker holds, so a shutdown past its deadline can hand them back.
    pub in_flight: Mutex<BTreeMap<usize, Lease>>,
    idle: AtomicUsize,
    /// Whether the last store round trip worked (for `/readyz`).
    pub store_ok: AtomicBool,
}

impl Shared {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        store: Store,
        policies: Arc<PolicySet>,
        metrics: Arc<Metrics>,
        root: PathBuf,
        base: String,
        scope: ClaimScope,
        workers: usize,
        shutdown: watch::Sender<bool>,
    ) -> Self {
        Self {
            store,
            policies,
            values: TeamValues::new(),
            provider: ProviderChoice::Auto,
            llm: None,
            max_attempts: 3,
            metrics,
            root,
            base,
            scope,
            lease: Duration::from_secs(600),
            poll: Duration::from_secs(5),
            workers: workers.max(1),
            exit_when_idle: false,
            shutdown,
            in_flight: Mutex::new(BTreeMap::new()),
            idle: AtomicUsize::new(0),
            store_ok: AtomicBool::new(true),
        }
    }

    fn remediator(&self) -> Remediator<'_> {
        let mut remediator = Remediator::new(&self.policies);
        remediator.values = self.values.clone();
        remediator.provider = self.provider;
        remediator.llm = self.llm.clone();
        remediator.max_attempts = self.max_attempts;
        remediator
    }

    fn stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Leases held by workers that are still busy.
    pub fn leases_in_flight(&self) -> Vec<Lease> {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .cloned()
            .collect()
    }
}

/// Start the workers.
pub fn start(shared: &Arc<Shared>) -> Vec<JoinHandle<()>> {
    shared
        .metrics
        .workers(i64::try_from(shared.workers).unwrap_or(i64::MAX));
    (0..shared.workers)
        .map(|i| {
            let shared = Arc::clone(shared);
            std::thread::Builder::new()
                .name(format!("remedy-worker-{i}"))
                .spawn(move || {
                    match tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                    {
                        Ok(runtime) => runtime.block_on(run(i, &shared)),
                        Err(err) => tracing::error!("worker {i} cannot start its runtime: {err}"),
                    }
                })
        })
        .filter_map(|spawned| match spawned {
            Ok(handle) => Some(handle),
            Err(err) => {
                tracing::error!("cannot start a worker thread: {err}");
                None
            }
        })
        .collect()
}

/// Sleep, or return early when shutdown starts.
async fn pause(shared: &Shared, for_: Duration) {
    let mut rx = shared.shutdown.subscribe();
    if *rx.borrow() {
        return;
    }
    tokio::select! {
        () = tokio::time::sleep(for_) => {}
        _ = rx.changed() => {}
    }
}

async fn run(i: usize, shared: &Shared) {
    let worker = format!("{}-{}-w{i}", hostname(), std::process::id());
    let remediator = shared.remediator();
    let mut backoff = Duration::from_millis(250);
    let mut idle = false;
    tracing::debug!(worker, "worker started");
    while !shared.stopping() {
        let claimed = shared
            .store
            .claim(&worker, 1, shared.lease, &shared.scope)
            .await;
        let item = match claimed {
            Ok(items) => {
                shared.store_ok.store(true, Ordering::Relaxed);
                shared.metrics.store_ok(shared.store.clock().now_ms());
                backoff = Duration::from_millis(250);
                items.into_iter().next()
            }
            Err(err) => {
                shared.store_ok.store(false, Ordering::Relaxed);
                shared.metrics.store_error();
                tracing::warn!(worker, "cannot claim work (retrying in {backoff:?}): {err}");
                pause(shared, backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(30));
                continue;
            }
        };
        let Some(item) = item else {
            if !idle {
                idle = true;
                shared.idle.fetch_add(1, Ordering::SeqCst);
            }
            if shared.exit_when_idle && shared.idle.load(Ordering::SeqCst) >= shared.workers {
                // Every worker found the queue empty: nothing is left for this run.
                let _ = shared.shutdown.send(true);
                break;
            }
            pause(shared, shared.poll).await;
            continue;
        };
        if idle {
            idle = false;
            shared.idle.fetch_sub(1, Ordering::SeqCst);
        }
        work(shared, &remediator, &worker, item).await;
    }
    tracing::debug!(worker, "worker stopped");
}

async fn work(shared: &Shared, remediator: &Remediator<'_>, worker: &str, item: WorkItem) {
    let slot = worker_slot(worker);
    shared
        .in_flight
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(slot, item.lease.clone());
    shared.metrics.busy(1);
    let span = tracing::info_span!(
        "violation",
        fingerprint = %item.violation.fingerprint,
        policy = %item.violation.policy,
        worker
    );
    let result = process(shared, remediator, item).instrument(span).await;
    shared.metrics.busy(-1);
    shared
        .in_flight
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&slot);
    match result {
        Ok(processed) => {
            tracing::info!(
                fingerprint = %processed.fingerprint,
                outcome = processed.outcome,
                reason = processed.reason.as_deref().unwrap_or(""),
                "processed"
            );
            shared.metrics.processed(&processed);
        }
        Err(err) => {
            shared.metrics.store_error();
            tracing::warn!("{err:#}");
        }
    }
}

async fn process(
    shared: &Shared,
    remediator: &Remediator<'_>,
    item: WorkItem,
) -> anyhow::Result<Processed> {
    // A fresh handle per violation: the base may have moved since the last one.
    let repo = Repo::discover(&shared.root)?;
    let base = repo.resolve(&shared.base)?;
    let delivery = LocalBranches::new(Repo::discover(&shared.root)?, base, Author::default());
    let source = worker::Source { repo: &repo, base };
    Ok(worker::process(
        &shared.store,
        remediator,
        &source,
        &delivery,
        item,
        shared.lease,
        false,
    )
    .await?)
}

/// The worker's index from its name (`…-w3` → 3).
fn worker_slot(worker: &str) -> usize {
    worker
        .rsplit_once("-w")
        .and_then(|(_, n)| n.parse().ok())
        .unwrap_or(0)
}

/// This machine's name, for worker ids (replicas on several machines stay apart).
pub fn hostname() -> String {
    std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_string())
        })
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "remedy".into())
}
