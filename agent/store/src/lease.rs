//! What a worker holding a lease records besides its outcome: a deferral (the lease handed back
//! until a limit lifts) and each remediation attempt.

use super::backend::Backend;
use super::error::StoreError;
use super::queue::{Lease, NewEvent, insert_event};
use super::sql::Sql;
use super::types::Status;

/// Hand a claimed violation back without counting the attempt, claimable again from
/// `until_ms` (a rate limit's next slot, or the delivery window's opening): deferred work is
/// never lost and never used up.
pub(crate) async fn defer_lease(
    db: &Backend,
    lease: &Lease,
    until_ms: i64,
    reason: &str,
) -> Result<(), StoreError> {
    let now = db.clock().now_ms();
    let mut tx = db.begin_write().await?;
    let mut sql = Sql::new(
        "UPDATE violations SET status = 'assigned', lease_owner = NULL, lease_token = NULL, \
         lease_expires_at = NULL, attempts = CASE WHEN attempts > 0 THEN attempts - 1 ELSE 0 \
         END, not_before = ",
    );
    sql.bind(until_ms)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(lease.violation_id)
        .push(" AND lease_token = ")
        .bind(lease.token)
        .push(" AND status = 'in_progress'");
    if tx.execute(&sql).await? == 0 {
        return Err(StoreError::LeaseLost {
            fingerprint: lease.fingerprint.clone(),
        });
    }
    insert_event(
        &mut tx,
        &NewEvent {
            violation_id: lease.violation_id,
            at: now,
            actor: &lease.worker,
            kind: "deferred",
            from: Some(Status::InProgress),
            to: Some(Status::Assigned),
            data: &serde_json::json!({ "until": until_ms, "reason": reason }),
        },
    )
    .await?;
    tx.commit().await
}

/// Append one `attempt` event per remediation attempt (provider, model, prompt hash, tokens,
/// latency, the gate's verdict) to a violation this worker holds.
pub(crate) async fn insert_attempts(
    db: &Backend,
    lease: &Lease,
    attempts: &[serde_json::Value],
) -> Result<(), StoreError> {
    if attempts.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin_write().await?;
    let at = db.clock().now_ms();
    for data in attempts {
        insert_event(
            &mut tx,
            &NewEvent {
                violation_id: lease.violation_id,
                at,
                actor: &lease.worker,
                kind: "attempt",
                from: None,
                to: None,
                data,
            },
        )
        .await?;
    }
    tx.commit().await
}
