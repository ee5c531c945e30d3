//! remedy's end-to-end tests (in `tests/`) and the test doubles they run against, reusable by
//! any test in the workspace:
//!
//! - [`llm`]: [`ScriptedLlm`](llm::ScriptedLlm), an OpenAI-compatible chat-completions server
//!   on 127.0.0.1 that answers from a script (tool calls, plain text, malformed output, error
//!   statuses with `Retry-After`, delays, silence) and records every request.
//! - [`github`]: [`GitHubDouble`](github::GitHubDouble), the GitHub REST endpoints remedy uses,
//!   with state (pull requests, labels, reviewers, checks, merges), recorded requests and
//!   scripted failures (secondary rate limits, 5xx).
//! - [`cli`]: `remedy` as a command, run the same way by every suite.
//! - [`repo`]: git as a test identity, and copying a tree of files.
//! - [`store`]: a fresh store on either backend, and synthetic audits to record in it.
//!
//! The GitHub double knows nothing of remedy's own crates. The LLM server lives in `remedy-eval`
//! (the replay provider of `remedy eval` serves transcripts from it) and is re-exported here.

pub mod cli;
pub mod github;
pub mod llm;
pub mod repo;
pub mod store;
