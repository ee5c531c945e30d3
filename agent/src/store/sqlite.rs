//! The SQLite backend: one file, WAL mode, writers serialised by `BEGIN IMMEDIATE` (waiting up
//! to the busy timeout for the lock), claims as a select-and-`UPDATE … RETURNING` inside that
//! transaction. Safe across processes on one machine.
//!
//! Within a process, writes go through a pool of one connection: tasks queue for it fairly
//! instead of meeting in SQLite's busy handler, which sleeps in steps of up to 100 ms. Reads
//! have a pool of their own and run beside the writer (WAL).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

use super::clock::millis;
use super::error::{StoreError, classify};
use super::migrate::{migrate_error, migrator};
use super::queue::{self, ClaimScope, Lease, Outcome, QUEUE_ORDER, Queue, Retry, WorkItem};
use super::sql::{Dialect, Sql, Tx};
use super::{Core, StoreOptions};

/// How long a writer waits for another to finish before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// A store in an SQLite file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// One connection: the process's writer.
    writer: SqlitePool,
    readers: SqlitePool,
    core: Core,
}

impl SqliteStore {
    /// Open the file at `path` (creating it and its directory), migrating it on first use.
    pub async fn open(path: &Path, options: StoreOptions) -> Result<Self, StoreError> {
        let label: Arc<str> = format!("sqlite://{}", path.display()).into();
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| StoreError::Open {
                store: label.to_string(),
                detail: format!("cannot create {}: {e}", dir.display()),
            })?;
        }
        if path.is_dir() {
            return Err(StoreError::Open {
                store: label.to_string(),
                detail: "that is a directory; give the path of a file".into(),
            });
        }
        let connect = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true);
        // Waiting for the pooled writer is waiting for other writers: as long as for the lock.
        let acquire_timeout = BUSY_TIMEOUT + options.connect_timeout;
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .acquire_timeout(acquire_timeout)
            .connect_with(connect.clone())
            .await
            .map_err(|e| classify(&label, &e))?;
        let readers = SqlitePoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(acquire_timeout)
            .connect_lazy_with(connect);
        let store = Self {
            writer,
            readers,
            core: Core {
                label,
                clock: options.clock,
                retry: options.retry,
            },
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Apply pending migrations under the write lock, so that processes opening a new store at
    /// the same moment do not race.
    async fn migrate(&self) -> Result<(), StoreError> {
        let label = &self.core.label;
        let migrator = migrator(Dialect::Sqlite)
            .await
            .map_err(|e| migrate_error(label, e))?;
        let mut tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| classify(label, &e))?;
        migrator
            .run_direct(&mut *tx)
            .await
            .map_err(|e| migrate_error(label, e))?;
        tx.commit().await.map_err(|e| classify(label, &e))
    }

    pub(crate) fn core(&self) -> &Core {
        &self.core
    }

    pub(crate) async fn begin_write(&self) -> Result<Tx, StoreError> {
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| classify(&self.core.label, &e))?;
        Ok(Tx::sqlite(tx, self.core.label.clone()))
    }

    pub(crate) async fn begin_read(&self) -> Result<Tx, StoreError> {
        let tx = self
            .readers
            .begin()
            .await
            .map_err(|e| classify(&self.core.label, &e))?;
        Ok(Tx::sqlite(tx, self.core.label.clone()))
    }

    pub(crate) async fn close(&self) {
        self.writer.close().await;
        self.readers.close().await;
    }
}

impl Queue for SqliteStore {
    async fn claim(
        &self,
        worker: &str,
        n: usize,
        lease: Duration,
        scope: &ClaimScope,
    ) -> Result<Vec<WorkItem>, StoreError> {
        if n == 0 {
            return Ok(Vec::new());
        }
        let now = self.core.clock.now_ms();
        let expires = now.saturating_add(millis(lease));
        let token = queue::new_token();
        let mut tx = self.begin_write().await?;
        queue::reap_exhausted(&mut tx, &self.core, now).await?;

        // Without statistics SQLite would pick the status index and sort the whole backlog on
        // every claim; the queue index is already in claim order.
        let mut pick = Sql::new(
            "SELECT v.id, v.status, v.lease_owner FROM violations v INDEXED BY violations_queue \
             WHERE ",
        );
        queue::write_claimable(&mut pick, now, scope);
        pick.push(" ORDER BY ")
            .push(QUEUE_ORDER)
            .push(" LIMIT ")
            .bind(i64::try_from(n).unwrap_or(i64::MAX));
        let picked = tx
            .fetch_map(&pick, |r| {
                Ok((r.int("id")?, r.text("status")?, r.opt_text("lease_owner")?))
            })
            .await?;
        if picked.is_empty() {
            tx.commit().await?;
            return Ok(Vec::new());
        }

        let mut update = Sql::new(
            "UPDATE violations SET status = 'in_progress', attempts = attempts + 1, lease_owner = ",
        );
        update
            .bind(worker)
            .push(", lease_token = ")
            .bind(token)
            .push(", lease_expires_at = ")
            .bind(expires)
            .push(", updated_at = ")
            .bind(now)
            .push(" WHERE id IN ")
            .bind_list(picked.iter().map(|(id, _, _)| *id))
            .push(" RETURNING id, attempts");
        let attempts: std::collections::HashMap<i64, i64> = tx
            .fetch_map(&update, |r| Ok((r.int("id")?, r.int("attempts")?)))
            .await?
            .into_iter()
            .collect();
        let events: Vec<(i64, String, Option<String>, i64)> = picked
            .into_iter()
            .map(|(id, status, owner)| {
                // The previous holder is named only when its lease had expired.
                let expired = if status == "in_progress" { owner } else { None };
                (id, status, expired, attempts.get(&id).copied().unwrap_or(0))
            })
            .collect();
        queue::insert_claim_events(&mut tx, &events, worker, now, expires).await?;
        let ids: Vec<i64> = events.iter().map(|e| e.0).collect();
        let items = queue::items(&mut tx, &ids, worker, token, expires).await?;
        tx.commit().await?;
        Ok(items)
    }

    async fn heartbeat(&self, lease: &Lease, extend: Duration) -> Result<i64, StoreError> {
        queue::heartbeat(self.begin_write().await?, &self.core, lease, extend).await
    }

    async fn complete(&self, lease: &Lease, outcome: &Outcome) -> Result<(), StoreError> {
        queue::complete(self.begin_write().await?, &self.core, lease, outcome).await
    }

    async fn fail(&self, lease: &Lease, error: &str) -> Result<Retry, StoreError> {
        queue::fail(self.begin_write().await?, &self.core, lease, error).await
    }

    async fn release(&self, lease: &Lease) -> Result<(), StoreError> {
        queue::release(self.begin_write().await?, &self.core, lease).await
    }
}
