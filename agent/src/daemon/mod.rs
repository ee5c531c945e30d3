//! `remedy run`: the long-running agent. A pool of workers drains the queue (claim → remediate →
//! deliver → complete, each lease kept alive), the repository is re-audited on a schedule so new
//! violations are recorded and fixed ones resolve, and an HTTP API serves assignments, status and
//! metrics; with GitHub delivery, remedy's pull requests are synced on a schedule (merged ones
//! resolve after a re-audit, closed ones go to a human). SIGTERM/SIGINT drain: claiming stops, in-flight work may finish until a deadline, the
//! rest is handed back. A SIGKILL loses nothing: leases expire and the work is claimed again.

pub mod http;
pub mod metrics;
pub mod pool;
mod pr_sync;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use serde::Deserialize;
use tokio::sync::watch;

use crate::audit;
use crate::enforcement::Enforcement;
use pool::Shared;
use remedy_git::FileAt;
use remedy_store::{PolicyInfo, Queue, Repository};

/// `[daemon]` in `remedy.toml`; every key also a flag of `remedy run`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DaemonSettings {
    /// Where the HTTP API listens.
    pub listen: String,
    /// Workers (each handles one violation at a time).
    pub concurrency: usize,
    /// The branch fixes are made against (default: the branch checked out at start).
    pub base: Option<String>,
    /// How long a claim lasts without a heartbeat.
    pub lease_secs: u64,
    /// How often an idle worker looks for work.
    pub poll_secs: u64,
    /// How often the repository is re-audited and the result recorded (0: never).
    pub audit_interval_secs: u64,
    /// How long in-flight work may run after SIGTERM before its leases are handed back.
    pub shutdown_deadline_secs: u64,
    /// How often remedy's open pull requests are synced (GitHub delivery; 0: never).
    pub sync_interval_secs: u64,
    /// Names the API answers to besides loopback names and the listen address (for a DNS name
    /// or a proxy in front of it).
    pub hosts: Vec<String>,
    /// Reads need `Authorization: Bearer $REMEDY_API_TOKEN` too (the health probes excepted).
    pub read_token: bool,
}

impl Default for DaemonSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:7807".into(),
            concurrency: std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
            base: None,
            lease_secs: 600,
            poll_secs: 5,
            audit_interval_secs: 900,
            shutdown_deadline_secs: 30,
            sync_interval_secs: 300,
            hosts: Vec::new(),
            read_token: false,
        }
    }
}

/// What `run` needs beyond its settings.
pub struct Daemon {
    pub settings: DaemonSettings,
    pub shared: Arc<Shared>,
    pub enforcement: Arc<Enforcement>,
    pub repository: Repository,
    /// Stop once the queue is empty (for batch runs and benchmarks).
    pub exit_when_idle: bool,
    pub api_token: Option<String>,
}

impl Daemon {
    /// Serve until a signal, or until idle with `exit_when_idle`.
    pub async fn run(self) -> Result<()> {
        let addr: SocketAddr = self.settings.listen.parse().with_context(|| {
            format!(
                "daemon.listen: `{}` is not an address like 127.0.0.1:7807",
                self.settings.listen
            )
        })?;
        http::check_listen(&addr, self.api_token.as_deref()).map_err(anyhow::Error::msg)?;
        if self.settings.read_token && self.api_token.as_deref().is_none_or(str::is_empty) {
            anyhow::bail!("daemon.read_token needs REMEDY_API_TOKEN in the environment");
        }
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        let bound = listener.local_addr().unwrap_or(addr);
        tracing::info!(
            listen = %bound,
            workers = self.shared.workers,
            store = self.shared.store.label(),
            repository = %self.repository.url,
            "remedy run: serving"
        );
        let daemon = Arc::new(self);
        let shutdown = daemon.shared.shutdown.clone();

        let api = Arc::new(http::Api {
            shared: Arc::clone(&daemon.shared),
            // On loopback the Host check alone keeps browsers out, unless reads are guarded.
            token: if bound.ip().is_loopback() && !daemon.settings.read_token {
                None
            } else {
                daemon.api_token.clone()
            },
            read_token: daemon.settings.read_token,
            hosts: http::Hosts {
                listen: bound.ip(),
                names: daemon.settings.hosts.clone(),
            },
            started: Instant::now(),
        });
        let mut stop = shutdown.subscribe();
        let server = tokio::spawn(async move {
            let served = axum::serve(listener, http::router(api))
                .with_graceful_shutdown(async move {
                    let _ = stop.wait_for(|s| *s).await;
                })
                .await;
            if let Err(err) = served {
                tracing::error!("the HTTP API stopped: {err}");
            }
        });
        // Record the base first, so the queue reflects it before work starts.
        if daemon.settings.audit_interval_secs > 0
            && let Err(err) = daemon.audit_once().await
        {
            tracing::warn!("initial audit failed: {err:#}");
        }
        let auditor = (daemon.settings.audit_interval_secs > 0).then(|| {
            let d = Arc::clone(&daemon);
            tokio::spawn(async move { d.audit_loop().await })
        });
        let workers = pool::start(&daemon.shared);
        let syncer = pr_sync::start(
            &daemon.shared,
            &daemon.repository,
            Duration::from_secs(daemon.settings.sync_interval_secs),
        );

        wait_for_signal(&shutdown).await;
        let deadline = Duration::from_secs(daemon.settings.shutdown_deadline_secs);
        tracing::info!("draining: no new claims; in-flight work has {deadline:?} to finish");
        let _ = shutdown.send(true);
        drain(workers, &daemon.shared, deadline).await;
        if let Some(syncer) = syncer {
            let _ = tokio::task::spawn_blocking(move || syncer.join()).await;
        }
        if let Some(task) = auditor {
            task.abort();
        }
        let _ = server.await;
        daemon.shared.store.close().await;
        tracing::info!("stopped");
        Ok(())
    }

