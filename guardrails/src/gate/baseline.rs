//! A file parsed and evaluated once, so that judging many candidate fixes to it (the recipe's,
//! then each LLM attempt) costs one evaluation of what they changed, not of the whole file.

use std::collections::BTreeMap;

use remedy_source::Resource;
use remedy_source::edit::Document;

use crate::engine::{Evaluation, Evaluator, evaluates_same, referrers_of, summarize};
use crate::violation::FileAudit;

/// The file a fix starts from, parsed and evaluated once for every candidate checked against
/// it (the recipe's fix, each LLM attempt).
pub struct Baseline {
    file: String,
    document: Document,
    evaluations: Vec<Evaluation>,
    audit: FileAudit,
}

impl Baseline {
    /// `file` is the path relative to the project root, as violations report it.
    pub fn new(evaluator: &mut Evaluator<'_>, file: &str, document: Document) -> Self {
        let evaluations = evaluator.evaluate_all(document.resources());
        let audit = summarize(evaluator.policies(), file, document.parsed(), &evaluations);
        Self {
            file: file.to_string(),
            document,
            evaluations,
            audit,
        }
    }

    /// A candidate made from this baseline, evaluated: a fix changes one resource (or adds a
    /// companion that refers to it), and every resource it leaves as it was, with the same
    /// resources referring to it, keeps its evaluation here (evaluation depends on nothing
    /// else), so only changed ones run the policies again. An accepted candidate is the
    /// baseline of the next fix to the same file.
    pub fn derive(&self, evaluator: &mut Evaluator<'_>, after: Document) -> Self {
        let old = self.document.resources();
        let by_key: BTreeMap<ResourceKey, usize> = resource_keys(old)
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        let new = after.resources();
        let evaluations: Vec<Evaluation> = new
            .iter()
            .zip(resource_keys(new))
            .enumerate()
            .map(|(j, (resource, key))| match by_key.get(&key) {
                Some(&i)
                    if evaluates_same(&old[i], resource)
                        && same_referrers(old, &old[i], new, resource) =>
                {
                    self.evaluations[i].clone()
                }
                _ => evaluator.evaluate_in(new, j),
            })
            .collect();
        let audit = summarize(
            evaluator.policies(),
            &self.file,
            after.parsed(),
            &evaluations,
        );
        Self {
            file: self.file.clone(),
            document: after,
            evaluations,
            audit,
        }
    }

    /// The path the file is reported by.
    pub fn file(&self) -> &str {
        &self.file
    }

    pub fn document(&self) -> &Document {
        &self.document
    }

    /// The file's audit before any fix.
    pub fn audit(&self) -> &FileAudit {
        &self.audit
    }

    /// One evaluation per resource, in the order of [`Document::resources`].
    pub(crate) fn evaluations(&self) -> &[Evaluation] {
        &self.evaluations
    }
}

/// Whether `a` in `old` and `b` in `new` have referrers that evaluate the same, in order.
fn same_referrers(old: &[Resource], a: &Resource, new: &[Resource], b: &Resource) -> bool {
    if a.binding != b.binding {
        return false;
    }
    let mut left = referrers_of(old, a);
    let mut right = referrers_of(new, b);
    loop {
        match (left.next(), right.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if evaluates_same(x, y) && x.references == y.references => {}
            _ => return false,
        }
    }
}

/// A resource's identity within a file: type, display name and which of that name it is.
/// Positions shift when a fix adds lines, so this is what matches a resource before and after.
pub(super) type ResourceKey = (String, String, usize);

pub(super) fn resource_keys(resources: &[Resource]) -> Vec<ResourceKey> {
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    resources
        .iter()
        .map(|r| {
            let n = seen
                .entry((r.type_token.as_str(), r.display_name()))
                .or_insert(0);
            *n += 1;
            (r.type_token.clone(), r.display_name().to_string(), *n - 1)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

    use std::path::Path;

    use remedy_source::Language;

    use super::*;
    use crate::gate::checks::fixture::policies;

    const BEFORE: &str = r#"import * as aws from "@pulumi/aws";
new aws.s3.Bucket("a", { acl: "public-read" });
new aws.s3.Bucket("a", { acl: "private" });
new aws.kms.Key("k", { description: "k" });
"#;

    fn document(text: &str) -> Document {
        Document::new(
            Language::TypeScript,
            Path::new("index.ts"),
            text.to_string(),
        )
    }

    #[test]
    fn same_named_resources_are_told_apart_by_ordinal() {
        let doc = document(BEFORE);
        let keys = resource_keys(doc.resources());
        let names: Vec<(&str, usize)> = keys.iter().map(|k| (k.1.as_str(), k.2)).collect();
        assert_eq!(names, [("a", 0), ("a", 1), ("k", 0)]);
    }

    #[test]
    fn derive_reevaluates_what_changed_and_keeps_the_rest() {
        let mut evaluator = Evaluator::new(policies());
        let baseline = Baseline::new(&mut evaluator, "index.ts", document(BEFORE));
        assert_eq!(baseline.file(), "index.ts");
        assert_eq!(baseline.evaluations().len(), 3);
        let fired = |b: &Baseline| {
            let mut v: Vec<String> = b
                .audit()
                .violations
                .iter()
                .map(|v| v.policy.clone())
                .collect();
            v.sort();
            v
        };
        assert!(fired(&baseline).contains(&"aws-s3-bucket-public-read".to_string()));

        // A line added above moves every resource; the first bucket is fixed.
        let after = format!("// moved\n{}", BEFORE.replacen("public-read", "private", 1));
        let candidate = baseline.derive(&mut evaluator, document(&after));
        assert_eq!(candidate.file(), "index.ts");
        assert_eq!(candidate.document().text(), after);
        assert!(!fired(&candidate).contains(&"aws-s3-bucket-public-read".to_string()));
        // What the fix left alone evaluates as a fresh audit of the same text does.
        let fresh = Baseline::new(&mut evaluator, "index.ts", document(&after));
        assert_eq!(fired(&candidate), fired(&fresh));
        assert_eq!(
            candidate.audit().violations.len(),
            baseline.audit().violations.len() - 1
        );
    }
}
