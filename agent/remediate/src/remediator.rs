//! The engine: the policy's declarative fix first, then the LLM, every candidate through the
//! gate, and the accepted fix kept as the next fix's baseline.

use remedy_guardrails::Evaluator;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use remedy_guardrails::PolicySet;
use remedy_guardrails::gate::{self, Baseline, Check, GateConfig, Target, Verdict};
use remedy_source::Language;
use remedy_source::edit::Document;
use remedy_source::manifest::Manifests;
use remedy_validate::Validator;

use crate::baselines::Baselines;
use crate::recipe::{self, Decline, Locator, TeamValues};
use crate::remediation::{Attempt, Provider, ProviderChoice, Remediation};
use crate::request::{FixRequest, LlmFixer, ProposeError, Subject, Usage};

/// Turns violations into gated fixes.
pub struct Remediator<'p> {
    pub policies: &'p PolicySet,
    pub values: TeamValues,
    pub gate: GateConfig,
    pub provider: ProviderChoice,
    pub llm: Option<Arc<dyn LlmFixer>>,
    /// Gate rejections the LLM may get back before the violation goes to a person.
    pub max_attempts: usize,
    /// The gate's `validate` check: the team's checker run on every fix the other checks
    /// accept; `None` leaves it out of the verdict.
    pub validator: Option<Arc<Validator>>,
    baselines: Baselines,
}

/// The name of the check the validator adds to the gate's verdict.
pub const VALIDATE: &str = "validate";

impl<'p> Remediator<'p> {
    pub fn new(policies: &'p PolicySet) -> Self {
        Self {
            policies,
            values: TeamValues::new(),
            gate: GateConfig::default(),
            provider: ProviderChoice::Auto,
            llm: None,
            max_attempts: 3,
            validator: None,
            baselines: Baselines::default(),
        }
    }

