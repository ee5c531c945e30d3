//! Git through libgit2: read files at a revision and commit changed files onto a branch
//! without a checkout, so the user's working tree and current branch are never touched; fetch
//! from and push to a remote given by URL (HTTPS with a token, SSH through the agent, `file://`).
//!
//! Remotes are always anonymous (in memory): no URL and no credential is ever written to a
//! repository's configuration, and the token reaches libgit2 only through the credentials
//! callback.
//!
//! - [`repo`]: opening a repository (a work tree, or a bare managed clone);
//! - [`tree`]: the files of a commit; [`Revision`], one commit's files to read;
//! - [`commit`]: writing commits without a checkout, and reading history;
//! - [`refs`]: branches and references, getting past locks dead processes left;
//! - [`remote`]: fetch and push through anonymous remotes.

mod commit;
mod error;
mod refs;
mod remote;
mod repo;
mod revision;
mod tree;

#[cfg(test)]
mod tests;

pub use commit::{Author, CommitInfo};
pub use error::GitError;
pub use git2::Oid;
pub use remote::{Auth, Token, redact_url};
pub use repo::Repo;
pub use revision::Revision;
pub use tree::FileAt;
