//! One queued violation, start to finish: read the file at the base revision, remediate, deliver
//! the accepted fix, and tell the store how it ended. Shared by `remedy fix` and the daemon.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use remedy_tools::git::{Oid, Repo};
use remedy_tools::{Language, is_skipped_path};

use crate::deliver::{AcceptedFix, Delivered, Delivery};
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
        self.repo
            .files(self.base)
            .unwrap_or_default()
            .into_iter()
            .filter(|f| !is_skipped_path(f) && Language::from_path(Path::new(f)).is_some())
            .collect()
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
            let fix = AcceptedFix {
                fingerprint: subject.fingerprint.clone(),
                policy: v.policy.clone(),
                title: v.title.clone(),
                severity: v.severity.to_string(),
                message: v.message.clone(),
                resource: processed.resource.clone(),
                file: subject.file.clone(),
                after: after.clone(),
                verdict,
            };
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
