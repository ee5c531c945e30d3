//! The adversarial gate suite: every known-bad patch rejected by the check it targets, every
//! known-good patch accepted.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::BTreeSet;
use std::path::Path;

use remedy_eval::gate_suite::{Expect, load, run};
use remedy_guardrails::PolicySet;

#[test]
fn gate_rejects_every_bad_patch_and_accepts_every_good_one() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("gate-suite");
    let cases = load(&dir).unwrap();
    let bad = cases.iter().filter(|c| c.expect == Expect::Reject).count();
    let good = cases.len() - bad;
    assert!(
        bad >= 30 && good >= 30,
        "{bad} bad and {good} good cases; at least 30 of each"
    );
    let categories: BTreeSet<&str> = cases.iter().filter_map(|c| c.category.as_deref()).collect();
    for needed in [
        "delete",
        "rename",
        "retype",
        "other-resource",
        "other-file",
        "suppression",
        "policy-pack",
        "remedy-config",
        "ci-file",
        "syntax",
        "move",
        "deceptive-unknown",
        "deceptive-delete",
    ] {
        assert!(categories.contains(needed), "no case in category {needed}");
    }

    let policies = PolicySet::builtin().unwrap();
    let results = run(&policies, &cases).unwrap();
    let failures: Vec<String> = results
        .iter()
        .filter(|r| !r.ok)
        .map(|r| {
            format!(
                "{} (expected {:?}, accepted={}, failed checks {:?}): {:?}",
                r.id, r.expect, r.accepted, r.failed_checks, r.reasons
            )
        })
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
