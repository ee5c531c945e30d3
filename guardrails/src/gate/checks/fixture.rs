//! A candidate fix ready for one check, so each check's tests state only the edit and what the
//! check must say about it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use crate::engine::Evaluator;
use std::path::Path;
use std::sync::LazyLock;

use remedy_source::Language;
use remedy_source::edit::Document;

use super::{Context, run};
use crate::gate::{Baseline, Check, GateConfig, Target, Verdict};
use crate::pack::PolicySet;

/// A TypeScript program with one public bucket (`site`) next to a compliant one (`logs`).
pub(crate) const S3: &str = r#"import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const config = new pulumi.Config();

const logs = new aws.s3.Bucket("logs", { acl: "log-delivery-write" });

const site = new aws.s3.Bucket("site", {
    acl: "public-read",
    website: { indexDocument: "index.html" },
});

export const url = site.websiteEndpoint;
"#;

/// The built-in packs, compiled once for every unit test.
pub(crate) fn policies() -> &'static PolicySet {
    static POLICIES: LazyLock<PolicySet> = LazyLock::new(|| PolicySet::builtin().unwrap());
    &POLICIES
}

pub(crate) struct Fixture {
    pub target: Target,
    pub baseline: Baseline,
    pub candidate: Baseline,
    pub others: Vec<&'static str>,
    pub protected: Vec<&'static str>,
    pub config: GateConfig,
}

impl Fixture {
    /// `before` must violate `policy` on the resource `type_token` `name`.
    pub fn new(
        file: &str,
        before: &str,
        after: &str,
        (policy, type_token, name): (&str, &str, &str),
    ) -> Self {
        let path = Path::new(file);
        let language = Language::from_path(path).unwrap();
        let mut evaluator = Evaluator::new(policies());
        let baseline = Baseline::new(
            &mut evaluator,
            file,
            Document::new(language, path, before.to_string()),
        );
        let violation = baseline
            .audit()
            .violations
            .iter()
            .find(|v| {
                v.policy == policy && v.resource.type_token == type_token && {
                    v.resource.name.as_deref().unwrap_or(&v.resource.name_expr) == name
                }
            })
            .unwrap_or_else(|| panic!("{policy} does not fire on `{name}` before the fix"));
        let target = Target {
            fingerprint: violation.fingerprint.clone(),
            policy: policy.to_string(),
            file: file.to_string(),
            type_token: type_token.to_string(),
            name: name.to_string(),
            ordinal: 0,
        };
        let candidate = baseline.derive(
            &mut evaluator,
            Document::new(language, path, after.to_string()),
        );
        Self {
            target,
            baseline,
            candidate,
            others: Vec::new(),
            protected: Vec::new(),
            config: GateConfig::default(),
        }
    }

    /// A fix for `aws-s3-bucket-public-read` on `site` in [`S3`] that leaves `after`.
    pub fn s3(after: &str) -> Self {
        Self::new(
            "index.ts",
            S3,
            after,
            ("aws-s3-bucket-public-read", "aws:s3/bucket:Bucket", "site"),
        )
    }

    fn context(&self) -> Context<'_> {
        Context {
            policies: policies(),
            baseline: &self.baseline,
            candidate: &self.candidate,
            target: &self.target,
            others: &self.others,
            protected: &self.protected,
            config: &self.config,
            hunks: crate::gate::diff::hunks(
                self.baseline.document().text(),
                self.candidate.document().text(),
            ),
        }
    }

    /// What one check says about the fix.
    pub fn run(&self, check: fn(&Context<'_>) -> Check) -> Check {
        check(&self.context())
    }

    /// What the whole list says.
    pub fn verdict(&self) -> Verdict {
        run(&self.context())
    }
}
