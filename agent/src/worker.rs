//! Queued violations, start to finish: remediate, deliver, and tell the store how each ended.
//! Shared by `remedy fix` and the daemon.
//!
//! - [`process_all`] (what a daemon calls with a batch of claims): partitions claimed items
//!   into the delivery's groups and runs [`process_group`] on each — fixes made one after
//!   another on the group's branch, delivered together; deferrals by a limit go back to the
//!   queue uncounted ([`Store::defer`]).
//! - [`process`]: one item, fixed on the base and delivered as a group of its own (and the dry
//!   run's preview).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, PoisonError};
use std::time::Duration;

use remedy_git::{Oid, Repo};
use remedy_source::Language;

use crate::deliver::{AcceptedFix, Begun, Delivered, Delivery, Group};
use crate::remediate::{Outcome, Remediator, Subject};
use crate::store::{Lease, Outcome as StoreOutcome, Queue, Retry, Store, StoreError, WorkItem};

/// What happened to one work item.
#[derive(Debug, Clone)]
pub struct Processed {
    pub fingerprint: String,
    pub policy: String,
    pub file: String,
    pub resource: String,
    pub severity: String,
    /// The remediation outcome's label: fixed, resolved, needs_human, failed.
    pub outcome: &'static str,
    pub provider: Option<&'static str>,
    pub delivered: Option<Delivered>,
    pub reason: Option<String>,
    /// A unified diff, when asked for.
    pub diff: Option<String>,
    pub attempts: Vec<crate::remediate::Attempt>,
    /// The file before and after, for a dry run's diff.
    pub before: Option<String>,
    pub after: Option<String>,
}

/// Where program files come from: a commit of a repository.
pub struct Source<'r> {
    pub repo: &'r Repo,
    pub base: Oid,
}

impl Source<'_> {
    fn read(&self, file: &str) -> Option<String> {
        self.repo.read(self.base, file).ok().flatten()
    }

    /// Program files at the base, for finding a resource whose file moved.
    fn program_files(&self) -> Vec<String> {
        self.repo.program_files(self.base).unwrap_or_default()
    }
}

/// Remediate one claimed violation, without touching the store.
pub async fn remediate_item(
    remediator: &Remediator<'_>,
    source: &Source<'_>,
    item: &WorkItem,
) -> (Subject, Option<String>, Outcome) {
    let v = &item.violation;
    let subject = Subject {
        fingerprint: v.fingerprint.clone(),
        policy: v.policy.clone(),
        file: v.file.clone(),
    };
    let root = source.repo.root().to_path_buf();
    if let Some(text) = source.read(&v.file) {
        let outcome = remediator.remediate(&subject, &text, &root).await;
        if !matches!(outcome, Outcome::AlreadyResolved) {
            return (subject, Some(text), outcome);
        }
    }
    // The file moved, or the resource did: look for the same resource and policy elsewhere.
    if let Some((moved, text)) = find_moved(remediator, source, item) {
        let outcome = remediator.remediate(&moved, &text, &root).await;
        return (moved, Some(text), outcome);
    }
    (subject, None, Outcome::AlreadyResolved)
}

/// The same policy on a resource of the same type and name, in another file at the base.
fn find_moved(
    remediator: &Remediator<'_>,
    source: &Source<'_>,
    item: &WorkItem,
) -> Option<(Subject, String)> {
    let v = &item.violation;
    let mut evaluator = remediator.policies.evaluator();
    for file in source.program_files() {
        if file == v.file {
            continue;
        }
        let Some(text) = source.read(&file) else {
            continue;
        };
        let language = Language::from_path(Path::new(&file))?;
        let audit = evaluator.audit_source(&file, language, &text);
        if let Some(found) = audit.violations.iter().find(|f| {
            f.policy == v.policy
                && f.resource.type_token == v.resource.type_token
                && f.resource.name == v.resource.name
                && f.resource.name_expr == v.resource.name_expr
        }) {
            tracing::info!(fingerprint = %v.fingerprint, from = %v.file, to = %file, "violation moved");
            return Some((
                Subject {
                    fingerprint: found.fingerprint.clone(),
                    policy: found.policy.clone(),
                    file: file.clone(),
                },
                text,
            ));
        }
    }
    None
}

