//! Opening a repository: the user's work tree, or a bare managed clone.

use std::path::{Path, PathBuf};

use git2::Repository;

use git2::Oid;

use crate::commit::{self, Author, CommitInfo};
use crate::error::GitError;
use crate::remote::{self, Auth};
use crate::tree::FileAt;
use crate::{refs, tree};

/// An opened repository.
pub struct Repo {
    pub(crate) repo: Repository,
    pub(crate) root: PathBuf,
}

impl Repo {
    /// The repository containing `path`.
    pub fn discover(path: &Path) -> Result<Self, GitError> {
        let repo =
            Repository::discover(path).map_err(|_| GitError::NotARepository(path.to_path_buf()))?;
        // libgit2 ends directories with a separator; a path built from components does not, so
        // the root compares equal to the same directory found another way.
        let root = repo
            .workdir()
            .unwrap_or_else(|| repo.path())
            .components()
            .collect();
        Ok(Self { repo, root })
    }

    /// Open the bare repository at `path`, creating it when there is none.
    pub fn init_bare(path: &Path) -> Result<Self, GitError> {
        let repo = match Repository::open_bare(path) {
            Ok(repo) => repo,
            Err(_) => {
                std::fs::create_dir_all(path).map_err(|e| {
                    GitError::Git(git2::Error::from_str(&format!(
                        "cannot create {}: {e}",
                        path.display()
                    )))
                })?;
                Repository::init_bare(path)?
            }
        };
        Ok(Self {
            root: path.to_path_buf(),
            repo,
        })
    }

    pub fn open_bare(path: &Path) -> Result<Self, GitError> {
        let repo = Repository::open_bare(path)
            .map_err(|_| GitError::NotARepository(path.to_path_buf()))?;
        Ok(Self {
            root: path.to_path_buf(),
            repo,
        })
    }

    /// Keep the objects this handle writes in memory instead of on disk: they last as long as
    /// the handle, long enough to be pushed, and are read back like any other object. A
    /// managed clone that writes every fix to disk would hold every branch it ever pushed,
    /// and libgit2 walks the history of every remote branch it holds locally on each push;
    /// one that keeps only what it fetched pushes in time independent of how many branches
    /// the remote has. References must not point at these objects (they would dangle).
    pub fn keep_new_objects_in_memory(&self) -> Result<(), GitError> {
        // Above the loose and pack backends, so that writes land here first.
        self.repo.odb()?.add_new_mempack_backend(1000)?;
        Ok(())
    }

