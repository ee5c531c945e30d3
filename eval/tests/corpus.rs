//! The synthetic corpus plants exactly the violations it says it does (the audit benchmark
//! relies on it): a compliant resource is compliant with every built-in policy, a violating one
//! violates exactly one.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use remedy_guardrails::Evaluator;
use std::collections::BTreeMap;

use remedy_eval::corpus::{CorpusSpec, generate};
use remedy_guardrails::PolicySet;
use remedy_source::{Language, discover};

#[test]
fn planted_violations_are_exactly_what_an_audit_finds() {
    let dir = tempfile::tempdir().unwrap();
    let spec = CorpusSpec {
        resources: 2_000,
        violation_density: 0.3,
        per_file: 50,
        seed: 11,
    };
    let stats = generate(dir.path(), spec).unwrap();
    let policies = PolicySet::builtin().unwrap();
    let mut evaluator = Evaluator::new(&policies);
    let mut found = 0;
    let mut by_policy: BTreeMap<String, usize> = BTreeMap::new();
    for path in discover(&[dir.path().to_path_buf()]).unwrap() {
        let text = std::fs::read_to_string(&path).unwrap();
        let language = Language::from_path(&path).unwrap();
        let audit = evaluator.audit_source(&path.display().to_string(), language, &text);
        found += audit.violations.len();
        for v in &audit.violations {
            *by_policy.entry(v.policy.clone()).or_default() += 1;
        }
    }
    assert_eq!(found, stats.violations, "by policy: {by_policy:?}");
}
