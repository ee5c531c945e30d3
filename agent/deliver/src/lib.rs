//! Delivery: where accepted fixes go.
//!
//! Fixes travel in *groups* ([`group`]): one branch, and on a forge one pull request, per
//! violation, resource, file or policy. A [`Delivery`] is asked for a group in two steps, so that
//! several fixes to one file are made one after another, each on the text the previous one left:
//!
//! 1. [`Delivery::begin`] finds the group's branch and decides whether remedy may write to it
//!    ([`Begun::Ready`] with a [`Batch`], [`Begun::Declined`] when a person closed its pull
//!    request or committed to it, [`Begun::Deferred`] outside the delivery window); a full
//!    branch that already holds one of the members is still theirs;
//! 2. the caller remediates each violation on [`Batch::revision`] (the branch's tip, with the
//!    batch's earlier fixes) and [`Batch::add`]s each accepted fix: one commit each, with its
//!    `Remedy-Violation` trailer. Before the first, [`Batch::open_slot`] takes a new pull
//!    request's place under the limits, so violations that all go to a person never wait on
//!    (or spend) them;
//! 3. [`Delivery::finish`] publishes the batch: the branch (pushed, on a forge), the pull
//!    request opened or updated in place, labels, reviewers, auto-merge where allowed.
//!
//! The agent's work pipeline drives this for claimed work. [`LocalBranches`] (no forge, no
//! token: the default) keeps branches in the repository itself; [`forge::ForgeDelivery`] pushes
//! from a managed clone ([`clone`]) and opens pull requests.

pub mod clone;
pub mod forge;
pub mod group;
pub mod limits;
pub mod settings;
pub mod setup;
pub mod template;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

use remedy_forge::ForgeError;
use remedy_git::{Author, CommitInfo, GitError, Oid, Repo, Revision};
use remedy_guardrails::Severity;
use remedy_guardrails::gate::Verdict;

pub use group::{Group, GroupBy};
pub use limits::Deferred;
pub use settings::{DeliverySettings, GitHubSettings, Mode, Target};
pub use template::commit_message;

/// What [`Delivery`]'s methods return: a boxed future, so the trait stays object safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

use remedy_store::PrRef;

/// Every branch remedy writes starts with this.
pub const BRANCH_PREFIX: &str = "remedy/";

/// An accepted fix, ready to go out.
#[derive(Debug, Clone)]
pub struct AcceptedFix {
    pub fingerprint: String,
    pub policy: String,
    pub title: String,
    pub severity: Severity,
    pub message: String,
    /// The resource's name, or its name expression.
    pub resource: String,
    /// Its Pulumi type token.
    pub resource_type: String,
    pub file: String,
    /// Framework → controls the policy maps to.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// The file after the fix.
    pub after: String,
    pub verdict: Verdict,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error(transparent)]
    Forge(#[from] ForgeError),
    #[error("{0}")]
    Config(String),
}

impl DeliveryError {
    /// Worth retrying later (a forge outage or throttling, a network error).
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Forge(e) => e.is_transient(),
            Self::Git(GitError::Remote { .. }) => true,
            _ => false,
        }
    }
}

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

/// Sends accepted fixes somewhere reviewers can see them. See the module documentation for the
/// protocol; implementations must leave nothing half-written when they fail (a failed push or
/// forge call leaves the remote as it was, or as a later run can complete).
pub trait Delivery: Send + Sync {
    /// Find the group's branch (the first part with room) and decide whether remedy may write.
    fn begin<'a>(
        &'a self,
        group: &'a Group,
        members: &'a [&'a str],
    ) -> BoxFuture<'a, Result<Begun, DeliveryError>>;

    /// Publish a batch: branch, pull request, labels, reviewers, auto-merge.
    fn finish(&self, batch: Batch) -> BoxFuture<'_, Result<Delivered, DeliveryError>>;

    /// How this delivery groups fixes, and the mode of a violation's pull request.
    fn grouping(&self) -> &DeliverySettings;

    /// The group of one violation.
    fn group_of(&self, member: &group::Member<'_>, severity: Severity) -> Group {
        let settings = self.grouping();
        Group::of(
            settings.group_by,
            member,
            settings.mode_for(member.policy, severity),
            settings.max_violations_per_pr,
        )
    }
}

/// A group's branch, open for fixes: they are committed one after another on [`Batch::tip`].
pub struct Batch {
    pub group: Group,
    pub branch: String,
    /// The base branch's name and the commit fixes are made against when the branch is new.
    pub base_name: String,
    pub base: Oid,
    repo: Repo,
    /// The branch's commit when the batch began (`None`: a new branch).
    start: Option<Oid>,
    tip: Oid,
    /// Replace the remote branch (it was merged, or sync rebuilds it on a moved base).
    force: bool,
    holds: BTreeSet<String>,
    added: Vec<AcceptedFix>,
    author: Author,
    /// The group's open pull request.
    pub(crate) pr: Option<remedy_forge::PullRequest>,
    limits: Option<std::sync::Arc<limits::Limits>>,
    /// A new pull request needs a slot under the limits before the first fix.
    needs_slot: bool,
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
    pub fn reserve(&self) -> Result<(), Deferred> {
        match &self.limits {
            Some(limits) => limits.take_commit(),
            None => Ok(()),
        }
    }

