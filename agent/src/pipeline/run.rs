//! Driving the stages: [`Pipeline::work`] takes claimed violations through locate → remediate →
//! gate → deliver → settle, group by group; [`Pipeline::drain`] claims until the queue (or a
//! limit) runs out. The daemon's workers call `work` with what they claim; `remedy fix` calls
//! `drain`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use remedy_deliver::group::{Member, partition};
use remedy_deliver::{Delivery, Group};
use remedy_remediate::Remediator;
use remedy_store::{ClaimScope, Lease, Queue, StoreError, WorkItem};

use super::deliver::GroupRun;
use super::locate::{self, ProgramFiles};
use super::outcome::{Outcome, Processed, resource_name};

/// Where fixes go.
#[derive(Clone, Copy)]
pub enum Target<'a> {
    /// Nowhere: each fix is made on these files and shown, nothing is written (`--dry-run`).
    Preview(&'a dyn ProgramFiles),
    /// Branches and pull requests, as the delivery groups them.
    Deliver(&'a dyn Delivery),
}

/// The stages with what they work with.
pub struct Pipeline<'a, Q> {
    pub queue: &'a Q,
    pub remediator: &'a Remediator<'a>,
    pub target: Target<'a>,
    /// One worker per delivery group at a time (shared by a process's workers).
    pub locks: &'a GroupLocks,
    /// How long a claim lasts without a heartbeat; heartbeats come every third of it.
    pub lease: Duration,
}

/// How [`Pipeline::drain`] claims.
#[derive(Debug, Clone)]
pub struct Drain {
    pub worker: String,
    pub scope: ClaimScope,
    /// Violations per claim.
    pub batch: usize,
    /// Stop after this many outcomes.
    pub limit: usize,
    /// Stop at the first deferral, leaving the rest in the queue (it would be deferred too);
    /// otherwise go on until nothing is claimable, so that every violation gets an outcome.
    pub stop_at_deferral: bool,
}

impl<Q: Queue + Sync> Pipeline<'_, Q> {
    /// Take claimed violations through the pipeline. With delivery, group by group (as the
    /// delivery groups them), one worker per group at a time, each lease kept alive meanwhile;
    /// previewing, one by one on the given files, writing nothing anywhere.
    pub async fn work(&self, items: Vec<WorkItem>) -> Result<Vec<Processed>, StoreError> {
        match self.target {
            Target::Preview(files) => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    out.push(locate::fix(self.remediator, files, &item.violation).await.0);
                }
                Ok(out)
            }
            Target::Deliver(delivery) => {
                let mut out = Vec::with_capacity(items.len());
                for (group, members) in partition(items, |i| group_of(delivery, i)) {
                    out.extend(self.work_group(delivery, &group, members).await?);
                }
                Ok(out)
            }
        }
    }

    async fn work_group(
        &self,
        delivery: &dyn Delivery,
        group: &Group,
        items: Vec<WorkItem>,
    ) -> Result<Vec<Processed>, StoreError> {
        let leases: Vec<Lease> = items.iter().map(|i| i.lease.clone()).collect();
        let run = GroupRun {
            queue: self.queue,
            remediator: self.remediator,
            delivery,
            group,
        };
        let result = tokio::select! {
            result = async {
                let _turn = self.locks.lock(group).await;
                run.run(items).await
            } => result,
            never = self.keep_alive(&leases) => match never {},
        };
        if result.is_err() {
            // Whatever went wrong with the store, do not keep violations from other workers
            // (the ones already settled are not held any more: their release fails, harmlessly).
            for lease in &leases {
                let _ = self.queue.release(lease).await;
            }
        }
        result
    }

    /// Extend every lease each third of its length, for as long as the group is worked.
    async fn keep_alive(&self, leases: &[Lease]) -> std::convert::Infallible {
        let every = (self.lease / 3).max(Duration::from_millis(100));
        let mut alive = vec![true; leases.len()];
        loop {
            tokio::time::sleep(every).await;
            for (lease, alive) in leases.iter().zip(alive.iter_mut()) {
                if !*alive {
                    continue;
                }
                if let Err(err) = self.queue.heartbeat(lease, self.lease).await {
                    tracing::warn!(fingerprint = %lease.fingerprint, "heartbeat failed: {err}");
                    *alive = false;
                }
            }
        }
    }

    /// Claim and work until nothing is claimable or `drain.limit` outcomes are in; each
    /// violation's outcome once, in the order they came. `done` sees each as it comes.
    pub async fn drain(
        &self,
        drain: &Drain,
        mut done: impl FnMut(&Processed),
    ) -> Result<Vec<Processed>, StoreError> {
        let mut results = Vec::new();
        let mut seen = HashSet::new();
        while results.len() < drain.limit {
            let n = (drain.limit - results.len()).min(drain.batch.max(1));
            let items = self
                .queue
                .claim(&drain.worker, n, self.lease, &drain.scope)
                .await?;
            if items.is_empty() {
                break;
            }
            let processed = self.work(items).await?;
            let deferred = processed
                .iter()
                .any(|p| matches!(p.outcome, Outcome::Deferred { .. }));
            // One outcome per violation: work handed back untouched comes straight back, and
            // a pass with nothing new would only repeat itself.
            let before = seen.len();
            for p in processed {
                if seen.insert(p.fingerprint.clone()) {
                    done(&p);
                    results.push(p);
                }
            }
            if (deferred && drain.stop_at_deferral) || seen.len() == before {
                break;
            }
        }
        Ok(results)
    }
}

/// The group a claimed violation belongs to, as `delivery` groups.
pub fn group_of(delivery: &dyn Delivery, item: &WorkItem) -> Group {
    let v = &item.violation;
    delivery.group_of(&member_of(v), v.severity)
}

/// What grouping looks at in a recorded violation.
pub fn member_of(v: &remedy_store::ViolationRecord) -> Member<'_> {
    Member {
        fingerprint: &v.fingerprint,
        policy: &v.policy,
        file: &v.file,
        resource_type: &v.resource.type_token,
        resource: resource_name(v),
    }
}

/// One writer per group within a process. Two workers holding violations of the same group
/// would otherwise build on the same branch tip at once: with a forge the second push is
/// rejected (and its fixes retried), with local branches the second commit would replace the
/// first. Replicas are kept apart by the forge's fast-forward-only pushes.
#[derive(Debug, Clone, Default)]
pub struct GroupLocks(Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>);

impl GroupLocks {
    /// Wait for the group's turn; the group is free again when the guard drops.
    pub async fn lock(&self, group: &Group) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if locks.len() >= 1024 {
                // Forget the groups nobody holds or waits for.
                locks.retain(|_, lock| Arc::strong_count(lock) > 1);
            }
            Arc::clone(locks.entry(group.key.clone()).or_default())
        };
        lock.lock_owned().await
    }
}
