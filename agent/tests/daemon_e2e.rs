//! The agent end to end, as a team runs it: `remedy run` against real PostgreSQL, a bare
//! `file://` origin, the GitHub REST double and the scripted OpenAI-compatible LLM, on a
//! repository with 200 violations across recipe-fixable, LLM-fixable and unfixable policies
//! (one from a team's own policy pack). Assigned through the API, killed mid-run and restarted,
//! it leaves the expected grouped pull requests within the open-PR cap, sends what it cannot
//! fix to a person with the reason, and its /metrics agree with the store.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use common::daemon::{Daemon, counts, http, json, metric, ok, remedy, wait_until};
use remedy_eval::scripted_llm::{Recorded, Reply, ScriptedLlm};
use remedy_tests::github::GitHubDouble;
use remedy_tests::repo::git_stdout;
use serde_json::{Value, json};

const TOKEN: &str = "ghp_e2eSecretToken1234567890";

/// A team's own policy: no declarative fix, so the LLM makes it.
const TEAM_PACK: &str = r#"package acme.dynamodb_on_demand

import rego.v1

metadata := {
	"id": "acme-dynamodb-on-demand",
	"title": "DynamoDB tables must bill on demand",
	"description": "Acme pays per request: provisioned capacity sits idle.",
	"severity": "low",
	"resource_types": ["aws:dynamodb/table:Table"],
	"remediation": {"kind": "manual", "hint": "Set billingMode to PAY_PER_REQUEST."},
}

deny contains msg if {
	not input.billingMode == "PAY_PER_REQUEST"
	msg := sprintf("%s bills provisioned capacity", [input.__name])
}
"#;

const POLICIES: [&str; 5] = [
    "aws-kms-key-rotation",     // recipe, TypeScript: 80
    "aws-ebs-volume-encrypted", // recipe, Python: 40
    "acme-dynamodb-on-demand",  // LLM: 40
    "aws-elb-access-logs",      // the LLM gives up (a value only the team knows): 20
    "aws-lambda-public-invoke", // the LLM's fix never passes the gate: 20
];
const PER_FILE: usize = 10;
const MAX_PER_PR: usize = 5;
const MAX_OPEN_PRS: usize = 28;

const TS: &str = "import * as aws from \"@pulumi/aws\";\n";
const PY: &str = "import pulumi_aws as aws\n";

/// A program: its import, then `PER_FILE` resources.
fn program(import: &str, resources: impl Fn(usize) -> String) -> String {
    let mut text = String::from(import);
    for i in 0..PER_FILE {
        text.push('\n');
        text.push_str(&resources(i));
    }
    text
}

/// The programs: (path, text), ten violating resources per file.
fn programs() -> Vec<(String, String)> {
    let mut files = Vec::new();
    for f in 0..8 {
        files.push((
            format!("keys/k{f}.ts"),
            program(TS, |i| {
                format!("export const key{i} = new aws.kms.Key(\"key-{f}-{i}\", {{ description: \"key {f}-{i}\" }});\n")
            }),
        ));
    }
    for f in 0..4 {
        files.push((
            format!("volumes/v{f}.py"),
            program(PY, |i| {
                format!("vol_{i} = aws.ebs.Volume(\"vol-{f}-{i}\", availability_zone=\"us-east-1a\", size=8)\n")
            }),
        ));
        files.push((
            format!("tables/t{f}.ts"),
            program(TS, |i| {
                format!(
                    "export const table{i} = new aws.dynamodb.Table(\"table-{f}-{i}\", {{\n    attributes: [{{ name: \"id\", type: \"S\" }}],\n    hashKey: \"id\",\n    pointInTimeRecovery: {{ enabled: true }},\n}});\n"
                )
            }),
        ));
    }
    for f in 0..2 {
        files.push((
            format!("edge/lb{f}.ts"),
            program(TS, |i| {
                format!("export const lb{i} = new aws.lb.LoadBalancer(\"lb-{f}-{i}\", {{ loadBalancerType: \"application\", subnets: [\"subnet-a\", \"subnet-b\"] }});\n")
            }),
        ));
        files.push((
            format!("functions/p{f}.py"),
            program(PY, |i| {
                format!("perm_{i} = aws.lambda_.Permission(\"perm-{f}-{i}\", action=\"lambda:InvokeFunction\", function=\"handler\", principal=\"*\")\n")
            }),
        ));
    }
    files
}

