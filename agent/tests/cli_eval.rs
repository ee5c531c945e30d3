//! `remedy eval` on the committed corpus: no regression against the committed recipe and replay
//! results, the gate suite passes, the corpus keeps covering what issue 9 asks of it and every
//! case has a transcript; the live LLM provider records transcripts that replay to the same
//! result.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use assert_cmd::Command;
use remedy_eval::scripted_llm::{Reply, ScriptedLlm};
use remedy_eval::transcript::{Source, Transcript};
use serde_json::{Value, json};

/// The type-checked evals share one package cache, and `tsc` runs in a work directory inside
/// it: one at a time.
static TYPECHECK: Mutex<()> = Mutex::new(());

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn remedy() -> Command {
    remedy_tests::cli::remedy(&workspace())
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

fn ids(report: &Value) -> BTreeSet<String> {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect()
}

/// Run `remedy eval` with `args`, type-checked, against the committed `baseline`: exit status 1
/// names every case that passed there and fails now. Returns the JSON report.
fn eval_against(baseline: &str, args: &[&str]) -> Value {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("typecheck");
    let _one_at_a_time = TYPECHECK.lock().unwrap_or_else(PoisonError::into_inner);
    let out = remedy()
        .args(["eval", "--format", "json"])
        .args(args)
        .arg("--typecheck")
        .arg("--typecheck-cache")
        .arg(&cache)
        .args(["--baseline", baseline])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "remedy eval {args:?} exited {:?}:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let now = json(&out.stdout);
    let typescript_fixed = now["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["language"] == "typescript" && c["outcome"] == "fixed");
    for case in typescript_fixed {
        assert!(
            case["type_checks"].is_boolean(),
            "{}: the fix was not type-checked",
            case["id"]
        );
    }
    let committed = json(&std::fs::read(workspace().join(baseline)).unwrap());
    assert_eq!(
        ids(&now),
        ids(&committed),
        "the corpus and {baseline} list different cases; regenerate the results (see \
         eval/README.md)"
    );
    now
}

/// The recipe eval of `eval/cases`, with the fixed TypeScript type-checked, checked against
/// `eval/results/recipe.json`. The type packages are installed from npm once per target
/// directory (the cache the eval crate's own type-check test uses): about 27 s cold on a
/// 2-core machine, 9 s warm.
#[test]
fn recipe_eval_has_no_regression_against_the_committed_results() {
    eval_against("eval/results/recipe.json", &["--provider", "recipe"]);
}

/// The replay eval: every case through the LLM path, its transcript served by the scripted
/// server, checked against `eval/results/replay.json`: about 6 s warm on 2 cores, of which the
/// replay itself is about 1.3 s and the rest is type checking.
#[test]
fn replay_eval_has_no_regression_against_the_committed_results() {
    let now = eval_against("eval/results/replay.json", &["--provider", "replay"]);
    assert_eq!(now["summary"]["provider"], "replay");
    for case in now["cases"].as_array().unwrap() {
        assert_ne!(
            case["outcome"], "failed",
            "{}: {} (a transcript that no longer fits the engine; see eval/README.md)",
            case["id"], case["reason"]
        );
    }
}

#[test]
fn gate_suite_passes() {
    let out = remedy().args(["eval", "--gate-suite"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "gate suite failed:\n{stdout}");
    assert!(stdout.contains("known-bad patches rejected"), "{stdout}");
}

/// What the corpus must cover: at least 60 cases; every built-in policy with a declarative fix
/// in both languages; every manual policy as a `needs_human` case; the issue's shapes in both
/// languages.
#[test]
fn corpus_covers_every_declarative_policy_and_shape_in_both_languages() {
    let out = remedy()
        .args(["policies", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let policies = json(&out.stdout);

    let root = workspace().join("eval/cases");
    let mut cases = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(text) = std::fs::read_to_string(dir.join("case.toml")) else {
            continue;
        };
        let case: toml::Value = toml::from_str(&text).unwrap();
        let field = |key: &str| case.get(key).and_then(|v| v.as_str()).map(str::to_string);
        cases.push((
            field("language").unwrap(),
            field("policy").unwrap(),
            field("expect").unwrap(),
            field("shape").unwrap_or_default(),
        ));
    }
    assert!(cases.len() >= 60, "{} cases; at least 60", cases.len());

    let mut languages: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    let mut needs_human: BTreeSet<&str> = BTreeSet::new();
    let mut shapes: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (language, policy, expect, shape) in &cases {
        languages.entry(policy).or_default().insert(language);
        shapes.entry(shape).or_default().insert(language);
        if expect == "needs_human" {
            needs_human.insert(policy);
        }
    }
    let mut missing = Vec::new();
    for policy in policies["policies"].as_array().unwrap() {
        let id = policy["id"].as_str().unwrap();
        if policy["remediation"]["kind"] == "manual" {
            if !needs_human.contains(id) {
                missing.push(format!("{id}: no needs_human case"));
            }
        } else {
            for language in ["typescript", "python"] {
                if !languages.get(id).is_some_and(|l| l.contains(language)) {
                    missing.push(format!("{id}: no {language} case"));
                }
            }
        }
    }
    for shape in [
        "inline-literal",
        "missing-property",
        "wrong-value",
        "nested-block",
        "args-variable",
        "args-variable-shared",
        "spread",
        "spread-unknown",
        "in-function",
        "in-loop",
        "in-component",
        "several-same-type",
        "half-compliant",
        "config-needs-human",
        "team-value",
        "team-value-unset",
        "manual",
    ] {
        for language in ["typescript", "python"] {
            if !shapes.get(shape).is_some_and(|l| l.contains(language)) {
                missing.push(format!("shape {shape}: no {language} case"));
            }
        }
    }
    assert!(missing.is_empty(), "\n{}", missing.join("\n"));
}

/// Every case has a transcript and every transcript a case; each says who wrote it (the
/// committed ones are scripted, or recorded with the model named) and what it exercises.
#[test]
fn every_case_has_a_labelled_transcript() {
    let cases: BTreeSet<String> = std::fs::read_dir(workspace().join("eval/cases"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("case.toml").is_file())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    let mut transcripts = BTreeSet::new();
    for entry in std::fs::read_dir(workspace().join("eval/transcripts")).unwrap() {
        let path = entry.unwrap().path();
        let id = path.file_stem().unwrap().to_string_lossy().into_owned();
        assert_eq!(
            path.extension().and_then(|e| e.to_str()),
            Some("json"),
            "{}",
            path.display()
        );
        let transcript = Transcript::load(&path).unwrap();
        match transcript.source {
            Source::Scripted => assert!(
                transcript.about.as_deref().is_some_and(|a| !a.is_empty()),
                "{id}: a scripted transcript says what it exercises (`about`)"
            ),
            Source::Recorded => assert!(transcript.model.is_some(), "{id}"),
        }
        transcripts.insert(id);
    }
    let without: Vec<_> = cases.difference(&transcripts).collect();
    let orphans: Vec<_> = transcripts.difference(&cases).collect();
    assert!(
        without.is_empty(),
        "cases without a transcript: {without:?}"
    );
    assert!(
        orphans.is_empty(),
        "transcripts without a case: {orphans:?}"
    );
}

/// A directory of corpus cases, copied.
fn cases_dir(ids: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for id in ids {
        let from = workspace().join("eval/cases").join(id);
        let to = dir.path().join(id);
        std::fs::create_dir_all(to.join("before")).unwrap();
        std::fs::copy(from.join("case.toml"), to.join("case.toml")).unwrap();
        for file in std::fs::read_dir(from.join("before")).unwrap() {
            let file = file.unwrap().path();
            std::fs::copy(&file, to.join("before").join(file.file_name().unwrap())).unwrap();
        }
    }
    dir
}

/// Per case: outcome, pass, attempts and tokens.
fn results(report: &Value) -> BTreeMap<String, (String, bool, u64, u64)> {
    report["cases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["id"].as_str().unwrap().to_string(),
                (
                    c["outcome"].as_str().unwrap().to_string(),
                    c["pass"].as_bool().unwrap(),
                    c["attempts"].as_u64().unwrap(),
                    c["tokens"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

/// Proxy settings that would break any request sent through them: an endpoint on this machine
/// (the scripted server, a local model, the replay server) must be reached directly.
fn unreachable_proxy() -> Vec<(&'static str, &'static str)> {
    let proxy = "http://127.0.0.1:9";
    vec![
        ("HTTP_PROXY", proxy),
        ("http_proxy", proxy),
        ("HTTPS_PROXY", proxy),
        ("ALL_PROXY", proxy),
        ("NO_PROXY", ""),
    ]
}

/// `--provider llm` against an OpenAI-compatible endpoint (the scripted server here) with the
/// settings of `remedy fix`, recording what it answered; the key goes to the endpoint only, and
/// the local endpoint is reached directly whatever the proxy settings say. Replaying the
/// recording gives the same outcomes, attempts and token counts.
#[test]
fn the_llm_provider_records_transcripts_that_replay_to_the_same_result() {
    const KEY: &str = "sk-test-record-5e1f9a";
    let cases = cases_dir(&["ts-cloudtrail-kms-manual", "ts-s3-acl-inline"]);
    let recorded = tempfile::tempdir().unwrap();
    // Cases run in id order: the trail first, then the bucket.
    let llm = ScriptedLlm::start(vec![
        // ts-cloudtrail-kms-manual: text, then a give-up.
        Reply::text("This needs a KMS key."),
        Reply::tool(
            "give_up",
            json!({"reason": "the team must choose a KMS key"}),
        ),
        // ts-s3-acl-inline, attempt 1: malformed arguments, then a change the gate rejects.
        Reply::tool_raw("set_property", r#"{"path": "acl""#),
        Reply::tool(
            "set_property",
            json!({"path": "forceDestroy", "value": true}),
        ),
        Reply::tool("submit", json!({})),
        // Attempt 2: the fix and the submit in one message.
        Reply::tools(&[
            ("set_property", json!({"path": "acl", "value": "private"})),
            ("submit", json!({})),
        ]),
    ]);
    let out = remedy()
        .args(["eval", "--provider", "llm", "--format", "json"])
        .arg("--cases")
        .arg(cases.path())
        .args(["--llm-base-url", &llm.base_url(), "--llm-model", "m-test"])
        .arg("--record-transcripts")
        .arg(recorded.path())
        .env("REMEDY_LLM_API_KEY", KEY)
        .envs(unreachable_proxy())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let live = json(&out.stdout);
    assert_eq!(live["summary"]["provider"], "llm (m-test)");
    let live_results = results(&live);
    assert_eq!(
        live_results["ts-cloudtrail-kms-manual"].0, "needs_human",
        "{live}"
    );
    assert_eq!(live_results["ts-s3-acl-inline"].0, "fixed", "{live}");
    assert!(live_results.values().all(|r| r.1 && r.3 > 0), "{live}");
    assert_eq!(live_results["ts-s3-acl-inline"].2, 2);

    assert_eq!(llm.remaining(), 0);
    let requests = llm.requests();
    assert_eq!(requests.len(), 6);
    for request in &requests {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert!(!request.raw.contains(KEY));
    }

    let bucket = Transcript::load(&recorded.path().join("ts-s3-acl-inline.json")).unwrap();
    assert_eq!(bucket.source, Source::Recorded);
    assert_eq!(bucket.model.as_deref(), Some("m-test"));
    assert_eq!(bucket.attempts.len(), 2);
    assert_eq!(bucket.attempts[0].len(), 3);
    assert_eq!(
        bucket.attempts[0][0].arguments,
        Some(Value::String(r#"{"path": "acl""#.into())),
        "malformed arguments are kept as sent"
    );
    assert_eq!(bucket.attempts[1][0].tools.len(), 2);
    let trail = Transcript::load(&recorded.path().join("ts-cloudtrail-kms-manual.json")).unwrap();
    assert_eq!(
        trail.attempts[0][0].text.as_deref(),
        Some("This needs a KMS key.")
    );
    for entry in std::fs::read_dir(recorded.path()).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(KEY));
    }
    assert!(!stderr.contains(KEY) && !String::from_utf8_lossy(&out.stdout).contains(KEY));

    let out = remedy()
        .args(["eval", "--provider", "replay", "--format", "json"])
        .arg("--cases")
        .arg(cases.path())
        .arg("--transcripts")
        .arg(recorded.path())
        .envs(unreachable_proxy())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same requests, byte for byte in length (the tool call ids count requests per server:
    // one digit here in both runs), so the scripted server's token counts match too.
    assert_eq!(results(&json(&out.stdout)), live_results);
}

#[test]
fn replay_needs_a_transcript_for_every_case_and_one_run() {
    let cases = cases_dir(&["ts-ebs-missing", "ts-kms-missing"]);
    let transcripts = tempfile::tempdir().unwrap();
    let out = remedy()
        .args(["eval", "--provider", "replay"])
        .arg("--cases")
        .arg(cases.path())
        .arg("--transcripts")
        .arg(transcripts.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("no transcript for 2 case(s)")
            && stderr.contains("ts-ebs-missing, ts-kms-missing"),
        "{stderr}"
    );

    let out = remedy()
        .args(["eval", "--provider", "replay", "--k", "3"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("use --k 1"));

    let out = remedy()
        .args(["eval", "--provider", "llm"])
        .env_remove("REMEDY_LLM_BASE_URL")
        .env_remove("REMEDY_LLM_MODEL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--llm-base-url and --llm-model"));
}

/// A transcript that no longer fits (here: its first attempt would now be accepted, so its
/// second is never asked for) fails the case and says where the replay diverged.
#[test]
fn a_replay_that_diverges_from_its_transcript_fails_the_case() {
    let cases = cases_dir(&["ts-ebs-missing"]);
    let transcripts = tempfile::tempdir().unwrap();
    std::fs::write(
        transcripts.path().join("ts-ebs-missing.json"),
        r#"{"source": "scripted", "about": "two attempts where one suffices", "attempts": [
            [{"tool": "set_property", "arguments": {"path": "encrypted", "value": true}}, {"tool": "submit"}],
            [{"tool": "submit"}]
        ]}"#,
    )
    .unwrap();
    let out = remedy()
        .args(["eval", "--provider", "replay", "--format", "json"])
        .arg("--cases")
        .arg(cases.path())
        .arg("--transcripts")
        .arg(transcripts.path())
        .output()
        .unwrap();
    assert!(out.status.success());
    let report = json(&out.stdout);
    let case = &report["cases"][0];
    assert_eq!(case["outcome"], "failed");
    assert_eq!(case["pass"], false);
    let reason = case["reason"].as_str().unwrap();
    assert!(
        reason.contains("the replay diverged from")
            && reason.contains("the engine made 1 attempt(s); the transcript scripts 2"),
        "{reason}"
    );
    assert_eq!(case["attempt_log"][0], "llm: accepted");
}
