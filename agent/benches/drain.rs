//! Draining a backlog with the daemon, beside a gate-only baseline, in the same run.
//!
//! `cargo bench -p remedy-agent --bench drain [-- VIOLATIONS]` (default 30,000). Generates a
//! synthetic monorepo in a git repository (every resource violates one policy with a declarative
//! fix), records it in a SQLite store and assigns everything to the agent, then:
//!   baseline  the remediation engine alone (recipe + gate) on every violation, 2 threads
//!   drain     `remedy run` in-process with 2 workers and GitHub delivery with the limits off:
//!             claim, remediate, gate, commit each fix on its file's branch in the managed
//!             clone, push to a bare `file://` origin, open or update the pull request on the
//!             GitHub REST double, complete in the store, until the queue is empty
//! Target: 30,000 drained in under 10 minutes on a 2-core machine.

// A benchmark aborts on any failure: there is nothing to recover.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use remedy_agent::audit;
use remedy_agent::daemon::metrics::Metrics;
use remedy_agent::daemon::pool::Shared;
use remedy_agent::daemon::{Daemon, DaemonSettings};
use remedy_deliver::{DeliverySettings, GitHubSettings, GroupBy, Target, setup};
use remedy_eval::corpus::{CorpusSpec, generate};
use remedy_forge::Token;
use remedy_git::Repo;
use remedy_guardrails::PolicySet;
use remedy_remediate::{ProviderChoice, Remediation, Remediator, Subject};
use remedy_store::{
    ClaimScope, Clock, Filter, PolicyInfo, Repository, RetryPolicy, Store, StoreOptions,
};
use remedy_tests::github::GitHubDouble;

/// One pull request per file (the corpus has 50 resources per file).
const PER_PR: usize = 50;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=bench",
            "-c",
            "user.email=bench@example.com",
        ])
        .args(args)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

