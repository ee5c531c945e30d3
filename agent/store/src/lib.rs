//! The violation store and work queue: SQLite by default (a file under `.remedy/`), PostgreSQL
//! when many agent replicas share one backlog.
//!
//! A [`Store`] records audits ([`Store::record`]), lets people select violations in bulk
//! ([`Store::assign`], [`Store::dismiss`], …), answers [`Store::status`] and
//! [`Store::violations`], and is a [`Queue`] for workers. Every change of a violation appends an
//! event in the transaction that makes it. Both backends run the same SQL where the dialects
//! agree (`$n` parameters work in both); they differ in how they connect, migrate and claim.

mod claim;
mod clock;
mod error;
mod migrate;
mod postgres;
mod prs;
mod queue;
mod record;
mod repo;
mod select;
mod sql;
mod sqlite;
mod stats;
mod status;
mod types;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

pub use claim::ClaimGroups;
pub use clock::{Clock, format_day, format_time};
pub use error::{StoreError, redact};
pub use postgres::PostgresStore;
pub use prs::{PrRecord, PrState, Settlement};
pub use queue::{ClaimScope, Completion, Lease, Queue, Retry, RetryPolicy, WorkItem};
pub use record::{AuditCounts, PolicyInfo, RecordInput, RecordSummary};
pub use repo::{Repository, normalize_remote, origin_url};
pub use select::{Filter, Page, ViolationPage};
pub use sqlite::SqliteStore;
pub use stats::{PrSummary, QueueStats};
pub use status::{
    AuditPoint, Breakdown, BreakdownRow, DayActivity, FrameworkScore, NeedsHuman, Scores, StatusBy,
    StatusReport,
};
pub use types::{Event, PrRef, Priority, ResourceInfo, Status, ViolationRecord};

use sql::Tx;

/// The assignee that means "the agent": violations assigned to it form the work queue.
pub const AGENT: &str = "remedy";

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections in the pool.
    pub max_connections: u32,
    /// How long to wait for the database before giving up.
    pub connect_timeout: Duration,
    /// How failed work is retried.
    pub retry: RetryPolicy,
    pub clock: Clock,
    /// PostgreSQL only: use (and create) this schema instead of the connection's default.
    pub schema: Option<String>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 4,
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            clock: Clock::system(),
            schema: None,
        }
    }
}

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl StoreUrl {
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| StoreError::BadUrl(redact(url)))?;
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::BadUrl(redact(url)));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The default store of the repository at `root`: `sqlite://<root>/.remedy/remedy.db`.
    pub fn default_for(root: &Path) -> Self {
        Self::Sqlite(root.join(".remedy").join("remedy.db"))
    }

    /// The URL for messages: never a password.
    pub fn label(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => redact(url),
        }
    }
}

/// What every backend shares: its name for messages, its clock and its retry policy.
#[derive(Debug, Clone)]
pub(crate) struct Core {
    pub(crate) label: Arc<str>,
    pub(crate) clock: Clock,
    pub(crate) retry: RetryPolicy,
}

/// A store on either backend.
#[derive(Debug, Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Store {
    /// Open (creating and migrating on first use) the store at `url`.
    pub async fn open(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        Self::open_url(&StoreUrl::parse(url)?, options).await
    }

    pub async fn open_url(url: &StoreUrl, options: StoreOptions) -> Result<Self, StoreError> {
        let store = match url {
            StoreUrl::Sqlite(path) => Self::Sqlite(SqliteStore::open(path, options).await?),
            StoreUrl::Postgres(url) => Self::Postgres(PostgresStore::open(url, options).await?),
        };
        tracing::debug!(store = %store.label(), "store open");
        Ok(store)
    }

    /// The store's URL, without any password.
    pub fn label(&self) -> &str {
        &self.core().label
    }

    pub fn clock(&self) -> &Clock {
        &self.core().clock
    }

    pub(crate) fn core(&self) -> &Core {
        match self {
            Self::Sqlite(s) => s.core(),
            Self::Postgres(s) => s.core(),
        }
    }

    /// A transaction that will write: on SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`), so it never fails halfway on a lock upgrade.
    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        match self {
            Self::Sqlite(s) => s.begin_write().await,
            Self::Postgres(s) => s.begin().await,
        }
    }

    /// A transaction that only reads: one consistent snapshot.
    pub(crate) async fn begin_read(&self) -> Result<Tx, StoreError> {
        match self {
            Self::Sqlite(s) => s.begin_read().await,
            Self::Postgres(s) => s.begin().await,
        }
    }

    /// Close the pool, waiting for connections to finish.
    pub async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.close().await,
            Self::Postgres(s) => s.close().await,
        }
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
        match self {
            Self::Sqlite(s) => s.claim(worker, n, lease, scope).await,
            Self::Postgres(s) => s.claim(worker, n, lease, scope).await,
        }
    }

    async fn heartbeat(&self, lease: &Lease, extend: Duration) -> Result<i64, StoreError> {
        match self {
            Self::Sqlite(s) => s.heartbeat(lease, extend).await,
            Self::Postgres(s) => s.heartbeat(lease, extend).await,
        }
    }

    async fn complete(&self, lease: &Lease, outcome: &Completion) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.complete(lease, outcome).await,
            Self::Postgres(s) => s.complete(lease, outcome).await,
        }
    }

    async fn fail(&self, lease: &Lease, error: &str) -> Result<Retry, StoreError> {
        match self {
            Self::Sqlite(s) => s.fail(lease, error).await,
            Self::Postgres(s) => s.fail(lease, error).await,
        }
    }

    async fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.release(lease).await,
            Self::Postgres(s) => s.release(lease).await,
        }
    }

    async fn defer(&self, lease: &Lease, until_ms: i64, reason: &str) -> Result<(), StoreError> {
        self.defer_lease(lease, until_ms, reason).await
    }

    async fn record_attempts(
        &self,
        lease: &Lease,
        attempts: &[serde_json::Value],
    ) -> Result<(), StoreError> {
        self.insert_attempts(lease, attempts).await
    }

    fn clock(&self) -> &Clock {
        &self.core().clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_urls() {
        assert_eq!(
            StoreUrl::parse("sqlite://.remedy/remedy.db").unwrap(),
            StoreUrl::Sqlite(".remedy/remedy.db".into())
        );
        assert_eq!(
            StoreUrl::parse("sqlite:///var/lib/remedy.db").unwrap(),
            StoreUrl::Sqlite("/var/lib/remedy.db".into())
        );
        assert!(matches!(
            StoreUrl::parse("postgresql://u:p@h/db").unwrap(),
            StoreUrl::Postgres(_)
        ));
        let err = StoreUrl::parse("mysql://u:secret@h/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unsupported store URL"), "{err}");
        assert!(!err.contains("secret"), "{err}");
        assert!(StoreUrl::parse("sqlite::memory:").is_err());
        assert_eq!(
            StoreUrl::Postgres("postgres://u:p@h/db".into()).label(),
            "postgres://u@h/db"
        );
    }
}
