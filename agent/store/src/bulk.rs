//! Changing and listing violations in bulk (assign, unassign, dismiss, priority, assignee, list,
//! history, counts): each change with its event, in one transaction.

use std::collections::BTreeMap;

use super::backend::Backend;
use super::error::StoreError;
use super::select::{
    Filter, Page, QUEUE_ORDER, Transition, ViolationPage, resolve, transition, write_filter,
};
use super::sql::{Dialect, Sql};
use super::types::{Event, Priority, Status, VIOLATION_COLUMNS, VIOLATION_FROM, ViolationRecord};

fn json_text(dialect: Dialect, pairs: &[(&str, &str)]) -> String {
    dialect.json_object(pairs)
}

/// Move matching `open` violations to `assigned`, to `assignee` (the agent is
/// [`super::options::AGENT`]); the first `limit` in priority order when given. How many moved.
pub(crate) async fn assign(
    db: &Backend,
    filter: &Filter,
    limit: Option<u64>,
    assignee: &str,
    actor: &str,
) -> Result<u64, StoreError> {
    let now = db.clock().now_ms();
    let mut tx = db.begin_write().await?;
    let resolved = resolve(&mut tx, filter).await?;
    let dialect = tx.dialect();
    let changed = transition(
        &mut tx,
        &Transition {
            actor,
            kind: "assigned",
            to: Some(Status::Assigned),
            now,
            limit,
            skip_locked: false,
            pred: &|sql: &mut Sql| {
                write_filter(sql, filter, &resolved);
                sql.push(" AND v.status = 'open'");
            },
            set: &|sql: &mut Sql| {
                sql.push("status = 'assigned', assignee = ")
                    .bind(assignee)
                    .push(", attempts = 0, not_before = 0, reason = NULL, updated_at = ")
                    .bind(now);
            },
            data: &|sql: &mut Sql| {
                let to = sql.arg(assignee);
                json_text(dialect, &[("assignee", &to)])
            },
        },
    )
    .await?;
    tx.commit().await?;
    tracing::info!(changed, assignee, "assigned");
    Ok(changed)
}

