//! Store throughput against a baseline of plain single-row updates on the same database.
//!
//! `cargo bench -p remedy-store --bench store [-- VIOLATIONS]` (default 100,000). For SQLite (a
//! temp file) and PostgreSQL (`REMEDY_TEST_DATABASE_URL`, a fresh schema), in the same run:
//!   record     `remedy audit --record` of VIOLATIONS new violations, then the same audit again
//!   baseline   one `UPDATE … WHERE id = ?` per row, each its own transaction, from 8 tasks
//!   queue      8 workers claim (10 at a time) and complete every violation, one transaction
//!              per completion
//! The PostgreSQL part is skipped, with a note, when no server answers.

// A benchmark aborts on any failure: there is nothing to recover.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::{Duration, Instant};

use remedy_eval::violations::violation;
use remedy_store::{
    AGENT, ClaimScope, Clock, Completion, Filter, PolicyInfo, Queue, Repository, RetryPolicy,
    Store, StoreOptions,
};
use remedy_tests::store::SyntheticAudit;
use sqlx::Connection;

const WORKERS: usize = 8;
const CLAIM_BATCH: usize = 10;
const BASELINE_ROWS: usize = 20_000;

fn options(schema: Option<String>) -> StoreOptions {
    StoreOptions {
        max_connections: u32::try_from(WORKERS).unwrap(),
        connect_timeout: Duration::from_secs(5),
        retry: RetryPolicy::default(),
        clock: Clock::system(),
        schema,
    }
}

async fn record(store: &Store, audit: &SyntheticAudit, policies: &[PolicyInfo]) -> Duration {
    let repo = Repository {
        url: "github.com/bench/infra".into(),
        root: "/bench".into(),
    };
    let started = Instant::now();
    store
        .record(&audit.input(&repo, policies, &[], "bench"))
        .await
        .expect("record");
    started.elapsed()
}

