//! The deliver stage, one delivery group at a time: the group's violations are fixed one after
//! another on its branch (each on the text the previous fix left), published together, and each
//! settled. A group larger than `max_violations_per_pr` continues on the group's next branch.
//!
//! - Deferred (a rate limit, the open pull request cap, the delivery window): each violation
//!   goes back to the queue without counting the attempt, claimable again at the limit's next
//!   slot; nothing is remediated.
//! - Declined because a person closed the group's pull request unmerged: `needs_human` with that
//!   reason. Because a person committed to the branch: the violations the branch already fixes
//!   stay with its pull request (`pr_open`); the others go to a person, naming the commit.
//! - A delivery error (a forge outage, a rejected push) fails the violations with backoff:
//!   nothing was recorded as delivered, and what was pushed is found again on the next attempt.

use std::collections::VecDeque;
use std::time::Duration;

use remedy_deliver::{Batch, Begun, Declined, Deferred, Delivered, Delivery, DeliveryError, Group};
use remedy_forge::ForgeError;
use remedy_remediate::Remediator;
use remedy_store::{Clock, Queue, StoreError, WorkItem};

use super::locate;
use super::outcome::{Outcome, Processed};
use super::settle::settle;

/// One group's violations through remediation, delivery and settling.
pub(super) struct GroupRun<'a, Q> {
    pub queue: &'a Q,
    pub remediator: &'a Remediator<'a>,
    pub delivery: &'a dyn Delivery,
    pub group: &'a Group,
}

