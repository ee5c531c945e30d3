//! A work queue in memory, for one-off runs over an audit's findings (`remedy fix --all`,
//! `--id`, and every `--dry-run`): the same [`Queue`] the store is, so the pipeline runs the same
//! way, but it keeps nothing. Each violation is claimed once; how its turn ended is what the
//! pipeline returns, not something to read back.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use remedy_guardrails::Violation;
use remedy_store::{
    ClaimGroups, ClaimScope, Clock, Completion, Lease, Priority, Queue, ResourceInfo, Retry,
    Status, StoreError, ViolationRecord, WorkItem,
};

/// Violations waiting for their one turn.
pub struct MemoryQueue {
    pending: Mutex<VecDeque<ViolationRecord>>,
    clock: Clock,
}

impl MemoryQueue {
    /// A queue of `violations`, in the order given.
    pub fn new(violations: impl IntoIterator<Item = ViolationRecord>, clock: Clock) -> Self {
        Self {
            pending: Mutex::new(violations.into_iter().collect()),
            clock,
        }
    }

    /// A queue of an audit's findings in `repository` (its normalised URL).
    pub fn of_findings<'v>(
        findings: impl IntoIterator<Item = &'v Violation>,
        repository: &str,
        clock: Clock,
    ) -> Self {
        let now = clock.now_ms();
        let records = findings
            .into_iter()
            .enumerate()
            .map(|(i, v)| unrecorded(v, i64::try_from(i).unwrap_or(i64::MAX), repository, now));
        Self::new(records, clock)
    }

    /// Violations not yet claimed.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<ViolationRecord>> {
        self.pending.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A finding as the store would record it, never having been recorded.
fn unrecorded(v: &Violation, id: i64, repository: &str, now: i64) -> ViolationRecord {
    ViolationRecord {
        id,
        fingerprint: v.fingerprint.clone(),
        repository: repository.to_string(),
        repository_root: String::new(),
        status: Status::InProgress,
        priority: Priority::for_severity(v.severity),
        assignee: None,
        policy: v.policy.clone(),
        title: v.title.clone(),
        severity: v.severity,
        rule: v.rule.as_str().to_string(),
        message: v.message.clone(),
        resource: ResourceInfo {
            type_token: v.resource.type_token.clone(),
            name: v.resource.name.clone(),
            name_expr: v.resource.name_expr.clone(),
        },
        file: v.file.clone(),
        line: i64::from(v.line),
        column: i64::from(v.column),
        end_line: i64::from(v.end_line),
        end_column: i64::from(v.end_column),
        frameworks: v.frameworks.clone(),
        remediation: v.remediation.to_string(),
        reason: None,
        last_error: None,
        attempts: 0,
        reopen_count: 0,
        first_seen_at: now,
        last_seen_at: now,
        updated_at: now,
        resolved_at: None,
        pr: None,
    }
}

/// What a claim keeps together, as the store's claim does: the violations of one file or one
/// policy go to one worker, so their fixes go out together.
fn group_key(groups: ClaimGroups, v: &ViolationRecord) -> Option<&str> {
    match groups {
        ClaimGroups::None => None,
        ClaimGroups::File => Some(&v.file),
        ClaimGroups::Policy => Some(&v.policy),
    }
}

impl Queue for MemoryQueue {
    async fn claim(
        &self,
        worker: &str,
        n: usize,
        lease: Duration,
        scope: &ClaimScope,
    ) -> Result<Vec<WorkItem>, StoreError> {
        let mut pending = self.lock();
        let mut taken: Vec<ViolationRecord> = Vec::new();
        // The head's group first (filling the claim if it is larger), then further groups only
        // whole: a group is never split between two claims unless it alone exceeds one.
        while taken.len() < n {
            let size_of = |key: Option<&str>| match key {
                None => 1,
                Some(key) => pending
                    .iter()
                    .filter(|v| group_key(scope.groups, v) == Some(key))
                    .count(),
            };
            let next = pending.iter().position(|v| {
                taken.is_empty() || taken.len() + size_of(group_key(scope.groups, v)) <= n
            });
            let Some(i) = next else { break };
            let key = group_key(scope.groups, &pending[i]).map(str::to_string);
            match key {
                None => taken.extend(pending.remove(i)),
                Some(key) => {
                    let room = n - taken.len();
                    let (group, rest): (VecDeque<_>, VecDeque<_>) = std::mem::take(&mut *pending)
                        .into_iter()
                        .partition(|v| group_key(scope.groups, v) == Some(key.as_str()));
                    *pending = rest;
                    let mut group = group.into_iter();
                    taken.extend(group.by_ref().take(room));
                    // What did not fit goes back to the head of the queue, in order.
                    for v in group.rev() {
                        pending.push_front(v);
                    }
                }
            }
        }
        let expires_at = self.clock.now_ms().saturating_add(millis(lease));
        Ok(taken
            .into_iter()
            .map(|violation| WorkItem {
                lease: Lease {
                    violation_id: violation.id,
                    fingerprint: violation.fingerprint.clone(),
                    worker: worker.to_string(),
                    token: violation.id,
                    expires_at,
                },
                violation,
            })
            .collect())
    }

