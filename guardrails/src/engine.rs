//! Evaluating resources against a [`PolicySet`], and a file's [`FileAudit`] from the results.
//!
//! Rego input follows the pulumi-policy-opa convention: the resource's properties plus `__type`
//! and `__name`. A resource is checked only against the policies for its type, and a policy is
//! skipped (the check is *indeterminate*) when a property it reads is not statically known.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::num::NonZeroU32;
use std::time::Duration;

use regorus::Value;
use remedy_source::{Diagnostic, DiagnosticLevel, Language, ParsedFile, Resource, parse_source};
use serde_json::Value as Json;

use crate::error::EvalError;
use crate::pack::PolicySet;
use crate::policy::{Policy, RuleKind};
use crate::reads::Reads;
use crate::violation::{FileAudit, ResourceRef, Violation, fingerprint, resource_key};

/// How long one policy may run on one resource before it counts as failed.
const EVAL_TIME_LIMIT: Duration = Duration::from_secs(2);

/// A policy that fired on a resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// Index into [`PolicySet::policies`].
    pub policy: usize,
    /// The strongest rule that fired (`deny` over `violation` over `warn`).
    pub rule: RuleKind,
    /// The rules' messages, joined.
    pub message: String,
    /// How many messages the rules produced (one per offending element, for policies that
    /// check each element of a list).
    pub count: usize,
}

/// What the applicable policies said about one resource.
#[derive(Debug, Clone, Default)]
pub struct Evaluation {
    pub findings: Vec<Finding>,
    /// Policies that ran and found nothing.
    pub passed: Vec<usize>,
    /// Policies not decidable statically: a property they read is unknown.
    pub indeterminate: Vec<usize>,
    /// Policies that failed to run.
    pub errors: Vec<(usize, EvalError)>,
}

/// A per-thread evaluator: its own clone of the prepared Rego engine.
pub struct Evaluator<'s> {
    set: &'s PolicySet,
    engine: regorus::Engine,
    rule_paths: Vec<Vec<(RuleKind, String)>>,
}

impl<'s> Evaluator<'s> {
    /// An evaluator of `set`'s policies, with its own clone of the prepared Rego engine (one
    /// per thread).
    pub fn new(set: &'s PolicySet) -> Self {
        let mut engine = set.engine.clone();
        // A runaway user policy fails its check instead of hanging the audit.
        let check_interval = NonZeroU32::new(1024).unwrap_or(NonZeroU32::MIN);
        engine.set_execution_timer_config(regorus::utils::limits::ExecutionTimerConfig {
            limit: EVAL_TIME_LIMIT,
            check_interval,
        });
        let rule_paths = set
            .policies
            .iter()
            .map(|p| {
                p.rules
                    .iter()
                    .map(|r| (*r, format!("{}.{}", p.package, r.as_str())))
                    .collect()
            })
            .collect();
        Evaluator {
            set,
            engine,
            rule_paths,
        }
    }

    pub fn policies(&self) -> &PolicySet {
        self.set
    }

    /// Evaluate a resource on its own, as if nothing in its program referred to it.
    pub fn evaluate(&mut self, resource: &Resource) -> Evaluation {
        self.evaluate_with(resource, &[])
    }

    /// Evaluate `resources[index]` in its file: with the resources that refer to it.
    pub fn evaluate_in(&mut self, resources: &[Resource], index: usize) -> Evaluation {
        let Some(resource) = resources.get(index) else {
            return Evaluation::default();
        };
        let referrers: Vec<&Resource> = referrers_of(resources, resource).collect();
        self.evaluate_with(resource, &referrers)
    }

    /// Evaluate a resource with the resources that refer to it (`input.__referrers`).
    pub fn evaluate_with(&mut self, resource: &Resource, referrers: &[&Resource]) -> Evaluation {
        let mut verdict = Evaluation::default();
        let mut input_set = false;
        for index in self.set.for_type(&resource.type_token) {
            let policy = &self.set.policies[index];
            if is_undecidable(&policy.reads, resource) {
                verdict.indeterminate.push(index);
                continue;
            }
            if !input_set {
                self.engine.set_input(input(resource, referrers));
                input_set = true;
            }
            match self.run(index) {
                Ok(Some(finding)) => verdict.findings.push(finding),
                Ok(None) => verdict.passed.push(index),
                Err(err) => verdict.errors.push((index, err)),
            }
        }
        verdict
    }

    /// Why the program contradicts a fix of `policy` on `resources[index]`: the messages of
    /// the policy's `fix_declined` rule, evaluated with the resource's referrers. Empty when the
    /// policy declares none.
    pub fn fix_declined(
        &mut self,
        resources: &[Resource],
        index: usize,
        policy: &Policy,
    ) -> Result<Vec<String>, EvalError> {
        let Some(resource) = resources.get(index) else {
            return Ok(Vec::new());
        };
        if !policy.declines_fixes {
            return Ok(Vec::new());
        }
        let referrers: Vec<&Resource> = referrers_of(resources, resource).collect();
        self.engine.set_input(input(resource, &referrers));
        let value = self
            .engine
            .eval_rule(format!("{}.fix_declined", policy.package))
            .map_err(|e| EvalError {
                policy: policy.id.clone(),
                message: e.to_string(),
            })?;
        let mut messages = Vec::new();
        collect_messages(&value, &mut messages);
        Ok(messages)
    }

