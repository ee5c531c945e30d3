//! `typed_values`: every value a fix writes has the kind the provider takes.
//!
//! Policies compare values, so `publicly_accessible="true"` passes an `== true` check while the
//! provider receives a string and coerces it at deploy time (and TypeScript's checker is blinded
//! by `as any`). Each top-level property a fix changes, on any resource of the file (a companion
//! resource the fix adds included), is checked against the provider's declared type for it
//! ([`crate::provider_types`]); a property the table does not describe is not judged.

use remedy_source::Resource;

use super::{Context, changed_properties};
use crate::gate::Check;
use crate::provider_types::{self, Kind};

pub(crate) const NAME: &str = "typed_values";

pub(super) fn check(cx: &Context<'_>) -> Check {
    let old = cx.baseline.document().resources();
    let new = cx.candidate.document().resources();
    let mut problems = Vec::new();
    let mut judged = 0usize;
    for (index, resource) in new.iter().enumerate() {
        let before = counterpart(old, new, index);
        let changed = match before {
            Some(before) => changed_properties(before, resource),
            None => resource.properties.keys().cloned().collect(),
        };
        for property in changed {
            let Some(value) = resource.properties.get(&property) else {
                continue;
            };
            let (Some(kind), Some(accepted)) = (
                Kind::of(value),
                provider_types::kinds(&resource.type_token, &property),
            ) else {
                continue;
            };
            judged += 1;
            if !accepted.contains(&kind) {
                let names: Vec<&str> = accepted.iter().map(|k| k.as_str()).collect();
                problems.push(format!(
                    "`{property}` of {} `{}` takes a {} ({}); the fix gives it a {}",
                    resource.type_token,
                    resource.display_name(),
                    names.join(" or a "),
                    provider_types::source(),
                    kind.as_str()
                ));
            }
        }
    }
    let evidence = match (problems.is_empty(), judged) {
        (false, _) => problems.join("; "),
        (true, 0) => "the fix changes no property the provider's types describe".to_string(),
        (true, n) => format!(
            "{n} changed propert{} of the kinds the provider takes ({})",
            if n == 1 { "y is" } else { "ies are" },
            provider_types::source()
        ),
    };
    Check::new(NAME, problems.is_empty(), evidence)
}

/// The resource `new[index]` was before the fix: the same type and name expression, the same
/// one of its kind in the file. `None` for a resource the fix adds.
fn counterpart<'a>(old: &'a [Resource], new: &[Resource], index: usize) -> Option<&'a Resource> {
    let resource = &new[index];
    let same =
        |r: &&Resource| r.type_token == resource.type_token && r.name_expr == resource.name_expr;
    let ordinal = new[..index].iter().filter(same).count();
    old.iter().filter(same).nth(ordinal)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Fixture, S3};
    use super::*;

    const RDS_PY: &str = r#"import pulumi_aws as aws

db = aws.rds.Instance("db",
    engine="postgres",
    instance_class="db.t3.micro",
    allocated_storage=20,
    publicly_accessible=True)
"#;

    fn rds(after: &str) -> Check {
        Fixture::new(
            "__main__.py",
            RDS_PY,
            after,
            ("aws-rds-instance-public", "aws:rds/instance:Instance", "db"),
        )
        .run(check)
    }

    #[test]
    fn a_value_of_the_providers_kind_passes() {
        let result = rds(&RDS_PY.replace("publicly_accessible=True", "publicly_accessible=False"));
        assert!(result.passed, "{}", result.evidence);
        assert!(
            result
                .evidence
                .starts_with("1 changed property is of the kinds the provider takes"),
            "{}",
            result.evidence
        );
    }

    #[test]
    fn a_string_where_the_provider_takes_a_boolean_fails() {
        let result =
            rds(&RDS_PY.replace("publicly_accessible=True", "publicly_accessible=\"false\""));
        assert!(!result.passed);
        assert!(
            result.evidence.starts_with(
                "`publiclyAccessible` of aws:rds/instance:Instance `db` takes a boolean"
            ) && result.evidence.ends_with("the fix gives it a string"),
            "{}",
            result.evidence
        );
    }

    #[test]
    fn properties_the_fix_leaves_alone_are_not_judged() {
        let result = Fixture::s3(&S3.replace("\"public-read\"", "\"private\"")).run(check);
        assert!(result.passed, "{}", result.evidence);
    }

    #[test]
    fn a_companion_resource_the_fix_adds_is_judged_too() {
        let after = S3.replace("\"public-read\"", "\"private\"").replace(
            "export const url",
            "const block = new aws.s3.BucketPublicAccessBlock(\"site-block\", {\n    bucket: site.id,\n    blockPublicAcls: \"yes\",\n});\n\nexport const url",
        );
        let result = Fixture::s3(&after).run(check);
        assert!(!result.passed);
        assert!(
            result.evidence.contains("`blockPublicAcls` of aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock `site-block` takes a boolean"),
            "{}",
            result.evidence
        );
    }
}
