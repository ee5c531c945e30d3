//! `scope`: a fix changes the target and nothing else.
//!
//! The other checks judge what the fix did to policies; this one judges where it wrote, because
//! a fix that is correct but also edits a neighbour, a shared constant, the policy pack, CI or
//! a suppression comment is a change nobody reviewed as such. Every changed byte must lie in
//! the target's footprint (its call, same-file definitions only it uses, the import block), and
//! the change must stay small enough to review.

use std::collections::BTreeSet;

use super::Context;
use crate::gate::Check;

pub(crate) const NAME: &str = "scope";

/// Comments that silence scanners; a fix may not add them.
const SUPPRESSIONS: &[&str] = &[
    "remedy:ignore",
    "remedy-ignore",
    "nosec",
    "noqa",
    "nosemgrep",
    "nosonar",
    "@ts-ignore",
    "@ts-nocheck",
    "@ts-expect-error",
    "eslint-disable",
    "type: ignore",
    "checkov:skip",
    "tfsec:ignore",
    "trivy:ignore",
    "kics-scan",
    "snyk:ignore",
    "deepcode ignore",
    "policy:ignore",
];

/// Files a fix never touches, whatever the target: policy packs, remedy's and Pulumi's
/// configuration, CI definitions.
const PROTECTED: &[&str] = &[
    ".rego",
    "remedy.toml",
    ".remedy/",
    ".github/",
    ".gitlab-ci.yml",
    ".circleci/",
    ".buildkite/",
    "Jenkinsfile",
    "azure-pipelines.yml",
    "bitbucket-pipelines.yml",
    ".ci/",
    "Pulumi.yaml",
    "Pulumi.yml",
];

/// Whether `path` (relative to the project root) is a file no fix may touch.
pub(crate) fn is_protected(path: &str) -> bool {
    PROTECTED.iter().any(|p| {
        if p.ends_with('/') {
            path.starts_with(p) || path.contains(&format!("/{p}"))
        } else if p.starts_with('.') && !p.contains('/') && p.len() < 6 {
            path.ends_with(p)
        } else {
            path == *p || path.ends_with(&format!("/{p}"))
        }
    })
}

/// Every changed byte inside the target's footprint, no suppression added, no other or
/// protected file touched, and at most `max_changed_lines` lines changed.
pub(super) fn check(cx: &Context<'_>) -> Check {
    let target = cx.target;
    let footprint = within_footprint(cx);
    let mut problems = footprint.problems;
    if !cx.others.is_empty() {
        problems.push(format!("touches other files: {}", cx.others.join(", ")));
    }
    if !cx.protected.is_empty() {
        problems.push(format!(
            "touches protected files: {}",
            cx.protected.join(", ")
        ));
    }
    let passed = problems.is_empty();
    let evidence = if passed {
        let companions = if footprint.companions.is_empty() {
            String::new()
        } else {
            format!(
                ", the companion resource(s) {} that refer to it",
                footprint.companions.join(", ")
            )
        };
        format!(
            "{} line(s) changed, all inside {} `{}`{companions}{}",
            footprint.changed_lines,
            target.type_token,
            target.name,
            if footprint.touched_imports {
                " and the import block"
            } else {
                ""
            }
        )
    } else {
        problems.join("; ")
    };
    Check::new(NAME, passed, evidence)
}

struct Footprint {
    problems: Vec<String>,
    changed_lines: usize,
    touched_imports: bool,
    /// Resources the fix added beside the target (`type `name``).
    companions: Vec<String>,
}

