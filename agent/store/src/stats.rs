//! Read-only views the daemon serves: the queue's depth and age, and the pull requests the
//! store knows.

use serde::Serialize;

use super::backend::Backend;
use super::clock::format_time;
use super::error::StoreError;
use super::select::{Filter, resolve, write_filter};
use super::sql::Sql;

/// How much work waits, and for how long the oldest has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueStats {
    /// Violations assigned to the agent and not being worked on.
    pub depth: u64,
    /// Being worked on now (claimed under a lease).
    pub in_progress: u64,
    /// Milliseconds since the epoch when the oldest waiting violation was last updated
    /// (assigned, or put back after a failure); `None` when nothing waits.
    pub oldest_updated_at: Option<i64>,
}

/// A pull request (or, with local delivery, a branch) the store knows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrSummary {
    pub repository: String,
    pub branch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub state: String,
    pub violations: i64,
    pub created_at: String,
    pub updated_at: String,
}

/// The agent's queue within `filter` (repositories, policies…).
pub(crate) async fn queue_stats(db: &Backend, filter: &Filter) -> Result<QueueStats, StoreError> {
    let mut tx = db.begin_read().await?;
    let resolved = resolve(&mut tx, filter).await?;
    let mut depth = Sql::new("SELECT COUNT(*) FROM violations v WHERE ");
    write_filter(&mut depth, filter, &resolved);
    depth
        .push(" AND v.status = 'assigned' AND v.assignee = ")
        .bind(super::options::AGENT);
    let mut busy = Sql::new("SELECT COUNT(*) FROM violations v WHERE ");
    write_filter(&mut busy, filter, &resolved);
    busy.push(" AND v.status = 'in_progress'");
    let mut oldest = Sql::new("SELECT MIN(v.updated_at) AS oldest FROM violations v WHERE ");
    write_filter(&mut oldest, filter, &resolved);
    oldest
        .push(" AND v.status = 'assigned' AND v.assignee = ")
        .bind(super::options::AGENT);
    let depth = tx.fetch_int(&depth).await?;
    let in_progress = tx.fetch_int(&busy).await?;
    let oldest = tx
        .fetch_map(&oldest, |r| r.opt_int("oldest"))
        .await?
        .into_iter()
        .next()
        .flatten();
    tx.commit().await?;
    Ok(QueueStats {
        depth: u64::try_from(depth).unwrap_or(0),
        in_progress: u64::try_from(in_progress).unwrap_or(0),
        oldest_updated_at: oldest,
    })
}

/// Pull requests (branches) by most recently updated, with how many violations each holds.
pub(crate) async fn pr_summaries(db: &Backend, limit: u64) -> Result<Vec<PrSummary>, StoreError> {
    let mut tx = db.begin_read().await?;
    let mut sql = Sql::new(
        "SELECT r.url AS repo_url, p.branch, p.number, p.url, p.state, p.created_at, p.updated_at, \
         (SELECT COUNT(*) FROM violations v WHERE v.pr_id = p.id) AS n \
         FROM prs p JOIN repositories r ON r.id = p.repo_id ORDER BY p.updated_at DESC, p.id DESC LIMIT ",
    );
    sql.bind(i64::try_from(limit).unwrap_or(i64::MAX));
    let prs = tx
        .fetch_map(&sql, |r| {
            Ok(PrSummary {
                repository: r.text("repo_url")?,
                branch: r.text("branch")?,
                number: r.opt_int("number")?,
                url: r.opt_text("url")?,
                state: r.text("state")?,
                violations: r.int("n")?,
                created_at: format_time(r.int("created_at")?),
                updated_at: format_time(r.int("updated_at")?),
            })
        })
        .await?;
    tx.commit().await?;
    Ok(prs)
}
