//! Branches and references. A process killed mid-update leaves a lock that would block the
//! reference for good: see [`Repo::update_reference`].

use std::path::Path;
use std::time::{Duration, Instant};

use git2::Oid;

use crate::error::GitError;
use git2::Repository;

/// Age past which a lock on one of remedy's own references is taken to be a dead remedy
/// process's leftover.
const STALE_LOCK: Duration = Duration::from_secs(5);

/// How long a lock another program holds (`packed-refs.lock` during a `git gc`, a branch the
/// user's git is writing) is waited on before the update fails.
const FOREIGN_LOCK_WAIT: Duration = Duration::from_secs(30);

/// Whether `name` is one of remedy's own references (its branches, and their remote-tracking
/// copies): no other program writes them, so a lock on one is remedy's.
pub(crate) fn is_own(name: &str) -> bool {
    name.strip_prefix("refs/heads/")
        .or_else(|| {
            name.strip_prefix("refs/remotes/")
                .and_then(|rest| rest.split_once('/').map(|(_, branch)| branch))
        })
        .is_some_and(|branch| branch.starts_with("remedy/"))
}

/// Run `update` (which writes reference `name`), getting past a lock left behind by a
/// remedy process that died mid-update: such a lock blocks that branch for good, since
/// nothing else removes it. A live writer holds a reference lock for milliseconds, so a lock
/// on one of remedy's own branches is waited on while it is younger than [`STALE_LOCK`] and
/// removed once it is older. Any other lock (`packed-refs.lock`, which a `git gc` holds for as
/// long as it runs, or a branch of the user's) belongs to another program: it is waited on for
/// [`FOREIGN_LOCK_WAIT`], never removed.
pub(crate) fn update_reference(
    repo: &Repository,
    name: &str,
    mut update: impl FnMut() -> Result<(), git2::Error>,
) -> Result<(), GitError> {
    let started = Instant::now();
    let own_lock = repo.path().join(format!("{name}.lock"));
    loop {
        let err = match update() {
            Err(err) if err.code() == git2::ErrorCode::Locked => err,
            other => return Ok(other?),
        };
        if is_own(name)
            && is_older_than(&own_lock, STALE_LOCK)
            && std::fs::remove_file(&own_lock).is_ok()
        {
            tracing::warn!(lock = %own_lock.display(), "removed a stale lock on remedy's own branch");
            continue;
        }
        if started.elapsed() > FOREIGN_LOCK_WAIT {
            let held: Vec<String> = [own_lock, repo.path().join("packed-refs.lock")]
                .iter()
                .filter(|lock| lock.exists())
                .map(|lock| lock.display().to_string())
                .collect();
            return Err(GitError::Locked {
                reference: name.to_string(),
                locks: held.join(", "),
                source: err,
            });
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn is_older_than(path: &Path, age: Duration) -> bool {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|elapsed| elapsed >= age)
}

/// The commit a local branch points at, if the branch exists.
pub(crate) fn branch_head(repo: &Repository, branch: &str) -> Option<Oid> {
    repo.find_reference(&format!("refs/heads/{branch}"))
        .ok()
        .and_then(|r| r.target())
}

/// The commit a reference (`refs/remotes/origin/main`) points at, if it exists.
pub(crate) fn reference(repo: &Repository, name: &str) -> Option<Oid> {
    repo.find_reference(name)
        .ok()
        .and_then(|r| r.resolve().ok())
        .and_then(|r| r.target())
}

/// Point `name` at `target` (creating or moving it).
pub(crate) fn set_reference(repo: &Repository, name: &str, target: Oid) -> Result<(), GitError> {
    update_reference(repo, name, || {
        repo.reference(name, target, true, "remedy").map(drop)
    })
}

/// Delete a reference; nothing when it does not exist.
pub(crate) fn delete_reference(repo: &Repository, name: &str) -> Result<(), GitError> {
    // Each attempt through a fresh handle: a delete that fails on a locked packed-refs has
    // already dropped the reference from the handle's cache, and a second delete through it
    // succeeds without touching the file.
    update_reference(repo, name, || {
        let fresh = Repository::open(repo.path())?;
        match fresh.find_reference(name) {
            Ok(mut r) => r.delete(),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(()),
            Err(e) => Err(e),
        }
    })
}

/// Every reference whose name starts with `prefix`, with the commit it points at.
pub(crate) fn references(repo: &Repository, prefix: &str) -> Result<Vec<(String, Oid)>, GitError> {
    Ok(repo
        .references_glob(&format!("{prefix}*"))?
        .filter_map(|r| {
            let r = r.ok()?;
            let name = r.name().ok()?.to_string();
            let oid = r.resolve().ok()?.target()?;
            Some((name, oid))
        })
        .collect())
}

/// Delete every reference whose name starts with `prefix` (`refs/remotes/origin/remedy/x/`).
pub(crate) fn delete_references(repo: &Repository, prefix: &str) -> Result<(), GitError> {
    let names: Vec<String> = repo
        .references_glob(&format!("{prefix}*"))?
        .filter_map(|r| r.ok().and_then(|r| r.name().ok().map(str::to_string)))
        .collect();
    for name in names {
        delete_reference(repo, &name)?;
    }
    Ok(())
}
