//! The store's API: one handle on either backend. Each method is written in the module of its
//! concern ([`crate::record`], [`crate::select`], [`crate::prs`], [`crate::stats`],
//! [`crate::status`], [`crate::lease`]); this is where they meet.

use std::collections::BTreeMap;
use std::time::Duration;

use super::backend::Backend;
use super::clock::Clock;
use super::error::StoreError;
use super::options::{StoreOptions, StoreUrl};
use super::prs::{PrRecord, PrState, Settlement};
use super::queue::{ClaimScope, Completion, Lease, Queue, Retry, WorkItem};
use super::record::{RecordInput, RecordSummary};
use super::select::{Filter, Page, ViolationPage};
use super::slots::SlotKind;
use super::stats::{PrSummary, QueueStats};
use super::status::{StatusBy, StatusReport};
use super::types::{Event, Priority, Status};
use super::{bulk, lease, prs, record, slots, stats, status};

/// A violation store on SQLite or PostgreSQL. Cheap to clone: clones share the pool.
#[derive(Debug, Clone)]
pub struct Store {
    db: Backend,
}

impl Store {
    /// Open (creating and migrating on first use) the store at `url`.
    pub async fn open(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        Self::open_url(&StoreUrl::parse(url)?, options).await
    }

    pub async fn open_url(url: &StoreUrl, options: StoreOptions) -> Result<Self, StoreError> {
        let db = Backend::open_url(url, options).await?;
        tracing::debug!(store = %db.label(), "store open");
        Ok(Self { db })
    }

    /// The store's URL, without any password.
    pub fn label(&self) -> &str {
        self.db.label()
    }

    pub fn clock(&self) -> &Clock {
        self.db.clock()
    }

    /// Close the pool, waiting for connections to finish.
    pub async fn close(&self) {
        self.db.close().await;
    }

    /// Take one slot of an hourly delivery budget (`prs_per_hour`, `commits_per_hour`) that
    /// every run and replica on this store shares: `None` when taken, else the instant
    /// (milliseconds) a slot frees. `outside`: pull requests the forge reports opened in the
    /// last hour, by branch, which count too.
    pub async fn take_delivery_slot(
        &self,
        repository: &str,
        kind: SlotKind,
        key: &str,
        per_hour: u32,
        outside: &[(String, i64)],
    ) -> Result<Option<i64>, StoreError> {
        slots::take(&self.db, repository, kind, key, per_hour, outside).await
    }

    /// The pull requests of a repository (its normalised URL) in `state`, each with the
    /// violations that wait on it.
    pub async fn prs(&self, repository: &str, state: PrState) -> Result<Vec<PrRecord>, StoreError> {
        prs::prs(&self.db, repository, state).await
    }

    /// Record what became of a pull request and settle its violations, in one transaction:
    /// each listed violation still waiting on it (`pr_open`) moves to its new status with an
    /// event naming the pull request and the reason.
    pub async fn settle_pr(
        &self,
        repository: &str,
        branch: &str,
        state: PrState,
        settlements: &[Settlement],
        actor: &str,
    ) -> Result<u64, StoreError> {
        prs::settle_pr(&self.db, repository, branch, state, settlements, actor).await
    }

    /// Append an event to each violation waiting on a pull request, without changing its
    /// status (for example: a person committed to the branch, so remedy leaves it alone).
    pub async fn note_pr(
        &self,
        repository: &str,
        branch: &str,
        kind: &str,
        data: &serde_json::Value,
        actor: &str,
    ) -> Result<u64, StoreError> {
        prs::note_pr(&self.db, repository, branch, kind, data, actor).await
    }

    /// Record an audit (see [`crate::record`]: new violations open, ones no longer
    /// seen resolve, reappearing ones reopen, dismissed ones stay dismissed).
    pub async fn record(&self, input: &RecordInput<'_>) -> Result<RecordSummary, StoreError> {
        record::record(&self.db, input).await
    }

    /// Move matching `open` violations to `assigned`, to `assignee` (the agent is
    /// [`AGENT`](crate::AGENT)); the first `limit` in priority order when given. How many moved.
    pub async fn assign(
        &self,
        filter: &Filter,
        limit: Option<u64>,
        assignee: &str,
        actor: &str,
    ) -> Result<u64, StoreError> {
        bulk::assign(&self.db, filter, limit, assignee, actor).await
    }