    /// The work tree root (or the git directory of a bare repository).
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The short name of the branch HEAD points at (`main`), if any.
    pub fn current_branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        head.is_branch()
            .then(|| head.shorthand().ok().map(str::to_string))
            .flatten()
    }

    /// The commit a revision (`main`, `origin/main`, a hash) names.
    pub fn resolve(&self, rev: &str) -> Result<Oid, GitError> {
        let object = self
            .repo
            .revparse_single(rev)
            .map_err(|_| GitError::NoRevision {
                repo: self.root.clone(),
                rev: rev.to_string(),
            })?;
        Ok(object.peel_to_commit()?.id())
    }

    /// A file's text at a commit; `None` when the file does not exist there or is not UTF-8.
    pub fn read(&self, commit: Oid, path: &str) -> Result<Option<String>, GitError> {
        tree::read(&self.repo, commit, path)
    }

    /// What is at `path` in a commit, without loading a blob larger than `max_bytes`.
    pub fn read_capped(&self, commit: Oid, path: &str, max_bytes: u64) -> Result<FileAt, GitError> {
        tree::read_capped(&self.repo, commit, path, max_bytes)
    }

    /// Whether a file (of any content) is at `path` in a commit.
    pub fn exists(&self, commit: Oid, path: &str) -> Result<bool, GitError> {
        tree::exists(&self.repo, commit, path)
    }

    /// Every file path (with `/` separators) in a commit's tree.
    pub fn files(&self, commit: Oid) -> Result<Vec<String>, GitError> {
        tree::files(&self.repo, commit)
    }

    /// The files of a commit's tree a Pulumi program may be in: a language remedy reads, and
    /// not under a skipped directory (`node_modules`, virtualenvs, build output), as the
    /// directory walk decides for a work tree.
    pub fn program_files(&self, commit: Oid) -> Result<Vec<String>, GitError> {
        tree::program_files(&self.repo, commit)
    }

    /// Commit `files` (path, new content) on top of `parent` and point `branch` at the new
    /// commit (creating or moving it). No working tree or index is involved.
    pub fn commit_files(
        &self,
        parent: Oid,
        branch: &str,
        files: &[(String, String)],
        message: &str,
        author: &Author,
    ) -> Result<Oid, GitError> {
        commit::commit_files(&self.repo, parent, branch, files, message, author)
    }

    /// Write a commit of `files` on top of `parent`, moving no reference (the caller decides
    /// where the commit goes). `author` is the author and the committer.
    pub fn commit(
        &self,
        parent: Oid,
        files: &[(String, String)],
        message: &str,
        author: &Author,
    ) -> Result<Oid, GitError> {
        commit::commit(&self.repo, parent, files, message, author)
    }

    /// Commits reachable from `tip` but not from `base`, oldest first.
    pub fn commits_between(&self, base: Oid, tip: Oid) -> Result<Vec<CommitInfo>, GitError> {
        commit::commits_between(&self.repo, base, tip)
    }

    /// The best common ancestor of two commits, if they share history.
    pub fn merge_base(&self, one: Oid, two: Oid) -> Option<Oid> {
        commit::merge_base(&self.repo, one, two)
    }

    /// Whether merging `theirs` into `ours` would conflict.
    pub fn conflicts(&self, ours: Oid, theirs: Oid) -> Result<bool, GitError> {
        commit::conflicts(&self.repo, ours, theirs)
    }

    /// Whether two commits have the same tree (the same files).
    pub fn same_tree(&self, a: Oid, b: Oid) -> Result<bool, GitError> {
        commit::same_tree(&self.repo, a, b)
    }

    pub fn message(&self, commit: Oid) -> Result<String, GitError> {
        commit::message(&self.repo, commit)
    }

    /// The commit a local branch points at, if the branch exists.
    pub fn branch_head(&self, branch: &str) -> Option<Oid> {
        refs::branch_head(&self.repo, branch)
    }

    /// The commit a reference (`refs/remotes/origin/main`) points at, if it exists.
    pub fn reference(&self, name: &str) -> Option<Oid> {
        refs::reference(&self.repo, name)
    }

    /// Point `name` at `target` (creating or moving it).
    pub fn set_reference(&self, name: &str, target: Oid) -> Result<(), GitError> {
        refs::set_reference(&self.repo, name, target)
    }

    /// Delete a reference; nothing when it does not exist.
    pub fn delete_reference(&self, name: &str) -> Result<(), GitError> {
        refs::delete_reference(&self.repo, name)
    }

    /// Every reference whose name starts with `prefix`, with the commit it points at.
    pub fn references(&self, prefix: &str) -> Result<Vec<(String, Oid)>, GitError> {
        refs::references(&self.repo, prefix)
    }

    /// Delete every reference whose name starts with `prefix` (`refs/remotes/origin/remedy/x/`).
    pub fn delete_references(&self, prefix: &str) -> Result<(), GitError> {
        refs::delete_references(&self.repo, prefix)
    }

    /// Fetch `refspecs` (`+refs/heads/main:refs/remotes/origin/main`) from `url`. A refspec
    /// whose source does not exist on the remote is not an error: its destination is left
    /// as it was, so callers delete it first when they need to know.
    pub fn fetch(&self, url: &str, refspecs: &[String], auth: &Auth) -> Result<(), GitError> {
        remote::fetch(&self.repo, url, refspecs, auth)
    }

    /// Push `refspecs` (`+refs/heads/x:refs/heads/x` to force) to `url`; an error when the
    /// remote rejects any of them.
    pub fn push(&self, url: &str, refspecs: &[String], auth: &Auth) -> Result<(), GitError> {
        remote::push(&self.repo, url, refspecs, auth)
    }
}
