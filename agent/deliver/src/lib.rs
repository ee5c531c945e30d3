//! Delivery: where accepted fixes go.
//!
//! Fixes travel in *groups* ([`group`]): one branch, and on a forge one pull request, per
//! violation, resource, file or policy. A [`Delivery`] is asked for a group in two steps, so that
//! several fixes to one file are made one after another, each on the text the previous one left:
//!
//! 1. [`Delivery::begin`] finds the group's branch and decides whether remedy may write to it
//!    ([`Begun::Ready`] with a [`Batch`], [`Begun::Declined`] when a person closed its pull
//!    request or committed to it, [`Begun::Deferred`] outside the delivery window); a full
//!    branch that already holds one of the members is still theirs;
//! 2. the caller remediates each violation on [`Batch::revision`] (the branch's tip, with the
//!    batch's earlier fixes) and [`Batch::add`]s each accepted fix: one commit each, with its
//!    `Remedy-Violation` trailer. Before the first, [`Batch::open_slot`] takes a new pull
//!    request's place under the limits, so violations that all go to a person never wait on
//!    (or spend) them;
//! 3. [`Delivery::finish`] publishes the batch: the branch (pushed, on a forge), the pull
//!    request opened or updated in place, labels, reviewers, auto-merge where allowed.
//!
//! The agent's work pipeline drives this for claimed work. [`LocalBranches`] (no forge, no
//! token: the default) keeps branches in the repository itself; [`forge::ForgeDelivery`] pushes
//! from a managed clone ([`clone`]) and opens pull requests.

mod accepted;
mod batch;
pub mod clone;
mod delivery;
mod error;
pub mod forge;
pub mod group;
pub mod limits;
mod local;
pub mod settings;
pub mod setup;
pub mod template;

pub use accepted::{AcceptedFix, MadeBy};
pub use batch::{Batch, Begun, BranchState, Declined, Delivered, human_reason, inspect};
pub use delivery::{BoxFuture, Delivery};
pub use error::DeliveryError;
pub use group::{BRANCH_PREFIX, Group, GroupBy, Mode, branch_name};
pub use limits::Deferred;
pub use local::LocalBranches;
pub use settings::{DeliverySettings, GitHubSettings, Target};
pub use template::commit_message;
