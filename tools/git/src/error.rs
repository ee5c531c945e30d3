//! What can go wrong with git, without ever a credential in the message.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}: not inside a git repository", .0.display())]
    NotARepository(PathBuf),
    #[error("{}: no revision `{rev}`", .repo.display())]
    NoRevision { repo: PathBuf, rev: String },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    /// Another program holds a lock on the reference; remedy removes only its own.
    #[error(
        "git: {reference} stayed locked by another program ({locks}); remedy removes only locks \
         on its own branches: let the other git process (a `git gc`?) finish, or remove the \
         lock if none runs"
    )]
    Locked {
        reference: String,
        locks: String,
        source: git2::Error,
    },
    /// A fetch or push failed; `remote` never carries credentials.
    #[error("git {op} {remote}: {message}")]
    Remote {
        op: &'static str,
        remote: String,
        message: String,
    },
}
