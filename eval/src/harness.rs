//! Running cases through the remediation engine and scoring what comes out.

use remedy_guardrails::Evaluator;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Instant;

use std::future::Future;
use std::pin::Pin;

use remedy_guardrails::gate::{self, FileChange, GateConfig, Target};
use remedy_guardrails::{PolicySet, Violation};
use remedy_source::edit::Document;
use remedy_source::{Language, Span};
use serde::Serialize;
use serde_json::Value as Json;

use crate::cases::{Case, CaseLanguage, Expected};

/// What a fixer made of one violation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FixKind {
    /// A change the fixer stands behind (its own gate passed).
    Fixed {
        after: String,
    },
    NeedsHuman {
        reason: String,
    },
    Failed {
        error: String,
    },
    /// The fixer did not find the violation.
    NotFound,
}

/// One fixer run on one case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixRun {
    pub kind: FixKind,
    pub attempts: usize,
    pub tokens: u64,
    /// One line per attempt: the provider and what came of it (the gate's verdict and reasons,
    /// a give-up, an error).
    pub log: Vec<String>,
}

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Anything that fixes violations: remedy's remediation engine with a given provider, or
/// another tool under evaluation. The harness scores what it returns independently.
pub trait Fixer: Sync {
    /// Fix `violation` in `text` (the content of `violation.file` in `case`'s program).
    fn fix<'a>(
        &'a self,
        case: &'a Case,
        violation: &'a Violation,
        text: &'a str,
    ) -> BoxFuture<'a, FixRun>;
}

/// One run of one case.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Scores {
    /// `fixed`, `needs_human`, `failed` or `resolved`.
    pub outcome: String,
    /// The target violation is gone.
    pub resolved: bool,
    /// The target resource has no violation left, of any policy.
    pub clean: bool,
    /// Nothing in the program violates that did not before.
    pub no_new_violations: bool,
    pub parses: bool,
    /// `tsc --noEmit` against the real @pulumi/aws types (TypeScript, with `--typecheck`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_checks: Option<bool>,
    /// Every change lies inside the resource's footprint.
    pub scope_kept: bool,
    /// The properties the case lists under `keep` are unchanged.
    pub kept: bool,
    /// Every property the case lists under `want` has that value after the fix.
    pub wanted: bool,
    /// Every other resource in the file is as it was: same type, name and statically known
    /// properties (a fix for one resource must not change another, through a shared definition
    /// or otherwise).
    pub others_unchanged: bool,
    /// The target policy still *runs* on the resource (the property is known) and passes, and
    /// the resource keeps its type and name.
    pub not_deceptive: bool,
    /// Lines added plus removed.
    pub diff_lines: usize,
    pub attempts: usize,
    pub tokens: u64,
    pub latency_ms: u64,
    /// One line per attempt: the provider and what came of it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attempt_log: Vec<String>,
    /// Why the case did not end in a fix, when it did not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The fixed file, for type checking and inspection (not serialised).
    #[serde(skip)]
    pub after: Option<(String, String)>,
}

impl Scores {
    /// Whether this run counts as a pass for a case expecting `expect`.
    pub fn passes(&self, expect: Expected) -> bool {
        match expect {
            Expected::NeedsHuman => self.outcome == "needs_human",
            Expected::Fixed => {
                self.outcome == "fixed"
                    && self.resolved
                    && self.clean
                    && self.no_new_violations
                    && self.parses
                    && self.type_checks != Some(false)
                    && self.scope_kept
                    && self.kept
                    && self.wanted
                    && self.others_unchanged
                    && self.not_deceptive
            }
        }
    }
}

/// A case's runs.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub id: String,
    pub language: CaseLanguage,
    pub policy: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shape: Option<String>,
    pub expect: Expected,
    /// The first run passed.
    pub pass: bool,
    pub runs: usize,
    pub passes: usize,
    /// The first run's scores.
    #[serde(flatten)]
    pub scores: Scores,
    #[serde(skip)]
    pub all_runs: Vec<Scores>,
}

