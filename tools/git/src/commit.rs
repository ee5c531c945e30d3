//! Writing commits without a checkout, and reading a branch's history.

use git2::build::TreeUpdateBuilder;
use git2::{Oid, Signature};

use crate::error::GitError;
use git2::Repository;

/// Who commits.
#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub email: String,
}

impl Default for Author {
    fn default() -> Self {
        Self {
            name: "remedy".into(),
            email: "remedy@users.noreply.github.com".into(),
        }
    }
}

/// A commit as [`Repo::commits_between`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: Oid,
    pub author_name: String,
    pub author_email: String,
    pub message: String,
}

/// Commit `files` (path, new content) on top of `parent` and point `branch` at the new
/// commit (creating or moving it). No working tree or index is involved.
pub(crate) fn commit_files(
    repo: &Repository,
    parent: Oid,
    branch: &str,
    files: &[(String, String)],
    message: &str,
    author: &Author,
) -> Result<Oid, GitError> {
    let commit = commit(repo, parent, files, message, author)?;
    let name = format!("refs/heads/{branch}");
    crate::refs::update_reference(repo, &name, || {
        repo.reference(&name, commit, true, &format!("remedy: {branch}"))
            .map(drop)
    })?;
    Ok(commit)
}

/// Write a commit of `files` on top of `parent`, moving no reference (the caller decides
/// where the commit goes). `author` is the author and the committer.
pub(crate) fn commit(
    repo: &Repository,
    parent: Oid,
    files: &[(String, String)],
    message: &str,
    author: &Author,
) -> Result<Oid, GitError> {
    let parent = repo.find_commit(parent)?;
    let base_tree = parent.tree()?;
    let mut update = TreeUpdateBuilder::new();
    for (path, content) in files {
        let blob = repo.blob(content.as_bytes())?;
        update.upsert(path.as_str(), blob, git2::FileMode::Blob);
    }
    let tree_id = update.create_updated(repo, &base_tree)?;
    let tree = repo.find_tree(tree_id)?;
    let signature = Signature::now(&author.name, &author.email)?;
    Ok(repo.commit(None, &signature, &signature, message, &tree, &[&parent])?)
}

/// Commits reachable from `tip` but not from `base`, oldest first.
pub(crate) fn commits_between(
    repo: &Repository,
    base: Oid,
    tip: Oid,
) -> Result<Vec<CommitInfo>, GitError> {
    let mut walk = repo.revwalk()?;
    walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
    walk.push(tip)?;
    walk.hide(base)?;
    let mut out = Vec::new();
    for id in walk {
        let commit = repo.find_commit(id?)?;
        let author = commit.author();
        out.push(CommitInfo {
            id: commit.id(),
            author_name: author.name().unwrap_or_default().to_string(),
            author_email: author.email().unwrap_or_default().to_string(),
            message: commit.message().unwrap_or_default().to_string(),
        });
    }
    Ok(out)
}

/// The best common ancestor of two commits, if they share history.
pub(crate) fn merge_base(repo: &Repository, one: Oid, two: Oid) -> Option<Oid> {
    repo.merge_base(one, two).ok()
}

/// Whether merging `theirs` into `ours` would conflict.
pub(crate) fn conflicts(repo: &Repository, ours: Oid, theirs: Oid) -> Result<bool, GitError> {
    let ours = repo.find_commit(ours)?;
    let theirs = repo.find_commit(theirs)?;
    let index = repo.merge_commits(&ours, &theirs, None)?;
    Ok(index.has_conflicts())
}

/// Whether two commits have the same tree (the same files).
pub(crate) fn same_tree(repo: &Repository, a: Oid, b: Oid) -> Result<bool, GitError> {
    Ok(repo.find_commit(a)?.tree_id() == repo.find_commit(b)?.tree_id())
}

pub(crate) fn message(repo: &Repository, commit: Oid) -> Result<String, GitError> {
    Ok(repo
        .find_commit(commit)?
        .message()
        .unwrap_or_default()
        .to_string())
}
