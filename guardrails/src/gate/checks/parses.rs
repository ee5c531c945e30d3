//! `parses`: a fix may not make the file harder to read.
//!
//! Every other check trusts the parse: a broken file can lose the resource, or the violation,
//! from the parser's view while it is still there on disk. Programs may already have errors
//! tree-sitter cannot read, so the check compares counts and only refuses new ones.

use super::Context;
use crate::gate::Check;

pub(crate) const NAME: &str = "parses";

/// No more tree-sitter ERROR/MISSING nodes after the fix than before.
pub(super) fn check(cx: &Context<'_>) -> Check {
    let errors_before = cx.baseline.document().syntax_errors();
    let errors_after = cx.candidate.document().syntax_errors();
    let passed = errors_after <= errors_before;
    let evidence = if passed {
        format!("{errors_after} syntax error(s) after, {errors_before} before")
    } else {
        format!("the fix introduces syntax errors ({errors_after} after, {errors_before} before)")
    };
    Check::new(NAME, passed, evidence)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Fixture, S3};
    use super::*;

    #[test]
    fn a_well_formed_fix_passes() {
        let fixture = Fixture::s3(&S3.replace("\"public-read\"", "\"private\""));
        assert_eq!(
            fixture.run(check),
            Check::new(NAME, true, "0 syntax error(s) after, 0 before")
        );
    }

    #[test]
    fn a_dropped_parenthesis_fails() {
        let fixture = Fixture::s3(&S3.replace(
            "    website: { indexDocument: \"index.html\" },\n});",
            "    website: { indexDocument: \"index.html\" },\n);",
        ));
        let result = fixture.run(check);
        assert_eq!(result.name, "parses");
        assert!(!result.passed);
        assert!(
            result
                .evidence
                .starts_with("the fix introduces syntax errors ("),
            "{}",
            result.evidence
        );
        assert!(
            result.evidence.ends_with(" after, 0 before)"),
            "{}",
            result.evidence
        );
    }

    #[test]
    fn errors_the_file_already_had_are_not_the_fix_s_fault() {
        let broken = format!("{S3}\nconst oops = (;\n");
        let fixture = Fixture::new(
            "index.ts",
            &broken,
            &broken.replace("\"public-read\"", "\"private\""),
            ("aws-s3-bucket-public-read", "aws:s3/bucket:Bucket", "site"),
        );
        let result = fixture.run(check);
        assert!(result.passed, "{}", result.evidence);
        assert!(
            !result.evidence.starts_with("0 syntax"),
            "{}",
            result.evidence
        );
    }
}
