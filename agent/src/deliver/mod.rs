//! Delivery: where accepted fixes go. [`LocalBranches`] commits each fix on a local branch of
//! the repository (no forge, no token: the embedded default).

use remedy_guardrails::gate::Verdict;
use remedy_tools::git::{Author, GitError, Oid, Repo};

use crate::remediate::BoxFuture;
use crate::store::PrRef;

/// An accepted fix, ready to go out.
#[derive(Debug, Clone)]
pub struct AcceptedFix {
    pub fingerprint: String,
    pub policy: String,
    pub title: String,
    pub severity: String,
    pub message: String,
    /// The resource's name, or its name expression.
    pub resource: String,
    pub file: String,
    /// The file after the fix.
    pub after: String,
    pub verdict: Verdict,
}

#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    #[error(transparent)]
    Git(#[from] GitError),
    #[error("{0}")]
    Forge(String),
}

/// Sends accepted fixes somewhere reviewers can see them.
pub trait Delivery: Send + Sync {
    /// Deliver one fix; where it went.
    fn deliver<'a>(
        &'a self,
        fix: &'a AcceptedFix,
    ) -> BoxFuture<'a, Result<Delivered, DeliveryError>>;
}

/// Where a fix went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered {
    pub pr: PrRef,
    /// The branch already held this exact fix: nothing was written.
    pub unchanged: bool,
}

/// The branch a violation's fix lives on: `remedy/<policy>/<first 8 of the fingerprint>`.
pub fn branch_name(policy: &str, fingerprint: &str) -> String {
    format!(
        "remedy/{policy}/{}",
        &fingerprint[..8.min(fingerprint.len())]
    )
}

/// The commit message: what was wrong, the gate's evidence, and the `Remedy-Violation` trailer.
pub fn commit_message(fix: &AcceptedFix) -> String {
    let checks: Vec<String> = fix
        .verdict
        .checks
        .iter()
        .map(|c| format!("- {}: {}", c.name, c.evidence))
        .collect();
    format!(
        "fix({}): {} in {}\n\n{} ({}).\n{}\n\nGate:\n{}\n\nRemedy-Violation: {}\n",
        fix.policy,
        fix.resource,
        fix.file,
        fix.title,
        fix.severity,
        fix.message,
        checks.join("\n"),
        fix.fingerprint
    )
}

/// One local branch per fix, from the base commit; the working tree is never touched.
pub struct LocalBranches {
    repo: std::sync::Mutex<Repo>,
    base: Oid,
    author: Author,
}

impl LocalBranches {
    pub fn new(repo: Repo, base: Oid, author: Author) -> Self {
        Self {
            repo: std::sync::Mutex::new(repo),
            base,
            author,
        }
    }
}

impl Delivery for LocalBranches {
    fn deliver<'a>(
        &'a self,
        fix: &'a AcceptedFix,
    ) -> BoxFuture<'a, Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            let repo = self
                .repo
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            let branch = branch_name(&fix.policy, &fix.fingerprint);
            let unchanged = repo.branch_head(&branch).is_some_and(|head| {
                repo.read(head, &fix.file).ok().flatten().as_deref() == Some(fix.after.as_str())
            });
            if !unchanged {
                repo.commit_files(
                    self.base,
                    &branch,
                    &[(fix.file.clone(), fix.after.clone())],
                    &commit_message(fix),
                    &self.author,
                )?;
            }
            Ok(Delivered {
                pr: PrRef {
                    branch,
                    number: None,
                    url: None,
                },
                unchanged,
            })
        })
    }
}
