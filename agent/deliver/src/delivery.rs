//! The [`Delivery`] trait: the protocol every destination of fixes follows (see the crate
//! documentation).

use std::future::Future;
use std::pin::Pin;

use remedy_guardrails::Severity;

use crate::batch::{Batch, Begun, Delivered};
use crate::error::DeliveryError;
use crate::group::{self, Group};
use crate::settings::DeliverySettings;

/// What [`Delivery`]'s methods return: a boxed future, so the trait stays object safe.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends accepted fixes somewhere reviewers can see them. See the module documentation for the
/// protocol; implementations must leave nothing half-written when they fail (a failed push or
/// forge call leaves the remote as it was, or as a later run can complete).
pub trait Delivery: Send + Sync {
    /// Find the group's branch (the first part with room) and decide whether remedy may write.
    fn begin<'a>(
        &'a self,
        group: &'a Group,
        members: &'a [&'a str],
    ) -> BoxFuture<'a, Result<Begun, DeliveryError>>;

    /// Publish a batch: branch, pull request, labels, reviewers, auto-merge.
    fn finish(&self, batch: Batch) -> BoxFuture<'_, Result<Delivered, DeliveryError>>;

    /// How this delivery groups fixes, and the mode of a violation's pull request.
    fn grouping(&self) -> &DeliverySettings;

    /// The group of one violation.
    fn group_of(&self, member: &group::Member<'_>, severity: Severity) -> Group {
        let settings = self.grouping();
        Group::of(
            settings.group_by,
            member,
            settings.mode_for(member.policy, severity),
            settings.max_violations_per_pr,
        )
    }
}