/// Process one claimed item: remediate, deliver, complete (or fail) it in the store, with the
/// lease kept alive meanwhile. `dry_run` remediates and releases the item untouched.
pub async fn process(
    store: &Store,
    remediator: &Remediator<'_>,
    source: &Source<'_>,
    delivery: &dyn Delivery,
    item: WorkItem,
    lease_for: Duration,
    dry_run: bool,
) -> Result<Processed, StoreError> {
    let heartbeat = spawn_heartbeat(store.clone(), item.lease.clone(), lease_for);
    let result = process_held(store, remediator, source, delivery, &item, dry_run).await;
    heartbeat.abort();
    if result.is_err() {
        // Whatever went wrong with the store, do not keep the violation from other workers.
        let _ = store.release(&item.lease).await;
    }
    result
}

async fn process_held(
    store: &Store,
    remediator: &Remediator<'_>,
    source: &Source<'_>,
    delivery: &dyn Delivery,
    item: &WorkItem,
    dry_run: bool,
) -> Result<Processed, StoreError> {
    let v = &item.violation;
    let (subject, before, outcome) = remediate_item(remediator, source, item).await;
    let mut processed = Processed {
        fingerprint: v.fingerprint.clone(),
        policy: v.policy.clone(),
        file: subject.file.clone(),
        resource: v
            .resource
            .name
            .clone()
            .unwrap_or_else(|| v.resource.name_expr.clone()),
        severity: v.severity.to_string(),
        outcome: outcome.label(),
        provider: None,
        delivered: None,
        reason: None,
        diff: None,
        attempts: outcome.attempts().to_vec(),
        before: before.clone(),
        after: None,
    };
    if dry_run {
        if let Outcome::Fixed {
            after, provider, ..
        } = &outcome
        {
            processed.provider = Some(provider);
            processed.after = Some(after.clone());
        }
        if let Outcome::NeedsHuman { reason, .. } | Outcome::Failed { error: reason, .. } = &outcome
        {
            processed.reason = Some(reason.clone());
        }
        store.release(&item.lease).await?;
        return Ok(processed);
    }

    let events: Vec<serde_json::Value> = processed
        .attempts
        .iter()
        .filter_map(|a| serde_json::to_value(a).ok())
        .collect();
    store.record_attempts(&item.lease, &events).await?;

    let store_outcome = match outcome {
        Outcome::Fixed {
            after,
            verdict,
            provider,
            ..
        } => {
            processed.provider = Some(provider);
            let fix = accepted(v, &subject, &processed.resource, after.clone(), verdict);
            processed.after = Some(after);
            match delivery.deliver(&fix).await {
                Ok(delivered) => {
                    let pr = delivered.pr.clone();
                    processed.delivered = Some(delivered);
                    StoreOutcome::Fixed { pr }
                }
                Err(err) => {
                    // The fix is good; getting it out failed (a forge outage): retry later.
                    let error = format!("delivery failed: {err}");
                    processed.outcome = "failed";
                    processed.reason = Some(error.clone());
                    return fail(store, &item.lease, &error, processed).await;
                }
            }
        }
        Outcome::AlreadyResolved => StoreOutcome::Resolved {
            note: "no longer in the source at the base revision".into(),
        },
        Outcome::NeedsHuman { reason, .. } => {
            processed.reason = Some(reason.clone());
            StoreOutcome::NeedsHuman { reason }
        }
        Outcome::Failed { error, .. } => {
            processed.reason = Some(error.clone());
            return fail(store, &item.lease, &error, processed).await;
        }
    };
    store.complete(&item.lease, &store_outcome).await?;
    Ok(processed)
}

/// The accepted fix of a recorded violation.
fn accepted(
    v: &crate::store::ViolationRecord,
    subject: &Subject,
    resource: &str,
    after: String,
    verdict: remedy_guardrails::gate::Verdict,
) -> AcceptedFix {
    AcceptedFix {
        fingerprint: subject.fingerprint.clone(),
        policy: v.policy.clone(),
        title: v.title.clone(),
        severity: v.severity.to_string(),
        message: v.message.clone(),
        resource: resource.to_string(),
        resource_type: v.resource.type_token.clone(),
        file: subject.file.clone(),
        frameworks: v.frameworks.clone(),
        after,
        verdict,
    }
}

