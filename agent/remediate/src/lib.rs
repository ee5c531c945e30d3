//! The remediation engine: one violation in, one gated source change (or a reason) out.
//!
//! The declarative path (the policy's own remediation) is tried first; when it declines and an
//! LLM is configured, the LLM proposes changes through its tools, and every proposal passes the
//! same gate. Nothing the gate rejects ever leaves this module as a fix.

mod baselines;
pub mod llm;
pub mod recipe;
mod remediation;
mod remediator;
mod request;

pub use recipe::{Decline, Locator, TeamValues};
pub use remediation::{Attempt, Provider, ProviderChoice, Remediation};
pub use remediator::{Remediator, VALIDATE};
pub use remedy_validate::{Settings as ValidateSettings, Validator};
pub use request::{
    BoxFuture, FixRequest, LlmFixer, Proposal, ProposeError, ProposeFailure, Subject, Usage,
};