    /// Take the slot a new pull request needs (`max_open_prs`, `prs_per_hour`), once, before
    /// the batch's first fix: a group with nothing to deliver (its violations all go to a
    /// person) never takes one, so it neither waits on the limits nor spends them.
    pub fn open_slot(&mut self) -> Result<(), Deferred> {
        if self.needs_slot {
            if let Some(limits) = &self.limits {
                limits.take_pr(&self.branch)?;
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

    fn changed(&self) -> bool {
        !self.added.is_empty() || (self.force && Some(self.tip) != self.start)
    }
}

/// What a remedy branch holds, and whether anyone else has written to it.
pub struct BranchState {
    pub holds: BTreeSet<String>,
    /// The first commit not made by remedy: a person's.
    pub human: Option<CommitInfo>,
}

/// Read the commits of a branch since `base`: remedy's carry the trailer and remedy's author.
pub fn inspect(repo: &Repo, base: Oid, tip: Oid, author: &Author) -> Result<BranchState, GitError> {
    let commits = repo.commits_between(base, tip)?;
    let mut holds = BTreeSet::new();
    let mut human = None;
    for commit in commits {
        match template::trailer(&commit.message) {
            Some(fp) if commit.author_email.eq_ignore_ascii_case(&author.email) => {
                holds.insert(fp.to_string());
            }
            _ => {
                if human.is_none() {
                    human = Some(commit);
                }
            }
        }
    }
    Ok(BranchState { holds, human })
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

/// One local branch per group, from the base commit; the working tree is never touched.
pub struct LocalBranches {
    root: std::path::PathBuf,
    base: Oid,
    base_name: String,
    settings: DeliverySettings,
}

impl LocalBranches {
    /// Branches in the repository at `repo`'s root, from `base`, written by `author`
    /// (grouped per violation).
    pub fn new(repo: &Repo, base: Oid, author: Author) -> Self {
        let settings = DeliverySettings {
            author_name: author.name,
            author_email: author.email,
            ..DeliverySettings::default()
        };
        Self::with_settings(repo, base, "HEAD", settings)
    }

    pub fn with_settings(
        repo: &Repo,
        base: Oid,
        base_name: &str,
        settings: DeliverySettings,
    ) -> Self {
        Self {
            root: repo.root().to_path_buf(),
            base,
            base_name: base_name.to_string(),
            settings,
        }
    }
}

impl Delivery for LocalBranches {
    fn grouping(&self) -> &DeliverySettings {
        &self.settings
    }

    fn begin<'a>(
        &'a self,
        group: &'a Group,
        members: &'a [&'a str],
    ) -> BoxFuture<'a, Result<Begun, DeliveryError>> {
        Box::pin(async move {
            let repo = Repo::discover(&self.root)?;
            let author = self.settings.author();
            for part in 1..=1000 {
                let branch = group.branch(part);
                let head = repo
                    .branch_head(&branch)
                    // A branch merged into the base starts again from the base.
                    .filter(|head| repo.merge_base(*head, self.base) != Some(*head));
                let (start, holds) = match head {
                    Some(head) => {
                        let state = inspect(&repo, self.base, head, &author)?;
                        if let Some(commit) = &state.human {
                            return Ok(Begun::Declined(Declined {
                                reason: human_reason(&branch, commit),
                                pr: local_ref(&branch),
                                closed: false,
                                holds: state.holds,
                            }));
                        }
                        if state.full_without(group.max, members) {
                            continue;
                        }
                        (Some(head), state.holds)
                    }
                    None => (None, BTreeSet::new()),
                };
                return Ok(Begun::Ready(Box::new(Batch {
                    group: group.clone(),
                    branch,
                    base_name: self.base_name.clone(),
                    base: self.base,
                    tip: start.unwrap_or(self.base),
                    start,
                    force: false,
                    holds,
                    added: Vec::new(),
                    author,
                    pr: None,
                    limits: None,
                    needs_slot: false,
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
            let changed = batch.changed();
            if changed {
                batch
                    .repo
                    .set_reference(&format!("refs/heads/{}", batch.branch), batch.tip)?;
            }
            Ok(Delivered {
                pr: local_ref(&batch.branch),
                unchanged: !changed,
                opened: false,
            })
        })
    }
}

fn local_ref(branch: &str) -> PrRef {
    PrRef {
        branch: branch.to_string(),
        number: None,
        url: None,
    }
}

/// The branch a violation's fix lives on when fixes are grouped per violation:
/// `remedy/<policy>/<first 8 of the fingerprint>`.
pub fn branch_name(policy: &str, fingerprint: &str) -> String {
    format!(
        "{BRANCH_PREFIX}{policy}/{}",
        &fingerprint[..8.min(fingerprint.len())]
    )
}
