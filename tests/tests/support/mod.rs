//! A world for delivery tests: a bare git remote in a temp dir (`file://`), a clone of it as the
//! user's repository, the GitHub REST double, a SQLite store on a manual clock, and the
//! built-in policies. Nothing reaches the network.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use remedy_agent::audit;
use remedy_agent::pipeline::{GroupLocks, Pipeline, Processed, Target as PipelineTarget};
use remedy_agent::pr_sync::{PrSync, Synced};
use remedy_deliver::forge::ForgeDelivery;
use remedy_deliver::setup::{self, Setup};
use remedy_deliver::{DeliverySettings, GitHubSettings, Target};
use remedy_forge::Token;
use remedy_git::Repo;
use remedy_guardrails::PolicySet;
use remedy_remediate::Remediator;
use remedy_store::{
    AGENT, ClaimScope, Clock, Filter, PolicyInfo, Queue, Repository, RetryPolicy, Status, Store,
    StoreOptions, ViolationRecord,
};
use remedy_tests::github::GitHubDouble;
pub use remedy_tests::repo::git;

/// 2026-11-25T00:00:00Z.
pub const T0: i64 = 1_795_564_800_000;

pub const INDEX_TS: &str = r#"import * as aws from "@pulumi/aws";

export const site = new aws.s3.Bucket("site", {
    acl: "public-read",
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
});

export const logs = new aws.s3.Bucket("logs", {
    acl: "public-read",
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
});

export const key = new aws.kms.Key("data", { description: "data" });
"#;

pub const DB_TS: &str = r#"import * as aws from "@pulumi/aws";

export const backups = new aws.s3.Bucket("backups", {
    acl: "public-read",
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
});
"#;

pub const PUBLIC_READ: &str = "aws-s3-bucket-public-read";
pub const KEY_ROTATION: &str = "aws-kms-key-rotation";

pub struct World {
    pub dir: tempfile::TempDir,
    /// The user's repository (a clone of the remote, on `main`).
    pub work: PathBuf,
    /// The bare remote.
    pub remote: PathBuf,
    pub url: String,
    pub github: GitHubDouble,
    pub store: Store,
    pub clock: Clock,
    pub policies: PolicySet,
    pub repository: Repository,
    pub data: PathBuf,
}

impl World {
    pub async fn new() -> Self {
        Self::with_files(&[("infra/index.ts", INDEX_TS), ("infra/db.ts", DB_TS)]).await
    }