/// Where the text changed, against the target's footprint in the original.
fn within_footprint(cx: &Context<'_>) -> Footprint {
    let (target, old) = (cx.target, cx.baseline.document());
    let Some(resource) = old.find(&target.type_token, &target.name, target.ordinal) else {
        return Footprint {
            problems: vec![format!(
                "{} `{}` is not in the original file",
                target.type_token, target.name
            )],
            changed_lines: 0,
            touched_imports: false,
            companions: Vec::new(),
        };
    };
    let footprint = old.footprint(resource);
    let new = cx.candidate.document();
    let binding = old.binding_of(resource);
    let declared = old.declared_names();
    let mut companions = Vec::new();
    let mut refused = Vec::new();
    let mut changed_lines = 0;
    let mut touched_imports = false;
    let mut outside = Vec::new();
    let mut suppressions = BTreeSet::new();
    for hunk in &cx.hunks {
        let span = hunk.span;
        changed_lines += hunk.lines;
        touched_imports |=
            footprint.imports.start <= span.start && span.end <= footprint.imports.end;
        if !footprint.allows(span) {
            // Outside the footprint, a fix may only insert companion resources after the
            // target (before it, they could not refer to it).
            let companion = match &binding {
                Some(binding) if span.is_empty() && span.start >= resource.span.end => {
                    new.companions(hunk.new_span, binding).and_then(|found| {
                        found
                            .iter()
                            .map(|c| match &c.declares {
                                Some(name) if declared.contains(name) => Err(format!(
                                    "the companion declares `{name}`, a name the file already has"
                                )),
                                _ => {
                                    let r = &new.resources()[c.resource];
                                    Ok(format!("{} `{}`", r.type_token, r.display_name()))
                                }
                            })
                            .collect::<Result<Vec<String>, String>>()
                    })
                }
                _ => Err(String::new()),
            };
            match companion {
                Ok(found) => companions.extend(found),
                Err(reason) => {
                    let (line, _) = remedy_source::position(old.text(), span.start);
                    outside.push(line);
                    if !reason.is_empty() {
                        refused.push(reason);
                    }
                }
            }
        }
        let lowered = hunk.added.to_lowercase();
        suppressions.extend(SUPPRESSIONS.iter().copied().filter(|m| lowered.contains(m)));
    }
    let mut problems = Vec::new();
    if !outside.is_empty() {
        let lines: Vec<String> = outside.iter().map(ToString::to_string).collect();
        problems.push(format!(
            "changes outside {} `{}` and its own definitions (line {}){}",
            target.type_token,
            target.name,
            lines.join(", "),
            if refused.is_empty() {
                String::new()
            } else {
                format!(": {}", refused.join("; "))
            }
        ));
    }
    if !suppressions.is_empty() {
        problems.push(format!(
            "adds suppression comments ({})",
            suppressions.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if changed_lines > cx.config.max_changed_lines {
        problems.push(format!(
            "{changed_lines} lines changed, more than the limit of {}",
            cx.config.max_changed_lines
        ));
    }
    Footprint {
        problems,
        changed_lines,
        touched_imports,
        companions,
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Fixture, S3};
    use super::*;

    const FIX: (&str, &str) = ("\"public-read\"", "\"private\"");

    fn scope_of(fixture: &Fixture) -> (bool, String) {
        let result = fixture.run(check);
        assert_eq!(result.name, "scope");
        (result.passed, result.evidence)
    }

    #[test]
    fn an_edit_inside_the_call_passes() {
        let fixture = Fixture::s3(&S3.replace(FIX.0, FIX.1));
        assert_eq!(
            scope_of(&fixture),
            (
                true,
                "2 line(s) changed, all inside aws:s3/bucket:Bucket `site`".to_string()
            )
        );
    }

    #[test]
    fn an_added_import_is_inside_the_footprint() {
        let after = S3.replace(FIX.0, FIX.1).replace(
            "import * as aws from \"@pulumi/aws\";\n",
            "import * as aws from \"@pulumi/aws\";\nimport * as util from \"util\";\n",
        );
        let (passed, evidence) = scope_of(&Fixture::s3(&after));
        assert!(passed, "{evidence}");
        assert!(evidence.ends_with(" and the import block"), "{evidence}");
    }

    #[test]
    fn editing_a_neighbour_fails_with_its_line() {
        let after = S3
            .replace(FIX.0, FIX.1)
            .replace("\"log-delivery-write\"", "\"private\"");
        assert_eq!(
            scope_of(&Fixture::s3(&after)),
            (
                false,
                "changes outside aws:s3/bucket:Bucket `site` and its own definitions (line 6)"
                    .to_string()
            )
        );
    }

    const COMPANION: &str = "\nconst siteBlock = new aws.s3.BucketPublicAccessBlock(\"site-block\", {\n    bucket: site.id,\n    blockPublicAcls: true,\n    ignorePublicAcls: true,\n});\n";

    #[test]
    fn a_companion_resource_that_refers_to_the_target_passes() {
        let after = S3.replace(FIX.0, FIX.1).replace(
            "\nexport const url",
            &format!("{COMPANION}\nexport const url"),
        );
        let (passed, evidence) = scope_of(&Fixture::s3(&after));
        assert!(passed, "{evidence}");
        assert!(
            evidence.contains(
                "the companion resource(s) \
                 aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock `site-block` that refer \
                 to it"
            ),
            "{evidence}"
        );
    }

    #[test]
    fn companions_that_do_not_qualify_fail_with_the_reason() {
        let fixed = S3.replace(FIX.0, FIX.1);
        let cases = [
            // Before the target: it could not refer to it.
            (
                fixed.replace(
                    "\nconst site =",
                    &format!("{}\nconst site =", COMPANION.trim_end()),
                ),
                "",
            ),
            // Unrelated to the target.
            (
                fixed.replace(
                    "\nexport const url",
                    &format!(
                        "{}\nexport const url",
                        COMPANION.replace("site.id", "logs.id")
                    ),
                ),
                "does not refer to `site`",
            ),
            // A name the file already has.
            (
                fixed.replace(
                    "\nexport const url",
                    &format!(
                        "{}\nexport const url",
                        COMPANION.replace("const siteBlock", "const config")
                    ),
                ),
                "a name the file already has",
            ),
        ];
        for (after, reason) in cases {
            let (passed, evidence) = scope_of(&Fixture::s3(&after));
            assert!(!passed, "{after}");
            assert!(evidence.starts_with("changes outside"), "{evidence}");
            assert!(evidence.contains(reason), "{reason}: {evidence}");
        }
    }

    #[test]
    fn a_suppression_comment_fails_whatever_its_case() {
        let after = S3.replace(FIX.0, "\"private\", // NOSEC @ts-ignore");
        assert_eq!(
            scope_of(&Fixture::s3(&after)),
            (
                false,
                "adds suppression comments (@ts-ignore, nosec)".to_string()
            )
        );
    }

    #[test]
    fn a_change_over_the_size_cap_fails() {
        let mut fixture = Fixture::s3(&S3.replace(FIX.0, FIX.1));
        fixture.config.max_changed_lines = 1;
        assert_eq!(
            scope_of(&fixture),
            (
                false,
                "2 lines changed, more than the limit of 1".to_string()
            )
        );
    }

    #[test]
    fn other_and_protected_files_are_named() {
        let mut fixture = Fixture::s3(&S3.replace(FIX.0, FIX.1));
        fixture.others = vec![".github/workflows/ci.yml"];
        fixture.protected = vec![".github/workflows/ci.yml"];
        assert_eq!(
            scope_of(&fixture),
            (
                false,
                "touches other files: .github/workflows/ci.yml; touches protected files: \
                 .github/workflows/ci.yml"
                    .to_string()
            )
        );
    }

    #[test]
    fn protected_paths_match_by_suffix_directory_or_name() {
        for path in [
            "policies/s3.rego",
            "remedy.toml",
            "infra/remedy.toml",
            ".remedy/state",
            "infra/.github/workflows/ci.yml",
            ".gitlab-ci.yml",
            "Jenkinsfile",
            "stacks/prod/Pulumi.yaml",
        ] {
            assert!(is_protected(path), "{path} should be protected");
        }
        for path in [
            "index.ts",
            "my-remedy.toml",
            "github/workflows.ts",
            "Pulumi.prod.yaml",
            "rego.py",
        ] {
            assert!(!is_protected(path), "{path} should not be protected");
        }
    }
}
