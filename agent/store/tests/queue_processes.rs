//! The queue across processes: workers that are separate processes, and one killed with SIGKILL
//! while it holds leases.
//!
//! This test binary is its own worker: run as `queue_processes --worker MODE URL NAME …` it
//! opens the store at URL and works the queue (see `worker`). Run plainly (as `cargo test`
//! does), it runs the cases below and ends with "N passed, N failed".

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use remedy_store::{
    AGENT, ClaimScope, Clock, Completion, Filter, Queue, Status, Store, StoreOptions,
};
use remedy_tests::store::{Backend, Kind, record, repository, resolve_all};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--worker") {
        runtime().block_on(worker(&args[2..]));
        return;
    }
    let cases: [(&str, fn()); 3] = [
        (
            "sqlite_eight_processes_claim_each_item_exactly_once",
            sqlite_eight_processes_claim_each_item_exactly_once,
        ),
        ("sqlite_worker_killed_mid_lease_loses_nothing", || {
            worker_killed_mid_lease_loses_nothing(Kind::Sqlite);
        }),
        ("postgres_worker_killed_mid_lease_loses_nothing", || {
            worker_killed_mid_lease_loses_nothing(Kind::Postgres);
        }),
    ];
    let filter: Vec<String> = args[1..]
        .iter()
        .filter(|a| !a.starts_with('-'))
        .cloned()
        .collect();
    let (mut passed, mut failed) = (0, 0);
    for (name, case) in cases {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let started = Instant::now();
        let outcome = std::panic::catch_unwind(case);
        let took = started.elapsed().as_secs_f64();
        if outcome.is_ok() {
            passed += 1;
            println!("test {name} ... ok ({took:.1} s)");
        } else {
            failed += 1;
            println!("test {name} ... FAILED ({took:.1} s)");
        }
    }
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}

/// `drain URL NAME`: claim 50 at a time and resolve each until the queue is empty, printing
/// each fingerprint as it is completed.
/// `hold URL NAME N LEASE_MS`: claim N under a lease, print their fingerprints and `held`, then
/// wait to be killed.
async fn worker(args: &[String]) {
    let (mode, url, name) = (&args[0], &args[1], &args[2]);
    let store = Store::open(
        url,
        StoreOptions {
            max_connections: 2,
            ..StoreOptions::default()
        },
    )
    .await
    .unwrap();
    match mode.as_str() {
        "drain" => loop {
            let items = store
                .claim(name, 50, Duration::from_secs(600), &ClaimScope::default())
                .await
                .unwrap();
            if items.is_empty() {
                break;
            }
            for item in items {
                store
                    .complete(
                        &item.lease,
                        &Completion::Resolved {
                            note: String::new(),
                        },
                    )
                    .await
                    .unwrap();
                println!("{}", item.violation.fingerprint);
            }
        },
        "hold" => {
            let n: usize = args[3].parse().unwrap();
            let lease = Duration::from_millis(args[4].parse().unwrap());
            let items = store
                .claim(name, n, lease, &ClaimScope::default())
                .await
                .unwrap();
            for item in &items {
                println!("{}", item.violation.fingerprint);
            }
            println!("held");
            loop {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        }
        other => panic!("unknown worker mode {other}"),
    }
}

fn spawn_worker(args: &[&str]) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .arg("--worker")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

fn sqlite_eight_processes_claim_each_item_exactly_once() {
    let rt = runtime();
    let b = rt.block_on(Backend::with_clock(Kind::Sqlite, Clock::system()));
    rt.block_on(async {
        record(&b.store, &repository("big"), 0..10_000).await;
        b.store
            .assign(&Filter::default(), None, AGENT, "tester")
            .await
            .unwrap();
    });
    let names: Vec<String> = (0..8).map(|i| format!("proc-{i}")).collect();
    let children: Vec<Child> = names
        .iter()
        .map(|name| spawn_worker(&["drain", &b.url, name]))
        .collect();
    let mut per_worker = BTreeMap::new();
    let mut all = Vec::new();
    for (name, child) in names.iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "{name} failed");
        let mine: Vec<String> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(str::to_string)
            .collect();
        per_worker.insert(name.clone(), mine.len());
        all.extend(mine);
    }
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 10_000, "claimed in all: {per_worker:?}");
    assert_eq!(unique.len(), 10_000, "each exactly once");
    assert!(
        per_worker.values().filter(|n| **n > 0).count() >= 2,
        "work was shared: {per_worker:?}"
    );
    rt.block_on(async {
        let counts = b.store.counts(&Filter::default()).await.unwrap();
        assert_eq!(counts[&Status::Resolved], 10_000);
        let claims = b
            .store
            .events(&Filter::default())
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "claimed")
            .count();
        assert_eq!(claims, 10_000);
        b.cleanup().await;
    });
}

fn worker_killed_mid_lease_loses_nothing(kind: Kind) {
    let rt = runtime();
    // This side's clock starts at the real time and is moved by hand; the victim's is real.
    let clock = Clock::manual(Clock::system().now_ms());
    let b = rt.block_on(Backend::with_clock(kind, clock.clone()));
    rt.block_on(async {
        record(&b.store, &repository("infra"), 0..20).await;
        b.store
            .assign(&Filter::default(), None, AGENT, "tester")
            .await
            .unwrap();
    });

    let lease = Duration::from_secs(60);
    let mut victim = spawn_worker(&["hold", &b.url, "victim", "5", "60000"]);
    let mut held = Vec::new();
    for line in BufReader::new(victim.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if line == "held" {
            break;
        }
        held.push(line);
    }
    assert_eq!(held.len(), 5);
    victim.kill().unwrap(); // SIGKILL
    let status = victim.wait().unwrap();
    assert!(!status.success());

    rt.block_on(async {
        let store = &b.store;
        // Still leased: the others get everything else, and not those.
        let others = store
            .claim("survivor", 100, lease, &ClaimScope::default())
            .await
            .unwrap();
        assert_eq!(others.len(), 15);
        assert!(
            others
                .iter()
                .all(|w| !held.contains(&w.violation.fingerprint))
        );
        resolve_all(store, &others).await;
        // After the lease expires they come back, once each, with the attempt counted.
        clock.advance(lease + Duration::from_secs(1));
        let back = store
            .claim("survivor", 100, lease, &ClaimScope::default())
            .await
            .unwrap();
        let mut back_fps: Vec<String> = back
            .iter()
            .map(|w| w.violation.fingerprint.clone())
            .collect();
        back_fps.sort();
        let mut expected = held.clone();
        expected.sort();
        assert_eq!(back_fps, expected);
        assert!(back.iter().all(|w| w.violation.attempts == 2));
        resolve_all(store, &back).await;
        assert!(
            store
                .claim("survivor", 100, lease, &ClaimScope::default())
                .await
                .unwrap()
                .is_empty()
        );
        let counts = store.counts(&Filter::default()).await.unwrap();
        assert_eq!(counts[&Status::Resolved], 20, "nothing lost");
        let events = store.events(&Filter::default()).await.unwrap();
        let completed = events.iter().filter(|e| e.kind == "completed").count();
        assert_eq!(completed, 20, "nothing done twice");
        let reclaimed = events
            .iter()
            .filter(|e| {
                e.kind == "claimed"
                    && e.data
                        .as_ref()
                        .is_some_and(|d| d["expired_lease_of"] == "victim")
            })
            .count();
        assert_eq!(reclaimed, 5);
    });
    rt.block_on(b.cleanup());
}
