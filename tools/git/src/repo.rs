//! Opening a repository: the user's work tree, or a bare managed clone.

use std::path::{Path, PathBuf};

use git2::Repository;

use crate::error::GitError;
use git2::Oid;

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
}
