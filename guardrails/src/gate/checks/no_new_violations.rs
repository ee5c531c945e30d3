//! `no_new_violations`: a fix may not move the problem.
//!
//! Fixing the target by breaking something else (another resource, another policy on the same
//! resource) would pass `target_resolved`, and so would making another check undecidable, which
//! hides a violation instead of fixing it. Violations are matched by fingerprint, so the
//! resources the fix left alone keep theirs.

use std::collections::{BTreeMap, BTreeSet};

use super::Context;
use crate::gate::Check;
use crate::gate::baseline::{ResourceKey, resource_keys};

pub(crate) const NAME: &str = "no_new_violations";

/// Violations after ⊆ violations before, no decided check becomes undecidable, and no other
/// file changes (its violations would go unseen).
pub(super) fn check(cx: &Context<'_>) -> Check {
    let before = cx.baseline.audit();
    let after = cx.candidate.audit();
    let before_prints: BTreeSet<&str> = before
        .violations
        .iter()
        .map(|v| v.fingerprint.as_str())
        .collect();
    let new_violations: Vec<String> = after
        .violations
        .iter()
        .filter(|v| !before_prints.contains(v.fingerprint.as_str()))
        .map(|v| {
            format!(
                "{} on `{}`",
                v.policy,
                v.resource.name.as_deref().unwrap_or(&v.resource.name_expr)
            )
        })
        .collect();
    let hidden = newly_undecidable(cx);
    let passed = new_violations.is_empty() && hidden.is_empty() && cx.others.is_empty();
    let evidence = if passed {
        format!(
            "{} violation(s) in the file before, {} after; none new",
            before.violations.len(),
            after.violations.len()
        )
    } else {
        let mut parts = Vec::new();
        if !new_violations.is_empty() {
            parts.push(format!("new: {}", new_violations.join(", ")));
        }
        if !hidden.is_empty() {
            parts.push(format!("no longer decidable: {}", hidden.join(", ")));
        }
        if !cx.others.is_empty() {
            parts.push(format!("other files changed: {}", cx.others.join(", ")));
        }
        parts.join("; ")
    };
    Check::new(NAME, passed, evidence)
}

/// (resource, policy) pairs decided before the fix and undecidable after.
fn newly_undecidable(cx: &Context<'_>) -> Vec<String> {
    let decided: BTreeMap<ResourceKey, BTreeSet<usize>> =
        resource_keys(cx.baseline.document().resources())
            .into_iter()
            .zip(cx.baseline.evaluations())
            .map(|(key, v)| {
                let set = v
                    .passed
                    .iter()
                    .chain(v.findings.iter().map(|f| &f.policy))
                    .copied()
                    .collect();
                (key, set)
            })
            .collect();
    let mut hidden = Vec::new();
    for (key, v) in resource_keys(cx.candidate.document().resources())
        .into_iter()
        .zip(cx.candidate.evaluations())
    {
        let Some(before) = decided.get(&key) else {
            continue;
        };
        for index in &v.indeterminate {
            if before.contains(index) {
                let id = &cx.policies.policies()[*index].id;
                hidden.push(format!("{id} on `{}`", key.1));
            }
        }
    }
    hidden
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Fixture, S3};
    use super::*;

    #[test]
    fn a_clean_fix_adds_nothing() {
        let fixture = Fixture::s3(&S3.replace("\"public-read\"", "\"private\""));
        let before = fixture.baseline.audit().violations.len();
        let result = fixture.run(check);
        assert_eq!(
            result,
            Check::new(
                NAME,
                true,
                format!(
                    "{before} violation(s) in the file before, {} after; none new",
                    before - 1
                )
            )
        );
    }

    #[test]
    fn moving_the_violation_to_another_resource_fails() {
        let fixture = Fixture::s3(
            &S3.replace("\"public-read\"", "\"private\"")
                .replace("\"log-delivery-write\"", "\"public-read\""),
        );
        let result = fixture.run(check);
        assert!(!result.passed);
        // `logs` also loses the log-delivery-write ACL that exempted it from logging itself.
        assert!(
            result.evidence.starts_with("new: ")
                && result
                    .evidence
                    .contains("aws-s3-bucket-public-read on `logs`"),
            "{}",
            result.evidence
        );
    }

    #[test]
    fn hiding_another_decided_check_fails() {
        // The fix makes `logs`' ACL depend on config: its public-read check was decided before.
        let fixture = Fixture::s3(
            &S3.replace("\"public-read\"", "\"private\"")
                .replace("\"log-delivery-write\"", "config.require(\"logsAcl\")"),
        );
        let result = fixture.run(check);
        assert!(!result.passed);
        assert!(
            result.evidence.starts_with("no longer decidable: ")
                && result
                    .evidence
                    .contains("aws-s3-bucket-public-read on `logs`"),
            "{}",
            result.evidence
        );
    }

    #[test]
    fn changing_another_file_fails_and_names_it() {
        let mut fixture = Fixture::s3(&S3.replace("\"public-read\"", "\"private\""));
        fixture.others = vec!["util.ts", "lib/other.ts"];
        let result = fixture.run(check);
        assert!(!result.passed);
        assert_eq!(
            result.evidence,
            "other files changed: util.ts, lib/other.ts"
        );
    }
}
