//! The LLM agent's first request stays small: context is the resource, a window around it and
//! the policy, not the file. Guarded here by size in bytes (the `prompt_size` benchmark counts
//! real tokens).

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;

use remedy_eval::fixtures::violating_programs;
use remedy_guardrails::PolicySet;
use remedy_remediate::llm::prompt_size::{median, samples};

#[test]
fn first_requests_are_small_and_carry_the_resource() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let samples = samples(
        &PolicySet::builtin().unwrap(),
        &violating_programs(&workspace).unwrap(),
        &workspace,
    )
    .unwrap();
    assert!(samples.len() >= 40, "only {} violations", samples.len());
    let mut sizes: Vec<usize> = samples
        .iter()
        .map(|s| s.system.len() + s.task.len() + s.tools.len())
        .collect();
    // About 4 bytes a token for English and code: 8,000 bytes is about 2,000 tokens.
    let median = median(&mut sizes);
    assert!(median < 8_000, "median first request {median} bytes");
    for sample in &samples {
        assert!(
            sample.task.contains("BEGIN REPOSITORY DATA") && sample.task.contains("Policy: "),
            "{}",
            sample.label
        );
    }
}