    /// Fix `subject` in `text` (its file at the base revision). `root` is the repository root.
    pub async fn remediate(&self, subject: &Subject, text: &str, root: &Path) -> Remediation {
        let Some(language) = Language::from_path(Path::new(&subject.file)) else {
            return needs_human(format!(
                "{} is not a TypeScript or Python file",
                subject.file
            ));
        };
        let Some(policy) = self.policies.get(&subject.policy) else {
            return needs_human(format!("policy {} is not loaded", subject.policy));
        };
        let mut evaluator = Evaluator::new(self.policies);
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
            return Remediation::AlreadyResolved;
        };
        let document = baseline.document();
        let Some(at) = recipe::resource_of(document, &violation) else {
            return needs_human(format!(
                "cannot locate {} in {}",
                violation.resource.type_token, subject.file
            ));
        };
        let resource = &document.resources()[at];
        // Where the program itself contradicts the fix (a bucket it serves as a public website),
        // no fix is right without a person: neither the recipe nor the LLM tries.
        match evaluator.fix_declined(document.resources(), at, policy) {
            Ok(reasons) if !reasons.is_empty() => {
                return needs_human(format!(
                    "the program contradicts the fix: {}",
                    reasons.join("; ")
                ));
            }
            Ok(_) => {}
            Err(err) => {
                return needs_human(format!(
                    "cannot tell whether the program contradicts the fix: {err}"
                ));
            }
        }
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
            // The manifests are read only for a policy whose fix differs by provider major.
            let major = policy
                .remediation
                .depends_on_major()
                .then(|| provider_major(root, &subject.file, language, &locator.type_token))
                .flatten();
            match recipe::apply(
                document,
                &subject.file,
                &locator,
                policy,
                &self.values,
                major,
                &mut firing,
            ) {
                Ok(after) => {
                    let candidate = baseline.derive(&mut evaluator, after);
                    let verdict =
                        gate::check_file(&evaluator, &baseline, &target, &candidate, &self.gate);
                    let verdict = self.validated(verdict, root, &baseline, &candidate).await;
                    let accepted = verdict.accepted();
                    attempts.push(Attempt {
                        provider: Provider::Recipe,
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
                        return Remediation::Fixed {
                            after: self.keep(candidate),
                            verdict,
                            provider: Provider::Recipe,
                            attempts,
                        };
                    }
                    if llm.is_none() {
                        return Remediation::NeedsHuman {
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
                    return Remediation::NeedsHuman {
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
                        return Remediation::NeedsHuman {
                            reason: format!("{}{suffix}", decline.reason()),
                            attempts,
                        };
                    }
                }
            }
        }

        let Some(llm) = llm else {
            return Remediation::NeedsHuman {
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
                    let verdict = self.validated(verdict, root, &baseline, &candidate).await;
                    let accepted = verdict.accepted();
                    feedback = verdict.reasons();
                    attempts.push(Attempt {
                        provider: Provider::Llm,
                        model: Some(proposal.model),
                        prompt_hash: Some(proposal.prompt_hash),
                        usage: proposal.usage,
                        verdict: Some(verdict.clone()),
                        error: None,
                    });
                    if accepted {
                        return Remediation::Fixed {
                            after: self.keep(candidate),
                            verdict,
                            provider: Provider::Llm,
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
                        provider: Provider::Llm,
                        model: failure.model,
                        prompt_hash: failure.prompt_hash,
                        usage: failure.usage,
                        verdict: None,
                        error: Some(error),
                    });
                    return match failure.error {
                        ProposeError::GaveUp(reason) => Remediation::NeedsHuman {
                            reason: format!("the LLM gave up: {reason}"),
                            attempts,
                        },
                        ProposeError::Failed(error) => Remediation::Failed { error, attempts },
                    };
                }
            }
        }
        Remediation::NeedsHuman {
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
    /// `verdict` with the `validate` check added when a validator is configured and every other
    /// check passed: a fix the gate already rejects is not worth a checker run. The checker runs
    /// processes, so it runs on the blocking pool.
    async fn validated(
        &self,
        mut verdict: Verdict,
        root: &Path,
        baseline: &Baseline,
        candidate: &Baseline,
    ) -> Verdict {
        let Some(validator) = &self.validator else {
            return verdict;
        };
        if !verdict.accepted() {
            return verdict;
        }
        let validator = Arc::clone(validator);
        let root = root.to_path_buf();
        let file = baseline.file().to_string();
        let before = baseline.document().text().to_string();
        let after = candidate.document().text().to_string();
        let validation =
            tokio::task::spawn_blocking(move || validator.validate(&root, &file, &before, &after))
                .await;
        let check = match validation {
            Ok(validation) => {
                tracing::debug!(evidence = %validation.evidence(), "validate");
                Check::new(VALIDATE, validation.passed(), validation.evidence())
            }
            Err(err) => Check::new(
                VALIDATE,
                false,
                format!("the checker did not finish: {err}"),
            ),
        };
        verdict.checks.push(check);
        verdict
    }

    /// Keep an accepted fix as the baseline of the next fix to its file; its text.
    fn keep(&self, candidate: Baseline) -> String {
        let text = candidate.document().text().to_string();
        self.baselines.put(Arc::new(candidate));
        text
    }
}

fn needs_human(reason: String) -> Remediation {
    Remediation::NeedsHuman {
        reason,
        attempts: Vec::new(),
    }
}

fn elapsed_ms(since: Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// The major version of the resource's provider package the program pins (`@pulumi/aws`,
/// `pulumi-aws` for `aws:` types), from its manifests; `None` when they do not say.
fn provider_major(root: &Path, file: &str, language: Language, type_token: &str) -> Option<u32> {
    let provider = type_token.split(':').next().filter(|p| !p.is_empty())?;
    let package = match language {
        Language::TypeScript => format!("@pulumi/{provider}"),
        Language::Python => format!("pulumi-{provider}"),
    };
    Manifests::for_file(root, file, language).major(&package)
}
