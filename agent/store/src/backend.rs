//! The two backends behind one type: SQLite (one writer connection, readers beside it) and
//! PostgreSQL (a pool), with the statements that differ between them written per dialect.

use std::time::Duration;

use super::claim;
use super::clock::Clock;
use super::error::StoreError;
use super::options::{Core, StoreOptions, StoreUrl};
use super::postgres::PostgresStore;
use super::queue::{self, ClaimScope, Completion, Lease, Retry, WorkItem};
use super::sql::Tx;
use super::sqlite::SqliteStore;

/// The store's connections on either backend: transactions, the clock, and the queue's
/// operations, each written once per dialect where they differ.
#[derive(Debug, Clone)]
pub(crate) enum Backend {
    Sqlite(SqliteStore),
    Postgres(PostgresStore),
}

impl Backend {
    pub(crate) async fn open_url(
        url: &StoreUrl,
        options: StoreOptions,
    ) -> Result<Self, StoreError> {
        let store = match url {
            StoreUrl::Sqlite(path) => Self::Sqlite(SqliteStore::open(path, options).await?),
            StoreUrl::Postgres(url) => Self::Postgres(PostgresStore::open(url, options).await?),
        };
        Ok(store)
    }

    /// The store's URL, without any password.
    pub(crate) fn label(&self) -> &str {
        &self.core().label
    }

    pub(crate) fn clock(&self) -> &Clock {
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
    pub(crate) async fn close(&self) {
        match self {
            Self::Sqlite(s) => s.close().await,
            Self::Postgres(s) => s.close().await,
        }
    }
}

impl Backend {
    pub(crate) async fn claim(
        &self,
        worker: &str,
        n: usize,
        lease: Duration,
        scope: &ClaimScope,
    ) -> Result<Vec<WorkItem>, StoreError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let core = self.core();
        let now = core.clock.now_ms();
        let mut tx = self.begin_write().await?;
        queue::reap_exhausted(&mut tx, core, now).await?;
        let items = claim::claim(&mut tx, now, worker, n, lease, scope).await?;
        tx.commit().await?;
        Ok(items)
    }

    pub(crate) async fn heartbeat(
        &self,
        lease: &Lease,
        extend: Duration,
    ) -> Result<i64, StoreError> {
        match self {
            Self::Sqlite(s) => s.heartbeat(lease, extend).await,
            Self::Postgres(s) => s.heartbeat(lease, extend).await,
        }
    }

    pub(crate) async fn complete(
        &self,
        lease: &Lease,
        outcome: &Completion,
    ) -> Result<(), StoreError> {
        match self {
            Self::Sqlite(s) => s.complete(lease, outcome).await,
            Self::Postgres(s) => s.complete(lease, outcome).await,
        }
    }

    pub(crate) async fn fail(&self, lease: &Lease, error: &str) -> Result<Retry, StoreError> {
        queue::fail(self.begin_write().await?, self.core(), lease, error).await
    }

    pub(crate) async fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        queue::release(self.begin_write().await?, self.core(), lease).await
    }
}
