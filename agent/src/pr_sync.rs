//! Following remedy's pull requests (`remedy sync`): the store knows them; the forge says what
//! became of them.
//!
//! - merged → the base is audited again: violations gone are `resolved`, ones still found go
//!   back to `open` (the merge did not fix them, or something brought them back);
//! - closed unmerged → `needs_human`, with the pull request in the reason; never reopened;
//! - open, the base moved and the branch now conflicts with it → the fixes are redone on the new
//!   base and force-pushed, only when no person committed to the branch (otherwise it is left
//!   alone and an event says why); a branch that merges cleanly is left as it is.

use remedy_guardrails::Evaluator;
use remedy_source::DiagnosticLevel;
use std::path::Path;

use remedy_deliver::forge::ForgeDelivery;
use remedy_deliver::group::Group;
use remedy_deliver::group::group_mode;
use remedy_deliver::{Delivery, DeliveryError, human_reason, inspect};
use remedy_forge::PrState as ForgePrState;
use remedy_remediate::Remediator;
use remedy_source::Language;
use remedy_store::{PrRecord, PrState, Settlement, Status, Store, StoreError};
use serde::Serialize;

use crate::pipeline::{Outcome, locate, member_of};

/// What sync did with one pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncAction {
    /// Still open, nothing to do.
    Open,
    /// Merged: its violations were audited again on the base.
    Resolved,
    /// Closed without merging: its violations went to a person.
    Closed,
    /// The base moved and the branch conflicted: the fixes were redone and force-pushed.
    Redone,
    /// A person committed to the branch: remedy leaves it to them.
    LeftAlone,
    /// A branch without a pull request: nothing to follow.
    Local,
    /// The forge or git failed for this one.
    Error,
}

impl SyncAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Resolved => "resolved",
            Self::Closed => "closed",
            Self::Redone => "redone",
            Self::LeftAlone => "left_alone",
            Self::Local => "local",
            Self::Error => "error",
        }
    }
}

/// What sync did with one pull request.
#[derive(Debug, Clone, Serialize)]
pub struct Synced {
    pub branch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub action: SyncAction,
    pub detail: String,
    /// Each violation's new status, when it changed.
    pub violations: Vec<SyncedViolation>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SyncedViolation {
    pub fingerprint: String,
    pub status: Status,
    pub reason: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a sync works with.
pub struct PrSync<'a> {
    pub store: &'a Store,
    pub delivery: &'a ForgeDelivery,
    /// Redoes fixes on a moved base.
    pub remediator: &'a Remediator<'a>,
    /// The repository's normalised URL.
    pub repository: &'a str,
    /// Who the store's events name.
    pub actor: &'a str,
}

impl PrSync<'_> {
    /// Sync every open pull request the store knows for the repository. A forge or git error on
    /// one pull request is reported for it, and the others go on.
    pub async fn run(&self) -> Result<Vec<Synced>, SyncError> {
        let (store, repository) = (self.store, self.repository);
        let mut out = Vec::new();
        for pr in store.prs(repository, PrState::Open).await? {
            let mut synced = Synced {
                branch: pr.branch.clone(),
                number: pr.number,
                url: pr.url.clone(),
                action: SyncAction::Open,
                detail: String::new(),
                violations: Vec::new(),
            };
            match self.one(&pr, &mut synced).await {
                Ok(()) => {}
                Err(SyncOne::Store(err)) => return Err(err.into()),
                Err(SyncOne::Delivery(err)) => {
                    tracing::warn!(branch = %pr.branch, "sync failed: {err}");
                    synced.action = SyncAction::Error;
                    synced.detail = err.to_string();
                }
            }
            out.push(synced);
        }
        Ok(out)
    }

