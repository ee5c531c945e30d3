//! The work pipeline. Every violation the agent works takes the same path, whichever command
//! drives it (`remedy fix`, `remedy run`, and `remedy sync` when it redoes a pull request):
//!
//! 1. **claim** — a [`Queue`](remedy_store::Queue) hands out violations under leases, whole
//!    delivery groups at a time: the store's queue, or a [`MemoryQueue`] for a one-off run over
//!    an audit's findings ([`run`]);
//! 2. **locate** — the violation's file at the revision the fix is made on, found again if it
//!    moved ([`locate`]);
//! 3. **remediate** and 4. **gate** — the policy's declarative fix or the LLM's, every candidate
//!    proven by the gate before it is used (`remedy_remediate`, `remedy_guardrails::gate`);
//! 5. **deliver** — accepted fixes committed one after another on their group's branch and
//!    published together ([`deliver`], `remedy_deliver`);
//! 6. **settle** — one [`Outcome`] per violation, mapped once onto the queue ([`settle`]).

pub mod deliver;
pub mod locate;
pub mod memory;
pub mod outcome;
pub mod run;
pub mod settle;

pub use locate::{ProgramFiles, Texts};
pub use memory::MemoryQueue;
pub use outcome::{Outcome, Processed};
pub use run::{Drain, GroupLocks, Pipeline, Target, group_of, member_of};
