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

use super::error::{StoreError, classify};
use super::migrate::{migrate_error, migrator};
use super::options::{Core, StoreOptions};
use super::queue::{self, Completion, Lease};
use super::sql::{Dialect, Tx};

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

/// remedy's own directory in a repository (`.remedy/`, the default store's) ignores itself, so
/// recording an audit leaves the user's `git status` as it was.
fn keep_out_of_git(dir: &Path) {
    if dir.file_name().is_none_or(|name| name != ".remedy") {
        return;
    }
    let ignore = dir.join(".gitignore");
    if !ignore.exists()
        && let Err(err) = std::fs::write(&ignore, "# remedy's local store\n*\n")
    {
        tracing::warn!(path = %ignore.display(), "cannot write: {err}");
    }
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
            keep_out_of_git(dir);
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

/// The queue's operations for this backend; [`crate::Store`] dispatches to them.
impl SqliteStore {
    pub(crate) async fn heartbeat(
        &self,
        lease: &Lease,
        extend: Duration,
    ) -> Result<i64, StoreError> {
        queue::heartbeat(self.begin_write().await?, &self.core, lease, extend).await
    }

    pub(crate) async fn complete(
        &self,
        lease: &Lease,
        outcome: &Completion,
    ) -> Result<(), StoreError> {
        queue::complete(self.begin_write().await?, &self.core, lease, outcome).await
    }
}