    async fn one(&self, pr: &PrRecord, synced: &mut Synced) -> Result<(), SyncOne> {
        let (store, delivery, repository, actor) =
            (self.store, self.delivery, self.repository, self.actor);
        let Some(number) = pr.number.and_then(|n| u64::try_from(n).ok()) else {
            synced.action = SyncAction::Local;
            synced.detail = "a branch without a pull request: nothing to follow".into();
            return Ok(());
        };
        let forge_pr = delivery.forge().get_pull(number).await.map_err(d)?;
        let prefix = pr
            .branch
            .rsplit_once('/')
            .map_or(pr.branch.as_str(), |(p, _)| p)
            .to_string()
            + "/";
        match forge_pr.state {
            ForgePrState::Merged => {
                let (repo, fetched) = delivery.fetch(&prefix).map_err(d)?;
                let base = fetched.base;
                let mut evaluator = Evaluator::new(self.remediator.policies);
                let mut settlements = Vec::new();
                for v in &pr.violations {
                    let text = repo.read(base, &v.file).map_err(d)?;
                    let language = Language::from_path(Path::new(&v.file));
                    // Unreadable means unknown: a file that is not text or does not parse
                    // resolves nothing; a person looks.
                    let verdict = match (text, language) {
                        (Some(text), Some(language)) => {
                            let audit = evaluator.audit_source(&v.file, language, &text);
                            if audit
                                .violations
                                .iter()
                                .any(|f| f.fingerprint == v.fingerprint)
                            {
                                Some(true)
                            } else if audit
                                .diagnostics
                                .iter()
                                .any(|d| d.level == DiagnosticLevel::Error)
                            {
                                None
                            } else {
                                Some(false)
                            }
                        }
                        (None, _) if repo.exists(base, &v.file).map_err(d)? => None,
                        // Gone from the base, or no longer a program file.
                        _ => Some(false),
                    };
                    settlements.push(match verdict {
                        Some(true) => Settlement {
                            fingerprint: v.fingerprint.clone(),
                            to: Status::Open,
                            reason: format!(
                                "pull request #{number} was merged, but {} still finds it on {}",
                                v.policy,
                                delivery.base_name()
                            ),
                        },
                        Some(false) => Settlement {
                            fingerprint: v.fingerprint.clone(),
                            to: Status::Resolved,
                            reason: format!("fixed by pull request #{number} (merged)"),
                        },
                        None => Settlement {
                            fingerprint: v.fingerprint.clone(),
                            to: Status::NeedsHuman,
                            reason: format!(
                                "pull request #{number} was merged, but {} on {} cannot be \
                                 read or fully parsed: remedy cannot tell whether {} is fixed",
                                v.file,
                                delivery.base_name(),
                                v.policy
                            ),
                        },
                    });
                }
                store
                    .settle_pr(repository, &pr.branch, PrState::Merged, &settlements, actor)
                    .await?;
                synced.action = SyncAction::Resolved;
                synced.detail = format!("merged; {} audited again", delivery.base_name());
                synced.violations = report(&settlements);
            }
            ForgePrState::Closed => {
                let reason = format!(
                    "pull request #{number} ({}) was closed without merging; remedy does not reopen it",
                    forge_pr.url
                );
                let settlements: Vec<Settlement> = pr
                    .violations
                    .iter()
                    .map(|v| Settlement {
                        fingerprint: v.fingerprint.clone(),
                        to: Status::NeedsHuman,
                        reason: reason.clone(),
                    })
                    .collect();
                store
                    .settle_pr(repository, &pr.branch, PrState::Closed, &settlements, actor)
                    .await?;
                synced.action = SyncAction::Closed;
                synced.detail = reason;
                synced.violations = report(&settlements);
            }
            ForgePrState::Open => {
                let (repo, fetched) = delivery.fetch(&prefix).map_err(d)?;
                let base = fetched.base;
                let Some(tip) = fetched.tip(&pr.branch) else {
                    synced.detail = "its branch is gone".into();
                    return Ok(());
                };
                let author = delivery.settings().author();
                let state = inspect(&repo, base, tip, &author).map_err(d)?;
                if let Some(commit) = &state.human {
                    let reason = human_reason(&pr.branch, commit);
                    store
                        .note_pr(
                            repository,
                            &pr.branch,
                            "left_alone",
                            &serde_json::json!({ "number": number, "reason": reason }),
                            actor,
                        )
                        .await?;
                    synced.action = SyncAction::LeftAlone;
                    synced.detail = reason;
                    return Ok(());
                }
                if repo.merge_base(tip, base) == Some(base) {
                    synced.detail = "up to date with its base".into();
                    return Ok(());
                }
                if !repo.conflicts(base, tip).map_err(d)? {
                    synced.detail = "the base moved; the branch still merges cleanly".into();
                    return Ok(());
                }
                drop(repo);
                self.redo(pr, synced).await?;
            }
        }
        Ok(())
    }

