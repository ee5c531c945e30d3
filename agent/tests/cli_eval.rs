//! `remedy eval` on the committed corpus: no regression against the committed recipe results,
//! the gate suite passes, and the corpus keeps covering what issue 9 asks of it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn remedy() -> Command {
    let mut cmd = Command::cargo_bin("remedy").unwrap();
    cmd.current_dir(workspace())
        .env_remove("REMEDY_LOG")
        .env_remove("REMEDY_CONFIG")
        .env("NO_COLOR", "1");
    cmd
}

fn json(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap()
}

/// The recipe eval of `eval/cases`, with the fixed TypeScript type-checked, checked against
/// `eval/results/recipe.json`: exit status 1 names every case that passed there and fails now.
/// The type packages are installed from npm once per target directory (the cache the eval
/// crate's own type-check test uses): about 27 s cold on a 2-core machine, 9 s warm.
#[test]
fn recipe_eval_has_no_regression_against_the_committed_results() {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("typecheck");
    let out = remedy()
        .args(["eval", "--provider", "recipe", "--format", "json"])
        .arg("--typecheck")
        .arg("--typecheck-cache")
        .arg(&cache)
        .args(["--baseline", "eval/results/recipe.json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "remedy eval exited {:?}:\n{}",
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
    let baseline = json(&std::fs::read(workspace().join("eval/results/recipe.json")).unwrap());
    let ids = |report: &Value| -> BTreeSet<String> {
        report["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&now),
        ids(&baseline),
        "the corpus and eval/results/recipe.json list different cases; regenerate the results \
         (see eval/README.md)"
    );
}

#[test]
fn gate_suite_passes() {
    let out = remedy().args(["eval", "--gate-suite"]).output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "gate suite failed:\n{stdout}");
    assert!(stdout.contains("known-bad patches rejected"), "{stdout}");
}

/// What the corpus must cover: at least 60 cases; every built-in policy with a declarative fix
/// in both languages; every manual policy as a `needs_human` case; the shapes in both
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