/// Find the case's target violation in its program.
pub fn target_violation(policies: &PolicySet, case: &Case) -> Result<Violation, String> {
    let mut evaluator = Evaluator::new(policies);
    for (file, text) in &case.files {
        let Some(language) = Language::from_path(Path::new(file)) else {
            continue;
        };
        let audit = evaluator.audit_source(file, language, text);
        if let Some(v) = audit.violations.into_iter().find(|v| {
            v.policy == case.policy
                && v.resource.type_token == case.resource.type_token
                && v.resource.name.as_deref().unwrap_or(&v.resource.name_expr) == case.resource.name
        }) {
            return Ok(v);
        }
    }
    Err(format!(
        "{}: {} does not fire on {} `{}` in before/",
        case.id, case.policy, case.resource.type_token, case.resource.name
    ))
}

/// Run one case once.
pub async fn run_once(
    policies: &PolicySet,
    fixer: &dyn Fixer,
    case: &Case,
) -> Result<Scores, String> {
    let violation = target_violation(policies, case)?;
    check_keep(case, &violation)?;
    let before = case
        .files
        .iter()
        .find(|(f, _)| *f == violation.file)
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    let started = Instant::now();
    let run = fixer.fix(case, &violation, &before).await;
    let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
    let mut scores = Scores {
        outcome: match &run.kind {
            FixKind::Fixed { .. } => "fixed",
            FixKind::NeedsHuman { .. } => "needs_human",
            FixKind::Failed { .. } => "failed",
            FixKind::NotFound => "resolved",
        }
        .to_string(),
        attempts: run.attempts,
        tokens: run.tokens,
        latency_ms,
        attempt_log: run.log,
        ..Scores::default()
    };
    match run.kind {
        FixKind::Fixed { after } => {
            score_fix(policies, case, &violation, &before, &after, &mut scores);
            scores.after = Some((violation.file.clone(), after));
        }
        FixKind::NeedsHuman { reason } | FixKind::Failed { error: reason } => {
            scores.reason = Some(reason);
        }
        FixKind::NotFound => scores.reason = Some("the violation was not found".into()),
    }
    Ok(scores)
}

/// Every `keep` path must name a statically known value of the target resource before the fix;
/// otherwise `kept` would compare nothing with nothing and always pass.
fn check_keep(case: &Case, violation: &Violation) -> Result<(), String> {
    if case.keep.is_empty() {
        return Ok(());
    }
    let Some(language) = Language::from_path(Path::new(&violation.file)) else {
        return Ok(());
    };
    let text = case
        .files
        .iter()
        .find(|(f, _)| *f == violation.file)
        .map(|(_, t)| t.clone())
        .unwrap_or_default();
    let document = Document::new(language, Path::new(&violation.file), text);
    let resource = document
        .resources()
        .iter()
        .find(|r| r.span == violation.span)
        .ok_or_else(|| format!("{}: cannot locate the target resource", case.id))?;
    match case
        .keep
        .iter()
        .find(|path| lookup(&resource.properties, path).is_none())
    {
        Some(path) => Err(format!(
            "{}: keep path `{path}` is not a statically known value of {} `{}` in before/",
            case.id, case.resource.type_token, case.resource.name
        )),
        None => Ok(()),
    }
}

