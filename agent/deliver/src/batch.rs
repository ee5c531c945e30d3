//! A group's branch open for fixes ([`Batch`]), what [`crate::Delivery::begin`] finds
//! ([`Begun`]), and what a remedy branch holds.

use std::collections::BTreeSet;

use remedy_git::{Author, CommitInfo, GitError, Oid, Repo, Revision};
use remedy_store::PrRef;

use crate::accepted::AcceptedFix;
use crate::error::DeliveryError;
use crate::group::{Group, Mode};
use crate::limits::{Deferred, Limits};
use crate::template;

/// Where a group went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub pr: PrRef,
    /// Nothing new was written: the branch already held these fixes.
    pub unchanged: bool,
    /// This delivery opened the pull request (rather than updating one).
    pub opened: bool,
}

/// Remedy must not write to a group's branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declined {
    /// Why, for the violations' `needs_human` reason and events.
    pub reason: String,
    /// The group's pull request (or branch).
    pub pr: PrRef,
    /// A person closed the pull request without merging (otherwise: a person committed to the
    /// branch, and the pull request stays theirs).
    pub closed: bool,
    /// Fingerprints the branch already fixes.
    pub holds: BTreeSet<String>,
}

/// What [`Delivery::begin`] found.
pub enum Begun {
    Ready(Box<Batch>),
    Declined(Declined),
    Deferred(Deferred),
}

/// A group's branch, open for fixes: they are committed one after another on [`Batch::tip`].
pub struct Batch {
    pub group: Group,
    pub branch: String,
    /// The base branch's name and the commit fixes are made against when the branch is new.
    pub base_name: String,
    pub base: Oid,
    pub(crate) repo: Repo,
    /// The branch's commit when the batch began (`None`: a new branch).
    pub(crate) start: Option<Oid>,
    pub(crate) tip: Oid,
    /// Replace the remote branch (it was merged, or sync rebuilds it on a moved base).
    pub(crate) force: bool,
    pub(crate) holds: BTreeSet<String>,
    /// A fix already on the branch needs a reviewer ([`BranchState::needs_review`]).
    pub(crate) needs_review: bool,
    pub(crate) added: Vec<AcceptedFix>,
    pub(crate) author: Author,
    /// The group's open pull request.
    pub(crate) pr: Option<remedy_forge::PullRequest>,
    pub(crate) limits: Option<std::sync::Arc<Limits>>,
    /// A new pull request needs a slot under the limits before the first fix.
    pub(crate) needs_slot: bool,
}

impl Batch {
    /// Where the next fix is made: files at the branch's tip, earlier fixes of this batch
    /// included.
    pub fn revision(&self) -> Revision<'_> {
        Revision {
            repo: &self.repo,
            commit: self.tip,
        }
    }

    /// Whether the branch already fixes this violation.
    pub fn holds(&self, fingerprint: &str) -> bool {
        self.holds.contains(fingerprint) || self.added.iter().any(|f| f.fingerprint == fingerprint)
    }

    /// Fixes this batch may still take (`max_violations_per_pr`).
    pub fn room(&self) -> usize {
        self.group
            .max
            .saturating_sub(self.holds.len() + self.added.len())
    }

    /// Take one commit from the hourly budget before making a fix.
    pub async fn reserve(&self) -> Result<(), Deferred> {
        match &self.limits {
            Some(limits) => limits.take_commit().await,
            None => Ok(()),
        }
    }

    /// Take the slot a new pull request needs (`max_open_prs`, `prs_per_hour`), once, before
    /// the batch's first fix: a group with nothing to deliver (its violations all go to a
    /// person) never takes one, so it neither waits on the limits nor spends them.
    pub async fn open_slot(&mut self) -> Result<(), Deferred> {
        if self.needs_slot {
            if let Some(limits) = &self.limits {
                limits.take_pr(&self.branch).await?;
            }
            self.needs_slot = false;
        }
        Ok(())
    }

    /// Commit a fix on the tip (no reference moves until [`Delivery::finish`]).
    pub fn add(&mut self, fix: AcceptedFix) -> Result<(), DeliveryError> {
        self.tip = self.repo.commit(
            self.tip,
            &[(fix.file.clone(), fix.after.clone())],
            &template::commit_message(&fix),
            &self.author,
        )?;
        self.added.push(fix);
        Ok(())
    }

    /// The fixes added in this batch.
    pub fn added(&self) -> &[AcceptedFix] {
        &self.added
    }

    pub fn tip(&self) -> Oid {
        self.tip
    }

    /// What happens to the pull request: the group's mode, but never `auto_merge` once a fix
    /// on the branch was made by a model or does not update its resource in place.
    pub fn mode(&self) -> Mode {
        let reviewed = self.needs_review || self.added.iter().any(|f| !f.may_auto_merge());
        if reviewed {
            self.group.mode.min(Mode::Review)
        } else {
            self.group.mode
        }
    }

    pub(crate) fn changed(&self) -> bool {
        !self.added.is_empty() || (self.force && Some(self.tip) != self.start)
    }
}

/// What a remedy branch holds, and whether anyone else has written to it.
pub struct BranchState {
    pub holds: BTreeSet<String>,
    /// Some fix on the branch was not made by a recipe (or does not say): its pull request
    /// needs a reviewer.
    pub needs_review: bool,
    /// The first commit not made by remedy: a person's.
    pub human: Option<CommitInfo>,
}

/// Read the commits of a branch since `base`: remedy's carry the trailer and remedy's author.
pub fn inspect(repo: &Repo, base: Oid, tip: Oid, author: &Author) -> Result<BranchState, GitError> {
    let commits = repo.commits_between(base, tip)?;
    let mut holds = BTreeSet::new();
    let mut needs_review = false;
    let mut human = None;
    for commit in commits {
        match template::parse_commit(&commit.message) {
            Some(fix) if commit.author_email.eq_ignore_ascii_case(&author.email) => {
                needs_review |= !fix.may_auto_merge();
                holds.insert(fix.fingerprint);
            }
            _ => {
                if human.is_none() {
                    human = Some(commit);
                }
            }
        }
    }
    Ok(BranchState {
        holds,
        needs_review,
        human,
    })
}

impl BranchState {
    /// Full, and holding none of `members`: they go to the group's next part. A full branch
    /// that holds one of them is still theirs (a run cut short after its push delivers them
    /// again; they must not go to the next branch).
    pub fn full_without(&self, max: usize, members: &[&str]) -> bool {
        self.holds.len() >= max && !members.iter().any(|m| self.holds.contains(*m))
    }
}

/// The reason a person's commit gives.
pub fn human_reason(branch: &str, commit: &CommitInfo) -> String {
    let id = commit.id.to_string();
    format!(
        "{} <{}> committed to {branch} ({}); remedy leaves the branch and its pull request to them",
        commit.author_name,
        commit.author_email,
        &id[..id.len().min(10)]
    )
}
