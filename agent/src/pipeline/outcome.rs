//! How one violation's turn through the pipeline ended: one enum, mapped once onto the queue
//! ([`super::settle`]) and read by every report (`remedy fix`, metrics, logs).

use remedy_deliver::Delivered;
use remedy_guardrails::Severity;
use remedy_remediate::{Attempt, Provider};
use remedy_store::ViolationRecord;
use serde::Serialize;

/// How a violation's turn ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The gate accepted a fix and it went out in `delivered`; `None` when previewing (nothing
    /// was written). `note` says why nothing new was written, when that is so.
    Fixed {
        delivered: Option<Delivered>,
        note: Option<String>,
    },
    /// Nothing left to fix at the revision the fix was made on.
    Resolved,
    /// A person must decide; the reason says why (and what to configure).
    NeedsHuman { reason: String },
    /// A transient failure (an LLM or forge outage): the queue retries it later.
    Failed { error: String },
    /// A limit said "not now": back in the queue, uncounted, claimable from `until_ms`.
    Deferred { until_ms: i64, reason: String },
    /// Handed back untouched: no branch of its group had room.
    Released { reason: String },
}

impl Outcome {
    /// The name reports and metrics use.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Fixed { .. } => "fixed",
            Self::Resolved => "resolved",
            Self::NeedsHuman { .. } => "needs_human",
            Self::Failed { .. } => "failed",
            Self::Deferred { .. } | Self::Released { .. } => "deferred",
        }
    }

    /// Why it ended this way, when there is more to say than the label.
    pub fn reason(&self) -> Option<&str> {
        match self {
            Self::Fixed { note, .. } => note.as_deref(),
            Self::Resolved => None,
            Self::NeedsHuman { reason }
            | Self::Deferred { reason, .. }
            | Self::Released { reason } => Some(reason),
            Self::Failed { error } => Some(error),
        }
    }

    /// Where the fix went, when it went out.
    pub fn delivered(&self) -> Option<&Delivered> {
        match self {
            Self::Fixed { delivered, .. } => delivered.as_ref(),
            _ => None,
        }
    }
}

impl Serialize for Outcome {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}

/// One violation's turn: what it was, how it ended and what it took.
#[derive(Debug, Clone)]
pub struct Processed {
    pub fingerprint: String,
    pub policy: String,
    /// The file the fix was made in: where the violation is now, if it moved.
    pub file: String,
    /// The resource's name, or its name expression.
    pub resource: String,
    pub severity: Severity,
    pub outcome: Outcome,
    /// Who made the accepted fix.
    pub provider: Option<Provider>,
    pub attempts: Vec<Attempt>,
    /// The file before and after the fix, when one was made (a preview's diff).
    pub before: Option<String>,
    pub after: Option<String>,
}

impl Processed {
    /// A turn that ended before any remediation.
    pub(crate) fn of(violation: &ViolationRecord, outcome: Outcome) -> Self {
        Self {
            fingerprint: violation.fingerprint.clone(),
            policy: violation.policy.clone(),
            file: violation.file.clone(),
            resource: resource_name(violation).to_string(),
            severity: violation.severity,
            outcome,
            provider: None,
            attempts: Vec::new(),
            before: None,
            after: None,
        }
    }
}

/// A recorded violation's resource, by name or name expression.
pub(crate) fn resource_name(v: &ViolationRecord) -> &str {
    v.resource.name.as_deref().unwrap_or(&v.resource.name_expr)
}