    /// Redo a pull request's fixes on the moved base, one after another, and force-push.
    async fn redo(&self, pr: &PrRecord, synced: &mut Synced) -> Result<(), SyncOne> {
        let (store, delivery, remediator, repository, actor) = (
            self.store,
            self.delivery,
            self.remediator,
            self.repository,
            self.actor,
        );
        let Some(first) = pr.violations.first() else {
            synced.detail = "no violation waits on it".into();
            return Ok(());
        };
        let settings = delivery.settings();
        let mut group = Group::of(
            settings.group_by,
            &member_of(first),
            group_mode(
                pr.violations
                    .iter()
                    .map(|v| settings.mode_for(&v.policy, v.severity)),
            ),
            settings.max_violations_per_pr.max(pr.violations.len()),
        );
        if pr.violations.len() > 1 {
            group.label = first.file.clone();
        }
        let mut batch = match delivery.rebuild(&group, &pr.branch).await.map_err(d)? {
            Ok(batch) => batch,
            Err(reason) => {
                synced.action = SyncAction::LeftAlone;
                synced.detail = reason;
                return Ok(());
            }
        };
        let mut settlements = Vec::new();
        for v in &pr.violations {
            let (processed, fix) = locate::fix(remediator, &batch.revision(), v).await;
            if let Some(fix) = fix {
                batch.add(fix).map_err(d)?;
                continue;
            }
            let (to, reason) = match processed.outcome {
                Outcome::NeedsHuman { reason } | Outcome::Failed { error: reason } => (
                    Status::NeedsHuman,
                    format!("the base moved and the fix could not be redone on it: {reason}"),
                ),
                _ => (
                    Status::Resolved,
                    format!("no longer found on {}", delivery.base_name()),
                ),
            };
            settlements.push(Settlement {
                fingerprint: v.fingerprint.clone(),
                to,
                reason,
            });
        }
        let redone = batch.added().len();
        if redone > 0 {
            delivery.finish(batch).await.map_err(d)?;
        }
        if !settlements.is_empty() {
            store
                .settle_pr(repository, &pr.branch, PrState::Open, &settlements, actor)
                .await?;
        }
        synced.action = SyncAction::Redone;
        synced.detail = format!(
            "the base moved and the branch conflicted: {redone} fix(es) redone on {} and force-pushed",
            delivery.base_name()
        );
        synced.violations = report(&settlements);
        Ok(())
    }
}

enum SyncOne {
    Store(StoreError),
    Delivery(DeliveryError),
}

impl From<StoreError> for SyncOne {
    fn from(e: StoreError) -> Self {
        Self::Store(e)
    }
}

fn d<E: Into<DeliveryError>>(e: E) -> SyncOne {
    SyncOne::Delivery(e.into())
}

fn report(settlements: &[Settlement]) -> Vec<SyncedViolation> {
    settlements
        .iter()
        .map(|s| SyncedViolation {
            fingerprint: s.fingerprint.clone(),
            status: s.to,
            reason: s.reason.clone(),
        })
        .collect()
}
