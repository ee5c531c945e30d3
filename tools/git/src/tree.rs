//! The files of a commit, read from its tree (no checkout).

use std::path::Path;

use git2::{ObjectType, Oid};

use crate::error::GitError;
use git2::Repository;

/// What is at a path in a commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAt {
    Missing,
    Text(String),
    /// A file that is not UTF-8.
    NotText,
    /// A file larger than the cap asked for, in bytes (never loaded).
    TooLarge(u64),
}

/// A file's text at a commit; `None` when the file does not exist there or is not UTF-8.
pub(crate) fn read(repo: &Repository, commit: Oid, path: &str) -> Result<Option<String>, GitError> {
    Ok(match read_capped(repo, commit, path, u64::MAX)? {
        FileAt::Text(text) => Some(text),
        _ => None,
    })
}

/// What is at `path` in a commit, a blob larger than `max_bytes` not loaded.
pub(crate) fn read_capped(
    repo: &Repository,
    commit: Oid,
    path: &str,
    max_bytes: u64,
) -> Result<FileAt, GitError> {
    let tree = repo.find_commit(commit)?.tree()?;
    let entry = match tree.get_path(Path::new(path)) {
        Ok(entry) => entry,
        Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(FileAt::Missing),
        Err(e) => return Err(e.into()),
    };
    if entry.kind() != Some(ObjectType::Blob) {
        return Ok(FileAt::Missing);
    }
    let (size, _) = repo.odb()?.read_header(entry.id())?;
    let size = size as u64;
    if size > max_bytes {
        return Ok(FileAt::TooLarge(size));
    }
    let blob = repo.find_blob(entry.id())?;
    Ok(match std::str::from_utf8(blob.content()) {
        Ok(text) => FileAt::Text(text.to_string()),
        Err(_) => FileAt::NotText,
    })
}

/// Whether a file is at `path` in a commit.
pub(crate) fn exists(repo: &Repository, commit: Oid, path: &str) -> Result<bool, GitError> {
    let tree = repo.find_commit(commit)?.tree()?;
    match tree.get_path(Path::new(path)) {
        Ok(entry) => Ok(entry.kind() == Some(ObjectType::Blob)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(false),
        Err(e) => Err(e.into()),
    }
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
