//! Git through libgit2: read files at a revision and commit changed files onto a branch
//! without a checkout, so the user's working tree and current branch are never touched; fetch
//! from and push to a remote given by URL (HTTPS with a token, SSH through the agent, `file://`).
//!
//! Remotes are always anonymous (in memory): no URL and no credential is ever written to a
//! repository's configuration, and the token reaches libgit2 only through the credentials
//! callback.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

pub use git2::Oid;
use git2::{
    Cred, CredentialType, FetchOptions, ObjectType, PushOptions, RemoteCallbacks, Repository,
    Signature, build::TreeUpdateBuilder,
};

use secrecy::ExposeSecret;

/// A token for HTTPS remotes (and forge APIs): never printed, zeroed when dropped.
pub type Token = secrecy::SecretString;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{}: not inside a git repository", .0.display())]
    NotARepository(PathBuf),
    #[error("{}: no revision `{rev}`", .repo.display())]
    NoRevision { repo: PathBuf, rev: String },
    #[error("git: {0}")]
    Git(#[from] git2::Error),
    /// A fetch or push failed; `remote` never carries credentials.
    #[error("git {op} {remote}: {message}")]
    Remote {
        op: &'static str,
        remote: String,
        message: String,
    },
}

/// Age past which a reference lock is taken to be a dead process's leftover.
const STALE_LOCK: Duration = Duration::from_secs(5);

/// How to authenticate to a remote. The token is used only as the password of an HTTPS
/// remote (user `x-access-token`, as GitHub expects), through libgit2's credentials callback.
#[derive(Debug, Clone, Default)]
pub struct Auth {
    pub token: Option<Token>,
    /// Offer the SSH agent's keys to `ssh://` and `git@host:` remotes.
    pub ssh_agent: bool,
}

/// A commit as [`Repo::commits_between`] lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitInfo {
    pub id: Oid,
    pub author_name: String,
    pub author_email: String,
    pub message: String,
}

/// A URL without any user information (`https://user:secret@host/p` → `https://host/p`), for
/// messages and for libgit2.
pub fn redact_url(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let (authority, path) = rest.split_once('/').map_or((rest, ""), |(a, p)| (a, p));
            let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            if path.is_empty() && !rest.contains('/') {
                format!("{scheme}://{host}")
            } else {
                format!("{scheme}://{host}/{path}")
            }
        }
        None => url.to_string(),
    }
}