/// The group a claimed violation belongs to, as `delivery` groups.
pub fn group_of(delivery: &dyn Delivery, item: &WorkItem) -> Group {
    let v = &item.violation;
    let resource = v.resource.name.as_deref().unwrap_or(&v.resource.name_expr);
    delivery.group_of(
        &crate::deliver::group::Member {
            fingerprint: &v.fingerprint,
            policy: &v.policy,
            file: &v.file,
            resource_type: &v.resource.type_token,
            resource,
        },
        v.severity,
    )
}

/// One writer per group within a process. Two workers holding violations of the same group
/// would otherwise build on the same branch tip at once: with a forge the second push is
/// rejected (and its fixes retried), with local branches the second commit would replace the
/// first. Replicas are kept apart by the forge's fast-forward-only pushes.
#[derive(Debug, Clone, Default)]
pub struct GroupLocks(Arc<std::sync::Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>);

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

/// Process claimed items group by group (as `delivery` groups them), one worker per group at
/// a time (`locks`): see [`process_group`].
pub async fn process_all(
    store: &Store,
    remediator: &Remediator<'_>,
    delivery: &dyn Delivery,
    locks: &GroupLocks,
    items: Vec<WorkItem>,
    lease_for: Duration,
) -> Result<Vec<Processed>, StoreError> {
    let mut out = Vec::with_capacity(items.len());
    for (group, members) in crate::deliver::group::partition(items, |i| group_of(delivery, i)) {
        out.extend(
            process_group(
                store, remediator, delivery, locks, &group, members, lease_for,
            )
            .await?,
        );
    }
    Ok(out)
}

/// Process the claimed items of one group: fix them one after another on the group's branch
/// (each on the text the previous fix left), deliver them together, and tell the store how each
/// ended. A group larger than `max_violations_per_pr` continues on the group's next branch.
///
/// - Deferred (a rate limit, the open pull request cap, the delivery window): each item goes
///   back to the queue without counting the attempt, claimable again at the limit's next slot
///   ([`Store::defer`]); nothing is remediated.
/// - Declined because a person closed the group's pull request unmerged: `needs_human` with
///   that reason. Because a person committed to the branch: the items the branch already fixes
///   stay with its pull request (`pr_open`); the others go to a person, naming the commit.
/// - A delivery error (a forge outage, a rejected push) fails the items with backoff: nothing
///   was recorded as delivered, and what was pushed is found again on the next attempt.
pub async fn process_group(
    store: &Store,
    remediator: &Remediator<'_>,
    delivery: &dyn Delivery,
    locks: &GroupLocks,
    group: &Group,
    items: Vec<WorkItem>,
    lease_for: Duration,
) -> Result<Vec<Processed>, StoreError> {
    let heartbeats: Vec<_> = items
        .iter()
        .map(|i| spawn_heartbeat(store.clone(), i.lease.clone(), lease_for))
        .collect();
    let leases: Vec<Lease> = items.iter().map(|i| i.lease.clone()).collect();
    let turn = locks.lock(group).await;
    let result = group_held(store, remediator, delivery, group, items).await;
    drop(turn);
    for h in heartbeats {
        h.abort();
    }
    if result.is_err() {
        for lease in &leases {
            // Whatever went wrong with the store, do not keep violations from other workers
            // (the ones already settled are not held any more: their release fails, harmlessly).
            let _ = store.release(lease).await;
        }
    }
    result
}

fn blank(item: &WorkItem, outcome: &'static str) -> Processed {
    let v = &item.violation;
    Processed {
        fingerprint: v.fingerprint.clone(),
        policy: v.policy.clone(),
        file: v.file.clone(),
        resource: v
            .resource
            .name
            .clone()
            .unwrap_or_else(|| v.resource.name_expr.clone()),
        severity: v.severity.to_string(),
        outcome,
        provider: None,
        delivered: None,
        reason: None,
        diff: None,
        attempts: Vec::new(),
        before: None,
        after: None,
    }
}

