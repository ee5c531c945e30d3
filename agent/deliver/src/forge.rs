//! Delivery to a forge: branches pushed from a managed clone, pull requests opened or updated in
//! place, labels, reviewers, auto-merge where allowed, within the limits.
//!
//! The rules reviewers rely on:
//! - one branch and one pull request per group, found again by its deterministic name: a re-run
//!   opens nothing new, and a fix found later joins its group's open pull request as one more
//!   commit (a fast-forward push, never a rewrite);
//! - a pull request a person closed unmerged is never reopened: its violations go to a person;
//! - a branch with a commit by anyone but remedy's author is never written to again;
//! - new pull requests respect `prs_per_hour`, `max_open_prs` (the store's and the forge's open
//!   `remedy/` pull requests) and the delivery window; commits respect `commits_per_hour`.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, PoisonError};

use remedy_forge::{ChecksState, Forge, ForgeError, NewPullRequest, PrState, PullRequest};
use remedy_git::{Auth, Oid, Repo, redact_url};

use super::clone::{fetch_spec, tracking};
use super::limits::Limits;
use super::settings::DeliverySettings;
use super::template::{PrContext, Template, parse_commit};
use crate::batch::{Batch, Begun, Declined, Delivered, human_reason, inspect};
use crate::delivery::{BoxFuture, Delivery};
use crate::error::DeliveryError;
use crate::group::{BRANCH_PREFIX, Group, Mode};
use remedy_store::{PrRef, Store};

/// Where a forge delivery writes.
pub struct ForgeTarget {
    pub forge: Arc<dyn Forge>,
    /// The git remote to fetch from and push to (HTTPS, SSH or `file://`). Never logged with
    /// credentials, never written to disk.
    pub remote: String,
    pub auth: Auth,
    /// The managed clone (a bare repository, created on first use).
    pub clone: PathBuf,
    /// The branch pull requests target.
    pub base: String,
}

/// What a fetch found on the remote.
pub struct Fetched {
    pub base: Oid,
    /// Branch name → commit, for the fetched prefix.
    pub tips: std::collections::BTreeMap<String, Oid>,
}

impl Fetched {
    pub fn tip(&self, branch: &str) -> Option<Oid> {
        self.tips.get(branch).copied()
    }
}

/// What publishing did to the group's pull request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Publication {
    Opened,
    Updated,
    Unchanged,
}

/// What publishing a batch needs once its commits are pushed (the clone is not `Sync`, so it
/// stays out of the awaits).
struct Published {
    branch: String,
    base_name: String,
    mode: Mode,
    pr: Option<PullRequest>,
    tip: Oid,
    /// The branch gained commits in this batch.
    pushed: bool,
}

/// Pull requests on a forge.
pub struct ForgeDelivery {
    target: ForgeTarget,
    settings: DeliverySettings,
    template: Template,
    limits: Arc<Limits>,
    /// The store and the repository's key in it, to count remedy's open pull requests.
    store: Option<(Store, String)>,
    /// One writer of the managed clone at a time.
    git: Mutex<()>,
}

impl ForgeDelivery {
    pub fn new(
        target: ForgeTarget,
        settings: DeliverySettings,
        template: Template,
        limits: Arc<Limits>,
        store: Option<(Store, String)>,
    ) -> Self {
        Self {
            target,
            settings,
            template,
            limits,
            store,
            git: Mutex::new(()),
        }
    }

    pub fn forge(&self) -> &dyn Forge {
        self.target.forge.as_ref()
    }

    pub fn settings(&self) -> &DeliverySettings {
        &self.settings
    }

    pub fn base_name(&self) -> &str {
        &self.target.base
    }

    /// Fetch the base and the branches under `prefix` (their stale tracking references
    /// removed first, so a deleted branch is seen as gone): the clone, and what the remote had
    /// (read under the same lock, so a concurrent fetch cannot hide a branch).
    pub fn fetch(&self, prefix: &str) -> Result<(Repo, Fetched), DeliveryError> {
        let _git = self.git.lock().unwrap_or_else(PoisonError::into_inner);
        let repo = super::clone::open_at(&self.target.clone)?;
        repo.delete_references(&tracking(prefix))?;
        repo.fetch(
            &self.target.remote,
            &[
                fetch_spec(&self.target.base),
                format!("+refs/heads/{prefix}*:{}*", tracking(prefix)),
            ],
            &self.target.auth,
        )?;
        let base = self.fetched_base(&repo)?;
        let tips = repo
            .references(&tracking(prefix))?
            .into_iter()
            .filter_map(|(name, oid)| {
                name.strip_prefix("refs/remotes/origin/")
                    .map(|b| (b.to_string(), oid))
            })
            .collect();
        Ok((repo, Fetched { base, tips }))
    }

