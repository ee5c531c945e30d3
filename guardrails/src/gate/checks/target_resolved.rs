//! `target_resolved`: the fix fixes the violation it is for.
//!
//! "The violation is gone" is not enough: deleting, renaming or retyping the resource makes it
//! go, and so does hiding the property behind config, an environment variable, a call or a
//! spread (the policy can then no longer be decided). So the resource must still be there under
//! its type and name, and the target policy must *run* on it and pass.

use super::Context;
use crate::gate::Check;

pub(crate) const NAME: &str = "target_resolved";

/// The target resource is still there, its violation is gone, and its policy ran and passed.
pub(super) fn check(cx: &Context<'_>) -> Check {
    let target = cx.target;
    let resource_after =
        cx.candidate
            .document()
            .find_index(&target.type_token, &target.name, target.ordinal);
    let policy_index = cx
        .policies
        .policies()
        .iter()
        .position(|p| p.id == target.policy);
    let still_violated = cx
        .candidate
        .audit()
        .violations
        .iter()
        .any(|v| v.fingerprint == target.fingerprint);
    let (passed, evidence) = match (resource_after, policy_index) {
        (None, _) => (
            false,
            format!(
                "{} `{}` is gone: the fix deletes, renames or retypes the resource",
                target.type_token, target.name
            ),
        ),
        (_, None) => (false, format!("policy {} is not loaded", target.policy)),
        (Some(_), _) if still_violated => (
            false,
            format!("{} still fires on `{}`", target.policy, target.name),
        ),
        (Some(resource), Some(index)) => {
            let evaluation = &cx.candidate.evaluations()[resource];
            if evaluation.indeterminate.contains(&index) {
                (
                    false,
                    format!(
                        "{} can no longer be decided on `{}`: the fix hides a property it reads \
                         (made it depend on config, a call or a spread) instead of fixing it",
                        target.policy, target.name
                    ),
                )
            } else if evaluation.passed.contains(&index) {
                (
                    true,
                    format!("{} runs on `{}` and passes", target.policy, target.name),
                )
            } else {
                (
                    false,
                    format!("{} did not pass on `{}`", target.policy, target.name),
                )
            }
        }
    };
    Check::new(NAME, passed, evidence)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Fixture, S3};
    use super::*;

    fn evidence(after: &str) -> (bool, String) {
        let result = Fixture::s3(after).run(check);
        assert_eq!(result.name, "target_resolved");
        (result.passed, result.evidence)
    }

    #[test]
    fn a_real_fix_runs_the_policy_and_passes() {
        assert_eq!(
            evidence(&S3.replace("\"public-read\"", "\"private\"")),
            (
                true,
                "aws-s3-bucket-public-read runs on `site` and passes".to_string()
            )
        );
    }

    #[test]
    fn renaming_the_resource_is_not_a_fix() {
        assert_eq!(
            evidence(&S3.replace("\"site\"", "\"site-v2\"")),
            (
                false,
                "aws:s3/bucket:Bucket `site` is gone: the fix deletes, renames or retypes the \
                 resource"
                    .to_string()
            )
        );
    }

    #[test]
    fn an_unrelated_edit_leaves_the_violation() {
        assert_eq!(
            evidence(&S3.replace("index.html", "home.html")),
            (
                false,
                "aws-s3-bucket-public-read still fires on `site`".to_string()
            )
        );
    }

    #[test]
    fn hiding_the_property_in_config_is_not_a_fix() {
        let (passed, evidence) =
            evidence(&S3.replace("\"public-read\"", "config.get(\"siteAcl\")"));
        assert!(!passed);
        assert_eq!(
            evidence,
            "aws-s3-bucket-public-read can no longer be decided on `site`: the fix hides a \
             property it reads (made it depend on config, a call or a spread) instead of fixing it"
        );
    }

    #[test]
    fn a_policy_that_is_not_loaded_cannot_be_resolved() {
        let mut fixture = Fixture::s3(&S3.replace("\"public-read\"", "\"private\""));
        fixture.target.policy = "no-such-policy".to_string();
        let result = fixture.run(check);
        assert!(!result.passed);
        assert_eq!(result.evidence, "policy no-such-policy is not loaded");
    }
}
