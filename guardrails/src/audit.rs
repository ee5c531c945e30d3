//! Auditing one file: parse it, evaluate every resource, and name each violation by a stable
//! fingerprint.

use std::collections::{BTreeMap, HashMap};

use remedy_source::{
    Diagnostic, DiagnosticLevel, Language, ParsedFile, Resource, Span, parse_source,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::engine::{Evaluation, Evaluator};
use crate::pack::PolicySet;
use crate::policy::RuleKind;
use crate::severity::Severity;

/// The resource a violation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceRef {
    #[serde(rename = "type")]
    pub type_token: String,
    /// `None` when the name is computed; see `name_expr`.
    pub name: Option<String>,
    pub name_expr: String,
}

/// One policy violated by one resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Violation {
    pub fingerprint: String,
    pub policy: String,
    pub title: String,
    pub severity: Severity,
    pub rule: RuleKind,
    pub message: String,
    pub resource: ResourceRef,
    /// Path relative to the project root, `/`-separated.
    pub file: String,
    /// Where the resource's constructor call starts and ends (1-based, columns in characters).
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    /// The constructor call's bytes.
    #[serde(skip)]
    pub span: Span,
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// `set`, `remove` or `manual`.
    pub remediation: &'static str,
}

/// Per-policy counts of checks, for compliance scores.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    pub passed: u64,
    pub failed: u64,
    pub indeterminate: u64,
    pub errors: u64,
}

impl Tally {
    pub fn add(&mut self, other: Tally) {
        self.passed += other.passed;
        self.failed += other.failed;
        self.indeterminate += other.indeterminate;
        self.errors += other.errors;
    }
}

/// Everything one file yields.
#[derive(Debug, Clone, Default)]
pub struct FileAudit {
    pub resources: u64,
    /// Resources no policy found a violation on.
    pub clean_resources: u64,
    pub violations: Vec<Violation>,
    pub diagnostics: Vec<Diagnostic>,
    /// Keyed by policy index in the set.
    pub tallies: BTreeMap<usize, Tally>,
}

/// A violation's identity: policy, resource type, logical name (or name expression) and file —
/// not the line, which moves. `ordinal` separates same-named resources in one file.
pub fn fingerprint(
    policy: &str,
    type_token: &str,
    name: &str,
    file: &str,
    ordinal: usize,
) -> String {
    let mut hasher = Sha256::new();
    for part in [policy, type_token, name, file] {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    if ordinal > 0 {
        hasher.update(ordinal.to_string().as_bytes());
    }
    let digest = hasher.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

/// The key a resource is fingerprinted by: its name, or its name expression when computed.
fn resource_key(resource: &Resource) -> String {
    match &resource.name {
        Some(name) => name.clone(),
        None => format!("expr:{}", resource.name_expr),
    }
}

impl Evaluator<'_> {
    /// Audit a file's text. `file` is the path reported (relative to the project root).
    pub fn audit_source(&mut self, file: &str, language: Language, text: &str) -> FileAudit {
        let parsed = parse_source(language, std::path::Path::new(file), text);
        self.audit_parsed(file, &parsed)
    }

    /// Audit a file already parsed.
    pub fn audit_parsed(&mut self, file: &str, parsed: &ParsedFile) -> FileAudit {
        let evaluations = self.evaluate_all(&parsed.resources);
        summarize(self.policies(), file, parsed, &evaluations)
    }

    /// Evaluate every resource, in order.
    pub fn evaluate_all(&mut self, resources: &[Resource]) -> Vec<Evaluation> {
        resources.iter().map(|r| self.evaluate(r)).collect()
    }
}

/// A file's audit from its resources' evaluations (one per resource, in order), so callers
/// that need the evaluations too evaluate once.
pub fn summarize(
    set: &PolicySet,
    file: &str,
    parsed: &ParsedFile,
    evaluations: &[Evaluation],
) -> FileAudit {
    let mut audit = FileAudit {
        diagnostics: parsed.diagnostics.clone(),
        ..FileAudit::default()
    };
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (resource, verdict) in parsed.resources.iter().zip(evaluations) {
        audit.resources += 1;
        let key = resource_key(resource);
        let ordinal = {
            let n = seen
                .entry((resource.type_token.clone(), key.clone()))
                .or_insert(0);
            *n += 1;
            *n - 1
        };
        if verdict.findings.is_empty() {
            audit.clean_resources += 1;
        }
        for index in &verdict.passed {
            audit.tallies.entry(*index).or_default().passed += 1;
        }
        for index in &verdict.indeterminate {
            audit.tallies.entry(*index).or_default().indeterminate += 1;
        }
        for (index, error) in &verdict.errors {
            audit.tallies.entry(*index).or_default().errors += 1;
            audit.diagnostics.push(Diagnostic {
                level: DiagnosticLevel::Error,
                line: resource.line,
                column: resource.column,
                message: format!(
                    "{} on {}: {error}",
                    resource.type_token,
                    resource.display_name()
                ),
            });
        }
        for finding in &verdict.findings {
            audit.tallies.entry(finding.policy).or_default().failed += 1;
            let policy = &set.policies()[finding.policy];
            audit.violations.push(Violation {
                fingerprint: fingerprint(&policy.id, &resource.type_token, &key, file, ordinal),
                policy: policy.id.clone(),
                title: policy.title.clone(),
                severity: policy.severity,
                rule: finding.rule,
                message: if finding.message.is_empty() {
                    policy.title.clone()
                } else {
                    finding.message.clone()
                },
                resource: ResourceRef {
                    type_token: resource.type_token.clone(),
                    name: resource.name.clone(),
                    name_expr: resource.name_expr.clone(),
                },
                file: file.to_string(),
                line: resource.line,
                column: resource.column,
                end_line: resource.end_line,
                end_column: resource.end_column,
                span: resource.span,
                frameworks: policy.frameworks.clone(),
                remediation: policy.remediation.kind(),
            });
        }
    }
    audit
}
