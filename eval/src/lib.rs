//! remedy's measurement side: the fix-quality harness (cases, scorers, pass@k, baselines), the
//! gate suite, the scripted OpenAI-compatible server the LLM tests (and the replay provider)
//! run against, and synthetic corpora for benchmarks.

pub mod cases;
pub mod corpus;
pub mod gate_suite;
pub mod harness;
pub mod report;
pub mod run;
pub mod scripted_llm;
pub mod typecheck;
pub mod violations;