    async fn heartbeat(&self, _lease: &Lease, extend: Duration) -> Result<i64, StoreError> {
        Ok(self.clock.now_ms().saturating_add(millis(extend)))
    }

    async fn complete(&self, _lease: &Lease, _completion: &Completion) -> Result<(), StoreError> {
        Ok(())
    }

    /// A one-off run reports a failure; it does not retry it.
    async fn fail(&self, _lease: &Lease, _error: &str) -> Result<Retry, StoreError> {
        Ok(Retry::At(i64::MAX))
    }

    async fn release(&self, _lease: &Lease) -> Result<(), StoreError> {
        Ok(())
    }

    async fn defer(&self, _lease: &Lease, _until_ms: i64, _reason: &str) -> Result<(), StoreError> {
        Ok(())
    }

    async fn record_attempts(
        &self,
        _lease: &Lease,
        _attempts: &[serde_json::Value],
    ) -> Result<(), StoreError> {
        Ok(())
    }

    fn clock(&self) -> &Clock {
        &self.clock
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(i: i64, file: &str, policy: &str) -> ViolationRecord {
        let mut v = unrecorded(
            &remedy_eval::violations::violation(0),
            i,
            "github.com/acme/infra",
            0,
        );
        v.fingerprint = format!("fp{i}");
        v.file = file.into();
        v.policy = policy.into();
        v
    }

    fn claimed(q: &MemoryQueue, n: usize, groups: ClaimGroups) -> Vec<String> {
        let scope = ClaimScope {
            groups,
            ..ClaimScope::default()
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime
            .block_on(q.claim("w", n, Duration::from_secs(60), &scope))
            .unwrap()
            .into_iter()
            .map(|i| i.violation.fingerprint)
            .collect()
    }

    #[test]
    fn claims_take_groups_whole_and_each_violation_once() {
        let q = MemoryQueue::new(
            [
                record(0, "a.ts", "p1"),
                record(1, "b.ts", "p1"),
                record(2, "a.ts", "p2"),
                record(3, "c.ts", "p2"),
                record(4, "b.ts", "p2"),
            ],
            Clock::manual(0),
        );
        // a.ts (2) first, then b.ts (2) fits whole in 4; c.ts would not fit after it.
        assert_eq!(
            claimed(&q, 4, ClaimGroups::File),
            ["fp0", "fp2", "fp1", "fp4"]
        );
        assert_eq!(claimed(&q, 4, ClaimGroups::File), ["fp3"]);
        assert!(claimed(&q, 4, ClaimGroups::File).is_empty(), "claimed once");
        assert!(q.is_empty());
    }

    #[test]
    fn a_group_larger_than_a_claim_fills_it() {
        let q = MemoryQueue::new(
            [
                record(0, "a.ts", "p1"),
                record(1, "b.ts", "p1"),
                record(2, "c.ts", "p1"),
                record(3, "d.ts", "p2"),
            ],
            Clock::manual(0),
        );
        assert_eq!(claimed(&q, 2, ClaimGroups::Policy), ["fp0", "fp1"]);
        assert_eq!(claimed(&q, 2, ClaimGroups::Policy), ["fp2", "fp3"]);
        assert_eq!(q.len(), 0);
        let q = MemoryQueue::new([record(0, "a.ts", "p1")], Clock::manual(0));
        assert_eq!(claimed(&q, 0, ClaimGroups::None), Vec::<String>::new());
    }
}
