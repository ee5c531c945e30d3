//! Hourly delivery budgets shared by every process on one store: a pull request or a commit
//! takes a slot only when fewer than the limit were taken in the last hour, by any run or
//! replica, in one serialised transaction.

use super::backend::Backend;
use super::error::StoreError;
use super::sql::{Dialect, Sql, Tx};

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

/// Take a slot of `kind` for `key` in `repository` if fewer than `per_hour` were taken in the
/// last hour on this store (and, for pull requests, in `outside`: those the forge reports
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
    let spent = match kind {
        SlotKind::PullRequest => {
            take_pull_request(&mut tx, repository, key, per_hour, outside, now).await?
        }
        SlotKind::Commit => take_commit(&mut tx, repository, per_hour, now).await?,
    };
    tx.commit().await?;
    Ok(spent)
}

async fn take_pull_request(
    tx: &mut Tx,
    repository: &str,
    key: &str,
    per_hour: u32,
    outside: &[(String, i64)],
    now: i64,
) -> Result<Option<i64>, StoreError> {
    let mut recent = Sql::new("SELECT key, at FROM delivery_slots WHERE repository = ");
    recent
        .bind(repository)
        .push(" AND kind = 'pr' AND at > ")
        .bind(now - HOUR_MS);
    let mut taken: Vec<(String, i64)> = tx
        .fetch_map(&recent, |r| Ok((r.text("key")?, r.int("at")?)))
        .await?;
    let held = taken.iter().any(|(k, _)| k == key);
    taken.extend(outside.iter().cloned());
    if let Some(until) = hourly_budget(&taken, Some(key), per_hour, now) {
        return Ok(Some(until));
    }
    if !held {
        let mut insert =
            Sql::new("INSERT INTO delivery_slots (repository, kind, key, at) VALUES (");
        insert
            .bind(repository)
            .push(", 'pr', ")
            .bind(key)
            .push(", ")
            .bind(now)
            .push(")");
        tx.execute(&insert).await?;
        let mut prune = Sql::new("DELETE FROM delivery_slots WHERE at < ");
        prune.bind(now - KEPT_MS);
        tx.execute(&prune).await?;
    }
    Ok(None)
}

/// Commits are counted per minute: the hour is the last 60 minutes' counts.
async fn take_commit(
    tx: &mut Tx,
    repository: &str,
    per_hour: u32,
    now: i64,
) -> Result<Option<i64>, StoreError> {
    const MINUTE_MS: i64 = 60_000;
    let minute = now.div_euclid(MINUTE_MS);
    let mut recent = Sql::new("SELECT minute, count FROM delivery_counts WHERE repository = ");
    recent
        .bind(repository)
        .push(" AND kind = 'commit' AND minute > ")
        .bind(minute - HOUR_MS / MINUTE_MS)
        .push(" ORDER BY minute");
    let counts: Vec<(i64, i64)> = tx
        .fetch_map(&recent, |r| Ok((r.int("minute")?, r.int("count")?)))
        .await?;
    let total: i64 = counts.iter().map(|(_, c)| c).sum();
    let limit = i64::from(per_hour);
    if total >= limit {
        // This fits once the oldest `total - limit + 1` commits are out of the hour.
        let need = total - limit + 1;
        let mut expired = 0;
        let frees = counts
            .iter()
            .find(|(_, c)| {
                expired += c;
                expired >= need
            })
            .map_or(minute, |(m, _)| *m);
        return Ok(Some(frees * MINUTE_MS + HOUR_MS));
    }
    let mut upsert =
        Sql::new("INSERT INTO delivery_counts (repository, kind, minute, count) VALUES (");
    upsert
        .bind(repository)
        .push(", 'commit', ")
        .bind(minute)
        .push(
            ", 1) ON CONFLICT (repository, kind, minute) DO UPDATE SET count = \
             delivery_counts.count + 1",
        );
    tx.execute(&upsert).await?;
    if counts.is_empty() {
        // The first commit in an hour: a good moment to forget yesterday's counts.
        let mut prune = Sql::new("DELETE FROM delivery_counts WHERE minute < ");
        prune.bind(minute - KEPT_MS / MINUTE_MS);
        tx.execute(&prune).await?;
    }
    Ok(None)
}