    /// Fetch the base alone: the clone, and the commit the base points at on the remote (what
    /// the daemon re-audits, since pull requests merge there, not in the local checkout).
    pub fn fetch_base(&self) -> Result<(Repo, Oid), DeliveryError> {
        let _git = self.git.lock().unwrap_or_else(PoisonError::into_inner);
        let repo = super::clone::open_at(&self.target.clone)?;
        repo.fetch(
            &self.target.remote,
            &[fetch_spec(&self.target.base)],
            &self.target.auth,
        )?;
        let base = self.fetched_base(&repo)?;
        Ok((repo, base))
    }

    fn fetched_base(&self, repo: &Repo) -> Result<Oid, DeliveryError> {
        repo.reference(&tracking(&self.target.base)).ok_or_else(|| {
            DeliveryError::Config(format!(
                "the base branch `{}` does not exist at {}",
                self.target.base,
                redact_url(&self.target.remote)
            ))
        })
    }

    /// Count remedy's open pull requests once: the store's and the forge's.
    async fn count_open(&self) -> Result<(), DeliveryError> {
        if self.limits.counted() {
            return Ok(());
        }
        let mut open: BTreeSet<String> = self
            .forge()
            .open_pulls(BRANCH_PREFIX)
            .await?
            .into_iter()
            .map(|p| p.head)
            .collect();
        if let Some((store, repository)) = &self.store {
            match store.prs(repository, remedy_store::PrState::Open).await {
                Ok(prs) => open.extend(
                    prs.into_iter()
                        .filter(|p| p.number.is_some())
                        .map(|p| p.branch),
                ),
                Err(err) => tracing::warn!("cannot count the store's open pull requests: {err}"),
            }
        }
        tracing::debug!(open = open.len(), "remedy's open pull requests");
        self.limits.set_open(open);
        // Runs on other stores (another CI job, a laptop) opened these: they count against
        // the hour's budget too.
        let since = self.limits.clock().now_ms() - 3_600_000;
        let recent: Vec<(String, i64)> = self
            .forge()
            .recent_pulls(BRANCH_PREFIX, since)
            .await?
            .into_iter()
            .filter_map(|p| Some((p.head, p.created_ms?)))
            .collect();
        tracing::debug!(
            recent = recent.len(),
            "remedy's pull requests of the last hour"
        );
        self.limits.set_forge_recent(recent);
        Ok(())
    }

    /// A batch that rebuilds `branch` from the fresh base (sync, when the base moved and the
    /// branch conflicts with it). `None` when a person committed to it: the reason.
    pub async fn rebuild(
        &self,
        group: &Group,
        branch: &str,
    ) -> Result<Result<Batch, String>, DeliveryError> {
        let prefix = branch.rsplit_once('/').map_or(branch, |(p, _)| p);
        let (repo, fetched) = self.fetch(&format!("{prefix}/"))?;
        let base = fetched.base;
        let author = self.settings.author();
        let remote_tip = fetched.tip(branch);
        if let Some(tip) = remote_tip {
            let state = inspect(&repo, base, tip, &author)?;
            if let Some(commit) = &state.human {
                return Ok(Err(human_reason(branch, commit)));
            }
        }
        let pr = self
            .forge()
            .find_pull(branch)
            .await?
            .filter(|p| p.state == PrState::Open);
        Ok(Ok(Batch {
            group: group.clone(),
            branch: branch.to_string(),
            base_name: self.target.base.clone(),
            base,
            start: remote_tip,
            tip: base,
            force: true,
            holds: BTreeSet::new(),
            needs_review: false,
            added: Vec::new(),
            author,
            pr,
            limits: Some(Arc::clone(&self.limits)),
            needs_slot: false,
            repo,
        }))
    }

    fn push(&self, batch: &Batch) -> Result<(), DeliveryError> {
        // By commit, not through a local branch: the commits live in the batch's memory only,
        // and the clone is not written to (no lock).
        let force = if batch.force { "+" } else { "" };
        batch.repo.push(
            &self.target.remote,
            &[format!("{force}{}:refs/heads/{}", batch.tip, batch.branch)],
            &self.target.auth,
        )?;
        tracing::info!(
            branch = %batch.branch,
            commits = batch.added.len(),
            forced = batch.force,
            "pushed"
        );
        Ok(())
    }

    /// The pull request's title and body: every fix on the branch, read from its commits.
    fn render(&self, batch: &Batch) -> Result<super::template::Rendered, DeliveryError> {
        let fixes: Vec<_> = batch
            .repo
            .commits_between(batch.base, batch.tip)?
            .iter()
            .filter_map(|c| parse_commit(&c.message))
            .collect();
        Ok(self.template.render(
            &PrContext {
                base: &batch.base_name,
                branch: &batch.branch,
                group: &batch.group.key,
                label: &batch.group.label,
            },
            &fixes,
        ))
    }

