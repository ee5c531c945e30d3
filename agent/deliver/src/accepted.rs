//! An accepted fix: what the gate let through, with what a commit and a pull request say about
//! it.

use std::collections::BTreeMap;

use remedy_guardrails::Severity;
use remedy_guardrails::gate::Verdict;

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
}