    fn run(&mut self, index: usize) -> Result<Option<Finding>, EvalError> {
        let mut messages = Vec::new();
        let mut strongest: Option<RuleKind> = None;
        for (rule, path) in &self.rule_paths[index] {
            let value = self.engine.eval_rule(path.clone()).map_err(|e| EvalError {
                policy: self.set.policies[index].id.clone(),
                message: e.to_string(),
            })?;
            let before = messages.len();
            collect_messages(&value, &mut messages);
            if messages.len() > before && strongest.is_none_or(|s| *rule < s) {
                strongest = Some(*rule);
            }
        }
        Ok(strongest.map(|rule| Finding {
            policy: index,
            rule,
            count: messages.len(),
            message: messages.join("; "),
        }))
    }
}

/// Whether two resources get the same evaluation: everything [`Evaluator::evaluate`] reads
/// (type, name, properties, what is unknown or open, and which keys below an open object are
/// written) is equal. Where in the file they sit does not matter.
pub fn evaluates_same(a: &Resource, b: &Resource) -> bool {
    a.type_token == b.type_token
        && a.name == b.name
        && a.name_expr == b.name_expr
        && a.properties == b.properties
        && a.unknown == b.unknown
        && a.open == b.open
        && (a.open.is_empty() || a.sites.keys().eq(b.sites.keys()))
}

/// The policy reads something the static model does not know on this resource.
fn is_undecidable(reads: &Reads, resource: &Resource) -> bool {
    if resource.unknown.is_empty() && resource.open.is_empty() {
        return false;
    }
    match reads.paths() {
        None => true,
        Some(paths) => paths.iter().any(|p| resource.is_uncertain(p)),
    }
}

/// The resources in `resources` that refer to `resource` (`bucket: site.id`), in order.
pub fn referrers_of<'a>(
    resources: &'a [Resource],
    resource: &'a Resource,
) -> impl Iterator<Item = &'a Resource> + 'a {
    let binding = resource.binding.as_deref();
    resources
        .iter()
        .filter(move |other| binding.is_some_and(|b| refers_to(other, b)))
}

fn refers_to(resource: &Resource, binding: &str) -> bool {
    resource.references.values().any(|r| r.binding == binding)
}

/// The Rego input, built straight from the resource (no intermediate JSON copy): its
/// properties, `__type` and `__name` (the pulumi-policy-opa convention), and, when other
/// resources refer to it, `__referrers`: each of them the same way, with `__refers` (the paths
/// that refer to this resource) and `__unknown` (its paths not known statically).
fn input(resource: &Resource, referrers: &[&Resource]) -> Value {
    let mut object = fields(resource);
    if !referrers.is_empty() {
        let binding = resource.binding.as_deref().unwrap_or_default();
        let list: Vec<Value> = referrers
            .iter()
            .map(|r| {
                let mut fields = fields(r);
                let refers: Vec<Value> = r
                    .references
                    .iter()
                    .filter(|(_, reference)| reference.binding == binding)
                    .map(|(path, _)| Value::from(path.as_str()))
                    .collect();
                fields.insert(Value::from("__refers"), Value::from(refers));
                let unknown: Vec<Value> = r
                    .unknown
                    .iter()
                    .filter(|path| !r.references.contains_key(*path))
                    .map(|path| Value::from(path.as_str()))
                    .collect();
                fields.insert(Value::from("__unknown"), Value::from(unknown));
                Value::from(fields)
            })
            .collect();
        object.insert(Value::from("__referrers"), Value::from(list));
    }
    Value::from(object)
}

fn fields(resource: &Resource) -> BTreeMap<Value, Value> {
    let mut object: BTreeMap<Value, Value> = resource
        .properties
        .iter()
        .map(|(k, v)| (Value::from(k.as_str()), to_rego(v)))
        .collect();
    object.insert(
        Value::from("__type"),
        Value::from(resource.type_token.as_str()),
    );
    object.insert(Value::from("__name"), Value::from(resource.display_name()));
    object
}

fn to_rego(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::from(*b),
        Json::Number(n) => n
            .as_i64()
            .map(Value::from)
            .or_else(|| n.as_u64().map(Value::from))
            .or_else(|| n.as_f64().map(Value::from))
            .unwrap_or(Value::Null),
        Json::String(s) => Value::from(s.as_str()),
        Json::Array(items) => Value::from(items.iter().map(to_rego).collect::<Vec<_>>()),
        Json::Object(map) => Value::from(
            map.iter()
                .map(|(k, v)| (Value::from(k.as_str()), to_rego(v)))
                .collect::<BTreeMap<_, _>>(),
        ),
    }
}