impl<Q: Queue> GroupRun<'_, Q> {
    pub async fn run(&self, items: Vec<WorkItem>) -> Result<Vec<Processed>, StoreError> {
        let mut pending: VecDeque<WorkItem> = items.into();
        let mut out = Vec::new();
        while !pending.is_empty() {
            let members: Vec<&str> = pending
                .iter()
                .map(|i| i.violation.fingerprint.as_str())
                .collect();
            let batch = match self.delivery.begin(self.group, &members).await {
                Ok(Begun::Ready(batch)) => *batch,
                Ok(Begun::Deferred(deferred)) => {
                    tracing::info!(group = %self.group.key, until = %remedy_store::format_time(deferred.until_ms), "deferred: {}", deferred.reason);
                    self.settle_all(pending.drain(..), &deferral(&deferred), &mut out)
                        .await?;
                    break;
                }
                Ok(Begun::Declined(declined)) => {
                    tracing::info!(group = %self.group.key, "{}", declined.reason);
                    for item in pending.drain(..) {
                        let outcome = declined_outcome(&declined, &item);
                        out.push(
                            self.settle(&item, Processed::of(&item.violation, outcome))
                                .await?,
                        );
                    }
                    break;
                }
                Err(err) => {
                    let outcome = failed_delivery(&err, self.queue.clock());
                    if let Outcome::Failed { error } = &outcome {
                        tracing::warn!(group = %self.group.key, "{error}");
                    }
                    self.settle_all(pending.drain(..), &outcome, &mut out)
                        .await?;
                    break;
                }
            };
            if !self.fill(batch, &mut pending, &mut out).await? {
                // No room and nothing taken: hand the rest back rather than loop.
                let reason = format!("no branch of group {} has room", self.group.key);
                let released = Outcome::Released { reason };
                self.settle_all(pending.drain(..), &released, &mut out)
                    .await?;
            }
        }
        Ok(out)
    }

    /// Fix what fits on the batch's branch and publish it; whether anything was taken.
    async fn fill(
        &self,
        mut batch: Batch,
        pending: &mut VecDeque<WorkItem>,
        out: &mut Vec<Processed>,
    ) -> Result<bool, StoreError> {
        // What the branch already holds is delivered with the batch, as it is.
        let mut in_batch: Vec<(WorkItem, Processed)> = Vec::new();
        let (held, rest): (Vec<_>, Vec<_>) = pending
            .drain(..)
            .partition(|i| batch.holds(&i.violation.fingerprint));
        pending.extend(rest);
        for item in held {
            let fixed = Outcome::Fixed {
                delivered: None,
                note: None,
            };
            let p = Processed::of(&item.violation, fixed);
            in_batch.push((item, p));
        }
        let mut progressed = !in_batch.is_empty();

        while !pending.is_empty() && batch.room() > 0 {
            if let Err(deferred) = batch.reserve().await {
                self.settle_all(pending.drain(..), &deferral(&deferred), out)
                    .await?;
                break;
            }
            let Some(item) = pending.pop_front() else {
                break;
            };
            progressed = true;
            let (mut p, fix) =
                locate::fix(self.remediator, &batch.revision(), &item.violation).await;
            self.record_attempts(&item, &p).await?;
            let Some(fix) = fix else {
                out.push(self.settle(&item, p).await?);
                continue;
            };
            if let Err(deferred) = batch.open_slot().await {
                // No pull request may open now: this fix and the rest wait.
                let deferred = deferral(&deferred);
                p.outcome = deferred.clone();
                out.push(self.settle(&item, p).await?);
                self.settle_all(pending.drain(..), &deferred, out).await?;
                break;
            }
            match batch.add(fix) {
                Ok(()) => in_batch.push((item, p)),
                Err(err) => {
                    p.outcome = Outcome::Failed {
                        error: format!("delivery failed: {err}"),
                    };
                    out.push(self.settle(&item, p).await?);
                }
            }
        }
        if !in_batch.is_empty() {
            self.publish(batch, in_batch, out).await?;
        }
        Ok(progressed)
    }

    /// Publish the batch and settle its violations: fixed in its pull request, or (a forge
    /// outage, a pull request that may not open yet) back to the queue.
    async fn publish(
        &self,
        mut batch: Batch,
        in_batch: Vec<(WorkItem, Processed)>,
        out: &mut Vec<Processed>,
    ) -> Result<(), StoreError> {
        // Fixes the branch already holds, from a run cut short before its pull request opened,
        // wait for a slot like new ones.
        let outcome = match batch.open_slot().await {
            Err(deferred) => deferral(&deferred),
            Ok(()) => match self.delivery.finish(batch).await {
                Ok(delivered) => Outcome::Fixed {
                    delivered: Some(delivered),
                    note: None,
                },
                Err(err) => {
                    let outcome = failed_delivery(&err, self.queue.clock());
                    if let Outcome::Failed { error } = &outcome {
                        tracing::warn!(group = %self.group.key, "{error}");
                    }
                    outcome
                }
            },
        };
        for (item, mut p) in in_batch {
            p.outcome = outcome.clone();
            out.push(self.settle(&item, p).await?);
        }
        Ok(())
    }

    async fn settle(&self, item: &WorkItem, mut p: Processed) -> Result<Processed, StoreError> {
        p.outcome = settle(self.queue, &item.lease, p.outcome).await?;
        Ok(p)
    }

    async fn settle_all(
        &self,
        items: impl IntoIterator<Item = WorkItem>,
        outcome: &Outcome,
        out: &mut Vec<Processed>,
    ) -> Result<(), StoreError> {
        for item in items {
            let p = Processed::of(&item.violation, outcome.clone());
            out.push(self.settle(&item, p).await?);
        }
        Ok(())
    }

    async fn record_attempts(&self, item: &WorkItem, p: &Processed) -> Result<(), StoreError> {
        let events: Vec<serde_json::Value> = p
            .attempts
            .iter()
            .filter_map(|a| serde_json::to_value(a).ok())
            .collect();
        self.queue.record_attempts(&item.lease, &events).await
    }
}

/// A person closed the group's pull request, or committed to its branch.
fn declined_outcome(declined: &Declined, item: &WorkItem) -> Outcome {
    if !declined.closed && declined.holds.contains(&item.violation.fingerprint) {
        // The person's branch keeps the fix remedy made: it stays with their pull request.
        Outcome::Fixed {
            delivered: Some(Delivered {
                pr: declined.pr.clone(),
                unchanged: true,
                opened: false,
            }),
            note: Some(declined.reason.clone()),
        }
    } else {
        Outcome::NeedsHuman {
            reason: declined.reason.clone(),
        }
    }
}

fn deferral(deferred: &Deferred) -> Outcome {
    Outcome::Deferred {
        until_ms: deferred.until_ms,
        reason: deferred.reason.clone(),
    }
}

/// A delivery error: throttled by the forge for longer than is worth waiting, the work goes
/// back to the queue until the limit lifts, uncounted; anything else fails it, with backoff.
fn failed_delivery(err: &DeliveryError, clock: &Clock) -> Outcome {
    if let DeliveryError::Forge(ForgeError::RateLimited { forge, retry_after }) = err {
        let wait = retry_after.unwrap_or(Duration::from_secs(60));
        return Outcome::Deferred {
            until_ms: clock
                .now_ms()
                .saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)),
            reason: format!("{forge} rate limit: retry after {}s", wait.as_secs()),
        };
    }
    Outcome::Failed {
        error: format!("delivery failed: {err}"),
    }
}