    /// Open the group's pull request, or bring the open one up to date with its branch.
    async fn publish(
        &self,
        batch: &Published,
        rendered: super::template::Rendered,
    ) -> Result<(PullRequest, Publication), DeliveryError> {
        let open = match &batch.pr {
            Some(pr) => Some(pr.clone()),
            // The branch was pushed but its pull request not opened (an outage): find it
            // first, never open a duplicate.
            None => self
                .forge()
                .find_pull(&batch.branch)
                .await?
                .filter(|p| p.state == PrState::Open),
        };
        match open {
            // People's edits stand: the title and body are rewritten only when the branch
            // gained fixes, and labels are added only to a pull request that has none (its
            // opening was cut short), never re-added after a person removed them.
            Some(pr) => {
                let mut changed = false;
                let pr = if batch.pushed && (pr.title != rendered.title || pr.body != rendered.body)
                {
                    changed = true;
                    self.forge()
                        .update_pull(pr.number, &rendered.title, &rendered.body)
                        .await?
                } else {
                    pr
                };
                if pr.labels.is_empty() && !self.settings.labels.is_empty() {
                    self.forge()
                        .add_labels(pr.number, &self.settings.labels)
                        .await?;
                }
                let publication = if changed {
                    Publication::Updated
                } else {
                    Publication::Unchanged
                };
                Ok((pr, publication))
            }
            None => {
                let reviewers = if batch.mode == Mode::Review {
                    self.settings.reviewers.clone()
                } else {
                    Vec::new()
                };
                let new = NewPullRequest {
                    title: rendered.title,
                    body: rendered.body,
                    head: batch.branch.clone(),
                    base: batch.base_name.clone(),
                    labels: self.settings.labels.clone(),
                    reviewers,
                    draft: self.settings.draft,
                };
                let pr = self.forge().open_pull(&new).await?;
                tracing::info!(number = pr.number, branch = %batch.branch, "pull request opened");
                Ok((pr, Publication::Opened))
            }
        }
    }

    /// Merge now when the checks passed, else ask the forge to merge once they pass.
    async fn auto_merge(&self, pr: &PullRequest, sha: Oid) -> Result<(), DeliveryError> {
        match self.forge().checks(&sha.to_string()).await? {
            ChecksState::Success => {
                self.forge().merge(pr.number).await?;
                self.limits.closed(&pr.head);
                tracing::info!(number = pr.number, "merged: its checks passed");
            }
            ChecksState::Failure => {
                tracing::warn!(
                    number = pr.number,
                    "checks failed: the pull request waits for review"
                );
            }
            ChecksState::Pending | ChecksState::None => {
                match self.forge().enable_auto_merge(pr.number).await {
                    Ok(()) => tracing::info!(number = pr.number, "auto-merge enabled"),
                    Err(err @ ForgeError::Rejected { .. }) => tracing::warn!(
                        number = pr.number,
                        "cannot enable auto-merge ({err}); the pull request waits for review"
                    ),
                    Err(err) => return Err(err.into()),
                }
            }
        }
        Ok(())
    }

    /// A pull request opened for auto-merge now needs a reviewer: withdraw the forge's
    /// auto-merge and request the configured reviewers.
    async fn withdraw_auto_merge(&self, pr: &PullRequest) -> Result<(), DeliveryError> {
        match self.forge().disable_auto_merge(pr.number).await {
            Ok(()) => tracing::info!(
                number = pr.number,
                "auto-merge withdrawn: an LLM-made fix joined the pull request"
            ),
            // Auto-merge was never enabled (its checks had passed and it merged, or the
            // repository does not allow it): nothing to withdraw.
            Err(err @ ForgeError::Rejected { .. }) => {
                tracing::debug!(number = pr.number, "no auto-merge to withdraw ({err})");
            }
            Err(err) => return Err(err.into()),
        }
        if !self.settings.reviewers.is_empty() {
            self.forge()
                .request_reviewers(pr.number, &self.settings.reviewers)
                .await?;
        }
        Ok(())
    }
}

impl Delivery for ForgeDelivery {
    fn grouping(&self) -> &DeliverySettings {
        &self.settings
    }

