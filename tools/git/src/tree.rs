//! The files of a commit, read from its tree (no checkout).

use std::path::Path;

use git2::{ObjectType, Oid};

use crate::error::GitError;
use git2::Repository;

/// A file's text at a commit; `None` when the file does not exist there or is not UTF-8.
pub(crate) fn read(repo: &Repository, commit: Oid, path: &str) -> Result<Option<String>, GitError> {
    let tree = repo.find_commit(commit)?.tree()?;
    let entry = match tree.get_path(Path::new(path)) {
        Ok(entry) => entry,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if entry.kind() != Some(ObjectType::Blob) {
        return Ok(None);
    }
    let blob = repo.find_blob(entry.id())?;
    Ok(std::str::from_utf8(blob.content()).ok().map(str::to_string))
}

/// Every file path (with `/` separators) in a commit's tree.
pub(crate) fn files(repo: &Repository, commit: Oid) -> Result<Vec<String>, GitError> {
    let tree = repo.find_commit(commit)?.tree()?;
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
pub(crate) fn program_files(repo: &Repository, commit: Oid) -> Result<Vec<String>, GitError> {
    let mut files = files(repo, commit)?;
    files.retain(|f| {
        !remedy_source::is_skipped_path(f)
            && remedy_source::Language::from_path(Path::new(f)).is_some()
    });
    Ok(files)
}
