//! Hourly delivery budgets shared by every process on one store: a pull request or a commit
//! takes a slot only when fewer than the limit were taken in the last hour, by any run or
//! replica, in one serialised transaction.

use super::backend::Backend;
use super::error::StoreError;
use super::sql::{Dialect, Sql};

const HOUR_MS: i64 = 3_600_000;
/// Slots older than this are deleted when a new one is taken.
const KEPT_MS: i64 = 24 * HOUR_MS;

/// What a slot is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotKind {
    PullRequest,
    Commit,
}

impl SlotKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::PullRequest => "pr",
            Self::Commit => "commit",
        }
    }
}

/// Whether one more slot fits an hourly budget of `per_hour`, given the slots `taken` (key,
/// instant) by anyone: `None` when it fits, else the instant a slot frees. With `key` (a pull
/// request's branch), slots are counted once per key and a key that holds one already fits.
/// Instants more than a few minutes ahead of `now` (another machine's clock, a test's) are
/// not counted.
pub fn hourly_budget(
    taken: &[(String, i64)],
    key: Option<&str>,
    per_hour: u32,
    now: i64,
) -> Option<i64> {
    const SKEW_MS: i64 = 5 * 60_000;
    let mut recent: Vec<(&str, i64)> = Vec::new();
    for (k, at) in taken {
        let counted = key.is_some() && recent.iter().any(|(r, _)| r == k);
        if *at > now - HOUR_MS && *at <= now + SKEW_MS && !counted {
            recent.push((k.as_str(), *at));
        }
    }
    if key.is_some_and(|key| recent.iter().any(|(k, _)| *k == key)) {
        return None;
    }
    let limit = per_hour as usize;
    if recent.len() < limit {
        return None;
    }
    let mut ats: Vec<i64> = recent.iter().map(|(_, at)| *at).collect();
    ats.sort_unstable();
    // This fits once the slot `len - limit` (from the oldest) is an hour old.
    let frees = ats.get(recent.len() - limit).copied().unwrap_or(now);
    Some(frees + HOUR_MS + 1)
}

/// Take a slot of `kind` for `key` in `repository` under [`hourly_budget`], counting every
/// slot taken on this store in the last hour and `outside` (pull requests the forge reports
/// opened), in one serialised transaction. `Ok(None)`: taken; `Ok(Some(ms))`: the budget is
/// spent until that instant.
pub(crate) async fn take(
    db: &Backend,
    repository: &str,
    kind: SlotKind,
    key: &str,
    per_hour: u32,
    outside: &[(String, i64)],
) -> Result<Option<i64>, StoreError> {
    let now = db.clock().now_ms();
    let mut tx = db.begin_write().await?;
    if tx.dialect() == Dialect::Postgres {
        // SQLite's write transactions are serialised already; PostgreSQL's read committed
        // transactions would both count the same rows and both take the last slot.
        let mut lock = Sql::new("SELECT pg_advisory_xact_lock(hashtext(");
        lock.bind(format!("remedy-slots:{repository}:{}", kind.as_str()))
            .push("))");
        tx.execute(&lock).await?;
    }
    let mut recent = Sql::new("SELECT key, at FROM delivery_slots WHERE repository = ");
    recent
        .bind(repository)
        .push(" AND kind = ")
        .bind(kind.as_str())
        .push(" AND at > ")
        .bind(now - HOUR_MS);
    let mut taken: Vec<(String, i64)> = tx
        .fetch_map(&recent, |r| Ok((r.text("key")?, r.int("at")?)))
        .await?;
    let held = kind == SlotKind::PullRequest && taken.iter().any(|(k, _)| k == key);
    taken.extend(outside.iter().cloned());
    // Each commit takes a slot of its own; a pull request one per branch.
    let own = (kind == SlotKind::PullRequest).then_some(key);
    if let Some(until) = hourly_budget(&taken, own, per_hour, now) {
        tx.commit().await?;
        return Ok(Some(until));
    }
    if !held {
        let mut insert =
            Sql::new("INSERT INTO delivery_slots (repository, kind, key, at) VALUES (");
        insert
            .bind(repository)
            .push(", ")
            .bind(kind.as_str())
            .push(", ")
            .bind(key)
            .push(", ")
            .bind(now)
            .push(")");
        tx.execute(&insert).await?;
        let mut prune = Sql::new("DELETE FROM delivery_slots WHERE at < ");
        prune.bind(now - KEPT_MS);
        tx.execute(&prune).await?;
    }
    tx.commit().await?;
    Ok(None)
}
