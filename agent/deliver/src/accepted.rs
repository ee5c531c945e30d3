//! An accepted fix: what the gate let through, with what a commit and a pull request say about
//! it.

use std::collections::BTreeMap;

use remedy_guardrails::gate::Verdict;
use remedy_guardrails::{Impact, Severity};

/// An accepted fix, ready to go out.
#[derive(Debug, Clone)]
pub struct AcceptedFix {
    pub fingerprint: String,
    pub policy: String,
    pub title: String,
    pub severity: Severity,
    pub message: String,
    /// The resource's name, or its name expression.
    pub resource: String,
    /// Its Pulumi type token.
    pub resource_type: String,
    pub file: String,
    /// Framework → controls the policy maps to.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// The file after the fix.
    pub after: String,
    pub verdict: Verdict,
    /// Who made it.
    pub made_by: MadeBy,
    /// What it does to the deployed resource (the policy's declaration).
    pub impact: Impact,
}

impl AcceptedFix {
    /// Whether a pull request holding this fix may be merged without a reviewer: a recipe's
    /// fix that updates the resource in place.
    pub fn may_auto_merge(&self) -> bool {
        self.made_by.may_auto_merge() && self.impact.kind == remedy_guardrails::ImpactKind::InPlace
    }
}

/// Who made a fix. Reviewers see it on every commit and pull request, and it bounds how far a
/// pull request may go without them: the gate proves what a fix does to the policies, not that
/// whoever wrote it meant well, so a model's fix is never merged automatically, whatever the
/// delivery rules say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MadeBy {
    /// The policy's declarative remediation: reviewed data, applied mechanically.
    Recipe,
    /// A model, by the name the operator configured.
    Model(String),
}

impl MadeBy {
    /// The value of the commit trailer that records it.
    pub fn trailer_value(&self) -> String {
        match self {
            Self::Recipe => "recipe".into(),
            Self::Model(name) => match one_line(name) {
                name if name.is_empty() => "llm".into(),
                name => format!("llm {name}"),
            },
        }
    }

    /// Read a trailer value back: anything but `recipe` is a model's.
    pub fn parse(value: &str) -> Self {
        match value.trim() {
            "recipe" => Self::Recipe,
            other => Self::Model(
                other
                    .strip_prefix("llm")
                    .unwrap_or(other)
                    .trim()
                    .to_string(),
            ),
        }
    }

    /// Whether a pull request holding this fix may be merged without a reviewer.
    pub fn may_auto_merge(&self) -> bool {
        matches!(self, Self::Recipe)
    }
}

impl std::fmt::Display for MadeBy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Recipe => f.write_str("the policy's declarative fix"),
            Self::Model(name) => match one_line(name) {
                name if name.is_empty() => f.write_str("an LLM"),
                name => write!(f, "an LLM ({name})"),
            },
        }
    }
}

/// A model's name as one line: it is written into commit trailers and pull request bodies.
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}
