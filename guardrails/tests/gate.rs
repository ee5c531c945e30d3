//! The gate against the adversarial suite, in TypeScript and Python: every known-bad patch
//! rejected by the check it targets, every known-good one accepted, through both entry points.
//!
//! The cases are the eval crate's (`eval/gate-suite/*.toml`, format in
//! `eval/src/gate_suite.rs`), read here rather than copied so the two suites cannot drift: a
//! case added there is a case the gate's own tests hold it to.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use remedy_guardrails::Evaluator;
use std::path::Path;

use remedy_guardrails::gate::{self, Baseline, FileChange, GateConfig, Target, Verdict};
use remedy_source::Language;
use remedy_source::edit::Document;

use support::{CHECKS, Case, SUITE};

fn check(case: &Case) -> Verdict {
    let mut evaluator = Evaluator::new(&SUITE.policies);
    gate::check(
        &mut evaluator,
        &case.target,
        &case.changes,
        &GateConfig::default(),
    )
}

fn failed(verdict: &Verdict) -> Vec<&str> {
    verdict
        .checks
        .iter()
        .filter(|c| !c.passed)
        .map(|c| c.name)
        .collect()
}

#[test]
fn the_suite_covers_every_check_in_both_languages() {
    for language in [Language::TypeScript, Language::Python] {
        let cases: Vec<&Case> = SUITE
            .cases
            .iter()
            .filter(|c| c.language == language)
            .collect();
        let good = cases.iter().filter(|c| c.reject.is_none()).count();
        assert!(good >= 10, "{language:?}: {good} good cases");
        for check in CHECKS {
            assert!(
                cases.iter().any(|c| c.reject.as_deref() == Some(check)),
                "{language:?}: no bad case targets `{check}`"
            );
        }
    }
}

