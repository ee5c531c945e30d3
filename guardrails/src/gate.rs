//! The gate: the hard guardrail every fix must pass before anything is written.
//!
//! A candidate fix is a set of changed files. It is accepted only if every check passes:
//! - `parses`: no new syntax errors;
//! - `target_resolved`: the target resource still exists with its type and name, and the target
//!   policy *runs* on it and passes (a fix that makes the property unknown is not a fix);
//! - `no_new_violations`: nothing else in the touched file starts violating, and no check that
//!   was decidable becomes undecidable;
//! - `scope`: only the target's file changes, every changed byte lies in the resource's
//!   footprint (its call, same-file definitions only it uses, the import block), no suppression
//!   comment is added, no protected file is touched, and the change is small.
//!
//! Each check leaves evidence. The team's own `validate` commands run outside this crate (they
//! need a scratch checkout) and are recorded alongside.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use remedy_source::edit::Document;
use remedy_source::{Language, Span};
use serde::Serialize;
use similar::{DiffTag, TextDiff};

use crate::audit::{FileAudit, summarize};
use crate::engine::{Evaluation, Evaluator, evaluates_same};
use crate::pack::PolicySet;

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

/// The violation a fix is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Target {
    pub fingerprint: String,
    pub policy: String,
    /// File path relative to the project root.
    pub file: String,
    pub type_token: String,
    /// The logical name, or the name expression when the name is computed.
    pub name: String,
    /// Which of several same-named resources in the file (usually 0).
    pub ordinal: usize,
}

/// One file as the fix leaves it. `before` is `None` for a new file, `after` `None` for a
/// deleted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    pub path: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Debug, Clone)]
pub struct GateConfig {
    /// Most lines a fix may add plus remove.
    pub max_changed_lines: usize,
}

impl Default for GateConfig {
    fn default() -> Self {
        Self {
            max_changed_lines: 60,
        }
    }
}

/// One check's result and what it saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub name: &'static str,
    pub passed: bool,
    pub evidence: String,
}

/// The gate's decision.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub checks: Vec<Check>,
}

