//! `resource_options`: a fix changes inputs, not how the engine treats the resource.
//!
//! Resource options sit beside the inputs and can undo any fix without touching them:
//! `transformations`/`transforms` rewrite the inputs at deploy time, `ignoreChanges` keeps the
//! deployed value whatever the program says, `aliases`, `provider` or `retainOnDelete` change
//! which resource the fix lands on or what happens to the old one. So a fix must leave the
//! target's options exactly as they were (through any constant they come from), may not smuggle
//! option keys in elsewhere (`**{"opts": …}`), and a fix to a resource whose existing options
//! already undo it (the fixed property is ignored, or transformations run) cannot be proven.

use std::collections::BTreeSet;

use remedy_source::edit::Construct;
use remedy_source::{Resource, camel_case};

use super::{Context, changed_properties};
use crate::gate::Check;

pub(crate) const NAME: &str = "resource_options";

/// Option names (both languages' spellings) a fix never adds, at any depth of the footprint.
const OPTION_KEYS: &[&str] = &[
    "opts",
    "transformations",
    "transforms",
    "resourceTransforms",
    "resource_transforms",
    "ignoreChanges",
    "ignore_changes",
    "aliases",
    "retainOnDelete",
    "retain_on_delete",
    "replaceOnChanges",
    "replace_on_changes",
    "deleteBeforeReplace",
    "delete_before_replace",
    "deletedWith",
    "deleted_with",
    "customTimeouts",
    "custom_timeouts",
    "dependsOn",
    "depends_on",
];

pub(super) fn check(cx: &Context<'_>) -> Check {
    let target = cx.target;
    let (old_doc, new_doc) = (cx.baseline.document(), cx.candidate.document());
    let (Some(old), Some(new)) = (
        old_doc.find(&target.type_token, &target.name, target.ordinal),
        new_doc.find(&target.type_token, &target.name, target.ordinal),
    ) else {
        return Check::new(
            NAME,
            true,
            "the target is not in both versions (target_resolved judges that)",
        );
    };
    let mut problems = Vec::new();
    if old_doc.options_source(old) != new_doc.options_source(new) {
        problems.push(
            "changes the resource's options; a fix changes inputs, not how the engine treats \
             the resource"
                .to_string(),
        );
    }
    let regions = cx.added_regions();
    let added: BTreeSet<String> = new_doc
        .constructs(&regions)
        .into_iter()
        .filter_map(|found| match found.construct {
            Construct::Key { name } if OPTION_KEYS.contains(&name.as_str()) => Some(name),
            _ => None,
        })
        .collect();
    if !added.is_empty() {
        problems.push(format!(
            "adds resource option keys ({})",
            added.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    problems.extend(undone_by_existing_options(old, new));
    let passed = problems.is_empty();
    let evidence = if passed {
        match &old.options {
            Some(_) => "the resource's options are unchanged and undo nothing the fix changes",
            None => "no resource options before or after",
        }
        .to_string()
    } else {
        problems.join("; ")
    };
    Check::new(NAME, passed, evidence)
}

/// Options the resource already had that would keep the fix from reaching the deployment.
fn undone_by_existing_options(old: &Resource, new: &Resource) -> Vec<String> {
    let Some(options) = &old.options else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for key in ["transformations", "transforms"] {
        if options.may_set(key) {
            problems.push(format!(
                "the resource has `{key}` (or options not known statically), which may rewrite \
                 its inputs at deploy time; the fix cannot be proven"
            ));
            return problems;
        }
    }
    let changed = changed_properties(old, new);
    match options.ignored_changes() {
        None => problems.push(
            "the resource's `ignoreChanges` is not known statically; the fix may never deploy"
                .to_string(),
        ),
        Some(ignored) => {
            let ignored: Vec<String> = ignored.iter().map(|p| camel_path(p)).collect();
            let hit: Vec<&String> = changed
                .iter()
                .filter(|property| {
                    ignored.iter().any(|i| {
                        i == "*"
                            || *i == **property
                            || property.starts_with(&format!("{i}."))
                            || i.starts_with(&format!("{property}."))
                            || i.starts_with(&format!("{property}["))
                    })
                })
                .collect();
            if !hit.is_empty() {
                let names: Vec<&str> = hit.iter().map(|s| s.as_str()).collect();
                problems.push(format!(
                    "`ignoreChanges` covers {}: the engine would keep the deployed value, so the \
                     fix would never deploy",
                    names.join(", ")
                ));
            }
        }
    }
    problems
}

/// `server_side_encryption_configuration.rule` → `serverSideEncryptionConfiguration.rule`, each
/// segment as the source model names Python properties.
fn camel_path(path: &str) -> String {
    path.split('.')
        .map(camel_case)
        .collect::<Vec<_>>()
        .join(".")
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Fixture, S3};
    use super::*;

    fn options_of(after: &str) -> (bool, String) {
        let result = Fixture::s3(after).run(check);
        (result.passed, result.evidence)
    }

    #[test]
    fn a_plain_fix_passes() {
        assert_eq!(
            options_of(&S3.replace("\"public-read\"", "\"private\"")),
            (true, "no resource options before or after".to_string())
        );
    }

    #[test]
    fn adding_options_that_undo_the_fix_fails() {
        let after = S3.replace("\"public-read\"", "\"private\"").replace(
            "    website: { indexDocument: \"index.html\" },\n}",
            "    website: { indexDocument: \"index.html\" },\n}, { ignoreChanges: [\"acl\"] }",
        );
        let (passed, evidence) = options_of(&after);
        assert!(!passed);
        assert!(
            evidence.starts_with("changes the resource's options"),
            "{evidence}"
        );
        assert!(
            evidence.contains("adds resource option keys (ignoreChanges)"),
            "{evidence}"
        );
    }

    #[test]
    fn an_existing_ignore_changes_on_the_fixed_property_fails() {
        let before = S3.replace(
            "    website: { indexDocument: \"index.html\" },\n}",
            "    website: { indexDocument: \"index.html\" },\n}, { ignoreChanges: [\"acl\"] }",
        );
        let fixture = Fixture::new(
            "index.ts",
            &before,
            &before.replace("\"public-read\"", "\"private\""),
            ("aws-s3-bucket-public-read", "aws:s3/bucket:Bucket", "site"),
        );
        let result = fixture.run(check);
        assert!(!result.passed);
        assert!(
            result.evidence.contains("`ignoreChanges` covers acl"),
            "{}",
            result.evidence
        );
    }

    #[test]
    fn snake_case_ignore_changes_paths_compare_as_camel_case() {
        assert_eq!(
            camel_path("server_side_encryption_configuration.rule"),
            "serverSideEncryptionConfiguration.rule"
        );
        assert_eq!(camel_path("acl"), "acl");
    }
}
