//! Pull requests as the store knows them, and what delivery and sync change: a violation
//! deferred by a rate limit, a pull request merged or closed and its violations settled.

use serde::Serialize;

use super::backend::Backend;
use super::error::StoreError;
use super::queue::{NewEvent, insert_event};
use super::sql::Sql;
use super::types::{Status, VIOLATION_COLUMNS, VIOLATION_FROM, ViolationRecord};

/// The state of a pull request in the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrState {
    Open,
    Merged,
    Closed,
}

impl PrState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Merged => "merged",
            Self::Closed => "closed",
        }
    }

    fn parse(text: &str) -> Self {
        match text {
            "merged" => Self::Merged,
            "closed" => Self::Closed,
            _ => Self::Open,
        }
    }
}

/// A pull request (or, delivered locally, a branch) and the violations whose fixes it holds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrRecord {
    pub branch: String,
    pub number: Option<i64>,
    pub url: Option<String>,
    pub state: PrState,
    /// The violations linked to it that still wait on it (`pr_open`).
    pub violations: Vec<ViolationRecord>,
}

/// What sync decided for one violation of a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    pub fingerprint: String,
    /// `resolved`, `open` (still violating after the merge) or `needs_human`.
    pub to: Status,
    pub reason: String,
}

/// The pull requests of a repository (its normalised URL) in `state`, each with the
/// violations that wait on it.
pub(crate) async fn prs(
    db: &Backend,
    repository: &str,
    state: PrState,
) -> Result<Vec<PrRecord>, StoreError> {
    let mut tx = db.begin_read().await?;
    let mut sql = Sql::new(
        "SELECT p.id, p.branch, p.number, p.url, p.state FROM prs p JOIN repositories r \
         ON r.id = p.repo_id WHERE r.url = ",
    );
    sql.bind(repository)
        .push(" AND p.state = ")
        .bind(state.as_str())
        .push(" ORDER BY p.id");
    let rows = tx
        .fetch_map(&sql, |row| {
            Ok((
                row.int("id")?,
                PrRecord {
                    branch: row.text("branch")?,
                    number: row.opt_int("number")?,
                    url: row.opt_text("url")?,
                    state: PrState::parse(&row.text("state")?),
                    violations: Vec::new(),
                },
            ))
        })
        .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, mut pr) in rows {
        let mut sql = Sql::new(format!(
            "SELECT {VIOLATION_COLUMNS} FROM {VIOLATION_FROM} WHERE v.pr_id = "
        ));
        sql.bind(id)
            .push(" AND v.status = 'pr_open' ORDER BY v.file, v.id");
        pr.violations = tx.fetch_map(&sql, ViolationRecord::from_row).await?;
        out.push(pr);
    }
    tx.commit().await?;
    Ok(out)
}

/// Record what became of a pull request and settle its violations, in one transaction:
/// each listed violation still waiting on it (`pr_open`) moves to its new status with an
/// event naming the pull request and the reason.
pub(crate) async fn settle_pr(
    db: &Backend,
    repository: &str,
    branch: &str,
    state: PrState,
    settlements: &[Settlement],
    actor: &str,
) -> Result<u64, StoreError> {
    let now = db.clock().now_ms();
    let mut tx = db.begin_write().await?;
    let mut sql = Sql::new(
        "SELECT p.id, p.number FROM prs p JOIN repositories r ON r.id = p.repo_id WHERE r.url = ",
    );
    sql.bind(repository).push(" AND p.branch = ").bind(branch);
    let Some(row) = tx.fetch_optional(&sql).await? else {
        return Ok(0);
    };
    let pr_id = row.int("id").map_err(|e| tx.decode_error(&e))?;
    let number = row.opt_int("number").map_err(|e| tx.decode_error(&e))?;
    let mut update = Sql::new("UPDATE prs SET state = ");
    update
        .bind(state.as_str())
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(pr_id);
    tx.execute(&update).await?;
    let mut changed = 0;
    for s in settlements {
        let mut find = Sql::new("SELECT id FROM violations WHERE pr_id = ");
        find.bind(pr_id)
            .push(" AND status = 'pr_open' AND fingerprint = ")
            .bind(s.fingerprint.as_str());
        let Some(row) = tx.fetch_optional(&find).await? else {
            continue;
        };
        let id = row.int("id").map_err(|e| tx.decode_error(&e))?;
        let mut set = Sql::new("UPDATE violations SET status = ");
        set.bind(s.to.as_str())
            .push(", updated_at = ")
            .bind(now)
            .push(", lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL");
        match s.to {
            Status::Resolved => {
                set.push(", resolved_at = ").bind(now);
            }
            Status::NeedsHuman => {
                set.push(", reason = ").bind(s.reason.as_str());
            }
            Status::Open => {
                set.push(", attempts = 0, pr_id = NULL");
            }
            _ => {}
        }
        set.push(" WHERE id = ").bind(id);
        tx.execute(&set).await?;
        insert_event(
            &mut tx,
            &NewEvent {
                violation_id: id,
                at: now,
                actor,
                kind: "synced",
                from: Some(Status::PrOpen),
                to: Some(s.to),
                data: &serde_json::json!({
                    "branch": branch,
                    "number": number,
                    "pr_state": state.as_str(),
                    "reason": s.reason,
                }),
            },
        )
        .await?;
        changed += 1;
    }
    tx.commit().await?;
    Ok(changed)
}

/// Append an event to each violation waiting on a pull request, without changing its
/// status (for example: a person committed to the branch, so remedy leaves it alone).
pub(crate) async fn note_pr(
    db: &Backend,
    repository: &str,
    branch: &str,
    kind: &str,
    data: &serde_json::Value,
    actor: &str,
) -> Result<u64, StoreError> {
    let now = db.clock().now_ms();
    let mut tx = db.begin_write().await?;
    let mut sql = Sql::new(
        "SELECT v.id FROM violations v JOIN prs p ON p.id = v.pr_id JOIN repositories r \
         ON r.id = p.repo_id WHERE r.url = ",
    );
    sql.bind(repository)
        .push(" AND p.branch = ")
        .bind(branch)
        .push(" AND v.status = 'pr_open'");
    let ids = tx.fetch_map(&sql, |row| row.int("id")).await?;
    for id in &ids {
        insert_event(
            &mut tx,
            &NewEvent {
                violation_id: *id,
                at: now,
                actor,
                kind,
                from: None,
                to: None,
                data,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(ids.len() as u64)
}
