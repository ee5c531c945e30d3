//! Against real repositories in temp dirs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;
use std::time::Duration;

use git2::{Repository, Signature};

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

#[test]
fn only_remedys_own_reference_locks_are_ever_removed() {
    assert!(super::refs::is_own("refs/heads/remedy/fix/a"));
    assert!(super::refs::is_own("refs/remotes/origin/remedy/fix/a"));
    assert!(!super::refs::is_own("refs/heads/main"));
    assert!(!super::refs::is_own("refs/heads/feature/remedy/x"));
    assert!(!super::refs::is_own("refs/remotes/remedy"));

    // A `git gc` holding packed-refs.lock: remedy waits and never removes it, however old.
    let (dir, repo) = init();
    let base = repo.resolve("HEAD").unwrap();
    let files = [("infra/main.py".to_string(), "x = 2\n".to_string())];
    repo.commit_files(
        base,
        "remedy/fix/packed",
        &files,
        "Fix\n",
        &Author::default(),
    )
    .unwrap();
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .status()
            .unwrap()
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["pack-refs", "--all"]);
    let lock = dir.path().join(".git/packed-refs.lock");
    let file = std::fs::File::create(&lock).unwrap();
    file.set_modified(std::time::SystemTime::now() - Duration::from_secs(600))
        .unwrap();
    let gc = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(700));
        assert!(lock.exists(), "remedy removed a lock it did not create");
        std::fs::remove_file(lock).unwrap();
    });
    repo.delete_reference("refs/heads/remedy/fix/packed")
        .unwrap();
    gc.join().unwrap();
    assert_eq!(repo.branch_head("remedy/fix/packed"), None);
}

#[test]
fn files_too_large_or_not_text_are_told_apart_without_loading_them() {
    let (dir, repo) = init();
    let base = repo.resolve("HEAD").unwrap();
    let files = [
        ("big.ts".to_string(), "x".repeat(4096)),
        ("small.ts".to_string(), "const b = 2;\n".to_string()),
    ];
    let commit = repo
        .commit_files(base, "remedy/t", &files, "t\n", &Author::default())
        .unwrap();
    assert_eq!(
        repo.read_capped(commit, "big.ts", 1024).unwrap(),
        FileAt::TooLarge(4096)
    );
    assert_eq!(
        repo.read_capped(commit, "small.ts", 1024).unwrap(),
        FileAt::Text("const b = 2;\n".into())
    );
    assert_eq!(
        repo.read_capped(commit, "nope.ts", 1024).unwrap(),
        FileAt::Missing
    );
    assert!(repo.exists(commit, "big.ts").unwrap());
    assert!(!repo.exists(commit, "nope.ts").unwrap());
    // Not UTF-8, committed with git itself.
    std::fs::write(dir.path().join("latin.ts"), b"// caf\xe9\n").unwrap();
    for args in [&["add", "latin.ts"][..], &["commit", "-qm", "latin"]] {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(dir.path())
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@example.com")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@example.com")
            .status()
            .unwrap()
            .success();
        assert!(ok);
    }
    let head = repo.resolve("HEAD").unwrap();
    assert_eq!(
        repo.read_capped(head, "latin.ts", 1024).unwrap(),
        FileAt::NotText
    );
    assert_eq!(repo.read(head, "latin.ts").unwrap(), None);
}
