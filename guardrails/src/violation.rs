//! What an audit of one file finds: its violations, each named by a stable fingerprint, and
//! per-policy tallies for compliance scores. The engine ([`crate::engine`]) produces them.

use std::collections::BTreeMap;

use remedy_source::{Diagnostic, Resource, Span};
use serde::Serialize;
use sha2::{Digest, Sha256};

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
    /// The component that creates it (`eks:index:Cluster`), whose call is where it is written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
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
pub(crate) fn resource_key(resource: &Resource) -> String {
    match &resource.name {
        Some(name) => name.clone(),
        None => format!("expr:{}", resource.name_expr),
    }
}