async fn group_held(
    store: &Store,
    remediator: &Remediator<'_>,
    delivery: &dyn Delivery,
    group: &Group,
    items: Vec<WorkItem>,
) -> Result<Vec<Processed>, StoreError> {
    let mut pending: std::collections::VecDeque<WorkItem> = items.into();
    let mut out = Vec::new();
    while !pending.is_empty() {
        let members: Vec<&str> = pending
            .iter()
            .map(|i| i.violation.fingerprint.as_str())
            .collect();
        let begun = match delivery.begin(group, &members).await {
            Ok(begun) => begun,
            Err(err) => {
                if let Some(deferred) = throttled(&err, store) {
                    for item in pending.drain(..) {
                        out.push(defer(store, &item, &deferred).await?);
                    }
                    break;
                }
                let error = format!("delivery failed: {err}");
                tracing::warn!(group = %group.key, "{error}");
                for item in pending.drain(..) {
                    let mut p = blank(&item, "failed");
                    p.reason = Some(error.clone());
                    out.push(fail(store, &item.lease, &error, p).await?);
                }
                break;
            }
        };
        let mut batch = match begun {
            Begun::Deferred(deferred) => {
                tracing::info!(group = %group.key, until = %crate::store::format_time(deferred.until_ms), "deferred: {}", deferred.reason);
                for item in pending.drain(..) {
                    out.push(defer(store, &item, &deferred).await?);
                }
                break;
            }
            Begun::Declined(declined) => {
                tracing::info!(group = %group.key, "{}", declined.reason);
                for item in pending.drain(..) {
                    let fingerprint = &item.violation.fingerprint;
                    let mut p;
                    let outcome = if !declined.closed && declined.holds.contains(fingerprint) {
                        p = blank(&item, "fixed");
                        p.delivered = Some(Delivered {
                            pr: declined.pr.clone(),
                            unchanged: true,
                            opened: false,
                        });
                        p.reason = Some(declined.reason.clone());
                        StoreOutcome::Fixed {
                            pr: declined.pr.clone(),
                        }
                    } else {
                        p = blank(&item, "needs_human");
                        p.reason = Some(declined.reason.clone());
                        StoreOutcome::NeedsHuman {
                            reason: declined.reason.clone(),
                        }
                    };
                    store.complete(&item.lease, &outcome).await?;
                    out.push(p);
                }
                break;
            }
            Begun::Ready(batch) => *batch,
        };

        // Fix on the branch, one after another; what the branch already holds is delivered.
        let mut in_batch: Vec<(WorkItem, Processed)> = Vec::new();
        let mut progressed = false;
        let (held, rest): (Vec<_>, Vec<_>) = pending
            .drain(..)
            .partition(|i| batch.holds(&i.violation.fingerprint));
        pending.extend(rest);
        for item in held {
            let p = blank(&item, "fixed");
            in_batch.push((item, p));
            progressed = true;
        }
        while pending.front().is_some() {
            if batch.room() == 0 {
                break;
            }
            if let Err(deferred) = batch.reserve() {
                for item in pending.drain(..) {
                    out.push(defer(store, &item, &deferred).await?);
                }
                break;
            }
            let Some(item) = pending.pop_front() else {
                break;
            };
            progressed = true;
            let (subject, before, outcome) = {
                let source = batch.source();
                remediate_item(remediator, &source, &item).await
            };
            let mut p = blank(&item, outcome.label());
            p.file.clone_from(&subject.file);
            p.attempts = outcome.attempts().to_vec();
            p.before = before;
            let events: Vec<serde_json::Value> = p
                .attempts
                .iter()
                .filter_map(|a| serde_json::to_value(a).ok())
                .collect();
            store.record_attempts(&item.lease, &events).await?;
            let v = &item.violation;
            match outcome {
                Outcome::Fixed {
                    after,
                    verdict,
                    provider,
                    ..
                } => {
                    p.provider = Some(provider);
                    p.after = Some(after.clone());
                    if let Err(deferred) = batch.open_slot() {
                        // No pull request may open now: this fix and the rest wait.
                        out.push(defer(store, &item, &deferred).await?);
                        for item in pending.drain(..) {
                            out.push(defer(store, &item, &deferred).await?);
                        }
                        break;
                    }
                    let fix = accepted(v, &subject, &p.resource, after, verdict);
                    match batch.add(fix) {
                        Ok(()) => in_batch.push((item, p)),
                        Err(err) => {
                            let error = format!("delivery failed: {err}");
                            p.outcome = "failed";
                            p.reason = Some(error.clone());
                            out.push(fail(store, &item.lease, &error, p).await?);
                        }
                    }
                }
                Outcome::AlreadyResolved => {
                    store
                        .complete(
                            &item.lease,
                            &StoreOutcome::Resolved {
                                note: "no longer in the source at the base revision".into(),
                            },
                        )
                        .await?;
                    out.push(p);
                }
                Outcome::NeedsHuman { reason, .. } => {
                    p.reason = Some(reason.clone());
                    store
                        .complete(&item.lease, &StoreOutcome::NeedsHuman { reason })
                        .await?;
                    out.push(p);
                }
                Outcome::Failed { error, .. } => {
                    p.reason = Some(error.clone());
                    out.push(fail(store, &item.lease, &error, p).await?);
                }
            }
        }

        if !in_batch.is_empty()
            && let Err(deferred) = batch.open_slot()
        {
            // Fixes the branch already holds, from a run cut short before its pull request
            // opened: they wait for a slot like new ones.
            for (item, _) in in_batch.drain(..) {
                out.push(defer(store, &item, &deferred).await?);
            }
        }
        if !in_batch.is_empty() {
            match delivery.finish(batch).await {
                Ok(delivered) => {
                    for (item, mut p) in in_batch {
                        store
                            .complete(
                                &item.lease,
                                &StoreOutcome::Fixed {
                                    pr: delivered.pr.clone(),
                                },
                            )
                            .await?;
                        p.delivered = Some(delivered.clone());
                        out.push(p);
                    }
                }
                Err(err) => {
                    // The fixes are good; getting them out failed: retry later. Nothing is
                    // recorded as delivered, and a pushed branch is found again next time.
                    // Throttled by the forge for longer than is worth waiting: back to the
                    // queue until the limit lifts, uncounted.
                    if let Some(deferred) = throttled(&err, store) {
                        for (item, _) in in_batch {
                            out.push(defer(store, &item, &deferred).await?);
                        }
                        continue;
                    }
                    let error = format!("delivery failed: {err}");
                    tracing::warn!(group = %group.key, "{error}");
                    for (item, mut p) in in_batch {
                        p.outcome = "failed";
                        p.reason = Some(error.clone());
                        out.push(fail(store, &item.lease, &error, p).await?);
                    }
                }
            }
        }
        if !progressed {
            // No room and nothing taken: hand the rest back rather than loop.
            for item in pending.drain(..) {
                store.release(&item.lease).await?;
                let mut p = blank(&item, "deferred");
                p.reason = Some(format!("no branch of group {} has room", group.key));
                out.push(p);
            }
        }
    }
    Ok(out)
}

