//! remedy's measurement side: the fix-quality harness (cases, scorers, pass@k, baselines), the
//! gate suite, LLM transcripts and the scripted server that replays them, and synthetic corpora
//! for benchmarks.

pub mod cases;
pub mod corpus;
pub mod fixtures;
pub mod gate_suite;
pub mod harness;
pub mod report;
pub mod run;
pub mod scripted_llm;
pub mod transcript;
pub mod typecheck;
pub mod violations;