/// 8 tasks, each updating its share of rows one statement (and transaction) at a time.
async fn baseline(
    update: impl Fn(i64) -> tokio::task::JoinHandle<()> + Clone + Send + 'static,
) -> Duration {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let update = update.clone();
        tasks.push(tokio::spawn(async move {
            let mut id = 1 + i64::try_from(w).unwrap();
            while id <= i64::try_from(BASELINE_ROWS).unwrap() {
                update(id).await.unwrap();
                id += i64::try_from(WORKERS).unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    started.elapsed()
}

async fn drain(store: &Store) -> (Duration, usize) {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..WORKERS {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let worker = format!("bench-{w}");
            let mut done = 0;
            loop {
                let items = store
                    .claim(
                        &worker,
                        CLAIM_BATCH,
                        Duration::from_secs(600),
                        &ClaimScope::default(),
                    )
                    .await
                    .expect("claim");
                if items.is_empty() {
                    return done;
                }
                for item in items {
                    store
                        .complete(
                            &item.lease,
                            &Completion::Resolved {
                                note: String::new(),
                            },
                        )
                        .await
                        .expect("complete");
                    done += 1;
                }
            }
        }));
    }
    let mut done = 0;
    for t in tasks {
        done += t.await.unwrap();
    }
    (started.elapsed(), done)
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

async fn run(name: &str, store: Store, n: usize, updates_per_s: f64) {
    let audit = SyntheticAudit::new((0..n).map(violation).collect(), n as u64 * 5);
    let policies = remedy_tests::store::policies();
    let first = record(&store, &audit, &policies).await;
    let again = record(&store, &audit, &policies).await;
    println!(
        "{name:<10} record {n} new         {:>8.2} s  {:>9.0} rows/s",
        first.as_secs_f64(),
        rate(n, first)
    );
    println!(
        "{name:<10} record {n} unchanged   {:>8.2} s  {:>9.0} rows/s",
        again.as_secs_f64(),
        rate(n, again)
    );
    let assigned = store
        .assign(&Filter::default(), None, AGENT, "bench")
        .await
        .expect("assign");
    let queued = usize::try_from(assigned).unwrap().min(n);
    let (took, done) = drain(&store).await;
    assert_eq!(done, queued, "every item claimed and completed once");
    let per_s = rate(done, took);
    println!(
        "{name:<10} baseline: single-row updates, {WORKERS} tasks  {updates_per_s:>9.0} updates/s"
    );
    println!(
        "{name:<10} queue: {WORKERS} workers claim+complete {done}  {:>8.2} s  {per_s:>9.0} items/s  \
         ({:.2}x baseline; {:.0} claims/s)",
        took.as_secs_f64(),
        per_s / updates_per_s,
        per_s,
    );
    store.close().await;
}

fn main() {
    let n = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        // SQLite.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("remedy.db");
        let url = format!("sqlite://{}", path.display());
        let store = Store::open(&url, options(None))
            .await
            .expect("sqlite store");
        let updates_per_s = {
            // The baseline table lives in its own file so the store is untouched.
            let base = format!("sqlite://{}", dir.path().join("baseline.db").display());
            let opts: sqlx::sqlite::SqliteConnectOptions = base.parse().unwrap();
            let pool = sqlx::sqlite::SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(
                    opts.create_if_missing(true)
                        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
                        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
                        .busy_timeout(Duration::from_secs(30)),
                )
                .await
                .unwrap();
            seed_baseline(&pool).await;
            let took = baseline(move |id| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    sqlx::query("UPDATE items SET n = n + 1 WHERE id = ?")
                        .bind(id)
                        .execute(&pool)
                        .await
                        .unwrap();
                })
            })
            .await;
            rate(BASELINE_ROWS, took)
        };
        run("sqlite", store, n, updates_per_s).await;

        // PostgreSQL.
        let url = std::env::var("REMEDY_TEST_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
        let schema = format!("bench_{}", std::process::id());
        let store = match Store::open(&url, options(Some(schema.clone()))).await {
            Ok(store) => store,
            Err(err) => {
                println!("postgres   skipped: {err}");
                return;
            }
        };
        let pool = sqlx::postgres::PgPoolOptions::new()
            .max_connections(u32::try_from(WORKERS).unwrap())
            .connect(&url)
            .await
            .unwrap();
        sqlx::query(&format!("SET search_path TO {schema}"))
            .execute(&pool)
            .await
            .unwrap();
        let updates_per_s = {
            let mut conn = pool.acquire().await.unwrap();
            sqlx::query(&format!(
                "CREATE TABLE {schema}.items (id BIGINT PRIMARY KEY, n BIGINT NOT NULL)"
            ))
            .execute(&mut *conn)
            .await
            .unwrap();
            sqlx::query(&format!(
                "INSERT INTO {schema}.items SELECT g, 0 FROM generate_series(1, {BASELINE_ROWS}) g"
            ))
            .execute(&mut *conn)
            .await
            .unwrap();
            drop(conn);
            let sql: &'static str = Box::leak(
                format!("UPDATE {schema}.items SET n = n + 1 WHERE id = $1").into_boxed_str(),
            );
            let took = baseline(move |id| {
                let pool = pool.clone();
                tokio::spawn(async move {
                    sqlx::query(sql).bind(id).execute(&pool).await.unwrap();
                })
            })
            .await;
            rate(BASELINE_ROWS, took)
        };
        run("postgres", store, n, updates_per_s).await;
        let mut conn = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query(&format!("DROP SCHEMA {schema} CASCADE"))
            .execute(&mut conn)
            .await
            .unwrap();
    });
}

async fn seed_baseline(pool: &sqlx::SqlitePool) {
    sqlx::query("CREATE TABLE items (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
        .execute(pool)
        .await
        .unwrap();
    sqlx::query(&format!(
        "WITH RECURSIVE g(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM g WHERE i < {BASELINE_ROWS}) \
         INSERT INTO items SELECT i, 0 FROM g"
    ))
    .execute(pool)
    .await
    .unwrap();
}
