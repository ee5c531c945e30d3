//! The remediation engine: one violation in, one gated source change (or a reason) out.
//!
//! The declarative path (the policy's own remediation) is tried first; when it declines and an
//! LLM is configured, the LLM proposes changes through its tools, and every proposal passes the
//! same gate. Nothing the gate rejects ever leaves this module as a fix.

mod baselines;
pub mod recipe;

use std::future::Future;
use std::path::Path;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Instant;

use baselines::Baselines;
use remedy_guardrails::gate::{self, Baseline, GateConfig, Target, Verdict};
use remedy_guardrails::{Policy, PolicySet, Violation};
use remedy_source::Language;
use remedy_source::edit::Document;
use serde::Serialize;

pub use recipe::{Decline, Locator, TeamValues};

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

/// `auto` = declarative first, the LLM when one is configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderChoice {
    Auto,
    Recipe,
    Llm,
}

/// One attempt and what the gate said.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub provider: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt_hash: Option<String>,
    pub usage: Usage,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What came of a remediation.
#[derive(Debug, Clone)]
pub enum Outcome {
    /// The gate accepted this change.
    Fixed {
        after: String,
        verdict: Verdict,
        provider: &'static str,
        attempts: Vec<Attempt>,
    },
    /// The violation is no longer in the source.
    AlreadyResolved,
    /// A person must decide; the reason says why (and what to configure).
    NeedsHuman {
        reason: String,
        attempts: Vec<Attempt>,
    },
    /// A transient failure (LLM outage, timeouts): retry later.
    Failed {
        error: String,
        attempts: Vec<Attempt>,
    },
}

impl Outcome {
    pub fn label(&self) -> &'static str {
        match self {
            Self::Fixed { .. } => "fixed",
            Self::AlreadyResolved => "resolved",
            Self::NeedsHuman { .. } => "needs_human",
            Self::Failed { .. } => "failed",
        }
    }

    pub fn attempts(&self) -> &[Attempt] {
        match self {
            Self::Fixed { attempts, .. }
            | Self::NeedsHuman { attempts, .. }
            | Self::Failed { attempts, .. } => attempts,
            Self::AlreadyResolved => &[],
        }
    }
}

/// Turns violations into gated fixes.
pub struct Remediator<'p> {
    pub policies: &'p PolicySet,
    pub values: TeamValues,
    pub gate: GateConfig,
    pub provider: ProviderChoice,
    pub llm: Option<Arc<dyn LlmFixer>>,
    /// Gate rejections the LLM may get back before the violation goes to a person.
    pub max_attempts: usize,
    baselines: Baselines,
}

impl<'p> Remediator<'p> {
    pub fn new(policies: &'p PolicySet) -> Self {
        Self {
            policies,
            values: TeamValues::new(),
            gate: GateConfig::default(),
            provider: ProviderChoice::Auto,
            llm: None,
            max_attempts: 3,
            baselines: Baselines::default(),
        }
    }

