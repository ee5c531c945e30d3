//! Versioned schema migrations, embedded in the binary and applied on first use.
//!
//! The SQL lives in `agent/migrations/{sqlite,postgres}/NNNN_name.sql`. sqlx records each applied
//! migration (version, checksum) in `_sqlx_migrations`, exactly as `sqlx::migrate!` would; the
//! files are embedded with `include_str!` instead of the macro so that the drivers are not built
//! a second time for the proc-macro host (minutes on a 2-core machine).

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{MigrateError, Migration, MigrationSource, MigrationType, Migrator};

use super::error::StoreError;
use super::sql::Dialect;

/// `(version, description, sql)` in order.
type Embedded = &'static [(i64, &'static str, &'static str)];

const SQLITE: Embedded = &[
    (
        1,
        "store",
        include_str!("../../migrations/sqlite/0001_store.sql"),
    ),
    (
        2,
        "claim groups",
        include_str!("../../migrations/sqlite/0002_claim_groups.sql"),
    ),
    (
        3,
        "delivery slots",
        include_str!("../../migrations/sqlite/0003_delivery_slots.sql"),
    ),
];

const POSTGRES: Embedded = &[
    (
        1,
        "store",
        include_str!("../../migrations/postgres/0001_store.sql"),
    ),
    (
        2,
        "claim groups",
        include_str!("../../migrations/postgres/0002_claim_groups.sql"),
    ),
    (
        3,
        "delivery slots",
        include_str!("../../migrations/postgres/0003_delivery_slots.sql"),
    ),
];

#[derive(Debug)]
struct Source(Embedded);

impl MigrationSource<'static> for Source {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 'static>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(description),
                        MigrationType::Simple,
                        Cow::Borrowed(sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// The migrator for a dialect.
pub(crate) async fn migrator(dialect: Dialect) -> Result<Migrator, MigrateError> {
    Migrator::new(Source(match dialect {
        Dialect::Sqlite => SQLITE,
        Dialect::Postgres => POSTGRES,
    }))
    .await
}

/// A migration failure in words a person can act on.
pub(crate) fn migrate_error(store: &str, err: MigrateError) -> StoreError {
    let store = store.to_string();
    match err {
        MigrateError::VersionMissing(version) => StoreError::Migrate {
            store,
            detail: format!(
                "it was last written by a newer remedy (schema migration {version}); upgrade \
                 remedy to use it"
            ),
        },
        MigrateError::Execute(e) | MigrateError::ExecuteMigration(e, _) => {
            match super::error::classify(&store, &e) {
                StoreError::Query { detail, .. } => StoreError::Migrate { store, detail },
                other => other,
            }
        }
        other => StoreError::Migrate {
            store,
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_dialects_have_the_same_versions() {
        let versions = |m: Embedded| m.iter().map(|(v, d, _)| (*v, *d)).collect::<Vec<_>>();
        assert_eq!(versions(SQLITE), versions(POSTGRES));
    }
}
