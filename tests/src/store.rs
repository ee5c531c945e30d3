//! Stores for tests, shared by the store's suites and the daemon's: a fresh store on either
//! backend (SQLite in a temp dir, PostgreSQL in a schema of its own), synthetic audits of
//! [`remedy_eval::violations`], and the helpers the suites use.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test support fails loudly by design

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use remedy_guardrails::{Tally, Violation};
use remedy_store::{
    AuditCounts, Clock, Completion, PolicyInfo, Queue, RecordInput, RecordSummary, Repository,
    RetryPolicy, Store, StoreOptions, WorkItem,
};
use sqlx::Connection;

/// A fixed start for manual clocks: 2026-11-25T00:00:00Z.
pub const T0: i64 = 1_795_564_800_000;

pub fn database_url() -> String {
    std::env::var("REMEDY_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Sqlite,
    Postgres,
}

/// A fresh store for one test, dropped with it.
pub struct Backend {
    pub kind: Kind,
    pub store: Store,
    pub clock: Clock,
    /// The URL another process opens the same store with.
    pub url: String,
    schema: Option<String>,
    _dir: tempfile::TempDir,
}

pub fn options(clock: &Clock) -> StoreOptions {
    StoreOptions {
        max_connections: 8,
        connect_timeout: Duration::from_secs(10),
        retry: RetryPolicy {
            max_attempts: 3,
            base_delay: Duration::from_secs(10),
            max_delay: Duration::from_secs(600),
        },
        clock: clock.clone(),
        schema: None,
    }
}

fn unique_schema() -> String {
    use std::hash::{BuildHasher, RandomState};
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let n = RandomState::new().hash_one((nanos, std::process::id()));
    format!("t_{n:016x}")
}

impl Backend {
    pub async fn new(kind: Kind) -> Self {
        Self::with_clock(kind, Clock::manual(T0)).await
    }

    pub async fn with_clock(kind: Kind, clock: Clock) -> Self {
        let dir = tempfile::tempdir().unwrap();
        match kind {
            Kind::Sqlite => {
                let path = dir.path().join("remedy.db");
                let url = format!("sqlite://{}", path.display());
                let store = Store::open(&url, options(&clock)).await.unwrap();
                Self {
                    kind,
                    store,
                    clock,
                    url,
                    schema: None,
                    _dir: dir,
                }
            }
            Kind::Postgres => {
                let schema = unique_schema();
                let mut opts = options(&clock);
                opts.schema = Some(schema.clone());
                let store = Store::open(&database_url(), opts).await.unwrap();
                let sep = if database_url().contains('?') {
                    '&'
                } else {
                    '?'
                };
                let url = format!("{}{sep}options[search_path]={schema}", database_url());
                Self {
                    kind,
                    store,
                    clock,
                    url,
                    schema: Some(schema),
                    _dir: dir,
                }
            }
        }
    }

    /// Another handle on the same store (its own pool), e.g. for a second replica.
    pub async fn reopen(&self, clock: &Clock) -> Store {
        let mut opts = options(clock);
        opts.schema.clone_from(&self.schema);
        let url = match self.kind {
            Kind::Sqlite => self.url.clone(),
            Kind::Postgres => database_url(),
        };
        Store::open(&url, opts).await.unwrap()
    }

    /// Close the pool and drop the PostgreSQL schema.
    pub async fn cleanup(self) {
        self.store.close().await;
        if let Some(schema) = &self.schema {
            let mut conn = sqlx::PgConnection::connect(&database_url()).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }

    pub fn tick(&self, by: Duration) {
        self.clock.advance(by);
    }
}

/// A synthetic audit of the given violations, with tallies and counts to match.
pub struct SyntheticAudit {
    pub violations: Vec<Violation>,
    pub tallies: BTreeMap<String, Tally>,
    pub counts: AuditCounts,
}

impl SyntheticAudit {
    pub fn new(violations: Vec<Violation>, resources: u64) -> Self {
        let mut tallies = BTreeMap::new();
        for (id, _, _) in remedy_eval::violations::POLICIES {
            tallies.insert(id.to_string(), Tally::default());
        }
        let mut resources_with = std::collections::BTreeSet::new();
        for v in &violations {
            tallies.get_mut(&v.policy).unwrap().failed += 1;
            resources_with.insert((v.file.clone(), v.resource.name.clone()));
        }
        for tally in tallies.values_mut() {
            tally.passed = resources.saturating_sub(tally.failed) / 10;
        }
        let counts = AuditCounts {
            files: 1,
            resources,
            clean_resources: resources.saturating_sub(resources_with.len() as u64),
            ..AuditCounts::default()
        };
        Self {
            violations,
            tallies,
            counts,
        }
    }

    /// What the store records of it.
    pub fn input<'a>(
        &'a self,
        repository: &'a Repository,
        policies: &'a [PolicyInfo],
        scope: &'a [String],
        actor: &'a str,
    ) -> RecordInput<'a> {
        RecordInput {
            repository,
            violations: &self.violations,
            tallies: &self.tallies,
            counts: self.counts,
            policies,
            scope,
            unseen: &[],
            actor,
        }
    }
}

/// The built-in AWS pack's policies as the synthetic audits use them.
pub fn policies() -> Vec<PolicyInfo> {
    remedy_eval::violations::POLICIES
        .iter()
        .enumerate()
        .map(|(i, (id, severity, _))| PolicyInfo {
            id: (*id).to_string(),
            severity: *severity,
            frameworks: remedy_eval::violations::violation(i).frameworks,
        })
        .collect()
}

pub fn repository(name: &str) -> Repository {
    Repository {
        url: format!("github.com/acme/{name}"),
        root: PathBuf::from(format!("/src/{name}")),
    }
}

/// Record synthetic violations `indices` for `repo` (whole repository, every policy).
pub async fn record(
    store: &Store,
    repo: &Repository,
    indices: impl IntoIterator<Item = usize>,
) -> RecordSummary {
    let violations: Vec<Violation> = indices
        .into_iter()
        .map(remedy_eval::violations::violation)
        .collect();
    let resources = (violations.len() as u64 + 10) * 2;
    let audit = SyntheticAudit::new(violations, resources);
    store
        .record(&audit.input(repo, &policies(), &[], "audit"))
        .await
        .unwrap()
}

/// The fingerprint of synthetic violation `i`.
pub fn fp(i: usize) -> String {
    remedy_eval::violations::violation(i).fingerprint
}

/// Complete each claimed item as resolved.
pub async fn resolve_all<'a>(store: &Store, items: impl IntoIterator<Item = &'a WorkItem>) {
    for item in items {
        store
            .complete(
                &item.lease,
                &Completion::Resolved {
                    note: "fixed".into(),
                },
            )
            .await
            .unwrap();
    }
}
