//! What the engine is asked (a [`Subject`], and for a proposer a [`FixRequest`]) and what a
//! proposer answers (a [`Proposal`], or a [`ProposeFailure`] with what it cost).

use std::future::Future;
use std::path::Path;
use std::pin::Pin;

use remedy_guardrails::{Policy, Violation};
use remedy_source::Language;
use serde::Serialize;

use crate::recipe::{Locator, TeamValues};

/// Which violation to fix. The engine re-audits the file and finds it by fingerprint, so a stale
/// record (line numbers moved, file edited since) is handled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub fingerprint: String,
    pub policy: String,
    /// Relative to the repository root.
    pub file: String,
}

impl From<&Violation> for Subject {
    fn from(v: &Violation) -> Self {
        Self {
            fingerprint: v.fingerprint.clone(),
            policy: v.policy.clone(),
            file: v.file.clone(),
        }
    }
}

/// Everything a proposer needs to know about one violation.
pub struct FixRequest<'a> {
    pub violation: &'a Violation,
    pub policy: &'a Policy,
    pub language: Language,
    /// The file as it is at the base revision.
    pub text: &'a str,
    pub locator: Locator,
    /// The repository root, for reading neighbouring lines; nothing outside it is read.
    pub root: &'a Path,
    /// Why the declarative fix did not apply, when it was tried.
    pub declined: Option<String>,
    /// The team's values (`[values]` in `remedy.toml`), for a remediation that names one with
    /// `value_from_config`.
    pub values: &'a TeamValues,
}

/// Token and time accounting for one proposal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub requests: u32,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    pub latency_ms: u64,
    /// Of the latency, the time the LLM rate limits (requests and tokens per minute) held
    /// requests back.
    #[serde(skip_serializing_if = "is_zero")]
    pub rate_limited_ms: u64,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// A proposed new text for the violation's file.
#[derive(Debug, Clone)]
pub struct Proposal {
    pub after: String,
    pub model: String,
    /// Hash of the prompts sent (system + task), for reproducibility.
    pub prompt_hash: String,
    pub usage: Usage,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProposeError {
    /// The model decided the violation cannot be fixed in source: a person must look.
    GaveUp(String),
    /// The model or the endpoint failed (outage, garbage after retries); worth retrying later.
    Failed(String),
}

/// A proposal that did not come, with what it cost: a give-up or an outage spends tokens too,
/// and every attempt is accounted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposeFailure {
    pub error: ProposeError,
    pub model: Option<String>,
    pub prompt_hash: Option<String>,
    pub usage: Usage,
}

impl From<ProposeError> for ProposeFailure {
    fn from(error: ProposeError) -> Self {
        Self {
            error,
            model: None,
            prompt_hash: None,
            usage: Usage::default(),
        }
    }
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An LLM-backed proposer. `feedback` holds the gate's reasons for the previous attempt.
pub trait LlmFixer: Send + Sync {
    fn propose<'a>(
        &'a self,
        request: &'a FixRequest<'a>,
        feedback: &'a [String],
    ) -> BoxFuture<'a, Result<Proposal, ProposeFailure>>;
}