    /// Re-audit the base on a schedule and record it: new violations open, fixed ones resolve.
    async fn audit_loop(&self) {
        let every = Duration::from_secs(self.settings.audit_interval_secs);
        let mut stop = self.shared.shutdown.subscribe();
        loop {
            tokio::select! {
                () = tokio::time::sleep(every) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
            if let Err(err) = self.audit_once().await {
                tracing::warn!("re-audit failed (next try in {every:?}): {err:#}");
            }
        }
    }

    async fn audit_once(&self) -> Result<()> {
        let root = self.shared.root.clone();
        let base = self.shared.base.clone();
        let policies = Arc::clone(&self.shared.policies);
        let enforcement = Arc::clone(&self.enforcement);
        let forge = self.shared.forge.clone();
        let report = tokio::task::spawn_blocking(move || -> Result<audit::AuditReport> {
            // With a forge, the base as the remote has it: merged pull requests land there,
            // and the local checkout may be behind.
            let (repo, commit) = match &forge {
                Some(forge) => forge.fetch_base()?,
                None => {
                    let repo = remedy_git::Repo::discover(&root)?;
                    let commit = repo.resolve(&base)?;
                    (repo, commit)
                }
            };
            let mut files = Vec::new();
            let mut unreadable = Vec::new();
            for name in repo.program_files(commit)? {
                match repo.read_capped(commit, &name, audit::MAX_FILE_BYTES)? {
                    FileAt::Text(text) => files.push((name, text)),
                    FileAt::NotText => unreadable.push((name, "not UTF-8 text".to_string())),
                    FileAt::TooLarge(bytes) => unreadable.push((
                        name,
                        format!(
                            "{} MiB, larger than the {} MiB limit for program files",
                            bytes / (1024 * 1024),
                            audit::MAX_FILE_BYTES / (1024 * 1024)
                        ),
                    )),
                    FileAt::Missing => {}
                }
            }
            let mut report = audit::run_texts(root, &files, &policies);
            // A file that cannot be read is not a fixed file.
            report.mark_unreadable(unreadable);
            report.apply_enforcement(&enforcement);
            Ok(report)
        })
        .await
        .context("the audit task failed")??;
        let summary = self
            .shared
            .store
            .record(&report.record_input(
                &self.repository,
                &PolicyInfo::from_set(&self.shared.policies),
                &[],
                "remedy-daemon",
            ))
            .await?;
        tracing::info!(
            violations = summary.violations,
            opened = summary.opened,
            resolved = summary.resolved,
            reopened = summary.reopened,
            "re-audit recorded"
        );
        Ok(())
    }
}

/// A signal, or the pool deciding it is done.
async fn wait_for_signal(shutdown: &watch::Sender<bool>) {
    let mut done = shutdown.subscribe();
    let idle = async move {
        let _ = done.wait_for(|s| *s).await;
    };
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (Ok(mut term), Ok(mut int)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) else {
            idle.await;
            return;
        };
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM"),
            _ = int.recv() => tracing::info!("SIGINT"),
            () = idle => {}
        }
    }
    #[cfg(not(unix))]
    {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            () = idle => {}
        }
    }
}

/// Wait for the workers up to `deadline`; then hand back the leases still held.
async fn drain(workers: Vec<std::thread::JoinHandle<()>>, shared: &Shared, deadline: Duration) {
    let started = Instant::now();
    while workers.iter().any(|w| !w.is_finished()) && started.elapsed() < deadline {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (done, stuck): (Vec<_>, Vec<_>) = workers
        .into_iter()
        .partition(std::thread::JoinHandle::is_finished);
    for w in done {
        let _ = w.join();
    }
    if stuck.is_empty() {
        return;
    }
    let leases = shared.leases_in_flight();
    tracing::warn!(
        workers = stuck.len(),
        leases = leases.len(),
        "deadline passed: handing back the work still in flight"
    );
    for lease in leases {
        if let Err(err) = shared.store.release(&lease).await {
            tracing::warn!(fingerprint = %lease.fingerprint, "cannot release: {err}");
        }
    }
}
