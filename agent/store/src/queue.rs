//! The work queue: violations assigned to the agent, claimed under leases by workers.
//!
//! A claim is atomic and hands each violation to one worker until its lease expires; a worker
//! that dies loses nothing, because an expired lease is claimable again. Each claim counts an
//! attempt; [`Queue::fail`] schedules a retry with exponential backoff and jitter, and after
//! [`RetryPolicy::max_attempts`] the violation goes to `needs_human` with the last error.
//! Claim order: priority, then severity, then age; a claim takes delivery groups whole
//! ([`super::claim`]).

use std::future::Future;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde::Serialize;

use super::clock::{Clock, millis};
use super::error::StoreError;
use super::options::{AGENT, Core};
use super::select::{self, Transition};
use super::sql::{Sql, Tx};
use super::types::{PrRef, Status, ViolationRecord};

/// Which violations a claim takes together: those that share what delivery groups by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ClaimGroups {
    /// Each violation on its own, in queue order.
    #[default]
    None,
    /// Violations in the same file (per-file and per-resource delivery).
    File,
    /// Violations of the same policy (per-policy delivery).
    Policy,
}

/// Which work a claim may take.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClaimScope {
    /// Only this repository (its normalised URL, see [`super::normalize_remote`]).
    pub repository: Option<String>,
    /// Only these policies (any when empty).
    pub policies: Vec<String>,
    /// Which violations a claim takes together (as delivery groups them).
    pub groups: ClaimGroups,
}

/// A worker's hold on one violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lease {
    pub violation_id: i64,
    pub fingerprint: String,
    pub worker: String,
    /// Changes with every claim: a stale holder cannot touch the violation after a reclaim.
    pub token: i64,
    /// Milliseconds since the epoch.
    pub expires_at: i64,
}

/// A claimed violation: everything a worker needs to fix it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkItem {
    pub lease: Lease,
    /// The violation as recorded (repository, file, policy, resource, severity, frameworks,
    /// message, attempts including this one).
    pub violation: ViolationRecord,
}

/// How a worker finished with a violation ([`Queue::complete`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// A fix went out on `pr.branch` (in a pull request when `pr.number`/`pr.url` are set):
    /// `pr_open`.
    Fixed { pr: PrRef },
    /// Nothing left to fix (already fixed at the base branch): `resolved`.
    Resolved { note: String },
    /// The agent cannot fix it; a person must: `needs_human`.
    NeedsHuman { reason: String },
}

/// What [`Queue::fail`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Back in the queue, claimable from this instant (milliseconds since the epoch).
    At(i64),
    /// Attempts used up: `needs_human`.
    GaveUp,
}

/// The work queue. Both backends implement it; see the module docs for the semantics.
pub trait Queue {
    /// Claim up to `n` violations for `worker`, each under a lease of `lease`.
    fn claim(
        &self,
        worker: &str,
        n: usize,
        lease: Duration,
        scope: &ClaimScope,
    ) -> impl Future<Output = Result<Vec<WorkItem>, StoreError>> + Send;

