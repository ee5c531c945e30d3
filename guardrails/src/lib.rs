//! The policy side of remedy: Rego policies evaluated with regorus, the built-in packs, and the
//! gate that decides whether a fix may be written. Nothing here knows about queues, git or LLMs.

mod engine;
mod error;
pub mod gate;
mod pack;
mod policy;
pub mod provider_types;
mod reads;
mod severity;
mod violation;

pub use engine::{Evaluation, Evaluator, Finding};
pub use error::{EvalError, PolicyError};
pub use pack::{LoadOptions, PolicySet, RepositoryPacks};
pub use policy::{Edit, Impact, ImpactKind, Policy, Remediation, RuleKind};
pub use severity::Severity;
pub use violation::{FileAudit, ResourceRef, Tally, Violation, fingerprint};
