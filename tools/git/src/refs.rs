//! Branches and references. A process killed mid-update leaves a lock that would block the
//! reference for good: see [`Repo::update_reference`].

use std::time::{Duration, Instant};

use git2::Oid;

use crate::error::GitError;
use git2::Repository;

/// Age past which a reference lock is taken to be a dead process's leftover.
const STALE_LOCK: Duration = Duration::from_secs(5);

/// Run `update` (which writes reference `name`), getting past a lock left behind by a
/// process that died mid-update: such a lock blocks that branch for good, since nothing
/// else removes it. A live writer holds a reference lock for milliseconds, so a lock is
/// waited on while it is younger than [`STALE_LOCK`] and removed once it is older.
pub(crate) fn update_reference(
    repo: &Repository,
    name: &str,
    mut update: impl FnMut() -> Result<(), git2::Error>,
) -> Result<(), GitError> {
    let started = Instant::now();
    loop {
        let err = match update() {
            Err(err) if err.code() == git2::ErrorCode::Locked => err,
            other => return Ok(other?),
        };
        let locks = [
            repo.path().join(format!("{name}.lock")),
            repo.path().join("packed-refs.lock"),
        ];
        let mut removed = false;
        for lock in &locks {
            let stale = std::fs::metadata(lock)
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
                .is_some_and(|age| age >= STALE_LOCK);
            if stale && std::fs::remove_file(lock).is_ok() {
                tracing::warn!(lock = %lock.display(), "removed a stale reference lock");
                removed = true;
            }
        }
        if !removed {
            if started.elapsed() > STALE_LOCK + Duration::from_secs(1) {
                return Err(err.into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
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
    match repo.find_reference(name) {
        Ok(mut r) => update_reference(repo, name, || r.delete()),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(()),
        Err(e) => Err(e.into()),
    }
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