/// What the model answers, chosen by the task's policy: workers ask in no fixed order.
fn model(request: &Recorded) -> Reply {
    let task = request.task();
    if task.contains("Policy: acme-dynamodb-on-demand:") {
        Reply::tools(&[
            (
                "set_property",
                json!({"path": "billingMode", "value": "PAY_PER_REQUEST"}),
            ),
            ("submit", json!({})),
        ])
    } else if task.contains("Policy: aws-elb-access-logs:") {
        Reply::tool(
            "give_up",
            json!({"reason": "access logs need the team's log bucket, which is not in this program"}),
        )
    } else if task.contains("Policy: aws-lambda-public-invoke:") {
        // Touches the resource but leaves it open to anyone: the gate must refuse it.
        Reply::tools(&[
            (
                "set_property",
                json!({"path": "action", "value": "lambda:InvokeFunctionUrl"}),
            ),
            ("submit", json!({})),
        ])
    } else {
        Reply::text("unexpected task")
    }
}

fn setup(root: &Path) -> (std::path::PathBuf, String) {
    let remote = root.join("remote.git");
    std::fs::create_dir_all(&remote).unwrap();
    git_stdout(&remote, &["init", "-q", "--bare", "-b", "main"]);
    let origin = format!("file://{}", remote.display());
    let work = root.join("work");
    for (path, text) in programs() {
        let path = work.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    std::fs::create_dir_all(work.join("policies")).unwrap();
    std::fs::write(work.join("policies/acme.rego"), TEAM_PACK).unwrap();
    std::fs::write(work.join(".gitignore"), ".remedy/\n").unwrap();
    git_stdout(&work, &["init", "-q", "-b", "main"]);
    git_stdout(&work, &["add", "-A"]);
    git_stdout(&work, &["commit", "-q", "-m", "init"]);
    git_stdout(&work, &["remote", "add", "origin", &origin]);
    git_stdout(&work, &["push", "-q", "origin", "main"]);
    (work, origin)
}

/// The sum of a counter's series whose labels contain `labels`.
fn sum(metrics: &str, name: &str, labels: &str) -> f64 {
    metrics
        .lines()
        .filter(|l| {
            l.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(['{', ' ']))
                && l.contains(labels)
        })
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_violations_become_grouped_prs_within_limits_through_a_crash() {
    let backend = remedy_tests::store::Backend::new(remedy_tests::store::Kind::Postgres).await;
    let store = backend.url.clone();
    let root = tempfile::tempdir().unwrap();
    let (work, origin) = setup(root.path());
    let github = GitHubDouble::start();
    let llm = ScriptedLlm::answering(model);
    let data_dir = root.path().join("data");
    let data_dir = data_dir.to_str().unwrap();
    let github_url = github.url();
    let llm_url = llm.base_url();
    let env = [
        ("GITHUB_TOKEN", TOKEN),
        ("GITHUB_API_URL", github_url.as_str()),
        ("REMEDY_DATA_DIR", data_dir),
        ("REMEDY_LLM_API_KEY", "sk-e2e-never-shown"),
    ];
    let max_per_pr = MAX_PER_PR.to_string();
    let max_open = MAX_OPEN_PRS.to_string();
    let args = [
        "--policy-dir",
        "policies",
        "--concurrency",
        "3",
        "--lease-secs",
        "3",
        "--deliver",
        "github",
        "--github-repo",
        "acme/infra",
        "--group-by",
        "per-file",
        "--max-violations-per-pr",
        &max_per_pr,
        "--max-open-prs",
        &max_open,
        "--prs-per-hour",
        "1000",
        "--commits-per-hour",
        "100000",
        "--label",
        "compliance",
        "--sync-interval-secs",
        "0",
        "--llm-base-url",
        &llm_url,
        "--llm-model",
        "scripted",
        "--llm-max-attempts",
        "2",
        "--llm-requests-per-minute",
        "100000",
        "--llm-tokens-per-minute",
        "100000000",
    ];

    ok({
        let mut c = remedy(&work, &store);
        c.args(["audit", ".", "--record", "-q", "--policy-dir", "policies"]);
        c
    });
    let logs = tempfile::tempdir().unwrap();
    let mut first = Daemon::start_with(&work, &store, &env, &args, &logs.path().join("1.log"));

    // Bulk assignment through the API.
    let body = json!({ "policy": POLICIES }).to_string();
    let (status, body) = http(first.port, "POST", "/v1/assignments", Some(&body));
    assert_eq!(status, 200, "{body}");
    let assigned: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(assigned["assigned"], 200);

    // SIGKILL once some pull requests are open; whatever was in flight is left mid-way.
    wait_until("pull requests", Duration::from_secs(60), &first, || {
        github.pulls().len() >= 8
    });
    first.signal("-KILL");
    first.wait(Duration::from_secs(10));
    let at_kill = counts(&work, &store);
    let pulls_at_kill = github.pulls().len();

    // A restart finishes the run once the dead process's leases expire.
    let mut second = Daemon::start_with(&work, &store, &env, &args, &logs.path().join("2.log"));
    let fixable = 160;
    let opened = MAX_OPEN_PRS * MAX_PER_PR;
    let mut last = BTreeMap::new();
    let started = std::time::Instant::now();
    while !(last.get("pr_open") == Some(&(opened as u64))
        && last.get("needs_human") == Some(&40)
        && last.get("in_progress") == Some(&0))
    {
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the run did not finish: {last:?}\n{}",
            second.log()
        );
        std::thread::sleep(Duration::from_millis(200));
        last = counts(&work, &store);
    }
    let metrics = http(second.port, "GET", "/metrics", None).1;
    let api_status = json(second.port, "/v1/status");
    let prs = json(second.port, "/v1/prs");
    let needs_human = json(second.port, "/v1/violations?status=needs_human&limit=100");
    let deferred = json(second.port, "/v1/violations?status=assigned&limit=100");
    let delivered = json(second.port, "/v1/violations?status=pr_open&limit=500");
    let deferred_events: BTreeMap<String, Value> = deferred["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let fingerprint = v["fingerprint"].as_str().unwrap();
            let one = json(second.port, &format!("/v1/violations/{fingerprint}"));
            (fingerprint.to_string(), one["events"].clone())
        })
        .collect();
    second.signal("-TERM");
    assert_eq!(
        second.wait(Duration::from_secs(30)),
        Some(0),
        "{}",
        second.log()
    );

    // Fixed and delivered: 160 fixable, in groups of at most five per file; the open-PR cap
    // leaves four groups' worth (20) queued with the reason.
    let done = counts(&work, &store);
    assert_eq!(done["pr_open"], opened as u64, "{done:?}");
    assert_eq!(done["assigned"], (fixable - opened) as u64, "{done:?}");
    assert_eq!(done["needs_human"], 40, "{done:?}");
    assert_eq!(done["in_progress"], 0, "{done:?}");

    let pulls = github.pulls();
    assert_eq!(
        pulls.len(),
        MAX_OPEN_PRS,
        "no duplicate, none past the cap: {:#?}\n{prs}\n{}",
        pulls
            .iter()
            .map(|p| (p.number, &p.head))
            .collect::<Vec<_>>(),
        second.log()
    );
    let heads: BTreeSet<&str> = pulls.iter().map(|p| p.head.as_str()).collect();
    assert_eq!(heads.len(), pulls.len(), "one pull request per branch");
    for pull in &pulls {
        assert_eq!(pull.state, "open");
        assert_eq!(pull.base, "main");
        assert_eq!(pull.labels, vec!["compliance"]);
        assert!(pull.head.starts_with("remedy/file-"), "{}", pull.head);
    }
    let records = prs["prs"].as_array().unwrap();
    assert_eq!(records.len(), MAX_OPEN_PRS, "{prs}");
    for pr in records {
        assert_eq!(pr["violations"], MAX_PER_PR, "{pr}");
        let branch = pr["branch"].as_str().unwrap();
        assert!(heads.contains(branch), "{branch}");
        let on_origin = git_stdout(
            &work,
            &["ls-remote", &origin, &format!("refs/heads/{branch}")],
        );
        assert!(!on_origin.is_empty(), "{branch} is not on the origin");
    }
    // Grouped by file: each branch fixes one file; a file's ten fixes take at most two.
    let mut files_of: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for v in delivered["violations"].as_array().unwrap() {
        files_of
            .entry(v["pr"]["branch"].as_str().unwrap().to_string())
            .or_default()
            .insert(v["file"].as_str().unwrap().to_string());
    }
    let mut per_file: BTreeMap<String, usize> = BTreeMap::new();
    for (branch, files) in &files_of {
        assert_eq!(files.len(), 1, "{branch}: {files:?}");
        *per_file.entry(files.first().unwrap().clone()).or_default() += 1;
    }
    assert_eq!(
        per_file.values().sum::<usize>(),
        MAX_OPEN_PRS,
        "{per_file:?}"
    );
    assert!(
        per_file.values().all(|n| *n <= PER_FILE / MAX_PER_PR),
        "{per_file:?}"
    );
    // Deferred by the cap: back in the queue, the reason in their history.
    let deferred = deferred["violations"].as_array().unwrap();
    assert_eq!(deferred.len(), fixable - opened);
    for v in deferred {
        // A deferral is not an attempt (a claim the SIGKILL cut short is).
        assert!(v["attempts"].as_u64().unwrap() <= 1, "{v}");
        let history = &deferred_events[v["fingerprint"].as_str().unwrap()];
        assert!(
            history.to_string().contains("max_open_prs = 28"),
            "{history}"
        );
    }

    // Unfixable: each with the reason a person needs.
    let needs_human = needs_human["violations"].as_array().unwrap();
    assert_eq!(needs_human.len(), 40);
    for v in needs_human {
        let reason = v["reason"].as_str().unwrap_or_default();
        match v["policy"].as_str().unwrap() {
            "aws-elb-access-logs" => assert!(reason.contains("log bucket"), "{v}"),
            "aws-lambda-public-invoke" => assert!(
                reason.contains("the gate rejected 2 attempt(s)") && reason.contains("still fires"),
                "{v}"
            ),
            other => panic!("{other} should have been fixed: {v}"),
        }
    }

    // The restarted daemon's metrics agree with the store and with what it did itself.
    for (status, n) in &done {
        assert_eq!(
            metric(
                &metrics,
                &format!("remedy_violations{{status=\"{status}\"}}")
            ),
            Some(*n as f64),
            "{status}\n{metrics}"
        );
    }
    assert_eq!(api_status["status"]["counts"]["pr_open"], done["pr_open"]);
    assert_eq!(
        sum(&metrics, "remedy_prs_opened_total", ""),
        (MAX_OPEN_PRS - pulls_at_kill) as f64,
        "{metrics}"
    );
    assert_eq!(
        sum(
            &metrics,
            "remedy_violations_processed_total",
            "outcome=\"needs_human\""
        ),
        (done["needs_human"] - at_kill["needs_human"]) as f64,
        "{metrics}"
    );
    assert!(
        sum(&metrics, "remedy_llm_tokens_total", "") > 0.0,
        "{metrics}"
    );

    for log in [first.log(), second.log()] {
        assert!(!log.contains(TOKEN), "the token leaked into the log");
        assert!(!log.contains("sk-e2e-never-shown"), "the key leaked");
    }
    backend.cleanup().await;
}