fn main() {
    let violations = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(30_000);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    std::fs::create_dir_all(&root).unwrap();
    let stats = generate(
        &root,
        CorpusSpec {
            resources: violations,
            violation_density: 1.0,
            per_file: 50,
            seed: 3,
        },
    )
    .unwrap();
    std::fs::write(root.join(".gitignore"), ".remedy/\n").unwrap();
    git(&root, &["init", "-q", "-b", "main"]);
    git(&root, &["add", "-A"]);
    git(&root, &["commit", "-q", "-m", "corpus"]);

    // The engine only (no planted violation of the security-group policy needs a team value).
    let policies = PolicySet::builtin().unwrap();
    let files: Vec<(String, String)> = remedy_source::discover(std::slice::from_ref(&root))
        .unwrap()
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            (rel, text)
        })
        .collect();
    let report = audit::run_texts(root.clone(), &files, &policies);
    assert_eq!(report.violations.len(), stats.violations);
    println!(
        "backlog: {} violations in {} files ({:.1} MB), 2 threads",
        report.violations.len(),
        stats.files,
        stats.bytes as f64 / 1e6
    );
    let texts: std::collections::HashMap<&str, &str> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();

    let started = Instant::now();
    let fixed = report
        .violations
        .par_iter()
        .map_init(
            || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .build()
                    .unwrap();
                let mut r = Remediator::new(&policies);
                r.provider = ProviderChoice::Recipe;
                r.values.insert(
                    "admin_cidr_blocks".into(),
                    serde_json::json!(["10.0.0.0/8"]),
                );
                (rt, r)
            },
            |(rt, remediator), v| {
                let outcome = rt.block_on(remediator.remediate(
                    &Subject::from(v),
                    texts[v.file.as_str()],
                    &root,
                ));
                matches!(outcome, Remediation::Fixed { .. })
            },
        )
        .filter(|f| *f)
        .count();
    let baseline = started.elapsed();
    if std::env::var_os("REMEDY_BENCH_BASELINE_ONLY").is_some() {
        return;
    }
    println!(
        "baseline  {:>8.1}s  {:>8.1} violations/s  ({fixed} fixed)",
        baseline.as_secs_f64(),
        violations as f64 / baseline.as_secs_f64()
    );

    // The origin the fixes are pushed to, and the forge they are opened on.
    let origin = dir.path().join("origin.git");
    std::fs::create_dir_all(&origin).unwrap();
    git(&origin, &["init", "-q", "--bare", "-b", "main"]);
    let origin_url = format!("file://{}", origin.display());
    git(&root, &["remote", "add", "origin", &origin_url]);
    git(&root, &["push", "-q", "origin", "main"]);
    let github = GitHubDouble::start();
    let delivery = DeliverySettings {
        target: Target::Github,
        group_by: GroupBy::PerFile,
        max_violations_per_pr: PER_PR,
        prs_per_hour: 1_000_000,
        commits_per_hour: 1_000_000,
        max_open_prs: 1_000_000,
        labels: Vec::new(),
        ..DeliverySettings::default()
    };
    let github_settings = GitHubSettings {
        api_url: Some(github.url()),
        repo: Some("bench/corpus".into()),
    };

    // The daemon.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let store_url = format!("sqlite://{}", dir.path().join("remedy.db").display());
    let (drain, processed) = runtime.block_on(async {
        let store = Store::open(
            &store_url,
            StoreOptions {
                max_connections: 4,
                connect_timeout: Duration::from_secs(10),
                retry: RetryPolicy::default(),
                clock: Clock::system(),
                schema: None,
            },
        )
        .await
        .unwrap();
        let repository = Repository::at(&root);
        store
            .record(&report.record_input(
                &repository,
                &PolicyInfo::from_set(&policies),
                &[],
                "bench",
            ))
            .await
            .unwrap();
        store
            .assign(&Filter::default(), None, "remedy", "bench")
            .await
            .unwrap();
        let (shutdown, _) = tokio::sync::watch::channel(false);
        let mut shared = Shared::new(
            store.clone(),
            Arc::new(PolicySet::builtin().unwrap()),
            Arc::new(Metrics::new()),
            root.clone(),
            "main".into(),
            ClaimScope {
                repository: Some(repository.url.clone()),
                policies: Vec::new(),
                groups: delivery.group_by.claim_groups(),
            },
            2,
            shutdown,
        );
        shared.provider = ProviderChoice::Recipe;
        shared.values.insert(
            "admin_cidr_blocks".into(),
            serde_json::json!(["10.0.0.0/8"]),
        );
        shared.exit_when_idle = true;
        shared.poll = Duration::from_millis(200);
        shared.batch = PER_PR;
        let repo = Repo::discover(&root).unwrap();
        let forge = setup::github(setup::Setup {
            repo: &repo,
            base_name: "main",
            base: repo.resolve("main").unwrap(),
            settings: delivery.clone(),
            github: github_settings.clone(),
            data_dir: dir.path().join("data"),
            token: Some(Token::new("bench-token".into())),
            store: Some((store.clone(), repository.url.clone())),
            clock: Clock::system(),
            retry: remedy_forge::RetryPolicy::default(),
        })
        .unwrap();
        shared.delivery.settings = delivery;
        shared.delivery.github = github_settings;
        shared.forge = Some(Arc::new(forge));
        let started = Instant::now();
        Daemon {
            settings: DaemonSettings {
                listen: "127.0.0.1:0".into(),
                concurrency: 2,
                audit_interval_secs: 0,
                sync_interval_secs: 0,
                ..DaemonSettings::default()
            },
            shared: Arc::new(shared),
            enforcement: Arc::new(remedy_agent::enforcement::Enforcement::default()),
            repository,
            exit_when_idle: true,
            api_token: None,
        }
        .run()
        .await
        .unwrap();
        let drain = started.elapsed();
        // The daemon closed its pool on the way out: count through a new one.
        let store = Store::open(&store_url, StoreOptions::default())
            .await
            .unwrap();
        let counts = store.counts(&Filter::default()).await.unwrap();
        (drain, counts)
    });
    let done: u64 = processed.values().sum::<u64>()
        - processed
            .get(&remedy_store::Status::Assigned)
            .copied()
            .unwrap_or(0);
    println!(
        "drain     {:>8.1}s  {:>8.1} violations/s  {:.2}x baseline  statuses {:?}",
        drain.as_secs_f64(),
        violations as f64 / drain.as_secs_f64(),
        drain.as_secs_f64() / baseline.as_secs_f64(),
        processed
    );
    let pulls = github.pulls();
    println!(
        "delivered {} pull requests on the double ({} requests), {} branches on the origin",
        pulls.len(),
        github.requests().len(),
        Repo::open_bare(&origin)
            .unwrap()
            .references("refs/heads/remedy/")
            .unwrap()
            .len()
    );
    println!(
        "target: {} drained in under 10 minutes: {}",
        done,
        if drain < Duration::from_secs(600) {
            "met"
        } else {
            "NOT met"
        }
    );
}