    /// Hand matching `assigned` and `needs_human` violations back to `open` (no assignee).
    pub async fn unassign(
        &self,
        filter: &Filter,
        limit: Option<u64>,
        actor: &str,
    ) -> Result<u64, StoreError> {
        bulk::unassign(&self.db, filter, limit, actor).await
    }

    /// Dismiss matching violations (by design, or an accepted risk) for `reason`. A dismissed
    /// violation stays dismissed across audits. Work in progress on it is abandoned: the
    /// worker's lease ends.
    pub async fn dismiss(
        &self,
        filter: &Filter,
        reason: &str,
        actor: &str,
    ) -> Result<u64, StoreError> {
        bulk::dismiss(&self.db, filter, reason, actor).await
    }

    /// Set the priority of matching violations; how many changed.
    pub async fn set_priority(
        &self,
        filter: &Filter,
        priority: Priority,
        actor: &str,
    ) -> Result<u64, StoreError> {
        bulk::set_priority(&self.db, filter, priority, actor).await
    }

    /// Set (or clear) the assignee of matching violations without changing their status;
    /// how many changed. Violations assigned to [`AGENT`](crate::AGENT) are the agent's queue.
    pub async fn set_assignee(
        &self,
        filter: &Filter,
        assignee: Option<&str>,
        actor: &str,
    ) -> Result<u64, StoreError> {
        bulk::set_assignee(&self.db, filter, assignee, actor).await
    }

    /// A page of matching violations in queue order (priority, severity, age), and the total.
    pub async fn violations(
        &self,
        filter: &Filter,
        page: Page,
    ) -> Result<ViolationPage, StoreError> {
        bulk::violations(&self.db, filter, page).await
    }

    /// The history of matching violations, oldest first.
    pub async fn events(&self, filter: &Filter) -> Result<Vec<Event>, StoreError> {
        bulk::events(&self.db, filter).await
    }

    /// Counts per status of matching violations (every status present).
    pub async fn counts(&self, filter: &Filter) -> Result<BTreeMap<Status, u64>, StoreError> {
        bulk::counts(&self.db, filter).await
    }

    /// The agent's queue within `filter` (repositories, policies…).
    pub async fn queue_stats(&self, filter: &Filter) -> Result<QueueStats, StoreError> {
        stats::queue_stats(&self.db, filter).await
    }

    /// Pull requests (branches) by most recently updated, with how many violations each holds.
    pub async fn pr_summaries(&self, limit: u64) -> Result<Vec<PrSummary>, StoreError> {
        stats::pr_summaries(&self.db, limit).await
    }

    /// The burn-down for the violations matching `filter` (scores and trend follow its
    /// repositories only), broken down `by`.
    pub async fn status(&self, filter: &Filter, by: StatusBy) -> Result<StatusReport, StoreError> {
        status::status(&self.db, filter, by).await
    }
}

impl Queue for Store {
    async fn claim(
        &self,
        worker: &str,
        n: usize,
        lease: Duration,
        scope: &ClaimScope,
    ) -> Result<Vec<WorkItem>, StoreError> {
        self.db.claim(worker, n, lease, scope).await
    }

    async fn heartbeat(&self, lease: &Lease, extend: Duration) -> Result<i64, StoreError> {
        self.db.heartbeat(lease, extend).await
    }

    async fn complete(&self, lease: &Lease, completion: &Completion) -> Result<(), StoreError> {
        self.db.complete(lease, completion).await
    }

    async fn fail(&self, lease: &Lease, error: &str) -> Result<Retry, StoreError> {
        self.db.fail(lease, error).await
    }

    async fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        self.db.release(lease).await
    }

    async fn defer(&self, lease: &Lease, until_ms: i64, reason: &str) -> Result<(), StoreError> {
        lease::defer_lease(&self.db, lease, until_ms, reason).await
    }

    async fn record_attempts(
        &self,
        lease: &Lease,
        attempts: &[serde_json::Value],
    ) -> Result<(), StoreError> {
        lease::insert_attempts(&self.db, lease, attempts).await
    }

    fn clock(&self) -> &Clock {
        self.db.clock()
    }
}