/// Hand matching `assigned` and `needs_human` violations back to `open` (no assignee).
pub(crate) async fn unassign(
    db: &Backend,
    filter: &Filter,
    limit: Option<u64>,
    actor: &str,
) -> Result<u64, StoreError> {
    let now = db.clock().now_ms();
    let mut tx = db.begin_write().await?;
    let resolved = resolve(&mut tx, filter).await?;
    let dialect = tx.dialect();
    let changed = transition(
        &mut tx,
        &Transition {
            actor,
            kind: "unassigned",
            to: Some(Status::Open),
            now,
            limit,
            skip_locked: false,
            pred: &|sql: &mut Sql| {
                write_filter(sql, filter, &resolved);
                sql.push(" AND v.status IN ('assigned', 'needs_human')");
            },
            set: &|sql: &mut Sql| {
                sql.push(
                    "status = 'open', assignee = NULL, not_before = 0, reason = NULL, \
                     updated_at = ",
                )
                .bind(now);
            },
            data: &|_: &mut Sql| json_text(dialect, &[("assignee", "v.assignee")]),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

/// Dismiss matching violations (by design, or an accepted risk) for `reason`. A dismissed
/// violation stays dismissed across audits. Work in progress on it is abandoned: the
/// worker's lease ends.
pub(crate) async fn dismiss(
    db: &Backend,
    filter: &Filter,
    reason: &str,
    actor: &str,
) -> Result<u64, StoreError> {
    if reason.trim().is_empty() {
        return Err(StoreError::Invalid(
            "a dismissal needs a reason (for example \"by design: public website assets\")".into(),
        ));
    }
    let now = db.clock().now_ms();
    let mut tx = db.begin_write().await?;
    let resolved = resolve(&mut tx, filter).await?;
    let dialect = tx.dialect();
    let changed = transition(
        &mut tx,
        &Transition {
            actor,
            kind: "dismissed",
            to: Some(Status::Dismissed),
            now,
            limit: None,
            skip_locked: false,
            pred: &|sql: &mut Sql| {
                write_filter(sql, filter, &resolved);
                sql.push(" AND v.status <> 'dismissed'");
            },
            set: &|sql: &mut Sql| {
                sql.push("status = 'dismissed', reason = ")
                    .bind(reason)
                    .push(
                        ", lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, \
                         updated_at = ",
                    )
                    .bind(now);
            },
            data: &|sql: &mut Sql| {
                let reason = sql.arg(reason);
                json_text(dialect, &[("reason", &reason)])
            },
        },
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

/// Set the priority of matching violations; how many changed.
pub(crate) async fn set_priority(
    db: &Backend,
    filter: &Filter,
    priority: Priority,
    actor: &str,
) -> Result<u64, StoreError> {
    let now = db.clock().now_ms();
    let level = i64::from(priority.level());
    let mut tx = db.begin_write().await?;
    let resolved = resolve(&mut tx, filter).await?;
    let dialect = tx.dialect();
    let changed = transition(
        &mut tx,
        &Transition {
            actor,
            kind: "priority",
            to: None,
            now,
            limit: None,
            skip_locked: false,
            pred: &|sql: &mut Sql| {
                write_filter(sql, filter, &resolved);
                sql.push(" AND v.priority <> ").bind(level);
            },
            set: &|sql: &mut Sql| {
                sql.push("priority = ")
                    .bind(level)
                    .push(", updated_at = ")
                    .bind(now);
            },
            data: &|sql: &mut Sql| {
                let to = sql.arg(level);
                json_text(dialect, &[("from", "v.priority"), ("to", &to)])
            },
        },
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

/// Set (or clear) the assignee of matching violations without changing their status;
/// how many changed. Violations assigned to [`super::options::AGENT`] are the agent's queue.
pub(crate) async fn set_assignee(
    db: &Backend,
    filter: &Filter,
    assignee: Option<&str>,
    actor: &str,
) -> Result<u64, StoreError> {
    let now = db.clock().now_ms();
    let mut tx = db.begin_write().await?;
    let resolved = resolve(&mut tx, filter).await?;
    let dialect = tx.dialect();
    let assignee = assignee.map(str::to_string);
    let changed = transition(
        &mut tx,
        &Transition {
            actor,
            kind: "assignee",
            to: None,
            now,
            limit: None,
            skip_locked: false,
            pred: &|sql: &mut Sql| {
                write_filter(sql, filter, &resolved);
                sql.push(" AND v.assignee IS DISTINCT FROM ")
                    .bind(assignee.clone());
            },
            set: &|sql: &mut Sql| {
                sql.push("assignee = ")
                    .bind(assignee.clone())
                    .push(", updated_at = ")
                    .bind(now);
            },
            data: &|sql: &mut Sql| {
                let to = sql.arg(assignee.clone());
                json_text(dialect, &[("from", "v.assignee"), ("to", &to)])
            },
        },
    )
    .await?;
    tx.commit().await?;
    Ok(changed)
}

/// A page of matching violations in queue order (priority, severity, age), and the total.
pub(crate) async fn violations(
    db: &Backend,
    filter: &Filter,
    page: Page,
) -> Result<ViolationPage, StoreError> {
    let mut tx = db.begin_read().await?;
    let resolved = resolve(&mut tx, filter).await?;
    let mut count = Sql::new("SELECT COUNT(*) FROM violations v WHERE ");
    write_filter(&mut count, filter, &resolved);
    let total = tx.fetch_int(&count).await?;
    let mut sql = Sql::new(format!(
        "SELECT {VIOLATION_COLUMNS} FROM {VIOLATION_FROM} WHERE "
    ));
    write_filter(&mut sql, filter, &resolved);
    sql.push(" ORDER BY ");
    sql.push(QUEUE_ORDER);
    sql.push(" LIMIT ")
        .bind(i64::try_from(page.limit).unwrap_or(i64::MAX))
        .push(" OFFSET ")
        .bind(i64::try_from(page.offset).unwrap_or(i64::MAX));
    let violations = tx.fetch_map(&sql, ViolationRecord::from_row).await?;
    tx.commit().await?;
    Ok(ViolationPage {
        total: u64::try_from(total).unwrap_or(0),
        offset: page.offset,
        limit: page.limit,
        violations,
    })
}

/// The history of matching violations, oldest first.
pub(crate) async fn events(db: &Backend, filter: &Filter) -> Result<Vec<Event>, StoreError> {
    let mut tx = db.begin_read().await?;
    let resolved = resolve(&mut tx, filter).await?;
    let mut sql = Sql::new(
        "SELECT v.fingerprint, r.url AS repo_url, e.at, e.actor, e.kind, e.from_status, \
         e.to_status, e.data FROM events e JOIN violations v ON v.id = e.violation_id \
         JOIN repositories r ON r.id = v.repo_id WHERE ",
    );
    write_filter(&mut sql, filter, &resolved);
    sql.push(" ORDER BY e.id");
    let events = tx.fetch_map(&sql, Event::from_row).await?;
    tx.commit().await?;
    Ok(events)
}

/// Counts per status of matching violations (every status present).
pub(crate) async fn counts(
    db: &Backend,
    filter: &Filter,
) -> Result<BTreeMap<Status, u64>, StoreError> {
    let mut tx = db.begin_read().await?;
    let resolved = resolve(&mut tx, filter).await?;
    let mut sql = Sql::new("SELECT v.status, COUNT(*) AS n FROM violations v WHERE ");
    write_filter(&mut sql, filter, &resolved);
    sql.push(" GROUP BY v.status");
    let rows = tx
        .fetch_map(&sql, |r| Ok((r.text("status")?, r.int("n")?)))
        .await?;
    tx.commit().await?;
    let mut counts: BTreeMap<Status, u64> = Status::ALL.into_iter().map(|s| (s, 0)).collect();
    for (status, n) in rows {
        if let Ok(status) = status.parse() {
            counts.insert(status, u64::try_from(n).unwrap_or(0));
        }
    }
    Ok(counts)
}
