//! The violation store and work queue: SQLite by default (a file under `.remedy/`), PostgreSQL
//! when many agent replicas share one backlog.
//!
//! A [`Store`] records audits ([`Store::record`]), lets people select violations in bulk
//! ([`Store::assign`], [`Store::dismiss`], …), answers [`Store::status`] and
//! [`Store::violations`], and is a [`Queue`] for workers. Every change of a violation appends an
//! event in the transaction that makes it. Both backends run the same SQL where the dialects
//! agree (`$n` parameters work in both); they differ in how they connect, migrate and claim.

mod backend;
mod bulk;
mod claim;
mod clock;
mod error;
mod lease;
mod migrate;
mod options;
mod postgres;
mod prs;
mod queue;
mod record;
mod repo;
mod select;
mod slots;
mod sql;
mod sqlite;
mod stats;
mod status;
mod store;
mod types;

#[cfg(test)]
mod tests;

pub use clock::{Clock, format_day, format_time};
pub use error::{StoreError, redact};
pub use options::{AGENT, RetryPolicy, StoreOptions, StoreUrl};
pub use prs::{PrRecord, PrState, Settlement};
pub use queue::{ClaimGroups, ClaimScope, Completion, Lease, Queue, Retry, WorkItem};
pub use record::{AuditCounts, PolicyInfo, RecordInput, RecordSummary};
pub use repo::{Repository, normalize_remote, origin_url};
pub use select::{Filter, MAX_IDS, Page, ViolationPage};
pub use slots::{SlotKind, hourly_budget};
pub use stats::{PrSummary, QueueStats};
pub use status::{
    AuditPoint, Breakdown, BreakdownRow, DayActivity, FrameworkScore, NeedsHuman, Scores, StatusBy,
    StatusReport,
};
pub use store::Store;
pub use types::{Event, PrRef, Priority, ResourceInfo, Status, ViolationRecord};