/// With GitHub delivery, pull requests merge on the origin: the re-audit reads the base there,
/// not the local checkout (which nothing keeps current), so merged fixes resolve.
#[test]
fn the_re_audit_reads_the_base_on_the_origin() {
    let root = tempfile::tempdir().unwrap();
    let (work, origin) = setup(root.path());
    let store = format!("sqlite://{}", root.path().join("remedy.db").display());
    ok({
        let mut c = remedy(&work, &store);
        c.args(["audit", ".", "--record", "-q", "--policy-dir", "policies"]);
        c
    });
    assert_eq!(counts(&work, &store)["resolved"], 0);

    // A reviewer's merge: keys/k0.ts rotates its keys on the origin's main.
    let other = root.path().join("other");
    git_stdout(
        root.path(),
        &["clone", "-q", &origin, other.to_str().unwrap()],
    );
    let file = other.join("keys/k0.ts");
    let fixed = std::fs::read_to_string(&file)
        .unwrap()
        .replace("\" });", "\", enableKeyRotation: true });");
    std::fs::write(&file, fixed).unwrap();
    git_stdout(&other, &["commit", "-q", "-am", "Rotate k0's keys"]);
    git_stdout(&other, &["push", "-q", "origin", "main"]);

    let github = GitHubDouble::start();
    let github_url = github.url();
    let data_dir = root.path().join("data");
    let log = root.path().join("daemon.log");
    let mut daemon = Daemon::start_with(
        &work,
        &store,
        &[
            ("GITHUB_TOKEN", TOKEN),
            ("GITHUB_API_URL", github_url.as_str()),
            ("REMEDY_DATA_DIR", data_dir.to_str().unwrap()),
        ],
        &[
            "--policy-dir",
            "policies",
            "--deliver",
            "github",
            "--github-repo",
            "acme/infra",
            "--audit-interval-secs",
            "3600",
        ],
        &log,
    );
    wait_until("the re-audit", Duration::from_secs(60), &daemon, || {
        counts(&work, &store)["resolved"] == PER_FILE as u64
    });
    daemon.signal("-TERM");
    assert_eq!(daemon.wait(Duration::from_secs(30)), Some(0));
    assert!(
        git_stdout(&work, &["status", "--porcelain"]).is_empty(),
        "the checkout is untouched"
    );
}
