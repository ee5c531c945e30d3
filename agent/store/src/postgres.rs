//! The PostgreSQL backend, for many agent replicas on many machines: claims lock their rows with
//! `FOR UPDATE SKIP LOCKED`, so concurrent workers never wait on, or take, each other's work.

use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::{ConnectOptions, Connection};

use super::error::{StoreError, classify, redact};
use super::migrate::{migrate_error, migrator};
use super::options::{Core, StoreOptions};
use super::queue::{self, Completion, Lease};
use super::sql::{Dialect, Tx};

/// A store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    core: Core,
}

fn valid_schema(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

impl PostgresStore {
    /// Connect to `url`, migrating the database (or `options.schema`) on first use.
    pub async fn open(url: &str, options: StoreOptions) -> Result<Self, StoreError> {
        let label: Arc<str> = redact(url).into();
        let store = label.to_string();
        let mut connect = PgConnectOptions::from_str(url).map_err(|e| StoreError::Open {
            store: store.clone(),
            detail: e.to_string(),
        })?;

        // One direct connection first: the pool retries a refused connection until its
        // timeout and then reports only that it timed out; this says why.
        let first = tokio::time::timeout(options.connect_timeout, connect.connect())
            .await
            .map_err(|_| StoreError::Unreachable {
                store: store.clone(),
                detail: format!("no answer within {:?}", options.connect_timeout),
            })?;
        let mut first = first.map_err(|e| match classify(&label, &e) {
            StoreError::Query { store, detail } => StoreError::Unreachable { store, detail },
            other => other,
        })?;

        if let Some(schema) = &options.schema {
            if !valid_schema(schema) {
                return Err(StoreError::Invalid(format!(
                    "invalid schema name `{schema}`: use lower-case letters, digits and _"
                )));
            }
            sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS {schema}"))
                .execute(&mut first)
                .await
                .map_err(|e| classify(&label, &e))?;
            connect = connect.options([("search_path", schema.as_str())]);
        }
        let _ = first.close().await;

        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.connect_timeout)
            .connect_with(connect)
            .await
            .map_err(|e| classify(&label, &e))?;
        let migrator = migrator(Dialect::Postgres)
            .await
            .map_err(|e| migrate_error(&label, e))?;
        // sqlx holds an advisory lock while it migrates: replicas starting together are safe.
        migrator
            .run(&pool)
            .await
            .map_err(|e| migrate_error(&label, e))?;
        Ok(Self {
            pool,
            core: Core {
                label,
                clock: options.clock,
                retry: options.retry,
            },
        })
    }

    pub(crate) fn core(&self) -> &Core {
        &self.core
    }

    pub(crate) async fn begin(&self) -> Result<Tx, StoreError> {
        let tx = self
            .pool
            .begin()
            .await
            .map_err(|e| classify(&self.core.label, &e))?;
        Ok(Tx::postgres(tx, self.core.label.clone()))
    }

    /// A connection for one self-contained statement (no BEGIN/COMMIT round trips).
    async fn single(&self) -> Result<Tx, StoreError> {
        let conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| classify(&self.core.label, &e))?;
        Ok(Tx::postgres_single(conn, self.core.label.clone()))
    }

    pub(crate) async fn close(&self) {
        self.pool.close().await;
    }
}

/// The queue's operations for this backend; [`crate::Store`] dispatches to them.
impl PostgresStore {
    pub(crate) async fn heartbeat(
        &self,
        lease: &Lease,
        extend: Duration,
    ) -> Result<i64, StoreError> {
        queue::heartbeat(self.single().await?, &self.core, lease, extend).await
    }

    pub(crate) async fn complete(
        &self,
        lease: &Lease,
        outcome: &Completion,
    ) -> Result<(), StoreError> {
        let now = self.core.clock.now_ms();
        match queue::complete_statement(lease, outcome, now) {
            Some(sql) => {
                let done = self.single().await?.fetch_all(&sql).await?;
                if done.is_empty() {
                    return Err(queue::lease_lost(lease));
                }
                Ok(())
            }
            // A pull request row, the change and its event: one transaction.
            None => queue::complete(self.begin().await?, &self.core, lease, outcome).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_names() {
        assert!(valid_schema("t_1a2b"));
        assert!(!valid_schema("Robert'); DROP TABLE x;--"));
        assert!(!valid_schema(""));
    }
}