    pub async fn with_files(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let remote = dir.path().join("remote.git");
        std::fs::create_dir_all(&remote).unwrap();
        git(&remote, &["init", "-q", "--bare", "-b", "main"]);
        let url = format!("file://{}", remote.display());
        let work = dir.path().join("work");
        std::fs::create_dir_all(&work).unwrap();
        git(&work, &["init", "-q", "-b", "main"]);
        for (name, text) in files {
            let path = work.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "init"]);
        git(&work, &["remote", "add", "origin", &url]);
        git(&work, &["push", "-q", "origin", "main"]);
        let clock = Clock::manual(T0);
        let store = open_store(&dir.path().join("remedy.db"), &clock).await;
        Self {
            repository: Repository::at(&work),
            work,
            remote,
            url,
            github: GitHubDouble::start(),
            store,
            clock,
            policies: PolicySet::builtin().unwrap(),
            data: dir.path().join("data"),
            dir,
        }
    }

    /// Audit the work tree's `main`, record it, and assign the violations of `policies` (and
    /// of `files`, when given) to the agent.
    pub async fn assign(&self, policies: &[&str], files: &[&str]) -> u64 {
        self.assign_in(&self.store, policies, files).await
    }

    pub async fn assign_in(&self, store: &Store, policies: &[&str], files: &[&str]) -> u64 {
        let repo = Repo::discover(&self.work).unwrap();
        let base = repo.resolve("main").unwrap();
        let mut texts = Vec::new();
        for name in repo.files(base).unwrap() {
            if let Some(text) = repo.read(base, &name).unwrap() {
                texts.push((name, text));
            }
        }
        let report = audit::run_texts(self.work.clone(), &texts, &self.policies);
        store
            .record(&report.record_input(
                &self.repository,
                &PolicyInfo::from_set(&self.policies),
                &[],
                "test",
            ))
            .await
            .unwrap();
        let filter = Filter {
            policies: policies.iter().map(|p| (*p).to_string()).collect(),
            paths: files.iter().map(|p| (*p).to_string()).collect(),
            ..Filter::default()
        };
        store.assign(&filter, None, AGENT, "test").await.unwrap()
    }

    /// Pull `main` into the user's repository (after a change on the remote).
    pub fn pull(&self) {
        git(&self.work, &["pull", "-q", "--ff-only", "origin", "main"]);
    }

    pub fn settings(&self) -> DeliverySettings {
        DeliverySettings {
            target: Target::Github,
            labels: vec!["remedy".into(), "security".into()],
            reviewers: vec!["alice".into(), "acme/platform".into()],
            prs_per_hour: 100,
            commits_per_hour: 1000,
            max_open_prs: 100,
            ..DeliverySettings::default()
        }
    }

    pub fn delivery(&self, settings: DeliverySettings, token: Option<Token>) -> ForgeDelivery {
        self.delivery_with(settings, token, Some(&self.store))
    }

    pub fn delivery_with(
        &self,
        settings: DeliverySettings,
        token: Option<Token>,
        store: Option<&Store>,
    ) -> ForgeDelivery {
        let repo = Repo::discover(&self.work).unwrap();
        let base = repo.resolve("main").unwrap();
        setup::github(Setup {
            repo: &repo,
            base_name: "main",
            base,
            settings,
            github: GitHubSettings {
                api_url: Some(self.github.url()),
                repo: Some("acme/infra".into()),
            },
            data_dir: self.data.clone(),
            token,
            store: store.map(|s| (s.clone(), self.repository.url.clone())),
            clock: self.clock.clone(),
            retry: remedy_forge::RetryPolicy {
                max_retries: 3,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_secs(5),
            },
        })
        .unwrap()
    }

    /// Claim everything claimable now and process it group by group.
    pub async fn run(&self, delivery: &ForgeDelivery) -> Vec<Processed> {
        self.run_in(&self.store, delivery).await
    }

    pub async fn run_in(&self, store: &Store, delivery: &ForgeDelivery) -> Vec<Processed> {
        self.run_with(store, delivery, &Remediator::new(&self.policies))
            .await
    }

    /// [`World::run_in`] with a remediator of the test's own (an LLM, say).
    pub async fn run_with(
        &self,
        store: &Store,
        delivery: &ForgeDelivery,
        remediator: &Remediator<'_>,
    ) -> Vec<Processed> {
        let scope = ClaimScope {
            repository: Some(self.repository.url.clone()),
            policies: Vec::new(),
            ..ClaimScope::default()
        };
        let lease = Duration::from_secs(600);
        let items = store
            .claim("test-worker", 100, lease, &scope)
            .await
            .unwrap();
        Pipeline {
            queue: store,
            remediator,
            target: PipelineTarget::Deliver(delivery),
            locks: &GroupLocks::default(),
            lease,
        }
        .work(items)
        .await
        .unwrap()
    }

    pub async fn sync(&self, delivery: &ForgeDelivery) -> Vec<Synced> {
        let remediator = Remediator::new(&self.policies);
        PrSync {
            store: &self.store,
            delivery,
            remediator: &remediator,
            repository: &self.repository.url,
            actor: "test-sync",
        }
        .run()
        .await
        .unwrap()
    }

    /// Every violation in the store, with its status.
    pub async fn violations(&self) -> Vec<ViolationRecord> {
        self.violations_in(&self.store).await
    }

    pub async fn violations_in(&self, store: &Store) -> Vec<ViolationRecord> {
        store
            .violations(
                &Filter::default(),
                remedy_store::Page {
                    limit: 1000,
                    offset: 0,
                },
            )
            .await
            .unwrap()
            .violations
    }

    pub async fn with_status(&self, status: Status) -> Vec<ViolationRecord> {
        self.violations()
            .await
            .into_iter()
            .filter(|v| v.status == status)
            .collect()
    }

    /// `refs/heads/remedy/*` on the remote: name → commit.
    pub fn remote_branches(&self) -> Vec<(String, String)> {
        let out = git(
            &self.remote,
            &[
                "for-each-ref",
                "--format=%(refname:short) %(objectname)",
                "refs/heads/remedy",
            ],
        );
        out.lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect()
    }

    /// A file on a branch of the remote.
    pub fn show(&self, branch: &str, file: &str) -> String {
        git(&self.remote, &["show", &format!("{branch}:{file}")])
    }

    /// Commit messages on a remote branch since `main`, oldest first.
    pub fn messages(&self, branch: &str) -> Vec<String> {
        let out = git(
            &self.remote,
            &[
                "log",
                "--reverse",
                "--format=%B%x00",
                &format!("main..{branch}"),
            ],
        );
        out.split('\0')
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect()
    }

    /// A person commits `text` to `file` on `branch` of the remote.
    pub fn push_as(&self, person: &str, branch: &str, file: &str, text: &str) {
        let dir = self.dir.path().join(format!("human-{person}"));
        if !dir.exists() {
            git(
                self.dir.path(),
                &["clone", "-q", &self.url, dir.to_str().unwrap()],
            );
        }
        git(&dir, &["fetch", "-q", "origin"]);
        git(
            &dir,
            &["checkout", "-q", "-B", branch, &format!("origin/{branch}")],
        );
        std::fs::write(dir.join(file), text).unwrap();
        let email = format!("{person}@example.com");
        let out = Command::new("git")
            .current_dir(&dir)
            .args([
                "-c",
                &format!("user.name={person}"),
                "-c",
                &format!("user.email={email}"),
            ])
            .args(["commit", "-qam", "a person's change"])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        git(&dir, &["push", "-q", "origin", branch]);
    }

    /// Someone merges `branch` into `main` on the remote (as the forge would).
    pub fn merge_on_remote(&self, branch: &str) {
        let dir = self.dir.path().join("merger");
        if !dir.exists() {
            git(
                self.dir.path(),
                &["clone", "-q", &self.url, dir.to_str().unwrap()],
            );
        }
        git(&dir, &["fetch", "-q", "origin"]);
        git(&dir, &["checkout", "-q", "-B", "main", "origin/main"]);
        git(
            &dir,
            &["merge", "-q", "--no-edit", &format!("origin/{branch}")],
        );
        git(&dir, &["push", "-q", "origin", "main"]);
    }

    /// Someone commits to `main` on the remote.
    pub fn commit_on_main(&self, file: &str, text: impl AsRef<[u8]>) {
        let dir = self.dir.path().join("merger");
        if !dir.exists() {
            git(
                self.dir.path(),
                &["clone", "-q", &self.url, dir.to_str().unwrap()],
            );
        }
        git(&dir, &["fetch", "-q", "origin"]);
        git(&dir, &["checkout", "-q", "-B", "main", "origin/main"]);
        std::fs::write(dir.join(file), text).unwrap();
        git(&dir, &["commit", "-qam", "change on main"]);
        git(&dir, &["push", "-q", "origin", "main"]);
    }
}

pub async fn open_store(path: &Path, clock: &Clock) -> Store {
    Store::open(
        &format!("sqlite://{}", path.display()),
        StoreOptions {
            clock: clock.clone(),
            retry: RetryPolicy {
                max_attempts: 5,
                base_delay: Duration::from_secs(60),
                max_delay: Duration::from_secs(600),
            },
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap()
}