/// Rule results are sets (or arrays) of messages; a message may be a string or an object with
/// `msg`/`message`. A bare `true` counts as one unnamed violation.
fn collect_messages(value: &Value, out: &mut Vec<String>) {
    let mut push = |v: &Value| match v {
        Value::String(s) => out.push(s.to_string()),
        Value::Object(obj) => {
            let text = ["msg", "message"]
                .iter()
                .find_map(|k| obj.get(&Value::from(*k)).and_then(|m| m.as_string().ok()))
                .map(ToString::to_string)
                .or_else(|| {
                    v.to_json_str()
                        .ok()
                        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
                });
            out.extend(text);
        }
        other => {
            if let Ok(text) = other.to_json_str() {
                out.push(text);
            }
        }
    };
    match value {
        Value::Set(set) => set.iter().for_each(&mut push),
        Value::Array(items) => items.iter().for_each(&mut push),
        Value::Bool(true) => out.push(String::new()),
        _ => {}
    }
}

impl Evaluator<'_> {
    /// Audit a file's text. `file` is the path reported (relative to the project root).
    pub fn audit_source(&mut self, file: &str, language: Language, text: &str) -> FileAudit {
        let parsed = parse_source(language, std::path::Path::new(file), text);
        self.audit_parsed(file, &parsed)
    }

    /// Audit a file already parsed.
    pub fn audit_parsed(&mut self, file: &str, parsed: &ParsedFile) -> FileAudit {
        let evaluations = self.evaluate_all(&parsed.resources);
        summarize(self.policies(), file, parsed, &evaluations)
    }

    /// Evaluate every resource, in order, each with the resources of the file that refer to it.
    pub fn evaluate_all(&mut self, resources: &[Resource]) -> Vec<Evaluation> {
        // Who refers to what, indexed once for the file (most files have no references: the
        // index stays empty and costs nothing).
        let mut referrers: HashMap<&str, Vec<&Resource>> = HashMap::new();
        for resource in resources {
            let bindings: BTreeSet<&str> = resource
                .references
                .values()
                .map(|r| r.binding.as_str())
                .collect();
            for binding in bindings {
                referrers.entry(binding).or_default().push(resource);
            }
        }
        resources
            .iter()
            .map(|r| {
                let of = r.binding.as_deref().and_then(|b| referrers.get(b));
                self.evaluate_with(r, of.map_or(&[], Vec::as_slice))
            })
            .collect()
    }
}

/// A file's audit from its resources' evaluations (one per resource, in order), so callers
/// that need the evaluations too evaluate once.
pub fn summarize(
    set: &PolicySet,
    file: &str,
    parsed: &ParsedFile,
    evaluations: &[Evaluation],
) -> FileAudit {
    let mut audit = FileAudit {
        diagnostics: parsed.diagnostics.clone(),
        ..FileAudit::default()
    };
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    for (resource, verdict) in parsed.resources.iter().zip(evaluations) {
        audit.resources += 1;
        let key = resource_key(resource);
        let ordinal = {
            let n = seen
                .entry((resource.type_token.clone(), key.clone()))
                .or_insert(0);
            *n += 1;
            *n - 1
        };
        if verdict.findings.is_empty() {
            audit.clean_resources += 1;
        }
        for index in &verdict.passed {
            audit.tallies.entry(*index).or_default().passed += 1;
        }
        for index in &verdict.indeterminate {
            audit.tallies.entry(*index).or_default().indeterminate += 1;
        }
        for (index, error) in &verdict.errors {
            audit.tallies.entry(*index).or_default().errors += 1;
            audit.diagnostics.push(Diagnostic {
                level: DiagnosticLevel::Error,
                line: resource.line,
                column: resource.column,
                message: format!(
                    "{} on {}: {error}",
                    resource.type_token,
                    resource.display_name()
                ),
            });
        }
        for finding in &verdict.findings {
            audit.tallies.entry(finding.policy).or_default().failed += 1;
            let policy = &set.policies()[finding.policy];
            audit.violations.push(Violation {
                fingerprint: fingerprint(&policy.id, &resource.type_token, &key, file, ordinal),
                policy: policy.id.clone(),
                title: policy.title.clone(),
                severity: policy.severity,
                rule: finding.rule,
                message: if finding.message.is_empty() {
                    policy.title.clone()
                } else {
                    finding.message.clone()
                },
                resource: ResourceRef {
                    type_token: resource.type_token.clone(),
                    name: resource.name.clone(),
                    name_expr: resource.name_expr.clone(),
                    component: resource.component.as_ref().map(|c| c.type_token.clone()),
                },
                file: file.to_string(),
                line: resource.line,
                column: resource.column,
                end_line: resource.end_line,
                end_column: resource.end_column,
                span: resource.span,
                frameworks: policy.frameworks.clone(),
                remediation: policy.remediation.kind(),
            });
        }
    }
    audit
}