/// A forge rate limit too long to wait out, as a deferral until it lifts.
fn throttled(
    err: &crate::deliver::DeliveryError,
    store: &Store,
) -> Option<crate::deliver::Deferred> {
    match err {
        crate::deliver::DeliveryError::Forge(remedy_forge::ForgeError::RateLimited {
            forge,
            retry_after,
        }) => {
            let wait = retry_after.unwrap_or(Duration::from_secs(60));
            Some(crate::deliver::Deferred {
                until_ms: store
                    .clock()
                    .now_ms()
                    .saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX)),
                reason: format!("{forge} rate limit: retry after {}s", wait.as_secs()),
            })
        }
        _ => None,
    }
}

async fn defer(
    store: &Store,
    item: &WorkItem,
    deferred: &crate::deliver::Deferred,
) -> Result<Processed, StoreError> {
    store
        .defer(&item.lease, deferred.until_ms, &deferred.reason)
        .await?;
    let mut p = blank(item, "deferred");
    p.reason = Some(deferred.reason.clone());
    Ok(p)
}

async fn fail(
    store: &Store,
    lease: &Lease,
    error: &str,
    mut processed: Processed,
) -> Result<Processed, StoreError> {
    match store.fail(lease, error).await? {
        Retry::At(_) => {}
        Retry::GaveUp => {
            processed.outcome = "needs_human";
            processed.reason = Some(format!("attempts used up; last error: {error}"));
        }
    }
    Ok(processed)
}

/// Extend the lease every third of its length until aborted.
fn spawn_heartbeat(store: Store, lease: Lease, lease_for: Duration) -> tokio::task::JoinHandle<()> {
    let store = Arc::new(store);
    tokio::spawn(async move {
        let every = (lease_for / 3).max(Duration::from_millis(100));
        loop {
            tokio::time::sleep(every).await;
            if let Err(err) = store.heartbeat(&lease, lease_for).await {
                tracing::warn!(fingerprint = %lease.fingerprint, "heartbeat failed: {err}");
                return;
            }
        }
    })
}
