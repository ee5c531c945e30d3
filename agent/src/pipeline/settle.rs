//! The last stage: tell the queue how a violation's turn ended. The only place a pipeline
//! [`Outcome`] becomes a queue operation.

use remedy_store::{Completion, Lease, Queue, Retry, StoreError};

use super::outcome::Outcome;

/// What a completion as resolved says.
const RESOLVED_NOTE: &str = "no longer in the source at the base revision";

/// Settle `outcome` for the violation `lease` holds, and return it as it stands afterwards: a
/// failure on the last attempt comes back as [`Outcome::NeedsHuman`].
pub async fn settle<Q: Queue>(
    queue: &Q,
    lease: &Lease,
    outcome: Outcome,
) -> Result<Outcome, StoreError> {
    match &outcome {
        Outcome::Fixed {
            delivered: Some(delivered),
            ..
        } => {
            let pr = delivered.pr.clone();
            queue.complete(lease, &Completion::Fixed { pr }).await?;
        }
        // A preview wrote nothing, and hands the violation back as it found it.
        Outcome::Fixed {
            delivered: None, ..
        }
        | Outcome::Released { .. } => queue.release(lease).await?,
        Outcome::Resolved => {
            let note = RESOLVED_NOTE.to_string();
            queue
                .complete(lease, &Completion::Resolved { note })
                .await?;
        }
        Outcome::NeedsHuman { reason } => {
            let reason = reason.clone();
            queue
                .complete(lease, &Completion::NeedsHuman { reason })
                .await?;
        }
        Outcome::Failed { error } => {
            if queue.fail(lease, error).await? == Retry::GaveUp {
                return Ok(Outcome::NeedsHuman {
                    reason: format!("attempts used up; last error: {error}"),
                });
            }
        }
        Outcome::Deferred { until_ms, reason } => queue.defer(lease, *until_ms, reason).await?,
    }
    Ok(outcome)
}
