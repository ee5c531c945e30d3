//! The files of a commit.

use std::path::Path;

use git2::{ObjectType, Oid};

use crate::error::GitError;
use crate::repo::Repo;

/// One commit's files: what a fix is made against (the base, or a branch's tip with the fixes
/// made so far).
#[derive(Clone, Copy)]
pub struct Revision<'r> {
    pub repo: &'r Repo,
    pub commit: Oid,
}

impl Revision<'_> {
    /// A file's text; `None` when it does not exist there, is not UTF-8 or cannot be read.
    pub fn read(&self, path: &str) -> Option<String> {
        self.repo.read(self.commit, path).ok().flatten()
    }

    /// The program files (see [`Repo::program_files`]); none when the tree cannot be read.
    pub fn program_files(&self) -> Vec<String> {
        self.repo.program_files(self.commit).unwrap_or_default()
    }
}

impl Repo {
    /// A file's text at a commit; `None` when the file does not exist there or is not UTF-8.
    pub fn read(&self, commit: Oid, path: &str) -> Result<Option<String>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(entry) => entry,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self.repo.find_blob(entry.id())?;
        Ok(std::str::from_utf8(blob.content()).ok().map(str::to_string))
    }

    /// Every file path (with `/` separators) in a commit's tree.
    pub fn files(&self, commit: Oid) -> Result<Vec<String>, GitError> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        let mut out = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) {
                out.push(format!("{dir}{}", entry.name().unwrap_or_default()));
            }
            git2::TreeWalkResult::Ok
        })?;
        Ok(out)
    }

    /// The files of a commit's tree a Pulumi program may be in: a language remedy reads, and
    /// not under a skipped directory (`node_modules`, virtualenvs, build output), as the
    /// directory walk decides for a work tree.
    pub fn program_files(&self, commit: Oid) -> Result<Vec<String>, GitError> {
        let mut files = self.files(commit)?;
        files.retain(|f| {
            !remedy_source::is_skipped_path(f)
                && remedy_source::Language::from_path(Path::new(f)).is_some()
        });
        Ok(files)
    }
}