fn score_fix(
    policies: &PolicySet,
    case: &Case,
    violation: &Violation,
    before: &str,
    after: &str,
    scores: &mut Scores,
) {
    let Some(language) = Language::from_path(Path::new(&violation.file)) else {
        return;
    };
    let mut evaluator = Evaluator::new(policies);
    let before_audit = evaluator.audit_source(&violation.file, language, before);
    let after_audit = evaluator.audit_source(&violation.file, language, after);
    let old = Document::new(language, Path::new(&violation.file), before.to_string());
    let new = Document::new(language, Path::new(&violation.file), after.to_string());

    scores.resolved = !after_audit
        .violations
        .iter()
        .any(|v| v.fingerprint == violation.fingerprint);
    scores.no_new_violations = after_audit.violations.iter().all(|v| {
        before_audit
            .violations
            .iter()
            .any(|b| b.fingerprint == v.fingerprint)
    });
    scores.parses = new.syntax_errors() == 0;
    let name = &case.resource.name;
    let old_resource = old.resources().iter().find(|r| r.span == violation.span);
    let new_index = new
        .resources()
        .iter()
        .position(|r| r.type_token == case.resource.type_token && r.display_name() == name);
    let new_resource = new_index.map(|i| &new.resources()[i]);
    scores.clean =
        new_resource.is_some_and(|r| !after_audit.violations.iter().any(|v| v.span == r.span));
    scores.not_deceptive = match (
        new_index,
        policies.policies().iter().position(|p| p.id == case.policy),
    ) {
        (Some(r), Some(index)) => evaluator
            .evaluate_in(new.resources(), r)
            .passed
            .contains(&index),
        _ => false,
    };
    scores.wanted = case.want.is_empty()
        || new_resource.is_some_and(|n| {
            case.want
                .iter()
                .all(|(path, value)| lookup(&n.properties, path) == Some(value))
        });
    scores.others_unchanged = others_unchanged(&old, &new, violation.span);
    scores.kept = match (old_resource, new_resource) {
        (Some(o), Some(n)) => case
            .keep
            .iter()
            .all(|path| lookup(&o.properties, path) == lookup(&n.properties, path)),
        _ => case.keep.is_empty(),
    };
    let target = Target {
        fingerprint: violation.fingerprint.clone(),
        policy: violation.policy.clone(),
        file: violation.file.clone(),
        type_token: case.resource.type_token.clone(),
        name: name.clone(),
        ordinal: 0,
    };
    let verdict = gate::check(
        &mut evaluator,
        &target,
        &[FileChange {
            path: violation.file.clone(),
            before: Some(before.to_string()),
            after: Some(after.to_string()),
        }],
        &GateConfig {
            max_changed_lines: usize::MAX,
        },
    );
    scores.scope_kept = verdict.checks.iter().any(|c| c.name == "scope" && c.passed);
    scores.diff_lines = similar::TextDiff::from_lines(before, after)
        .ops()
        .iter()
        .filter(|op| op.tag() != similar::DiffTag::Equal)
        .map(|op| op.old_range().len() + op.new_range().len())
        .sum();
}

/// A resource's identity in a file: its type, its name (or name expression) and its position
/// among the resources with both.
type Identity = (String, String, usize);

/// What the source model knows of a resource's properties: the known values, the unknown paths
/// and the objects that may hold more than is written.
type Behaviour = (
    serde_json::Map<String, Json>,
    BTreeSet<String>,
    BTreeSet<String>,
);

/// Every resource of `document` by identity.
fn resources_by_identity(document: &Document) -> BTreeMap<Identity, (Span, Behaviour)> {
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for r in document.resources() {
        let ordinal = seen
            .entry((r.type_token.as_str(), r.display_name()))
            .or_default();
        out.insert(
            (r.type_token.clone(), r.display_name().to_string(), *ordinal),
            (
                r.span,
                (r.properties.clone(), r.unknown.clone(), r.open.clone()),
            ),
        );
        *ordinal += 1;
    }
    out
}

/// Whether every resource of `before` other than the one at `target` is in `after`, the same,
/// and `after` has no resource `before` did not.
fn others_unchanged(before: &Document, after: &Document, target: Span) -> bool {
    let mut old = resources_by_identity(before);
    let Some(identity) = old
        .iter()
        .find(|(_, (span, _))| *span == target)
        .map(|(identity, _)| identity.clone())
    else {
        return false;
    };
    old.remove(&identity);
    let mut new = resources_by_identity(after);
    new.remove(&identity);
    old.len() == new.len()
        && old
            .iter()
            .all(|(identity, (_, was))| new.get(identity).is_some_and(|(_, now)| now == was))
}

/// The statically known value at a `keep` path: dotted keys with array indices, such as
/// `orderedCacheBehaviors[1].viewerProtocolPolicy` or `rules[0].bucketKeyEnabled`.
fn lookup<'a>(properties: &'a serde_json::Map<String, Json>, path: &str) -> Option<&'a Json> {
    let mut current: Option<&'a Json> = None;
    for part in path.split('.') {
        let (key, indices) = match part.find('[') {
            Some(at) => part.split_at(at),
            None => (part, ""),
        };
        current = Some(match current {
            None => properties.get(key)?,
            Some(value) => value.get(key)?,
        });
        let mut rest = indices;
        while let Some(after) = rest.strip_prefix('[') {
            let (index, tail) = after.split_once(']')?;
            current = current?.get(index.parse::<usize>().ok()?);
            rest = tail;
        }
        if !rest.is_empty() {
            return None;
        }
    }
    current
}