fn callbacks<'a>(auth: &'a Auth, tries: &'a Cell<u32>) -> RemoteCallbacks<'a> {
    let mut callbacks = RemoteCallbacks::new();
    callbacks.credentials(move |_url, username, allowed| {
        // libgit2 asks again after a refused credential: answer once per kind, then stop.
        tries.set(tries.get() + 1);
        if tries.get() > 3 {
            return Err(git2::Error::from_str(
                "authentication failed (check the token's or the SSH key's access)",
            ));
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT)
            && let Some(token) = &auth.token
        {
            return Cred::userpass_plaintext("x-access-token", token.expose_secret());
        }
        if allowed.contains(CredentialType::SSH_KEY) && auth.ssh_agent {
            return Cred::ssh_key_from_agent(username.unwrap_or("git"));
        }
        if allowed.contains(CredentialType::USERNAME) {
            return Cred::username(username.unwrap_or("git"));
        }
        Err(git2::Error::from_str(
            "the remote needs credentials: set GITHUB_TOKEN (HTTPS) or load a key into the SSH agent",
        ))
    });
    callbacks
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
        let commit = self.commit(parent, files, message, author)?;
        let name = format!("refs/heads/{branch}");
        self.update_reference(&name, || {
            self.repo
                .reference(&name, commit, true, &format!("remedy: {branch}"))
                .map(drop)
        })?;
        Ok(commit)
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
        Ok(self
            .repo
            .commit(None, &signature, &signature, message, &tree, &[&parent])?)
    }

    /// Run `update` (which writes reference `name`), getting past a lock left behind by a
    /// process that died mid-update: such a lock blocks that branch for good, since nothing
    /// else removes it. A live writer holds a reference lock for milliseconds, so a lock is
    /// waited on while it is younger than [`STALE_LOCK`] and removed once it is older.
    fn update_reference(
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

    /// Fetch `refspecs` (`+refs/heads/main:refs/remotes/origin/main`) from `url`. A refspec
    /// whose source does not exist on the remote is not an error: its destination is left
    /// as it was, so callers delete it first when they need to know.
    pub fn fetch(&self, url: &str, refspecs: &[String], auth: &Auth) -> Result<(), GitError> {
        let clean = redact_url(url);
        let tries = Cell::new(0);
        let mut options = FetchOptions::new();
        options.remote_callbacks(callbacks(auth, &tries));
        options.download_tags(git2::AutotagOption::None);
        let mut remote = self.repo.remote_anonymous(url)?;
        remote
            .fetch(refspecs, Some(&mut options), None)
            .map_err(|e| GitError::Remote {
                op: "fetch from",
                remote: clean.clone(),
                message: scrub(e.message(), url, auth),
            })?;
        tracing::debug!(remote = %clean, refspecs = ?refspecs, "fetched");
        Ok(())
    }

    /// Push `refspecs` (`+refs/heads/x:refs/heads/x` to force) to `url`; an error when the
    /// remote rejects any of them.
    pub fn push(&self, url: &str, refspecs: &[String], auth: &Auth) -> Result<(), GitError> {
        let clean = redact_url(url);
        let tries = Cell::new(0);
        let rejected = std::cell::RefCell::new(Vec::new());
        {
            let mut cbs = callbacks(auth, &tries);
            cbs.push_update_reference(|name, status| {
                if let Some(status) = status {
                    rejected.borrow_mut().push(format!("{name}: {status}"));
                }
                Ok(())
            });
            let mut options = PushOptions::new();
            options.remote_callbacks(cbs);
            let mut remote = self.repo.remote_anonymous(url)?;
            remote
                .push(refspecs, Some(&mut options))
                .map_err(|e| GitError::Remote {
                    op: "push to",
                    remote: clean.clone(),
                    message: scrub(e.message(), url, auth),
                })?;
        }
        let rejected = rejected.into_inner();
        if !rejected.is_empty() {
            return Err(GitError::Remote {
                op: "push to",
                remote: clean,
                message: format!("rejected: {}", rejected.join("; ")),
            });
        }
        tracing::debug!(remote = %clean, refspecs = ?refspecs, "pushed");
        Ok(())
    }

    /// Commits reachable from `tip` but not from `base`, oldest first.
    pub fn commits_between(&self, base: Oid, tip: Oid) -> Result<Vec<CommitInfo>, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(git2::Sort::TOPOLOGICAL | git2::Sort::REVERSE)?;
        walk.push(tip)?;
        walk.hide(base)?;
        let mut out = Vec::new();
        for id in walk {
            let commit = self.repo.find_commit(id?)?;
            let author = commit.author();
            out.push(CommitInfo {
                id: commit.id(),
                author_name: author.name().unwrap_or_default().to_string(),
                author_email: author.email().unwrap_or_default().to_string(),
                message: commit.message().unwrap_or_default().to_string(),
            });
        }
        Ok(out)
    }

    /// The best common ancestor of two commits, if they share history.
    pub fn merge_base(&self, one: Oid, two: Oid) -> Option<Oid> {
        self.repo.merge_base(one, two).ok()
    }

    /// Whether merging `theirs` into `ours` would conflict.
    pub fn conflicts(&self, ours: Oid, theirs: Oid) -> Result<bool, GitError> {
        let ours = self.repo.find_commit(ours)?;
        let theirs = self.repo.find_commit(theirs)?;
        let index = self.repo.merge_commits(&ours, &theirs, None)?;
        Ok(index.has_conflicts())
    }

    /// Whether two commits have the same tree (the same files).
    pub fn same_tree(&self, a: Oid, b: Oid) -> Result<bool, GitError> {
        Ok(self.repo.find_commit(a)?.tree_id() == self.repo.find_commit(b)?.tree_id())
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

/// libgit2 messages should never hold a credential; make sure of it.
fn scrub(message: &str, url: &str, auth: &Auth) -> String {
    let mut out = message.replace(url, &redact_url(url));
    if let Some(token) = &auth.token
        && !token.expose_secret().is_empty()
    {
        out = out.replace(token.expose_secret(), "***");
    }
    out
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
    fn a_dead_writers_reference_lock_does_not_block_the_branch_for_good() {
        let (dir, repo) = init();
        let base = repo.resolve("HEAD").unwrap();
        let heads = dir.path().join(".git/refs/heads/remedy/fix");
        std::fs::create_dir_all(&heads).unwrap();

        // Left by a process killed mid-update a while ago: removed, the commit lands.
        let stale = heads.join("old.lock");
        let file = std::fs::File::create(&stale).unwrap();
        file.set_modified(std::time::SystemTime::now() - Duration::from_secs(60))
            .unwrap();
        let files = [("infra/main.py".to_string(), "x = 2\n".to_string())];
        let commit = repo
            .commit_files(base, "remedy/fix/old", &files, "Fix\n", &Author::default())
            .unwrap();
        assert_eq!(repo.branch_head("remedy/fix/old"), Some(commit));
        assert!(!stale.exists());

        // Held by a live writer: waited for, not removed from under it.
        let live = heads.join("new.lock");
        std::fs::write(&live, "").unwrap();
        let released = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(300));
            std::fs::remove_file(live).unwrap();
        });
        let commit = repo
            .commit_files(base, "remedy/fix/new", &files, "Fix\n", &Author::default())
            .unwrap();
        released.join().unwrap();
        assert_eq!(repo.branch_head("remedy/fix/new"), Some(commit));
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

    fn git(dir: &Path, args: &[&str]) -> String {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// A bare `file://` remote holding [`init`]'s repository as `main`, and a managed-clone-like
    /// bare repository at `<clone_dir>/c.git` that fetched it: the remote, its URL, the clone and
    /// the fetched base.
    fn remote_and_clone(
        clone_dir: &Path,
        auth: &Auth,
        prepare: impl FnOnce(&Repo),
    ) -> (tempfile::TempDir, String, Repo, Oid) {
        let (dir, _) = init();
        let remote = tempfile::tempdir().unwrap();
        git(remote.path(), &["init", "-q", "--bare"]);
        let url = format!("file://{}", remote.path().display());
        git(dir.path(), &["push", "-q", &url, "HEAD:refs/heads/main"]);
        let clone = Repo::init_bare(&clone_dir.join("c.git")).unwrap();
        prepare(&clone);
        clone
            .fetch(
                &url,
                &["+refs/heads/main:refs/remotes/origin/main".into()],
                auth,
            )
            .unwrap();
        let base = clone.reference("refs/remotes/origin/main").unwrap();
        (remote, url, clone, base)
    }

    #[test]
    fn fetch_commit_and_push_through_an_anonymous_remote() {
        let clone_dir = tempfile::tempdir().unwrap();
        let auth = Auth {
            token: Some(Token::from("ghp_never_written")),
            ssh_agent: false,
        };
        let (remote, url, clone, base) = remote_and_clone(clone_dir.path(), &auth, |_| {});
        let a = clone
            .commit(
                base,
                &[("index.ts".into(), "const a = 2;\n".into())],
                "one\n\nRemedy-Violation: a\n",
                &Author::default(),
            )
            .unwrap();
        let b = clone
            .commit(
                a,
                &[("infra/main.py".into(), "x = 3\n".into())],
                "two\n\nRemedy-Violation: b\n",
                &Author::default(),
            )
            .unwrap();
        assert_eq!(clone.branch_head("remedy/x"), None, "commit moves no ref");
        clone.set_reference("refs/heads/remedy/x", b).unwrap();
        clone
            .push(
                &url,
                &["+refs/heads/remedy/x:refs/heads/remedy/x".into()],
                &auth,
            )
            .unwrap();
        assert_eq!(
            git(remote.path(), &["rev-parse", "remedy/x"]),
            b.to_string()
        );
        let commits = clone.commits_between(base, b).unwrap();
        assert_eq!(
            commits.iter().map(|c| c.id).collect::<Vec<_>>(),
            vec![a, b],
            "oldest first"
        );
        assert_eq!(commits[0].author_email, Author::default().email);
        assert_eq!(clone.merge_base(b, base), Some(base));

        // Nothing about the remote, let alone the token, is written to the clone's config.
        let config = std::fs::read_to_string(clone_dir.path().join("c.git/config")).unwrap();
        assert!(!config.contains("remote"), "{config}");
        assert!(!config.contains("ghp_never_written"));

        // A conflicting change on main is seen as a conflict; a change elsewhere is not.
        let main_dir = tempfile::tempdir().unwrap();
        git(main_dir.path(), &["clone", "-q", "-b", "main", &url, "."]);
        std::fs::write(main_dir.path().join("index.ts"), "const a = 9;\n").unwrap();
        git(main_dir.path(), &["commit", "-qam", "edit"]);
        git(main_dir.path(), &["push", "-q", "origin", "HEAD:main"]);
        clone
            .fetch(
                &url,
                &["+refs/heads/main:refs/remotes/origin/main".into()],
                &auth,
            )
            .unwrap();
        let moved = clone.reference("refs/remotes/origin/main").unwrap();
        assert_ne!(moved, base);
        assert!(clone.conflicts(moved, b).unwrap());
        assert!(!clone.conflicts(moved, base).unwrap());
        assert!(!clone.same_tree(moved, b).unwrap());

        // A push the remote refuses (not a fast-forward) is an error naming the remote.
        let behind = clone
            .commit(
                base,
                &[("z.ts".into(), "1\n".into())],
                "z",
                &Author::default(),
            )
            .unwrap();
        clone.set_reference("refs/heads/main", behind).unwrap();
        let err = clone
            .push(&url, &["refs/heads/main:refs/heads/main".into()], &auth)
            .unwrap_err()
            .to_string();
        assert!(err.contains("push to file://"), "{err}");
    }

    #[test]
    fn objects_kept_in_memory_are_pushed_but_never_written_to_the_clone() {
        let auth = Auth::default();
        let clone_dir = tempfile::tempdir().unwrap();
        let (remote, url, clone, base) = remote_and_clone(clone_dir.path(), &auth, |clone| {
            clone.keep_new_objects_in_memory().unwrap();
        });
        let fix = clone
            .commit(
                base,
                &[("index.ts".into(), "const a = 2;\n".into())],
                "fix\n\nRemedy-Violation: a\n",
                &Author::default(),
            )
            .unwrap();
        // Readable through this handle, pushed by its id without a local branch.
        assert_eq!(
            clone.read(fix, "index.ts").unwrap().as_deref(),
            Some("const a = 2;\n")
        );
        clone
            .push(&url, &[format!("{fix}:refs/heads/remedy/a")], &auth)
            .unwrap();
        assert_eq!(
            git(remote.path(), &["rev-parse", "remedy/a"]),
            fix.to_string()
        );
        drop(clone);

        // The fetched base is on disk; the fix never was.
        let reopened = Repo::open_bare(&clone_dir.path().join("c.git")).unwrap();
        assert_eq!(reopened.reference("refs/remotes/origin/main"), Some(base));
        assert!(reopened.read(base, "index.ts").unwrap().is_some());
        assert!(reopened.read(fix, "index.ts").is_err());
        assert_eq!(reopened.references("refs/heads/").unwrap(), Vec::new());
    }

    #[test]
    fn urls_lose_their_credentials() {
        assert_eq!(
            redact_url("https://x-access-token:ghp_abc@github.com/acme/infra.git"),
            "https://github.com/acme/infra.git"
        );
        assert_eq!(
            redact_url("git@github.com:acme/infra.git"),
            "git@github.com:acme/infra.git"
        );
        assert_eq!(
            redact_url("file:///srv/git/infra.git"),
            "file:///srv/git/infra.git"
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