impl Verdict {
    pub fn accepted(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.passed)
    }

    /// The failed checks, one line each: what the LLM gets back as feedback.
    pub fn reasons(&self) -> Vec<String> {
        self.checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| format!("{}: {}", c.name, c.evidence))
            .collect()
    }

    fn push(&mut self, name: &'static str, passed: bool, evidence: impl Into<String>) {
        self.checks.push(Check {
            name,
            passed,
            evidence: evidence.into(),
        });
    }
}

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

    /// A candidate made from this baseline, evaluated: a fix changes one resource, and every
    /// resource it leaves as it was keeps its evaluation here (evaluation depends on nothing
    /// else), so only changed ones run the policies again. An accepted candidate is the
    /// baseline of the next fix to the same file.
    pub fn derive(&self, evaluator: &mut Evaluator<'_>, after: Document) -> Self {
        let old = self.document.resources();
        let by_key: BTreeMap<ResourceKey, usize> = resource_keys(old)
            .into_iter()
            .enumerate()
            .map(|(i, k)| (k, i))
            .collect();
        let evaluations: Vec<Evaluation> = after
            .resources()
            .iter()
            .zip(resource_keys(after.resources()))
            .map(|(resource, key)| match by_key.get(&key) {
                Some(&i) if evaluates_same(&old[i], resource) => self.evaluations[i].clone(),
                _ => evaluator.evaluate(resource),
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
}

/// Run every check on a candidate fix.
pub fn check(
    evaluator: &mut Evaluator<'_>,
    target: &Target,
    changes: &[FileChange],
    config: &GateConfig,
) -> Verdict {
    let mut verdict = Verdict::default();
    let changed: Vec<&FileChange> = changes.iter().filter(|c| c.before != c.after).collect();

    // Scope, file level: exactly the target's file, still there, not protected.
    let others: Vec<&str> = changed
        .iter()
        .filter(|c| c.path != target.file)
        .map(|c| c.path.as_str())
        .collect();
    let protected: Vec<&str> = changed
        .iter()
        .map(|c| c.path.as_str())
        .filter(|p| is_protected(p))
        .collect();
    let Some(change) = changed.iter().find(|c| c.path == target.file) else {
        verdict.push(
            "scope",
            false,
            "the fix changes nothing in the target's file",
        );
        return verdict;
    };
    let (Some(before), Some(after)) = (&change.before, &change.after) else {
        verdict.push(
            "scope",
            false,
            format!("the fix deletes or creates {}", target.file),
        );
        return verdict;
    };
    let Some(language) = Language::from_path(Path::new(&target.file)) else {
        verdict.push(
            "scope",
            false,
            format!("{} is not a program file remedy reads", target.file),
        );
        return verdict;
    };
    let path = Path::new(&target.file);
    let baseline = Baseline::new(
        evaluator,
        &target.file,
        Document::new(language, path, before.clone()),
    );
    let candidate = baseline.derive(evaluator, Document::new(language, path, after.clone()));
    judge(
        evaluator, &baseline, target, &candidate, &others, &protected, config,
    )
}

/// Run every check on a candidate that changes only the target's file: `candidate` is
/// [`Baseline::derive`]d from `baseline`, which is made once for all candidates.
pub fn check_file(
    evaluator: &Evaluator<'_>,
    baseline: &Baseline,
    target: &Target,
    candidate: &Baseline,
    config: &GateConfig,
) -> Verdict {
    let mut verdict = Verdict::default();
    if baseline.file != target.file || candidate.file != target.file {
        verdict.push(
            "scope",
            false,
            format!(
                "the fix is for {}, checked against {}",
                target.file, baseline.file
            ),
        );
        return verdict;
    }
    if candidate.document.text() == baseline.document.text() {
        verdict.push(
            "scope",
            false,
            "the fix changes nothing in the target's file",
        );
        return verdict;
    }
    let protected: Vec<&str> = Some(target.file.as_str())
        .filter(|p| is_protected(p))
        .into_iter()
        .collect();
    judge(
        evaluator,
        baseline,
        target,
        candidate,
        &[],
        &protected,
        config,
    )
}

/// The checks on the target's file, once the file-level scope is known.
fn judge(
    evaluator: &Evaluator<'_>,
    baseline: &Baseline,
    target: &Target,
    candidate: &Baseline,
    others: &[&str],
    protected: &[&str],
    config: &GateConfig,
) -> Verdict {
    let mut verdict = Verdict::default();
    let old = &baseline.document;
    let new = &candidate.document;

    // parses
    let (errors_before, errors_after) = (old.syntax_errors(), new.syntax_errors());
    verdict.push(
        "parses",
        errors_after <= errors_before,
        if errors_after <= errors_before {
            format!("{errors_after} syntax error(s) after, {errors_before} before")
        } else {
            format!(
                "the fix introduces syntax errors ({errors_after} after, {errors_before} before)"
            )
        },
    );

    // target_resolved
    let before_audit = &baseline.audit;
    let after_evaluations = &candidate.evaluations;
    let after_audit = &candidate.audit;
    let resource_after = new.find_index(&target.type_token, &target.name, target.ordinal);
    let policy_index = evaluator
        .policies()
        .policies()
        .iter()
        .position(|p| p.id == target.policy);
    let still_violated = after_audit
        .violations
        .iter()
        .any(|v| v.fingerprint == target.fingerprint);
    let target_check = match (resource_after, policy_index) {
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
            let verdict = &after_evaluations[resource];
            if verdict.indeterminate.contains(&index) {
                (
                    false,
                    format!(
                        "{} can no longer be decided on `{}`: the fix hides a property it reads \
                         (made it depend on config, a call or a spread) instead of fixing it",
                        target.policy, target.name
                    ),
                )
            } else if verdict.passed.contains(&index) {
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
    verdict.push("target_resolved", target_check.0, target_check.1);

    // no_new_violations
    let before_prints: BTreeSet<&str> = before_audit
        .violations
        .iter()
        .map(|v| v.fingerprint.as_str())
        .collect();
    let new_violations: Vec<String> = after_audit
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
    let hidden = newly_undecidable(evaluator.policies(), baseline, candidate);
    let passed = new_violations.is_empty() && hidden.is_empty() && others.is_empty();
    let evidence = if passed {
        format!(
            "{} violation(s) in the file before, {} after; none new",
            before_audit.violations.len(),
            after_audit.violations.len()
        )
    } else {
        let mut parts = Vec::new();
        if !new_violations.is_empty() {
            parts.push(format!("new: {}", new_violations.join(", ")));
        }
        if !hidden.is_empty() {
            parts.push(format!("no longer decidable: {}", hidden.join(", ")));
        }
        if !others.is_empty() {
            parts.push(format!("other files changed: {}", others.join(", ")));
        }
        parts.join("; ")
    };
    verdict.push("no_new_violations", passed, evidence);

    // scope
    let scope = scope(old, new, target, config);
    let mut problems = scope.problems;
    if !others.is_empty() {
        problems.push(format!("touches other files: {}", others.join(", ")));
    }
    if !protected.is_empty() {
        problems.push(format!("touches protected files: {}", protected.join(", ")));
    }
    let passed = problems.is_empty();
    verdict.push(
        "scope",
        passed,
        if passed {
            format!(
                "{} line(s) changed, all inside {} `{}`{}",
                scope.changed_lines,
                target.type_token,
                target.name,
                if scope.touched_imports {
                    " and the import block"
                } else {
                    ""
                }
            )
        } else {
            problems.join("; ")
        },
    );
    verdict
}

/// A resource's identity within a file: type, display name and which of that name it is.
type ResourceKey = (String, String, usize);

fn resource_keys(resources: &[remedy_source::Resource]) -> Vec<ResourceKey> {
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

fn is_protected(path: &str) -> bool {
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

/// (resource, policy) pairs decided before the fix and undecidable after.
fn newly_undecidable(set: &PolicySet, baseline: &Baseline, candidate: &Baseline) -> Vec<String> {
    let decided: BTreeMap<ResourceKey, BTreeSet<usize>> =
        resource_keys(baseline.document.resources())
            .into_iter()
            .zip(&baseline.evaluations)
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
    for (key, v) in resource_keys(candidate.document.resources())
        .into_iter()
        .zip(&candidate.evaluations)
    {
        let Some(before) = decided.get(&key) else {
            continue;
        };
        for index in &v.indeterminate {
            if before.contains(index) {
                let id = &set.policies()[*index].id;
                hidden.push(format!("{id} on `{}`", key.1));
            }
        }
    }
    hidden
}

struct Scope {
    problems: Vec<String>,
    changed_lines: usize,
    touched_imports: bool,
}

/// Where the text changed, against the target's footprint in the original.
fn scope(old: &Document, new: &Document, target: &Target, config: &GateConfig) -> Scope {
    let mut problems = Vec::new();
    let Some(resource) = old.find(&target.type_token, &target.name, target.ordinal) else {
        return Scope {
            problems: vec![format!(
                "{} `{}` is not in the original file",
                target.type_token, target.name
            )],
            changed_lines: 0,
            touched_imports: false,
        };
    };
    let footprint = old.footprint(resource);
    let diff = TextDiff::from_lines(old.text(), new.text());
    let old_lines = line_offsets(old.text());
    let new_lines = line_offsets(new.text());
    let mut changed_lines = 0;
    let mut touched_imports = false;
    let mut outside = Vec::new();
    let mut suppressions = BTreeSet::new();
    for op in diff.ops() {
        if op.tag() == DiffTag::Equal {
            continue;
        }
        let (old_range, new_range) = (op.old_range(), op.new_range());
        changed_lines += old_range.len() + new_range.len();
        let old_bytes = byte_range(&old_lines, old.text().len(), old_range);
        let new_bytes = byte_range(&new_lines, new.text().len(), new_range);
        let old_text = &old.text()[old_bytes.clone()];
        let new_text = &new.text()[new_bytes.clone()];
        // Narrow the hunk to the bytes that really differ.
        let prefix = common_prefix(old_text, new_text);
        let suffix = common_suffix(&old_text[prefix..], &new_text[prefix..]);
        let span = Span {
            start: old_bytes.start + prefix,
            end: old_bytes.end - suffix,
        };
        touched_imports |=
            footprint.imports.start <= span.start && span.end <= footprint.imports.end;
        if !footprint.allows(span) {
            let (line, _) = remedy_source::position(old.text(), span.start);
            outside.push(line);
        }
        let added = &new_text[prefix..new_text.len() - suffix];
        let lowered = added.to_lowercase();
        for marker in SUPPRESSIONS {
            if lowered.contains(marker) {
                suppressions.insert(*marker);
            }
        }
    }
    if !outside.is_empty() {
        let lines: Vec<String> = outside.iter().map(ToString::to_string).collect();
        problems.push(format!(
            "changes outside {} `{}` and its own definitions (line {})",
            target.type_token,
            target.name,
            lines.join(", ")
        ));
    }
    if !suppressions.is_empty() {
        problems.push(format!(
            "adds suppression comments ({})",
            suppressions.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    if changed_lines > config.max_changed_lines {
        problems.push(format!(
            "{changed_lines} lines changed, more than the limit of {}",
            config.max_changed_lines
        ));
    }
    Scope {
        problems,
        changed_lines,
        touched_imports,
    }
}

fn line_offsets(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn byte_range(
    lines: &[usize],
    len: usize,
    range: std::ops::Range<usize>,
) -> std::ops::Range<usize> {
    let start = lines.get(range.start).copied().unwrap_or(len);
    let end = lines.get(range.end).copied().unwrap_or(len);
    start..end
}

fn common_prefix(a: &str, b: &str) -> usize {
    let n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    // Stay on a character boundary.
    (0..=n)
        .rev()
        .find(|&i| a.is_char_boundary(i) && b.is_char_boundary(i))
        .unwrap_or(0)
}

fn common_suffix(a: &str, b: &str) -> usize {
    let n = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (0..=n)
        .rev()
        .find(|&i| a.is_char_boundary(a.len() - i) && b.is_char_boundary(b.len() - i))
        .unwrap_or(0)
}