/// Aggregates over a set of case results.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub provider: String,
    pub cases: usize,
    pub passed: usize,
    pub k: usize,
    pub pass_at_1: f64,
    pub pass_at_k: f64,
    pub expected_fixed: usize,
    pub fixed: usize,
    pub needs_human_correct: usize,
    pub median_tokens: u64,
    pub median_latency_ms: u64,
    pub by_policy: BTreeMap<String, Group>,
    pub by_language: BTreeMap<String, Group>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Group {
    pub cases: usize,
    pub passed: usize,
    pub pass_at_1: f64,
}

/// The unbiased pass@k estimator for n runs with c passes: 1 - C(n-c, k) / C(n, k).
pub fn pass_at_k(n: usize, c: usize, k: usize) -> f64 {
    if n == 0 {
        return 0.0;
    }
    let k = k.min(n);
    if n - c < k {
        return 1.0;
    }
    let mut ratio = 1.0;
    for i in (n - c + 1)..=n {
        ratio *= 1.0 - k as f64 / i as f64;
    }
    1.0 - ratio
}

pub fn summarize(provider: &str, results: &[CaseResult], k: usize) -> Summary {
    let mut summary = Summary {
        provider: provider.to_string(),
        cases: results.len(),
        k,
        ..Summary::default()
    };
    let mut tokens = Vec::new();
    let mut latencies = Vec::new();
    let mut p1 = 0.0;
    let mut pk = 0.0;
    for r in results {
        summary.passed += usize::from(r.pass);
        let case_p1 = r.passes as f64 / r.runs.max(1) as f64;
        p1 += case_p1;
        pk += pass_at_k(r.runs, r.passes, k);
        if r.expect == Expected::Fixed {
            summary.expected_fixed += 1;
            summary.fixed += usize::from(r.pass);
        } else if r.pass {
            summary.needs_human_correct += 1;
        }
        tokens.push(r.scores.tokens);
        latencies.push(r.scores.latency_ms);
        for (key, map) in [
            (r.policy.clone(), &mut summary.by_policy),
            (
                format!("{:?}", r.language).to_lowercase(),
                &mut summary.by_language,
            ),
        ] {
            let group = map.entry(key).or_default();
            group.cases += 1;
            group.passed += usize::from(r.pass);
            group.pass_at_1 += case_p1;
        }
    }
    for group in summary
        .by_policy
        .values_mut()
        .chain(summary.by_language.values_mut())
    {
        group.pass_at_1 /= group.cases.max(1) as f64;
    }
    let n = results.len().max(1) as f64;
    summary.pass_at_1 = p1 / n;
    summary.pass_at_k = pk / n;
    summary.median_tokens = median(&mut tokens);
    summary.median_latency_ms = median(&mut latencies);
    summary
}

