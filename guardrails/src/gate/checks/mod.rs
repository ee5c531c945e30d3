//! The checks a fix must pass, one per file, run in order from [`CHECKS`].
//!
//! Every check sees the same [`Context`] and returns its own [`Check`] with its evidence, and
//! none depends on another's result: a rejected fix reports every reason at once, so a retry
//! can address them all. The order is the order a reader (and the LLM) should fix them in:
//! a fix that does not parse tells nothing about the rest.

pub(super) mod data_not_code;
pub(super) mod no_new_violations;
pub(super) mod parses;
pub(super) mod resource_options;
pub(super) mod scope;
pub(super) mod target_resolved;
pub(super) mod typed_values;

#[cfg(test)]
pub(crate) mod fixture;

use std::collections::BTreeSet;

use remedy_source::{Resource, Span};

use super::diff::Hunk;
use super::{Baseline, Check, GateConfig, Target, Verdict};
use crate::pack::PolicySet;

/// What every check may look at: the file before and after the fix, and what the gate found at
/// the file level (other files changed, protected files touched).
pub(super) struct Context<'a> {
    pub policies: &'a PolicySet,
    /// The target's file as the fix found it.
    pub baseline: &'a Baseline,
    /// The target's file as the fix leaves it, derived from `baseline`.
    pub candidate: &'a Baseline,
    pub target: &'a Target,
    /// Other files the fix changes.
    pub others: &'a [&'a str],
    /// Protected files the fix changes.
    pub protected: &'a [&'a str],
    pub config: &'a GateConfig,
    /// Where the candidate differs from the baseline, diffed once for every check.
    pub hunks: Vec<Hunk<'a>>,
}

impl Context<'_> {
    /// The text the fix adds, as spans of the candidate.
    pub fn added_regions(&self) -> Vec<Span> {
        self.hunks
            .iter()
            .map(|h| h.new_span)
            .filter(|s| !s.is_empty())
            .collect()
    }
}

/// Top-level properties whose value, or whose certainty, the fix changed.
pub(super) fn changed_properties(old: &Resource, new: &Resource) -> BTreeSet<String> {
    let keys: BTreeSet<&String> = old.properties.keys().chain(new.properties.keys()).collect();
    let mut changed: BTreeSet<String> = keys
        .into_iter()
        .filter(|k| old.properties.get(*k) != new.properties.get(*k))
        .cloned()
        .collect();
    let top = |path: &String| {
        path.split(['.', '['])
            .next()
            .unwrap_or_default()
            .to_string()
    };
    changed.extend(
        old.unknown
            .symmetric_difference(&new.unknown)
            .map(top)
            .filter(|k| !k.is_empty()),
    );
    changed
}

/// Every check, in the order it runs and is reported.
const CHECKS: &[fn(&Context<'_>) -> Check] = &[
    parses::check,
    target_resolved::check,
    no_new_violations::check,
    scope::check,
    resource_options::check,
    data_not_code::check,
    typed_values::check,
];

/// Run every check on the target's file, once the file-level scope is known.
pub(super) fn run(context: &Context<'_>) -> Verdict {
    Verdict {
        checks: CHECKS.iter().map(|check| check(context)).collect(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

    use super::fixture::{Fixture, S3};
    use super::*;

    #[test]
    fn every_check_runs_in_order_and_names_itself() {
        let fixture = Fixture::s3(&S3.replace("acl: \"public-read\"", "acl: \"private\""));
        let verdict = fixture.verdict();
        let names: Vec<&str> = verdict.checks.iter().map(|c| c.name).collect();
        assert_eq!(
            names,
            [
                "parses",
                "target_resolved",
                "no_new_violations",
                "scope",
                "resource_options",
                "data_not_code",
                "typed_values"
            ]
        );
        assert!(verdict.accepted(), "{:?}", verdict.reasons());
    }

    #[test]
    fn a_failing_check_does_not_stop_the_others() {
        let fixture = Fixture::s3(&S3.replace("\"site\"", "\"site-v2\""));
        let verdict = fixture.verdict();
        assert_eq!(verdict.checks.len(), CHECKS.len());
        assert!(!verdict.accepted());
        assert_eq!(
            verdict.reasons().first().map(String::as_str),
            Some(
                "target_resolved: aws:s3/bucket:Bucket `site` is gone: the fix deletes, renames \
                 or retypes the resource"
            )
        );
    }
}
