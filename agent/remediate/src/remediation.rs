//! What came of remediating one violation, and every attempt it took.

use remedy_guardrails::gate::Verdict;
use serde::Serialize;

use crate::request::Usage;

/// Which providers may fix: `auto` = declarative first, the LLM when one is configured.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderChoice {
    #[default]
    Auto,
    Recipe,
    Llm,
}

/// Where a proposal came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// The policy's declarative remediation.
    Recipe,
    /// The LLM agent.
    Llm,
}

impl Provider {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Recipe => "recipe",
            Self::Llm => "llm",
        }
    }
}

impl std::fmt::Display for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One attempt and what the gate said.
#[derive(Debug, Clone, Serialize)]
pub struct Attempt {
    pub provider: Provider,
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
pub enum Remediation {
    /// The gate accepted this change.
    Fixed {
        after: String,
        verdict: Verdict,
        provider: Provider,
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

impl Remediation {
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