    fn begin<'a>(
        &'a self,
        group: &'a Group,
        members: &'a [&'a str],
    ) -> BoxFuture<'a, Result<Begun, DeliveryError>> {
        Box::pin(async move {
            if let Err(deferred) = self.limits.window() {
                return Ok(Begun::Deferred(deferred));
            }
            let wants_pr = group.mode != Mode::Local;
            if wants_pr {
                self.count_open().await?;
            }
            let prefix = format!("{BRANCH_PREFIX}{}/", group.slug);
            let (repo, fetched) = self.fetch(&prefix)?;
            let base = fetched.base;
            let author = self.settings.author();
            for part in 1..=1000 {
                let branch = group.branch(part);
                let pr = self.forge().find_pull(&branch).await?;
                let remote_tip = fetched.tip(&branch);
                let pr_ref = |pr: &PullRequest| PrRef {
                    branch: branch.clone(),
                    number: i64::try_from(pr.number).ok(),
                    url: Some(pr.url.clone()),
                };
                let (open_pr, merged) = match pr {
                    Some(pr) if pr.state == PrState::Closed => {
                        return Ok(Begun::Declined(Declined {
                            reason: format!(
                                "pull request #{} ({}) was closed without merging; remedy does \
                                 not reopen it",
                                pr.number, pr.url
                            ),
                            pr: pr_ref(&pr),
                            closed: true,
                            holds: BTreeSet::new(),
                        }));
                    }
                    Some(pr) if pr.state == PrState::Merged => (None, true),
                    other => (other, false),
                };
                // A merged branch, or one whose commits are all in the base, starts again.
                let live_tip =
                    remote_tip.filter(|tip| !merged && repo.merge_base(*tip, base) != Some(*tip));
                let (start, holds, needs_review) = match live_tip {
                    Some(tip) => {
                        let state = inspect(&repo, base, tip, &author)?;
                        if let Some(commit) = &state.human {
                            return Ok(Begun::Declined(Declined {
                                reason: human_reason(&branch, commit),
                                pr: open_pr.as_ref().map_or_else(
                                    || PrRef {
                                        branch: branch.clone(),
                                        number: None,
                                        url: None,
                                    },
                                    pr_ref,
                                ),
                                closed: false,
                                holds: state.holds,
                            }));
                        }
                        // With or without a pull request: in `local` mode there is none, and
                        // a branch whose pull request failed to open gets it when its own
                        // members are retried (they are held, so they come back here).
                        if state.full_without(group.max, members) {
                            continue;
                        }
                        (Some(tip), state.holds, state.needs_review)
                    }
                    None => (None, BTreeSet::new(), false),
                };
                let needs_slot = wants_pr && open_pr.is_none();
                return Ok(Begun::Ready(Box::new(Batch {
                    group: group.clone(),
                    branch,
                    base_name: self.target.base.clone(),
                    base,
                    start,
                    tip: start.unwrap_or(base),
                    force: remote_tip.is_some() && start.is_none(),
                    holds,
                    needs_review,
                    added: Vec::new(),
                    author,
                    pr: open_pr,
                    limits: Some(Arc::clone(&self.limits)),
                    needs_slot,
                    repo,
                })));
            }
            Err(DeliveryError::Config(format!(
                "group {} has no branch with room left",
                group.key
            )))
        })
    }

    fn finish(&self, batch: Batch) -> BoxFuture<'_, Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            let pushed = batch.changed();
            if pushed {
                self.push(&batch)?;
            }
            if batch.start.is_none() && !pushed {
                // Nothing to publish: an empty new branch.
                return Ok(Delivered {
                    pr: PrRef {
                        branch: batch.branch.clone(),
                        number: None,
                        url: None,
                    },
                    unchanged: true,
                    opened: false,
                });
            }
            let mode = batch.mode();
            if mode == Mode::Local {
                return Ok(Delivered {
                    pr: PrRef {
                        branch: batch.branch.clone(),
                        number: None,
                        url: None,
                    },
                    unchanged: !pushed,
                    opened: false,
                });
            }
            let rendered = self.render(&batch)?;
            // The rules allowed auto-merge, but a model's fix joined the branch: an earlier
            // run may have asked the forge to merge it, and that must be withdrawn.
            let withdraw = batch.group.mode == Mode::AutoMerge && mode != Mode::AutoMerge;
            let batch = Published {
                branch: batch.branch,
                base_name: batch.base_name,
                mode,
                pr: batch.pr,
                tip: batch.tip,
                pushed,
            };
            let (pr, publication) = self.publish(&batch, rendered).await?;
            if batch.mode == Mode::AutoMerge && pr.state == PrState::Open {
                self.auto_merge(&pr, batch.tip).await?;
            } else if withdraw && pr.state == PrState::Open && publication != Publication::Opened {
                self.withdraw_auto_merge(&pr).await?;
            }
            Ok(Delivered {
                pr: PrRef {
                    branch: batch.branch.clone(),
                    number: i64::try_from(pr.number).ok(),
                    url: Some(pr.url.clone()),
                },
                unchanged: !pushed && publication == Publication::Unchanged,
                opened: publication == Publication::Opened,
            })
        })
    }
}