    /// Extend a lease to `extend` from now; the new expiry.
    fn heartbeat(
        &self,
        lease: &Lease,
        extend: Duration,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// Finish with the violation.
    fn complete(
        &self,
        lease: &Lease,
        outcome: &Completion,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The attempt failed: retry later, or give up after the last attempt.
    fn fail(
        &self,
        lease: &Lease,
        error: &str,
    ) -> impl Future<Output = Result<Retry, StoreError>> + Send;

    /// Hand the violation back untouched (the attempt does not count).
    fn release(&self, lease: &Lease) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Hand the violation back without counting the attempt, claimable again from `until_ms`
    /// (a rate limit's next slot, the delivery window's opening): deferred work is never lost
    /// and never used up.
    fn defer(
        &self,
        lease: &Lease,
        until_ms: i64,
        reason: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Keep what each remediation attempt cost and what the gate said (one event each).
    fn record_attempts(
        &self,
        lease: &Lease,
        attempts: &[serde_json::Value],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The queue's clock: leases, deferrals and limits share one "now".
    fn clock(&self) -> &Clock;
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A random number (for lease tokens and jitter) without a dependency: std's per-process
/// random hash keys over the time and a counter.
pub(crate) fn random_u64() -> u64 {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    RandomState::new().hash_one((nanos, COUNTER.fetch_add(1, Ordering::Relaxed)))
}

pub(crate) fn new_token() -> i64 {
    // Positive, so that it reads well in events.
    i64::try_from(random_u64() >> 1).unwrap_or(1)
}

/// Append the condition "claimable now, within `scope`" for violations aliased `v`.
pub(crate) fn write_claimable(sql: &mut Sql, now: i64, scope: &ClaimScope) {
    let agent = sql.arg(AGENT);
    let now = sql.arg(now);
    // The plain `status IN (…)` lets both planners use the partial queue index, which is in
    // claim order: a claim reads a few index entries instead of sorting the backlog.
    sql.push(&format!(
        "v.status IN ('assigned', 'in_progress') AND v.assignee = {agent} \
         AND ((v.status = 'assigned' AND v.not_before <= {now}) \
         OR (v.status = 'in_progress' AND v.lease_expires_at <= {now}))"
    ));
    if let Some(repo) = &scope.repository {
        sql.push(" AND v.repo_id IN (SELECT id FROM repositories WHERE url = ")
            .bind(repo.as_str())
            .push(")");
    }
    if !scope.policies.is_empty() {
        sql.push(" AND v.policy IN ")
            .bind_list(scope.policies.iter().map(String::as_str));
    }
}

/// Violations whose lease expired on their last attempt go to `needs_human` instead of being
/// claimed again: a violation that kills every worker that touches it must not loop forever.
pub(crate) async fn reap_exhausted(tx: &mut Tx, core: &Core, now: i64) -> Result<u64, StoreError> {
    let max = i64::from(core.retry.max_attempts);
    let dialect = tx.dialect();
    select::transition(
        tx,
        &Transition {
            actor: "queue",
            kind: "gave_up",
            to: Some(Status::NeedsHuman),
            now,
            limit: None,
            skip_locked: true,
            pred: &|sql: &mut Sql| {
                let now = sql.arg(now);
                let max = sql.arg(max);
                sql.push(&format!(
                    "v.status = 'in_progress' AND v.lease_expires_at <= {now} AND v.attempts >= {max}"
                ));
            },
            set: &|sql: &mut Sql| {
                sql.push(
                    "status = 'needs_human', reason = 'the worker holding it stopped on the last \
                     attempt (its lease expired)', lease_owner = NULL, lease_token = NULL, \
                     lease_expires_at = NULL, updated_at = ",
                )
                .bind(now);
            },
            data: &|_: &mut Sql| dialect.json_object(&[("worker", "v.lease_owner"), ("attempts", "v.attempts")]),
        },
    )
    .await
}

/// The events of a claim, one row per violation.
pub(crate) async fn insert_claim_events(
    tx: &mut Tx,
    picked: &[(i64, String, Option<String>, i64)],
    worker: &str,
    now: i64,
    expires: i64,
) -> Result<(), StoreError> {
    for chunk in picked.chunks(super::sql::rows_per_chunk(tx.dialect(), 7)) {
        let mut sql = Sql::new(
            "INSERT INTO events (violation_id, at, actor, kind, from_status, to_status, data) VALUES ",
        );
        for (i, (id, from, expired_owner, attempt)) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let mut data = serde_json::json!({ "attempt": attempt, "lease_expires_at": expires });
            if let Some(owner) = expired_owner {
                data["expired_lease_of"] = owner.as_str().into();
            }
            sql.push("(")
                .bind(*id)
                .push(", ")
                .bind(now)
                .push(", ")
                .bind(worker)
                .push(", 'claimed', ")
                .bind(from.as_str())
                .push(", 'in_progress', ")
                .bind(data.to_string())
                .push(")");
        }
        tx.execute(&sql).await?;
    }
    Ok(())
}

/// One event to append.
pub(crate) struct NewEvent<'a> {
    pub violation_id: i64,
    pub at: i64,
    pub actor: &'a str,
    pub kind: &'a str,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub data: &'a serde_json::Value,
}

/// Append one event.
pub(crate) async fn insert_event(tx: &mut Tx, event: &NewEvent<'_>) -> Result<(), StoreError> {
    let mut sql = Sql::new(
        "INSERT INTO events (violation_id, at, actor, kind, from_status, to_status, data) VALUES (",
    );
    sql.bind(event.violation_id)
        .push(", ")
        .bind(event.at)
        .push(", ")
        .bind(event.actor)
        .push(", ")
        .bind(event.kind)
        .push(", ")
        .bind(event.from.map(|s| s.as_str().to_string()))
        .push(", ")
        .bind(event.to.map(|s| s.as_str().to_string()))
        .push(", ")
        .bind((!event.data.is_null()).then(|| event.data.to_string()))
        .push(")");
    tx.execute(&sql).await.map(|_| ())
}

/// `WHERE` for "this lease is still held".
fn held(sql: &mut Sql, lease: &Lease) {
    sql.push(" WHERE id = ")
        .bind(lease.violation_id)
        .push(" AND lease_token = ")
        .bind(lease.token)
        .push(" AND status = 'in_progress'");
}

fn lost(lease: &Lease) -> StoreError {
    StoreError::LeaseLost {
        fingerprint: lease.fingerprint.clone(),
    }
}

pub(crate) async fn heartbeat(
    mut tx: Tx,
    core: &Core,
    lease: &Lease,
    extend: Duration,
) -> Result<i64, StoreError> {
    let expires = core.clock.now_ms().saturating_add(millis(extend));
    if tx.execute(&heartbeat_statement(lease, expires)).await? == 0 {
        return Err(lost(lease));
    }
    tx.commit().await?;
    Ok(expires)
}

pub(crate) async fn complete(
    mut tx: Tx,
    core: &Core,
    lease: &Lease,
    outcome: &Completion,
) -> Result<(), StoreError> {
    let now = core.clock.now_ms();
    let mut sql = Sql::new(
        "UPDATE violations SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, \
         updated_at = ",
    );
    sql.bind(now);
    let (to, data) = match outcome {
        Completion::Fixed { pr } => {
            let repo_id = tx
                .fetch_int(
                    Sql::new("SELECT repo_id FROM violations WHERE id = ").bind(lease.violation_id),
                )
                .await?;
            let mut upsert = Sql::new(
                "INSERT INTO prs (repo_id, branch, number, url, state, created_at, updated_at) VALUES (",
            );
            upsert
                .bind(repo_id)
                .push(", ")
                .bind(pr.branch.as_str())
                .push(", ")
                .bind(pr.number)
                .push(", ")
                .bind(pr.url.clone())
                .push(", 'open', ")
                .bind(now)
                .push(", ")
                .bind(now)
                .push(
                    ") ON CONFLICT (repo_id, branch) DO UPDATE SET \
                     number = COALESCE(excluded.number, prs.number), \
                     url = COALESCE(excluded.url, prs.url), state = 'open', \
                     updated_at = excluded.updated_at RETURNING id",
                );
            let pr_id = tx.fetch_int(&upsert).await?;
            sql.push(", status = 'pr_open', pr_id = ").bind(pr_id);
            (Status::PrOpen, serde_json::to_value(pr).unwrap_or_default())
        }
        Completion::Resolved { note } => {
            sql.push(", status = 'resolved', resolved_at = ").bind(now);
            (Status::Resolved, serde_json::json!({ "note": note }))
        }
        Completion::NeedsHuman { reason } => {
            sql.push(", status = 'needs_human', reason = ")
                .bind(reason.as_str());
            (Status::NeedsHuman, serde_json::json!({ "reason": reason }))
        }
    };
    held(&mut sql, lease);
    if tx.execute(&sql).await? == 0 {
        return Err(lost(lease));
    }
    insert_event(
        &mut tx,
        &NewEvent {
            violation_id: lease.violation_id,
            at: now,
            actor: &lease.worker,
            kind: "completed",
            from: Some(Status::InProgress),
            to: Some(to),
            data: &data,
        },
    )
    .await?;
    tx.commit().await
}

/// PostgreSQL: finish a lease (resolved or needs-human) in one statement and one round trip —
/// the change and its event together, committed on their own.
pub(crate) fn complete_statement(lease: &Lease, outcome: &Completion, now: i64) -> Option<Sql> {
    let mut sql = Sql::new(
        "WITH upd AS (UPDATE violations SET lease_owner = NULL, lease_token = NULL, \
         lease_expires_at = NULL, updated_at = ",
    );
    sql.bind(now);
    let (to, data) = match outcome {
        Completion::Fixed { .. } => return None,
        Completion::Resolved { note } => {
            sql.push(", status = 'resolved', resolved_at = ").bind(now);
            (Status::Resolved, serde_json::json!({ "note": note }))
        }
        Completion::NeedsHuman { reason } => {
            sql.push(", status = 'needs_human', reason = ")
                .bind(reason.as_str());
            (Status::NeedsHuman, serde_json::json!({ "reason": reason }))
        }
    };
    held(&mut sql, lease);
    sql.push(
        " RETURNING id) INSERT INTO events (violation_id, at, actor, kind, from_status, \
         to_status, data) SELECT id, ",
    )
    .bind(now)
    .push(", ")
    .bind(lease.worker.as_str())
    .push(", 'completed', 'in_progress', ")
    .bind(to.as_str())
    .push(", ")
    .bind(data.to_string())
    .push(" FROM upd RETURNING violation_id");
    Some(sql)
}

pub(crate) fn lease_lost(lease: &Lease) -> StoreError {
    lost(lease)
}

/// PostgreSQL: extend a lease in one statement.
pub(crate) fn heartbeat_statement(lease: &Lease, expires: i64) -> Sql {
    let mut sql = Sql::new("UPDATE violations SET lease_expires_at = ");
    sql.bind(expires);
    held(&mut sql, lease);
    sql
}

pub(crate) async fn fail(
    mut tx: Tx,
    core: &Core,
    lease: &Lease,
    error: &str,
) -> Result<Retry, StoreError> {
    let now = core.clock.now_ms();
    let mut attempts_sql = Sql::new("SELECT attempts FROM violations");
    held(&mut attempts_sql, lease);
    let Some(row) = tx.fetch_optional(&attempts_sql).await? else {
        return Err(lost(lease));
    };
    let attempts = row.int("attempts").map_err(|e| tx.decode_error(&e))?;
    let attempts_u32 = u32::try_from(attempts.max(0)).unwrap_or(u32::MAX);
    let gave_up = attempts_u32 >= core.retry.max_attempts;
    let mut sql = Sql::new(
        "UPDATE violations SET lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, \
         last_error = ",
    );
    sql.bind(error).push(", updated_at = ").bind(now);
    let (retry, to, data) = if gave_up {
        let reason = format!("failed {attempts} times; last error: {error}");
        sql.push(", status = 'needs_human', reason = ")
            .bind(reason.as_str());
        (
            Retry::GaveUp,
            Status::NeedsHuman,
            serde_json::json!({ "error": error, "attempts": attempts, "reason": reason }),
        )
    } else {
        let delay = core.retry.delay(attempts_u32, random_u64());
        let at = now.saturating_add(millis(delay));
        sql.push(", status = 'assigned', not_before = ").bind(at);
        (
            Retry::At(at),
            Status::Assigned,
            serde_json::json!({ "error": error, "attempts": attempts, "retry_at": at }),
        )
    };
    held(&mut sql, lease);
    if tx.execute(&sql).await? == 0 {
        return Err(lost(lease));
    }
    let kind = if gave_up { "gave_up" } else { "failed" };
    insert_event(
        &mut tx,
        &NewEvent {
            violation_id: lease.violation_id,
            at: now,
            actor: &lease.worker,
            kind,
            from: Some(Status::InProgress),
            to: Some(to),
            data: &data,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(retry)
}

pub(crate) async fn release(mut tx: Tx, core: &Core, lease: &Lease) -> Result<(), StoreError> {
    let now = core.clock.now_ms();
    let mut sql = Sql::new(
        "UPDATE violations SET status = 'assigned', lease_owner = NULL, lease_token = NULL, \
         lease_expires_at = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 END, \
         updated_at = ",
    );
    sql.bind(now);
    held(&mut sql, lease);
    if tx.execute(&sql).await? == 0 {
        return Err(lost(lease));
    }
    insert_event(
        &mut tx,
        &NewEvent {
            violation_id: lease.violation_id,
            at: now,
            actor: &lease.worker,
            kind: "released",
            from: Some(Status::InProgress),
            to: Some(Status::Assigned),
            data: &serde_json::Value::Null,
        },
    )
    .await?;
    tx.commit().await
}

/// Claimed ids to work items, in claim order.
pub(crate) async fn items(
    tx: &mut Tx,
    ids: &[i64],
    worker: &str,
    token: i64,
    expires: i64,
) -> Result<Vec<WorkItem>, StoreError> {
    let violations = select::fetch_by_ids(tx, ids).await?;
    Ok(violations
        .into_iter()
        .map(|violation| WorkItem {
            lease: Lease {
                violation_id: violation.id,
                fingerprint: violation.fingerprint.clone(),
                worker: worker.to_string(),
                token,
                expires_at: expires,
            },
            violation,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::RetryPolicy;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_secs(10),
            max_delay: Duration::from_secs(60),
        };
        for random in [0, 1, 7_777, u64::MAX] {
            let d1 = policy.delay(1, random).as_millis();
            let d2 = policy.delay(2, random).as_millis();
            let d5 = policy.delay(5, random).as_millis();
            assert!((5_000..=10_000).contains(&d1), "{d1}");
            assert!((10_000..=20_000).contains(&d2), "{d2}");
            assert!((30_000..=60_000).contains(&d5), "{d5}");
        }
        // Jitter spreads retries.
        let spread: std::collections::BTreeSet<u128> = (0..50)
            .map(|_| policy.delay(3, random_u64()).as_millis())
            .collect();
        assert!(spread.len() > 10);
        assert!(policy.delay(1000, 3).as_millis() <= 60_000);
    }

    #[test]
    fn tokens_differ() {
        let a = new_token();
        let b = new_token();
        assert_ne!(a, b);
        assert!(a > 0 && b > 0);
    }
}
