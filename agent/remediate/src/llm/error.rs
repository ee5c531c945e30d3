//! What can go wrong setting up the LLM or talking to it, never with the key in it.

/// Why the LLM agent could not be set up or a request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// A setting is wrong; `key` is its name under `[llm]`.
    #[error("llm.{key}: {message}")]
    Setting { key: &'static str, message: String },
    #[error("cannot set up the HTTP client: {0}")]
    Client(String),
    #[error("LLM request failed: {0}")]
    Request(String),
}
