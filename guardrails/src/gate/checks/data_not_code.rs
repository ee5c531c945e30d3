//! `data_not_code`: what a fix adds is data.
//!
//! A fix states values. Inside its footprint it may add literals, references to names the file
//! already binds, a provider's classes, enums and Args constructors, and a few pure data
//! combinators (`JSON.stringify`, `pulumi.interpolate`); a call to anything else, a function, a
//! type assertion that blinds the checker, or an import of anything but a Pulumi package is
//! code, and code in a fix is how a prompt-injected model smuggles
//! `require("child_process").execSync(…)` into a property no policy reads. A call the target
//! already made (`config.require("x")`) may keep being made with other data.

use std::collections::BTreeSet;

use remedy_source::edit::Construct;

use super::Context;
use crate::gate::Check;

pub(crate) const NAME: &str = "data_not_code";

/// Calls that only combine data.
const DATA_FUNCTIONS: &[&str] = &[
    "JSON.stringify",
    "json.dumps",
    "dict",
    "pulumi.interpolate",
    "pulumi.concat",
    "pulumi.all",
    "pulumi.output",
    "pulumi.jsonStringify",
    "pulumi.Output.concat",
    "pulumi.Output.format",
    "pulumi.Output.all",
    "pulumi.Output.from_input",
    "pulumi.Output.json_dumps",
];

/// Names that are code whatever the file already does with them.
const NEVER: &[&str] = &[
    "require",
    "import",
    "eval",
    "exec",
    "compile",
    "__import__",
    "Function",
    "getattr",
    "setattr",
    "globals",
    "globalThis",
    "open",
    "process",
    "child_process",
    "os",
    "subprocess",
    "sys",
    "fs",
];

/// Global names that are values.
const VALUES: &[&str] = &["undefined", "NaN", "Infinity"];

pub(super) fn check(cx: &Context<'_>) -> Check {
    let target = cx.target;
    let (old_doc, new_doc) = (cx.baseline.document(), cx.candidate.document());
    let regions = cx.added_regions();
    let known_calls: BTreeSet<String> = old_doc
        .find(&target.type_token, &target.name, target.ordinal)
        .map(|resource| {
            let footprint = old_doc.footprint(resource);
            let spans: Vec<_> = std::iter::once(footprint.call)
                .chain(footprint.definitions.iter().map(|d| d.span))
                .collect();
            old_doc.callees_within(&spans)
        })
        .unwrap_or_default();
    let declared = old_doc.declared_names();
    let mut problems = Vec::new();
    for found in new_doc.constructs(&regions) {
        let line = found.line;
        let problem = match found.construct {
            Construct::Call { callee, provider } => {
                let root = callee
                    .split(['.', '(', '[', '?', '!'])
                    .next()
                    .unwrap_or_default();
                let data = provider
                    || DATA_FUNCTIONS.contains(&callee.as_str())
                    || known_calls.contains(&callee);
                (NEVER.contains(&root) || !data).then(|| format!("calls `{callee}` (line {line})"))
            }
            Construct::Function { text } => {
                Some(format!("adds a function or class `{text}` (line {line})"))
            }
            Construct::Name { name } => {
                let known = declared.contains(&name)
                    || VALUES.contains(&name.as_str())
                    || DATA_FUNCTIONS
                        .iter()
                        .any(|f| f.split('.').next() == Some(name.as_str()));
                (NEVER.contains(&name.as_str()) || !known)
                    .then(|| format!("uses `{name}`, which the file does not define (line {line})"))
            }
            Construct::TypeErasure { text } => Some(format!(
                "asserts a type away (`{text}`), hiding the value's type from the checker \
                 (line {line})"
            )),
            Construct::Import { module, pulumi } => (!pulumi).then(|| {
                format!("imports `{module}`, which is not a Pulumi package (line {line})")
            }),
            Construct::Key { .. } => None,
        };
        problems.extend(problem);
    }
    problems.dedup();
    let passed = problems.is_empty();
    let evidence = if passed {
        "adds only literals, names the file defines and provider types".to_string()
    } else {
        format!("a fix adds data, not code: it {}", problems.join("; it "))
    };
    Check::new(NAME, passed, evidence)
}

#[cfg(test)]
mod tests {
    use super::super::fixture::{Fixture, S3};
    use super::*;

    fn judged(after: &str) -> (bool, String) {
        let result = Fixture::s3(after).run(check);
        (result.passed, result.evidence)
    }

    const FIXED: &str = "acl: \"private\"";

    #[test]
    fn literals_and_provider_enums_pass() {
        let after = S3.replace(
            "acl: \"public-read\"",
            "acl: aws.s3.CannedAcl.Private, tags: { team: \"web\" }",
        );
        assert_eq!(
            judged(&after),
            (
                true,
                "adds only literals, names the file defines and provider types".to_string()
            )
        );
    }

    #[test]
    fn smuggled_calls_fail_with_what_they_call() {
        let after = S3.replace(
            "acl: \"public-read\"",
            &format!(
                "{FIXED}, tags: {{ x: require(\"child_process\").execSync(\"id\").toString() }}"
            ),
        );
        let (passed, evidence) = judged(&after);
        assert!(!passed);
        assert!(evidence.contains("calls `require`"), "{evidence}");
        assert!(
            evidence.contains("uses `require`, which the file does not define"),
            "{evidence}"
        );
    }

    #[test]
    fn functions_env_reads_and_type_erasure_fail() {
        for (replacement, expected) in [
            ("tags: { x: (() => \"a\")() }", "adds a function or class"),
            ("tags: { x: process.env.SECRET }", "uses `process`"),
            ("tags: { x: eval(\"1\") }", "calls `eval`"),
            ("forceDestroy: \"true\" as any", "asserts a type away"),
        ] {
            let after = S3.replace("acl: \"public-read\"", &format!("{FIXED}, {replacement}"));
            let (passed, evidence) = judged(&after);
            assert!(!passed, "{replacement}");
            assert!(evidence.contains(expected), "{replacement}: {evidence}");
        }
    }

    #[test]
    fn an_import_of_anything_but_pulumi_fails() {
        let after = S3.replace("acl: \"public-read\"", FIXED).replace(
            "import * as aws from \"@pulumi/aws\";\n",
            "import * as aws from \"@pulumi/aws\";\nimport * as cp from \"child_process\";\n",
        );
        let (passed, evidence) = judged(&after);
        assert!(!passed);
        assert!(evidence.contains("imports `child_process`"), "{evidence}");
    }
}