    /// Fix `subject` in `text` (its file at the base revision). `root` is the repository root.
    pub async fn remediate(&self, subject: &Subject, text: &str, root: &Path) -> Outcome {
        let Some(language) = Language::from_path(Path::new(&subject.file)) else {
            return needs_human(format!(
                "{} is not a TypeScript or Python file",
                subject.file
            ));
        };
        let Some(policy) = self.policies.get(&subject.policy) else {
            return needs_human(format!("policy {} is not loaded", subject.policy));
        };
        let mut evaluator = self.policies.evaluator();
        let path = Path::new(&subject.file);
        // Parsed and evaluated once: the violation is found, the recipe edits and every
        // candidate is gated against this one baseline.
        let baseline = match self.baselines.get(&subject.file, text) {
            Some(baseline) => baseline,
            None => {
                let baseline = Arc::new(Baseline::new(
                    &mut evaluator,
                    &subject.file,
                    Document::new(language, path, text.to_string()),
                ));
                self.baselines.put(Arc::clone(&baseline));
                baseline
            }
        };
        let Some(violation) = baseline
            .audit()
            .violations
            .iter()
            .find(|v| v.fingerprint == subject.fingerprint)
            .cloned()
        else {
            return Outcome::AlreadyResolved;
        };
        let document = baseline.document();
        let Some(resource) = document
            .resources()
            .iter()
            .find(|r| r.span == violation.span)
        else {
            return needs_human(format!(
                "cannot locate {} in {}",
                violation.resource.type_token, subject.file
            ));
        };
        let locator = Locator::of(document, resource);
        let target = Target {
            fingerprint: violation.fingerprint.clone(),
            policy: violation.policy.clone(),
            file: subject.file.clone(),
            type_token: locator.type_token.clone(),
            name: locator.name.clone(),
            ordinal: locator.ordinal,
        };
        let mut attempts = Vec::new();
        let mut declined = None;

        let llm = self
            .llm
            .as_ref()
            .filter(|_| self.provider != ProviderChoice::Recipe);
        if self.provider != ProviderChoice::Llm {
            let started = Instant::now();
            let mut firing = recipe::firing_counter(self.policies, &locator, &policy.id);
            match recipe::apply(
                document,
                &subject.file,
                &locator,
                policy,
                &self.values,
                &mut firing,
            ) {
                Ok(after) => {
                    let candidate = baseline.derive(&mut evaluator, after);
                    let verdict =
                        gate::check_file(&evaluator, &baseline, &target, &candidate, &self.gate);
                    let accepted = verdict.accepted();
                    attempts.push(Attempt {
                        provider: "recipe",
                        model: None,
                        prompt_hash: None,
                        usage: Usage {
                            latency_ms: elapsed_ms(started),
                            ..Usage::default()
                        },
                        verdict: Some(verdict.clone()),
                        error: None,
                    });
                    if accepted {
                        return Outcome::Fixed {
                            after: self.keep(candidate),
                            verdict,
                            provider: "recipe",
                            attempts,
                        };
                    }
                    if llm.is_none() {
                        return Outcome::NeedsHuman {
                            reason: format!(
                                "the declarative fix was rejected: {}",
                                verdict.reasons().join("; ")
                            ),
                            attempts,
                        };
                    }
                }
                // Never invent a value only the team knows, LLM or not.
                Err(decline @ Decline::NeedsValue { .. }) => {
                    return Outcome::NeedsHuman {
                        reason: decline.reason(),
                        attempts,
                    };
                }
                Err(decline) => {
                    declined = Some(decline.reason());
                    if llm.is_none() {
                        let suffix = if self.provider == ProviderChoice::Recipe {
                            ""
                        } else {
                            " (no LLM is configured)"
                        };
                        return Outcome::NeedsHuman {
                            reason: format!("{}{suffix}", decline.reason()),
                            attempts,
                        };
                    }
                }
            }
        }

        let Some(llm) = llm else {
            return Outcome::NeedsHuman {
                reason: "no LLM is configured (set --llm-base-url and --llm-model, or \
                         REMEDY_LLM_BASE_URL and REMEDY_LLM_MODEL)"
                    .into(),
                attempts,
            };
        };
        let request = FixRequest {
            violation: &violation,
            policy,
            language,
            text,
            locator,
            root,
            declined,
            values: &self.values,
        };
        let mut feedback: Vec<String> = attempts
            .iter()
            .filter_map(|a| a.verdict.as_ref())
            .flat_map(Verdict::reasons)
            .collect();
        for _ in 0..self.max_attempts.max(1) {
            match llm.propose(&request, &feedback).await {
                Ok(proposal) => {
                    let candidate = baseline.derive(
                        &mut evaluator,
                        Document::new(language, path, proposal.after),
                    );
                    let verdict =
                        gate::check_file(&evaluator, &baseline, &target, &candidate, &self.gate);
                    let accepted = verdict.accepted();
                    feedback = verdict.reasons();
                    attempts.push(Attempt {
                        provider: "llm",
                        model: Some(proposal.model),
                        prompt_hash: Some(proposal.prompt_hash),
                        usage: proposal.usage,
                        verdict: Some(verdict.clone()),
                        error: None,
                    });
                    if accepted {
                        return Outcome::Fixed {
                            after: self.keep(candidate),
                            verdict,
                            provider: "llm",
                            attempts,
                        };
                    }
                }
                Err(failure) => {
                    let error = match &failure.error {
                        ProposeError::GaveUp(reason) => format!("gave up: {reason}"),
                        ProposeError::Failed(error) => error.clone(),
                    };
                    attempts.push(Attempt {
                        provider: "llm",
                        model: failure.model,
                        prompt_hash: failure.prompt_hash,
                        usage: failure.usage,
                        verdict: None,
                        error: Some(error),
                    });
                    return match failure.error {
                        ProposeError::GaveUp(reason) => Outcome::NeedsHuman {
                            reason: format!("the LLM gave up: {reason}"),
                            attempts,
                        },
                        ProposeError::Failed(error) => Outcome::Failed { error, attempts },
                    };
                }
            }
        }
        Outcome::NeedsHuman {
            reason: format!(
                "the gate rejected {} attempt(s); last: {}",
                attempts.len(),
                feedback.join("; ")
            ),
            attempts,
        }
    }
}

impl Remediator<'_> {
    /// Keep an accepted fix as the baseline of the next fix to its file; its text.
    fn keep(&self, candidate: Baseline) -> String {
        let text = candidate.document().text().to_string();
        self.baselines.put(Arc::new(candidate));
        text
    }
}

fn needs_human(reason: String) -> Outcome {
    Outcome::NeedsHuman {
        reason,
        attempts: Vec::new(),
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}
