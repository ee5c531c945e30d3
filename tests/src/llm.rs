//! The scripted OpenAI-compatible LLM server. It lives in `remedy-eval`, which the `remedy`
//! binary already depends on, because `remedy eval --provider replay` serves transcripts from
//! it; it is re-exported here so the end-to-end tests use it as before.

pub use remedy_eval::scripted_llm::*;
