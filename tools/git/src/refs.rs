//! Branches and references. A process killed mid-update leaves a lock that would block the
//! reference for good: see [`Repo::update_reference`].

use std::time::{Duration, Instant};

use git2::Oid;

use crate::error::GitError;
use crate::repo::Repo;

/// Age past which a reference lock is taken to be a dead process's leftover.
const STALE_LOCK: Duration = Duration::from_secs(5);

impl Repo {
    /// Run `update` (which writes reference `name`), getting past a lock left behind by a
    /// process that died mid-update: such a lock blocks that branch for good, since nothing
    /// else removes it. A live writer holds a reference lock for milliseconds, so a lock is
    /// waited on while it is younger than [`STALE_LOCK`] and removed once it is older.
    pub(crate) fn update_reference(
        &self,
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
                self.repo.path().join(format!("{name}.lock")),
                self.repo.path().join("packed-refs.lock"),
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
    pub fn branch_head(&self, branch: &str) -> Option<Oid> {
        self.repo
            .find_reference(&format!("refs/heads/{branch}"))
            .ok()
            .and_then(|r| r.target())
    }

    /// The commit a reference (`refs/remotes/origin/main`) points at, if it exists.
    pub fn reference(&self, name: &str) -> Option<Oid> {
        self.repo
            .find_reference(name)
            .ok()
            .and_then(|r| r.resolve().ok())
            .and_then(|r| r.target())
    }

    /// Point `name` at `target` (creating or moving it).
    pub fn set_reference(&self, name: &str, target: Oid) -> Result<(), GitError> {
        self.update_reference(name, || {
            self.repo.reference(name, target, true, "remedy").map(drop)
        })
    }

    /// Delete a reference; nothing when it does not exist.
    pub fn delete_reference(&self, name: &str) -> Result<(), GitError> {
        match self.repo.find_reference(name) {
            Ok(mut r) => self.update_reference(name, || r.delete()),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// Every reference whose name starts with `prefix`, with the commit it points at.
    pub fn references(&self, prefix: &str) -> Result<Vec<(String, Oid)>, GitError> {
        Ok(self
            .repo
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
    pub fn delete_references(&self, prefix: &str) -> Result<(), GitError> {
        let names: Vec<String> = self
            .repo
            .references_glob(&format!("{prefix}*"))?
            .filter_map(|r| r.ok().and_then(|r| r.name().ok().map(str::to_string)))
            .collect();
        for name in names {
            self.delete_reference(&name)?;
        }
        Ok(())
    }
}