#[test]
fn every_bad_patch_is_rejected_by_the_check_it_targets() {
    let mut failures = Vec::new();
    for case in &SUITE.cases {
        let Some(expected) = &case.reject else {
            continue;
        };
        let verdict = check(case);
        let failed = failed(&verdict);
        if verdict.accepted() || !failed.contains(&expected.as_str()) {
            failures.push(format!(
                "{}: `{expected}` should fail; failed {failed:?}: {:?}",
                case.id,
                verdict.reasons()
            ));
        }
        // What the LLM is told names every failed check, with evidence.
        let reasons = verdict.reasons();
        assert_eq!(reasons.len(), failed.len(), "{}", case.id);
        for (reason, name) in reasons.iter().zip(&failed) {
            assert!(reason.starts_with(&format!("{name}: ")), "{}", case.id);
            assert!(reason.len() > name.len() + 2, "{}: empty evidence", case.id);
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_good_patch_is_accepted_after_every_check() {
    let mut failures = Vec::new();
    for case in SUITE.cases.iter().filter(|c| c.reject.is_none()) {
        let verdict = check(case);
        let names: Vec<&str> = verdict.checks.iter().map(|c| c.name).collect();
        assert_eq!(names, CHECKS, "{}", case.id);
        if !verdict.accepted() {
            failures.push(format!("{}: {:?}", case.id, verdict.reasons()));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// The agent checks each attempt against one [`Baseline`]; it must decide as `check` does.
#[test]
fn check_file_decides_every_single_file_case_as_check_does() {
    let mut compared = 0;
    for case in &SUITE.cases {
        let [change] = case.changes.as_slice() else {
            continue;
        };
        let (Some(before), Some(after)) = (&change.before, &change.after) else {
            continue;
        };
        let mut evaluator = Evaluator::new(&SUITE.policies);
        let path = Path::new(&change.path);
        let document = |text: &str| Document::new(case.language, path, text.to_string());
        let baseline = Baseline::new(&mut evaluator, &change.path, document(before));
        let candidate = baseline.derive(&mut evaluator, document(after));
        let config = GateConfig::default();
        let by_file = gate::check_file(&evaluator, &baseline, &case.target, &candidate, &config);
        assert_eq!(by_file, check(case), "{}", case.id);
        compared += 1;
    }
    assert!(compared >= 40, "only {compared} single-file cases");
}

#[test]
fn an_accepted_candidate_is_the_baseline_of_the_next_fix() {
    let case = SUITE
        .cases
        .iter()
        .find(|c| c.id == "ts-acl-private")
        .unwrap();
    let (before, after) = (&case.changes[0].before, &case.changes[0].after);
    let (before, after) = (before.as_deref().unwrap(), after.as_deref().unwrap());
    let mut evaluator = Evaluator::new(&SUITE.policies);
    let path = Path::new("index.ts");
    let document = |text: &str| Document::new(Language::TypeScript, path, text.to_string());
    let config = GateConfig::default();

    let baseline = Baseline::new(&mut evaluator, "index.ts", document(before));
    let first = baseline.derive(&mut evaluator, document(after));
    let verdict = gate::check_file(&evaluator, &baseline, &case.target, &first, &config);
    assert!(verdict.accepted(), "{:?}", verdict.reasons());

    // Versioning the same bucket next, judged against the first fix, not the original.
    let versioning = first
        .audit()
        .violations
        .iter()
        .find(|v| {
            v.policy == "aws-s3-bucket-versioning" && v.resource.name.as_deref() == Some("site")
        })
        .unwrap();
    let target = Target {
        fingerprint: versioning.fingerprint.clone(),
        policy: versioning.policy.clone(),
        ..case.target.clone()
    };
    let versioned = after.replace(
        "    website: { indexDocument: \"index.html\" },\n",
        "    website: { indexDocument: \"index.html\" },\n    versioning: { enabled: true },\n",
    );
    let second = first.derive(&mut evaluator, document(&versioned));
    let verdict = gate::check_file(&evaluator, &first, &target, &second, &config);
    assert!(verdict.accepted(), "{:?}", verdict.reasons());
    // Only the second fix's line counts against it; against the original, both fixes do.
    let scope = |v: &Verdict| v.checks.iter().find(|c| c.name == "scope").unwrap().clone();
    assert_eq!(
        scope(&verdict).evidence,
        "1 line(s) changed, all inside aws:s3/bucket:Bucket `site`"
    );
    let both = gate::check_file(&evaluator, &baseline, &target, &second, &config);
    assert_eq!(
        scope(&both).evidence,
        "3 line(s) changed, all inside aws:s3/bucket:Bucket `site`"
    );
}

#[test]
fn fixes_out_of_scope_at_the_file_level_stop_at_scope() {
    let case = SUITE
        .cases
        .iter()
        .find(|c| c.id == "ts-acl-private")
        .unwrap();
    let before = case.changes[0].before.clone();
    let only_scope = |verdict: Verdict| {
        assert!(!verdict.accepted());
        assert_eq!(verdict.checks.len(), 1, "{verdict:?}");
        assert_eq!(verdict.checks[0].name, "scope");
        verdict.checks[0].evidence.clone()
    };
    let run = |target: &Target, changes: Vec<FileChange>| {
        let mut evaluator = Evaluator::new(&SUITE.policies);
        gate::check(&mut evaluator, target, &changes, &GateConfig::default())
    };
    let change = |path: &str, after: Option<String>| FileChange {
        path: path.to_string(),
        before: before.clone(),
        after,
    };

    assert_eq!(
        only_scope(run(&case.target, vec![change("index.ts", before.clone())])),
        "the fix changes nothing in the target's file"
    );
    assert_eq!(
        only_scope(run(&case.target, vec![change("index.ts", None)])),
        "the fix deletes or creates index.ts"
    );
    let readme = Target {
        file: "README.md".to_string(),
        ..case.target.clone()
    };
    assert_eq!(
        only_scope(run(
            &readme,
            vec![change("README.md", Some("# fixed\n".into()))]
        )),
        "README.md is not a program file remedy reads"
    );

    let mut evaluator = Evaluator::new(&SUITE.policies);
    let document =
        |text: &str| Document::new(Language::TypeScript, Path::new("other.ts"), text.into());
    let text = before.unwrap();
    let baseline = Baseline::new(&mut evaluator, "other.ts", document(&text));
    let candidate = baseline.derive(
        &mut evaluator,
        document(&text.replace("public-read", "private")),
    );
    let config = GateConfig::default();
    assert_eq!(
        only_scope(gate::check_file(
            &evaluator,
            &baseline,
            &case.target,
            &candidate,
            &config
        )),
        "the fix is for index.ts, checked against other.ts"
    );
    let same = baseline.derive(&mut evaluator, document(&text));
    let for_other = Target {
        file: "other.ts".to_string(),
        ..case.target.clone()
    };
    assert_eq!(
        only_scope(gate::check_file(
            &evaluator, &baseline, &for_other, &same, &config
        )),
        "the fix changes nothing in the target's file"
    );
}
