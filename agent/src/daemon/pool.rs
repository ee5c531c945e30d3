//! The worker pool: each worker is an OS thread with its own small runtime (remediation is CPU
//! work; it must not starve the HTTP API), claiming a batch of violations at a time under leases.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use remedy_git::Repo;
use remedy_guardrails::PolicySet;
use tokio::sync::watch;
use tracing::Instrument;

use remedy_deliver::forge::ForgeDelivery;
use remedy_deliver::{Delivery, DeliverySettings, GitHubSettings, setup};
use remedy_remediate::{LlmFixer, ProviderChoice, Remediator, TeamValues, Validator};
use remedy_store::{ClaimScope, Filter, Lease, Queue, Status, Store, WorkItem};

use super::metrics::Metrics;
use crate::pipeline::{GroupLocks, Pipeline, Processed, Target};

/// Where accepted fixes go: the `[delivery]`/`[github]` settings with the flags applied.
#[derive(Debug, Clone, Default)]
pub struct DeliveryConfig {
    pub settings: DeliverySettings,
    pub github: GitHubSettings,
    pub data_dir: PathBuf,
}

/// Everything the workers share.
pub struct Shared {
    pub store: Store,
    pub policies: Arc<PolicySet>,
    pub values: TeamValues,
    pub provider: ProviderChoice,
    pub llm: Option<Arc<dyn LlmFixer>>,
    pub max_attempts: usize,
    /// The gate's `validate` check (`[gate] validate`), shared so the unfixed programs' checker
    /// runs are cached across workers.
    pub validator: Option<Arc<Validator>>,
    pub metrics: Arc<Metrics>,
    /// The repository's work tree (or git directory).
    pub root: PathBuf,
    /// The base branch fixes are made against (re-resolved for every violation).
    pub base: String,
    pub scope: ClaimScope,
    pub delivery: DeliveryConfig,
    /// GitHub delivery, built once: its managed clone, git lock and rate limits are the whole
    /// process's, shared by every worker and the pull-request sync.
    pub forge: Option<Arc<ForgeDelivery>>,
    /// Violations a worker claims at once (grouped delivery fixes a group together).
    pub batch: usize,
    pub lease: Duration,
    pub poll: Duration,
    pub workers: usize,
    pub exit_when_idle: bool,
    pub shutdown: watch::Sender<bool>,
    /// The leases each busy worker holds, so a shutdown past its deadline can hand them back.
    pub in_flight: Mutex<BTreeMap<usize, Vec<Lease>>>,
    /// One worker per delivery group at a time.
    group_locks: GroupLocks,
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
            validator: None,
            metrics,
            root,
            base,
            scope,
            delivery: DeliveryConfig {
                data_dir: remedy_deliver::clone::data_dir(),
                ..DeliveryConfig::default()
            },
            forge: None,
            batch: 8,
            lease: Duration::from_secs(600),
            poll: Duration::from_secs(5),
            workers: workers.max(1),
            exit_when_idle: false,
            shutdown,
            in_flight: Mutex::new(BTreeMap::new()),
            group_locks: GroupLocks::default(),
            idle: AtomicUsize::new(0),
            store_ok: AtomicBool::new(true),
        }
    }

    pub fn remediator(&self) -> Remediator<'_> {
        let mut remediator = Remediator::new(&self.policies);
        remediator.values = self.values.clone();
        remediator.provider = self.provider;
        remediator.llm = self.llm.clone();
        remediator.max_attempts = self.max_attempts;
        remediator.validator = self.validator.clone();
        remediator
    }

    pub fn stopping(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Leases held by workers that are still busy.
    pub fn leases_in_flight(&self) -> Vec<Lease> {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .values()
            .flatten()
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
            .claim(&worker, shared.batch, shared.lease, &shared.scope)
            .await;
        let items = match claimed {
            Ok(items) => {
                shared.store_ok.store(true, Ordering::Relaxed);
                shared.metrics.store_ok(shared.store.clock().now_ms());
                backoff = Duration::from_millis(250);
                items
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
        if items.is_empty() {
            if !idle {
                idle = true;
                shared.idle.fetch_add(1, Ordering::SeqCst);
            }
            if shared.exit_when_idle
                && shared.idle.load(Ordering::SeqCst) >= shared.workers
                && !held_elsewhere(shared).await
            {
                // Every worker found the queue empty: nothing is left for this run.
                let _ = shared.shutdown.send(true);
                break;
            }
            pause(shared, shared.poll).await;
            continue;
        }
        if idle {
            idle = false;
            shared.idle.fetch_sub(1, Ordering::SeqCst);
        }
        work(shared, &remediator, &worker, items).await;
    }
    tracing::debug!(worker, "worker stopped");
}

/// Whether violations in scope are still leased, by another replica or by a process that died
/// (its leases come back when they expire): a batch run waits for those rather than exit with
/// work outstanding. An unreadable store counts as held: the run goes on and retries.
async fn held_elsewhere(shared: &Shared) -> bool {
    let filter = Filter {
        repositories: shared.scope.repository.iter().cloned().collect(),
        policies: shared.scope.policies.clone(),
        statuses: vec![Status::InProgress],
        ..Filter::default()
    };
    match shared.store.counts(&filter).await {
        Ok(counts) => counts.values().any(|n| *n > 0),
        Err(err) => {
            tracing::warn!("cannot count leased violations: {err}");
            true
        }
    }
}

async fn work(shared: &Shared, remediator: &Remediator<'_>, worker: &str, items: Vec<WorkItem>) {
    let slot = worker_slot(worker);
    let leases: Vec<Lease> = items.iter().map(|i| i.lease.clone()).collect();
    shared
        .in_flight
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(slot, leases.clone());
    shared.metrics.busy(1);
    let span = tracing::info_span!("batch", worker, violations = items.len());
    let result = process(shared, remediator, items).instrument(span).await;
    shared.metrics.busy(-1);
    shared
        .in_flight
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .remove(&slot);
    match result {
        Ok(processed) => {
            for p in &processed {
                tracing::info!(
                    fingerprint = %p.fingerprint,
                    outcome = p.outcome.label(),
                    reason = p.outcome.reason().unwrap_or(""),
                    "processed"
                );
                shared.metrics.processed(p);
            }
            // A batch's violations share their pull request: count each one once.
            let opened: std::collections::BTreeSet<&str> = processed
                .iter()
                .filter_map(|p| p.outcome.delivered())
                .filter(|d| d.opened)
                .map(|d| d.pr.branch.as_str())
                .collect();
            shared.metrics.prs_opened(opened.len() as u64);
        }
        Err(err) => {
            shared.metrics.store_error();
            tracing::warn!("{err:#}");
            // Nothing was recorded for these: hand them back rather than wait for expiry.
            for lease in &leases {
                let _ = shared.store.release(lease).await;
            }
        }
    }
}

async fn process(
    shared: &Shared,
    remediator: &Remediator<'_>,
    items: Vec<WorkItem>,
) -> anyhow::Result<Vec<Processed>> {
    let pipeline = |delivery| Pipeline {
        queue: &shared.store,
        remediator,
        target: Target::Deliver(delivery),
        locks: &shared.group_locks,
        lease: shared.lease,
    };
    if let Some(forge) = &shared.forge {
        return Ok(pipeline(forge.as_ref()).work(items).await?);
    }
    // Local branches: a fresh repository handle per batch, since the base may have moved.
    let repo = Repo::discover(&shared.root)?;
    let base = repo.resolve(&shared.base)?;
    let config = &shared.delivery;
    let delivery: Arc<dyn Delivery> = setup::build(setup::Setup {
        repo: &repo,
        base_name: &shared.base,
        base,
        settings: config.settings.clone(),
        github: config.github.clone(),
        data_dir: config.data_dir.clone(),
        token: None,
        store: None,
        clock: shared.store.clock().clone(),
        retry: remedy_forge::RetryPolicy::default(),
    })?;
    Ok(pipeline(delivery.as_ref()).work(items).await?)
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
