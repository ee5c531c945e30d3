//! `remedy run` as a real process: the HTTP API, the worker pool draining assigned work,
//! metrics that agree with the store, SIGTERM draining, SIGKILL losing nothing, and two replicas
//! on one PostgreSQL never working a violation twice.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::daemon::{Daemon, counts, http, http_as, json, metric, ok, remedy, wait_until};
use remedy_tests::repo::{copy_dir, git_stdout};
use serde_json::Value;

/// A git repository holding the bundled examples (20 violations), plus `extra` programs.
fn project(extra: &[(&str, String)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    copy_dir(&examples, &dir.path().join("examples"));
    for (name, text) in extra {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::write(dir.path().join(".gitignore"), ".remedy/\n").unwrap();
    git_stdout(dir.path(), &["init", "-q", "-b", "main"]);
    git_stdout(dir.path(), &["add", "-A"]);
    git_stdout(dir.path(), &["commit", "-q", "-m", "init"]);
    dir
}

#[test]
fn api_assigns_workers_drain_metrics_agree_and_sigterm_exits() {
    let dir = project(&[]);
    let store_dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite://{}", store_dir.path().join("r.db").display());
    ok({
        let mut c = remedy(dir.path(), &store);
        c.args(["audit", ".", "--record", "-q"]);
        c
    });
    let log = store_dir.path().join("daemon.log");
    let mut daemon = Daemon::start(dir.path(), &store, &["--concurrency", "2"], &log);
    let port = daemon.port;

    assert_eq!(
        http(port, "GET", "/healthz", None),
        (200, "ok\n".to_string())
    );
    assert_eq!(json(port, "/readyz")["ready"], true);

    // Malformed requests are 4xx with a message.
    let (status, body) = http(port, "POST", "/v1/assignments", Some("{}"));
    assert_eq!(status, 400);
    assert!(body.contains("nothing selected"), "{body}");
    let (status, body) = http(port, "POST", "/v1/assignments", Some("{not json"));
    assert_eq!(status, 400, "{body}");
    let (status, body) = http(
        port,
        "POST",
        "/v1/assignments",
        Some(r#"{"policies": ["x"]}"#),
    );
    assert_eq!(status, 400);
    assert!(body.contains("unknown field"), "{body}");
    let (status, _) = http(port, "GET", "/v1/violations?status=bogus", None);
    assert_eq!(status, 400);
    let (status, _) = http(port, "GET", "/v1/nope", None);
    assert_eq!(status, 404);
    // A page rebinding its own name to 127.0.0.1 is not answered.
    let (status, body) = http_as(port, "rebound.example:8080", "GET", "/v1/status", None);
    assert_eq!(status, 421, "{body}");
    // Thousands of ids (a report pasted whole) are answered, never with a store failure.
    let ids = |n: usize| {
        let ids: Vec<String> = (0..n).map(|i| format!("\"{:08x}\"", i * 7919)).collect();
        format!(r#"{{"id": [{}]}}"#, ids.join(","))
    };
    let (status, body) = http(port, "POST", "/v1/assignments", Some(&ids(2_000)));
    assert_eq!(status, 200, "{body}");
    let (status, body) = http(port, "POST", "/v1/assignments", Some(&ids(20_000)));
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("at most"), "{body}");

    // Assign through the API: two fixable policies and one that needs a person.
    let (status, body) = http(
        port,
        "POST",
        "/v1/assignments",
        Some(
            r#"{"policy": ["aws-s3-bucket-public-read", "aws-kms-key-rotation", "aws-s3-bucket-access-logging"]}"#,
        ),
    );
    assert_eq!(status, 200, "{body}");
    let assigned: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(assigned["assigned"], 6);

    wait_until(
        "the queue to drain",
        Duration::from_secs(60),
        &daemon,
        || {
            let c = counts(dir.path(), &store);
            c["assigned"] == 0 && c["in_progress"] == 0
        },
    );
    // The storefront's public bucket is also its website: making it private is a person's call.
    let c = counts(dir.path(), &store);
    assert_eq!(c["pr_open"], 3);
    assert_eq!(c["needs_human"], 3);

    // /metrics agrees with the store.
    let (status, text) = http(port, "GET", "/metrics", None);
    assert_eq!(status, 200);
    for (s, n) in &c {
        assert_eq!(
            metric(&text, &format!("remedy_violations{{status=\"{s}\"}}")),
            Some(*n as f64),
            "{s} in\n{text}"
        );
    }
    assert_eq!(metric(&text, "remedy_queue_depth"), Some(0.0));
    assert_eq!(
        metric(
            &text,
            "remedy_violations_processed_total{policy=\"aws-kms-key-rotation\",outcome=\"fixed\"}"
        ),
        Some(2.0),
        "{text}"
    );
    assert_eq!(
        metric(
            &text,
            "remedy_violations_processed_total{policy=\"aws-s3-bucket-access-logging\",outcome=\"needs_human\"}"
        ),
        Some(2.0)
    );
    assert_eq!(metric(&text, "remedy_fixes_delivered_total"), Some(3.0));

    // The API shows the work and its history.
    let human = json(port, "/v1/violations?status=needs_human");
    assert_eq!(human["total"], 3);
    let reasons: Vec<&str> = human["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["reason"].as_str())
        .collect();
    assert_eq!(
        reasons
            .iter()
            .filter(|r| r.contains("no declarative fix"))
            .count(),
        2,
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("the program contradicts the fix") && r.contains("website")),
        "{reasons:?}"
    );
    let fixed = json(
        port,
        "/v1/violations?status=pr_open&policy=aws-kms-key-rotation",
    );
    let fp = fixed["violations"][0]["fingerprint"].as_str().unwrap();
    let one = json(port, &format!("/v1/violations/{}", &fp[..10]));
    assert_eq!(one["violation"]["fingerprint"], fp);
    let kinds: Vec<&str> = one["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"attempt"), "{kinds:?}");
    let prs = json(port, "/v1/prs");
    assert_eq!(prs["prs"].as_array().unwrap().len(), 3);
    for pr in prs["prs"].as_array().unwrap() {
        let branch = pr["branch"].as_str().unwrap();
        assert!(git_stdout(dir.path(), &["branch", "--list", branch]).contains(branch));
    }
    let status = json(port, "/v1/status");
    assert_eq!(status["status"]["counts"]["pr_open"], 3);

    // SIGTERM: drain and exit 0.
    daemon.signal("-TERM");
    assert_eq!(daemon.wait(Duration::from_secs(15)), Some(0));
    assert!(daemon.log().contains("draining"), "{}", daemon.log());
    assert_eq!(
        git_stdout(dir.path(), &["status", "--porcelain"]),
        "",
        "the work tree is untouched"
    );
}

/// Many small programs, each with an unrotated KMS key: plenty of quick recipe fixes.
fn keys(n: usize) -> Vec<(&'static str, String)> {
    let mut text = String::from("import * as aws from \"@pulumi/aws\";\n\n");
    for i in 0..n {
        text.push_str(&format!(
            "new aws.kms.Key(\"key-{i}\", {{ description: \"k{i}\" }});\n"
        ));
    }
    vec![("keys/index.ts", text)]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_mid_run_then_restart_loses_and_duplicates_nothing() {
    let backend = remedy_tests::store::Backend::new(remedy_tests::store::Kind::Postgres).await;
    let store = backend.url.clone();
    let dir = project(&keys(120));
    ok({
        let mut c = remedy(dir.path(), &store);
        c.args([
            "audit",
            ".",
            "--record",
            "-q",
            "--policy",
            "aws-kms-key-rotation",
        ]);
        c
    });
    ok({
        let mut c = remedy(dir.path(), &store);
        c.args(["assign", "--policy", "aws-kms-key-rotation"]);
        c
    });
    let total = counts(dir.path(), &store)["assigned"];
    assert_eq!(total, 122);

    let logs = tempfile::tempdir().unwrap();
    let mut first = Daemon::start(
        dir.path(),
        &store,
        &["--concurrency", "2", "--lease-secs", "2"],
        &logs.path().join("1.log"),
    );
    wait_until("some progress", Duration::from_secs(60), &first, || {
        counts(dir.path(), &store)["pr_open"] >= 10
    });
    first.signal("-KILL");
    first.wait(Duration::from_secs(10));
    let after_kill = counts(dir.path(), &store);
    assert!(
        after_kill["pr_open"] < total,
        "killed mid-run: {after_kill:?}"
    );

    // A restart (after the dead worker's leases expire) finishes the rest.
    let mut second = Daemon::start(
        dir.path(),
        &store,
        &[
            "--concurrency",
            "2",
            "--lease-secs",
            "2",
            "--exit-when-idle",
        ],
        &logs.path().join("2.log"),
    );
    wait_until("the rest", Duration::from_secs(120), &second, || {
        let c = counts(dir.path(), &store);
        c["assigned"] == 0 && c["in_progress"] == 0
    });
    assert_eq!(second.wait(Duration::from_secs(30)), Some(0));
    let done = counts(dir.path(), &store);
    assert_eq!(done["pr_open"], total, "{done:?}");

    // One branch per violation, each exactly one commit on top of main: nothing duplicated.
    let branches = git_stdout(
        dir.path(),
        &["branch", "--list", "remedy/*", "--format=%(refname:short)"],
    );
    let branches: Vec<&str> = branches.lines().collect();
    assert_eq!(branches.len() as u64, total);
    let main = git_stdout(dir.path(), &["rev-parse", "main"]);
    for branch in branches {
        assert_eq!(
            git_stdout(dir.path(), &["rev-parse", &format!("{branch}~1")]),
            main,
            "{branch}"
        );
    }
    backend.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_replicas_never_work_the_same_violation() {
    let backend = remedy_tests::store::Backend::new(remedy_tests::store::Kind::Postgres).await;
    let store = backend.url.clone();
    let dir = project(&keys(80));
    ok({
        let mut c = remedy(dir.path(), &store);
        c.args([
            "audit",
            ".",
            "--record",
            "-q",
            "--policy",
            "aws-kms-key-rotation",
        ]);
        c
    });
    ok({
        let mut c = remedy(dir.path(), &store);
        c.args(["assign", "--policy", "aws-kms-key-rotation"]);
        c
    });
    let logs = tempfile::tempdir().unwrap();
    let args = ["--concurrency", "2", "--exit-when-idle"];
    let mut a = Daemon::start(dir.path(), &store, &args, &logs.path().join("a.log"));
    let mut b = Daemon::start(dir.path(), &store, &args, &logs.path().join("b.log"));
    assert_eq!(a.wait(Duration::from_secs(120)), Some(0));
    assert_eq!(b.wait(Duration::from_secs(120)), Some(0));
    let done = counts(dir.path(), &store);
    assert_eq!(done["pr_open"], 82, "{done:?}");

    // Every violation was attempted exactly once, by one replica or the other.
    let events: Value = serde_json::from_str(&ok({
        let mut c = remedy(dir.path(), &store);
        c.args([
            "events",
            "--policy",
            "aws-kms-key-rotation",
            "--format",
            "json",
        ]);
        c
    }))
    .unwrap();
    let mut attempts: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for e in events["events"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "attempt")
    {
        let entry = attempts
            .entry(e["fingerprint"].as_str().unwrap().to_string())
            .or_default();
        entry.0 += 1;
        entry.1 = e["actor"].as_str().unwrap().to_string();
    }
    assert_eq!(attempts.len(), 82);
    assert!(
        attempts.values().all(|(n, _)| *n == 1),
        "a violation was worked twice"
    );
    let replicas: std::collections::BTreeSet<String> = attempts
        .values()
        .map(|(_, actor)| actor.rsplit_once("-w").unwrap().0.to_string())
        .collect();
    assert_eq!(replicas.len(), 2, "both replicas worked: {replicas:?}");
    backend.cleanup().await;
}

/// An LLM endpoint that accepts requests and never answers: work stays in flight.
fn black_hole() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    port
}

#[test]
fn sigterm_hands_back_work_still_in_flight_at_the_deadline() {
    let dir = project(&[]);
    let store_dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite://{}", store_dir.path().join("r.db").display());
    ok({
        let mut c = remedy(dir.path(), &store);
        c.args(["audit", ".", "--record", "-q"]);
        c
    });
    ok({
        let mut c = remedy(dir.path(), &store);
        c.args(["assign", "--policy", "aws-s3-bucket-access-logging"]);
        c
    });
    let llm = black_hole();
    let log = store_dir.path().join("daemon.log");
    let llm_url = format!("http://127.0.0.1:{llm}/v1");
    let mut daemon = Daemon::start_with(
        dir.path(),
        &store,
        &[("REMEDY_LLM_API_KEY", "sk-test-never-shown")],
        &[
            "--concurrency",
            "2",
            "--shutdown-deadline-secs",
            "1",
            "--llm-base-url",
            &llm_url,
            "--llm-model",
            "scripted",
        ],
        &log,
    );
    // The manual policy goes to the LLM, which never answers: both violations are in flight.
    wait_until(
        "both violations in flight",
        Duration::from_secs(30),
        &daemon,
        || counts(dir.path(), &store)["in_progress"] == 2,
    );

    let started = Instant::now();
    daemon.signal("-TERM");
    assert_eq!(daemon.wait(Duration::from_secs(10)), Some(0));
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "exited after {:?}",
        started.elapsed()
    );
    let c = counts(dir.path(), &store);
    assert_eq!(c["in_progress"], 0, "{c:?}");
    assert_eq!(c["assigned"], 2, "handed back untouched: {c:?}");
    let log = daemon.log();
    assert!(log.contains("handing back"), "{log}");
    assert!(
        !log.contains("sk-test-never-shown"),
        "the key leaked into the log"
    );
}

/// The gate's `validate` check runs in the daemon when configured: a checker that fails every
/// fix sends every violation to a person, with the check's evidence on its attempt.
#[test]
fn the_daemon_runs_the_configured_validate_check() {
    let dir = project(&keys(3));
    let store_dir = tempfile::tempdir().unwrap();
    let store = format!("sqlite://{}", store_dir.path().join("r.db").display());
    for args in [
        &[
            "audit",
            ".",
            "--record",
            "-q",
            "--policy",
            "aws-kms-key-rotation",
        ][..],
        &["assign", "--policy", "aws-kms-key-rotation"][..],
    ] {
        ok({
            let mut c = remedy(dir.path(), &store);
            c.args(args);
            c
        });
    }
    let total = counts(dir.path(), &store)["assigned"];
    assert!(total >= 3);
    let log = store_dir.path().join("daemon.log");
    let mut daemon = Daemon::start(
        dir.path(),
        &store,
        &["--exit-when-idle", "--validate", "false"],
        &log,
    );
    assert_eq!(daemon.wait(Duration::from_secs(120)), Some(0));
    let done = counts(dir.path(), &store);
    assert_eq!(done.get("needs_human"), Some(&total), "{done:?}");
    assert_eq!(done.get("pr_open").copied().unwrap_or(0), 0, "{done:?}");
    let events: Value = serde_json::from_str(&ok({
        let mut c = remedy(dir.path(), &store);
        c.args([
            "events",
            "--policy",
            "aws-kms-key-rotation",
            "--format",
            "json",
        ]);
        c
    }))
    .unwrap();
    let attempt = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "attempt")
        .unwrap();
    let check = attempt["data"]["verdict"]["checks"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(check["name"], "validate");
    assert_eq!(check["passed"], false);
    assert!(
        check["evidence"].as_str().unwrap().contains("from false"),
        "{check}"
    );
}
