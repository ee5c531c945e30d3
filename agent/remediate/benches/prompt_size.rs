//! How big is the LLM agent's first request? `cargo bench -p remedy-remediate --bench prompt_size`
//!
//! For every violation in the eval corpus (the built-in pack's violating fixtures and the gate
//! suite's programs), builds the first request exactly as the agent sends it and counts its
//! tokens with tiktoken's `o200k_base` (the GPT-4o family's encoding): the system prompt, the
//! task, the tool definitions (counted as their JSON, which OpenAI re-renders more compactly,
//! so this slightly overstates them) and 3 tokens of framing per message plus 3 for the reply.
//! Prints the median, the spread and the largest requests. Target: median under 2,000.

// A benchmark aborts on any failure: there is nothing to recover.
#![allow(clippy::expect_used)]

use std::path::Path;

use remedy_eval::fixtures::violating_programs;
use remedy_guardrails::PolicySet;
use remedy_remediate::llm::prompt_size::{median, samples};

fn main() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bpe = tiktoken_rs::o200k_base().expect("o200k_base tables");
    let count = |text: &str| bpe.encode_with_special_tokens(text).len();
    let samples = samples(
        &PolicySet::builtin().expect("built-in policies"),
        &violating_programs(&workspace).expect("corpus"),
        &workspace,
    )
    .expect("samples");
    let mut totals = Vec::new();
    let mut tasks = Vec::new();
    let mut rows = Vec::new();
    let (mut system, mut tools) = (0, 0);
    for sample in &samples {
        system = count(&sample.system);
        tools = count(&sample.tools);
        let task = count(&sample.task);
        let total = system + tools + task + 2 * 3 + 3;
        totals.push(total);
        tasks.push(task);
        rows.push((total, sample.label.clone()));
    }
    let n = totals.len();
    let mut sorted = totals.clone();
    sorted.sort_unstable();
    let percentile = |p: usize| sorted[((n - 1) * p) / 100];
    println!("first requests: {n} violations, tokens by tiktoken o200k_base");
    println!("  system prompt   {system:>6}");
    println!("  tool schemas    {tools:>6}");
    println!("  task (median)   {:>6}", median(&mut tasks));
    println!(
        "  total: median {}  p90 {}  max {}  min {}",
        median(&mut totals),
        percentile(90),
        sorted[n - 1],
        sorted[0]
    );
    rows.sort_by_key(|row| std::cmp::Reverse(row.0));
    println!("largest:");
    for (total, label) in rows.iter().take(5) {
        println!("  {total:>6}  {label}");
    }
}
