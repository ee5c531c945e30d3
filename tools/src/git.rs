//! Git through libgit2: read files at a revision and commit changed files onto a branch
//! without a checkout, so the user's working tree and current branch are never touched.

use std::path::{Path, PathBuf};

pub use git2::Oid;
use git2::{ObjectType, Repository, Signature, build::TreeUpdateBuilder};

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}: not inside a git repository", .0.display())]
    NotARepository(PathBuf),
    #[error("{}: no revision `{rev}`", .repo.display())]
    NoRevision { repo: PathBuf, rev: String },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
}

/// An opened repository.
pub struct Repo {
    repo: Repository,
    root: PathBuf,
}

/// Who commits.
#[derive(Debug, Clone)]
pub struct Author {
    pub name: String,
    pub email: String,
}

impl Default for Author {
    fn default() -> Self {
        Self {
            name: "remedy".into(),
            email: "remedy@users.noreply.github.com".into(),
        }
    }
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

    pub fn open_bare(path: &Path) -> Result<Self, GitError> {
        let repo = Repository::open_bare(path)
            .map_err(|_| GitError::NotARepository(path.to_path_buf()))?;
        Ok(Self {
            root: path.to_path_buf(),
            repo,
        })
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
        let parent = self.repo.find_commit(parent)?;
        let base_tree = parent.tree()?;
        let mut update = TreeUpdateBuilder::new();
        for (path, content) in files {
            let blob = self.repo.blob(content.as_bytes())?;
            update.upsert(path.as_str(), blob, git2::FileMode::Blob);
        }
        let tree_id = update.create_updated(&self.repo, &base_tree)?;
        let tree = self.repo.find_tree(tree_id)?;
        let signature = Signature::now(&author.name, &author.email)?;
        let commit = self
            .repo
            .commit(None, &signature, &signature, message, &tree, &[&parent])?;
        self.repo.reference(
            &format!("refs/heads/{branch}"),
            commit,
            true,
            &format!("remedy: {branch}"),
        )?;
        Ok(commit)
    }

    /// The commit a local branch points at, if the branch exists.
    pub fn branch_head(&self, branch: &str) -> Option<Oid> {
        self.repo
            .find_reference(&format!("refs/heads/{branch}"))
            .ok()
            .and_then(|r| r.target())
    }

    pub fn message(&self, commit: Oid) -> Result<String, GitError> {
        Ok(self
            .repo
            .find_commit(commit)?
            .message()
            .unwrap_or_default()
            .to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn init() -> (tempfile::TempDir, Repo) {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        std::fs::write(dir.path().join("index.ts"), "const a = 1;\n").unwrap();
        std::fs::create_dir_all(dir.path().join("infra")).unwrap();
        std::fs::write(dir.path().join("infra/main.py"), "x = 1\n").unwrap();
        let mut index = repo.index().unwrap();
        index
            .add_all(["*"].iter(), git2::IndexAddOption::DEFAULT, None)
            .unwrap();
        index.write().unwrap();
        let tree = repo.find_tree(index.write_tree().unwrap()).unwrap();
        let sig = Signature::now("t", "t@example.com").unwrap();
        repo.commit(Some("HEAD"), &sig, &sig, "init", &tree, &[])
            .unwrap();
        drop(tree);
        let repo = Repo::discover(dir.path()).unwrap();
        (dir, repo)
    }

    #[test]
    fn commits_on_a_branch_without_touching_the_work_tree() {
        let (dir, repo) = init();
        let branch = repo.current_branch().unwrap();
        let base = repo.resolve("HEAD").unwrap();
        assert_eq!(
            repo.read(base, "infra/main.py").unwrap().as_deref(),
            Some("x = 1\n")
        );
        assert_eq!(repo.read(base, "missing.py").unwrap(), None);

        let commit = repo
            .commit_files(
                base,
                "remedy/fix/abc",
                &[("infra/main.py".into(), "x = 2\n".into())],
                "Fix x\n\nRemedy-Violation: abc\n",
                &Author::default(),
            )
            .unwrap();
        assert_eq!(repo.branch_head("remedy/fix/abc"), Some(commit));
        assert_eq!(
            repo.read(commit, "infra/main.py").unwrap().as_deref(),
            Some("x = 2\n")
        );
        assert_eq!(
            repo.read(commit, "index.ts").unwrap().as_deref(),
            Some("const a = 1;\n")
        );
        assert!(
            repo.message(commit)
                .unwrap()
                .contains("Remedy-Violation: abc")
        );
        // The work tree, HEAD and the current branch are untouched.
        assert_eq!(
            std::fs::read_to_string(dir.path().join("infra/main.py")).unwrap(),
            "x = 1\n"
        );
        assert_eq!(repo.current_branch().unwrap(), branch);
        assert_eq!(repo.resolve("HEAD").unwrap(), base);
        let files = repo.files(commit).unwrap();
        assert_eq!(
            files,
            vec!["index.ts".to_string(), "infra/main.py".to_string()]
        );
    }

    #[test]
    fn outside_a_repository_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = Repo::discover(dir.path()).err().unwrap();
        assert!(
            err.to_string().contains("not inside a git repository"),
            "{err}"
        );
    }
}