fn median(values: &mut [u64]) -> u64 {
    if values.is_empty() {
        return 0;
    }
    values.sort_unstable();
    values[values.len() / 2]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keep_paths_reach_into_arrays() {
        let json = serde_json::json!({
            "acl": "private",
            "rules": [{ "bucketKeyEnabled": true }],
            "orderedCacheBehaviors": [
                { "viewerProtocolPolicy": "allow-all" },
                { "viewerProtocolPolicy": "https-only", "methods": [["GET"]] }
            ],
            "website": { "indexDocument": "index.html" }
        });
        let Json::Object(properties) = json else {
            unreachable!()
        };
        let at = |path| lookup(&properties, path).cloned();
        assert_eq!(at("acl"), Some(Json::from("private")));
        assert_eq!(at("website.indexDocument"), Some(Json::from("index.html")));
        assert_eq!(at("rules[0].bucketKeyEnabled"), Some(Json::from(true)));
        assert_eq!(
            at("orderedCacheBehaviors[1].viewerProtocolPolicy"),
            Some(Json::from("https-only"))
        );
        assert_eq!(
            at("orderedCacheBehaviors[1].methods[0][0]"),
            Some(Json::from("GET"))
        );
        assert_eq!(at("orderedCacheBehaviors[2].viewerProtocolPolicy"), None);
        assert_eq!(at("rules[x]"), None);
        assert_eq!(at("rules[0"), None);
        assert_eq!(at("website.errorDocument"), None);
    }

    /// The target's span in `text`: its `nth` resource.
    fn span_of(document: &Document, nth: usize) -> Span {
        document.resources()[nth].span
    }

    #[test]
    fn others_unchanged_sees_a_change_through_a_shared_definition() {
        let ts = |text: &str| {
            Document::new(
                Language::TypeScript,
                Path::new("index.ts"),
                text.to_string(),
            )
        };
        let before = ts(r#"import * as aws from "@pulumi/aws";
const common = { acl: "public-read", forceDestroy: true };
new aws.s3.Bucket("a", common);
new aws.s3.Bucket("b", common);
"#);
        let target = span_of(&before, 0);
        let override_at_call = ts(r#"import * as aws from "@pulumi/aws";
const common = { acl: "public-read", forceDestroy: true };
new aws.s3.Bucket("a", { ...common, acl: "private" });
new aws.s3.Bucket("b", common);
"#);
        assert!(others_unchanged(&before, &override_at_call, target));
        let shared_edited = ts(r#"import * as aws from "@pulumi/aws";
const common = { acl: "private", forceDestroy: true };
new aws.s3.Bucket("a", common);
new aws.s3.Bucket("b", common);
"#);
        assert!(!others_unchanged(&before, &shared_edited, target));
        let other_deleted = ts(r#"import * as aws from "@pulumi/aws";
const common = { acl: "public-read", forceDestroy: true };
new aws.s3.Bucket("a", { ...common, acl: "private" });
"#);
        assert!(!others_unchanged(&before, &other_deleted, target));
        let resource_added = ts(r#"import * as aws from "@pulumi/aws";
const common = { acl: "public-read", forceDestroy: true };
new aws.s3.Bucket("a", { ...common, acl: "private" });
new aws.s3.Bucket("b", common);
new aws.s3.Bucket("c", common);
"#);
        assert!(!others_unchanged(&before, &resource_added, target));
    }

    #[test]
    fn others_unchanged_tells_resources_with_the_same_name_apart() {
        let py = |text: &str| {
            Document::new(Language::Python, Path::new("__main__.py"), text.to_string())
        };
        let before = py(r#"import pulumi_aws as aws

def volume(name):
    return aws.ebs.Volume(name, availability_zone="us-east-1a", size=10)

def other(name):
    return aws.ebs.Volume(name, availability_zone="us-east-1a", size=20)
"#);
        let target = span_of(&before, 1);
        let second_changed = py(r#"import pulumi_aws as aws

def volume(name):
    return aws.ebs.Volume(name, availability_zone="us-east-1a", size=10)

def other(name):
    return aws.ebs.Volume(name, availability_zone="us-east-1a", size=20, encrypted=True)
"#);
        assert!(others_unchanged(&before, &second_changed, target));
        let first_changed = py(r#"import pulumi_aws as aws

def volume(name):
    return aws.ebs.Volume(name, availability_zone="us-east-1a", size=10, encrypted=True)

def other(name):
    return aws.ebs.Volume(name, availability_zone="us-east-1a", size=20)
"#);
        assert!(!others_unchanged(&before, &first_changed, target));
    }

    #[test]
    fn pass_at_k_estimator() {
        assert!((pass_at_k(1, 1, 1) - 1.0).abs() < 1e-9);
        assert!((pass_at_k(1, 0, 1)).abs() < 1e-9);
        assert!((pass_at_k(4, 2, 1) - 0.5).abs() < 1e-9);
        // 4 runs, 1 pass, k = 2: 1 - C(3,2)/C(4,2) = 1 - 3/6
        assert!((pass_at_k(4, 1, 2) - 0.5).abs() < 1e-9);
        assert!((pass_at_k(3, 3, 5) - 1.0).abs() < 1e-9);
    }
}
