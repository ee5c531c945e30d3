//! One commit's files, as a value to pass around.

use git2::Oid;

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
