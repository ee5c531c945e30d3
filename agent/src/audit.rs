//! The audit: find the program files, then read, parse and evaluate them in parallel, one
//! prepared policy evaluator per worker thread.

use remedy_guardrails::Evaluator;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use remedy_guardrails::{FileAudit, PolicySet, Severity, Tally, Violation};
use remedy_source::{Diagnostic, DiagnosticLevel, Language, WalkError, discover};
use remedy_store::{AuditCounts, PolicyInfo, RecordInput, Repository};
use serde::Serialize;

use crate::enforcement::{Enforcement, Level};
use crate::project;

/// Files larger than this are generated or vendored, not hand-written programs.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// A diagnostic with the file it is about.
#[derive(Debug, Clone, Serialize)]
pub struct FileDiagnostic {
    pub file: String,
    #[serde(flatten)]
    pub diagnostic: Diagnostic,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files: u64,
    pub resources: u64,
    /// Resources without any violation.
    pub clean_resources: u64,
    pub policies: u64,
    pub violations: u64,
    /// Violations per severity, every severity present.
    pub by_severity: BTreeMap<Severity, u64>,
    /// Checks skipped because a property the policy reads is not statically known.
    pub indeterminate: u64,
    /// Files that could not be fully parsed.
    pub files_with_errors: u64,
    /// Violations left out because their policy is disabled for their file in `remedy.toml`.
    pub disabled: u64,
    pub duration_ms: u64,
}

/// Everything an audit found.
#[derive(Debug, Clone, Default)]
pub struct AuditReport {
    pub root: PathBuf,
    /// Sorted by file, line, policy.
    pub violations: Vec<Violation>,
    /// The enforcement level of each violation (same order), once enforcement is applied;
    /// empty before.
    pub enforcement: Vec<Level>,
    pub diagnostics: Vec<FileDiagnostic>,
    /// Per policy id.
    pub tallies: BTreeMap<String, Tally>,
    pub summary: Summary,
    /// Files that could not be read or fully parsed (an error diagnostic): what the audit did
    /// not see in them must not count as fixed.
    pub files_in_error: Vec<String>,
}

/// Audit the programs under `paths` (files or directories). File names in the report are
/// relative to the project root the paths share ([`project::root_of_all`]).
pub fn run(paths: &[PathBuf], policies: &PolicySet) -> Result<AuditReport, WalkError> {
    let started = Instant::now();
    let root = project::root_of_all(paths);
    let files = discover(paths)?;
    tracing::debug!(files = files.len(), root = %root.display(), "auditing");

    let audits: Vec<(String, FileAudit)> = files
        .par_iter()
        .map_init(
            || Evaluator::new(policies),
            |evaluator, path| {
                let name = project::relative(&root, path);
                let audit = audit_file(evaluator, &name, path);
                (name, audit)
            },
        )
        .collect();

    Ok(assemble(root, audits, policies, started.elapsed()))
}

/// Audit files given as text (for example read from a git revision). `files` are
/// (path relative to `root`, text) pairs; files remedy does not read are skipped.
pub fn run_texts(root: PathBuf, files: &[(String, String)], policies: &PolicySet) -> AuditReport {
    let started = Instant::now();
    let audits: Vec<(String, FileAudit)> = files
        .par_iter()
        .filter_map(|(name, text)| Language::from_path(Path::new(name)).map(|l| (name, l, text)))
        .map_init(
            || Evaluator::new(policies),
            |evaluator, (name, language, text)| {
                (name.clone(), evaluator.audit_source(name, language, text))
            },
        )
        .collect();
    assemble(root, audits, policies, started.elapsed())
}

impl AuditReport {
    /// Attach each violation's enforcement level and drop the disabled ones (counted in
    /// `summary.disabled`).
    pub fn apply_enforcement(&mut self, enforcement: &Enforcement) {
        let violations = std::mem::take(&mut self.violations);
        self.enforcement.clear();
        for violation in violations {
            let level = enforcement.level(&violation.policy, &violation.file);
            if level == Level::Disabled {
                self.summary.disabled += 1;
                self.summary.violations -= 1;
                if let Some(n) = self.summary.by_severity.get_mut(&violation.severity) {
                    *n -= 1;
                }
                continue;
            }
            self.violations.push(violation);
            self.enforcement.push(level);
        }
    }

    /// Files of the audited revision remedy could not read (not UTF-8, too large), each with
    /// why: an error each, and their violations are not resolved when the audit is recorded.
    pub fn mark_unreadable(&mut self, files: Vec<(String, String)>) {
        for (file, why) in files {
            self.summary.files_with_errors += 1;
            self.diagnostics.push(FileDiagnostic {
                file: file.clone(),
                diagnostic: Diagnostic {
                    level: DiagnosticLevel::Error,
                    line: 1,
                    column: 1,
                    message: format!("{why}: not audited, and its violations stay as they were"),
                },
            });
            self.files_in_error.push(file);
        }
    }

    /// What the store records of this audit.
    pub fn record_input<'a>(
        &'a self,
        repository: &'a Repository,
        policies: &'a [PolicyInfo],
        scope: &'a [String],
        actor: &'a str,
    ) -> RecordInput<'a> {
        let s = &self.summary;
        RecordInput {
            repository,
            violations: &self.violations,
            tallies: &self.tallies,
            counts: AuditCounts {
                files: s.files,
                resources: s.resources,
                clean_resources: s.clean_resources,
                indeterminate: s.indeterminate,
                files_with_errors: s.files_with_errors,
                duration_ms: s.duration_ms,
            },
            policies,
            scope,
            unseen: &self.files_in_error,
            actor,
        }
    }

    /// The enforcement level of the violation at `index` (mandatory before enforcement is
    /// applied).
    pub fn level(&self, index: usize) -> Level {
        self.enforcement
            .get(index)
            .copied()
            .unwrap_or(Level::Mandatory)
    }
}

fn audit_file(
    evaluator: &mut remedy_guardrails::Evaluator<'_>,
    name: &str,
    path: &Path,
) -> FileAudit {
    let failed = |message: String| FileAudit {
        diagnostics: vec![Diagnostic {
            level: DiagnosticLevel::Error,
            line: 1,
            column: 1,
            message,
        }],
        ..FileAudit::default()
    };
    let Some(language) = Language::from_path(path) else {
        return FileAudit::default();
    };
    match std::fs::metadata(path) {
        Ok(meta) if meta.len() > MAX_FILE_BYTES => {
            return failed(format!(
                "skipped: {} MiB is larger than the {} MiB limit for program files",
                meta.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ));
        }
        Ok(_) => {}
        Err(err) => return failed(format!("cannot read: {err}")),
    }
    let text = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => return failed("skipped: not valid UTF-8".into()),
        },
        Err(err) => return failed(format!("cannot read: {err}")),
    };
    evaluator.audit_source(name, language, &text)
}

fn assemble(
    root: PathBuf,
    audits: Vec<(String, FileAudit)>,
    policies: &PolicySet,
    elapsed: Duration,
) -> AuditReport {
    let mut report = AuditReport {
        root,
        ..AuditReport::default()
    };
    let summary = &mut report.summary;
    summary.files = audits.len() as u64;
    summary.policies = policies.policies().len() as u64;
    for severity in Severity::ALL {
        summary.by_severity.insert(severity, 0);
    }
    // Python programs spell property keys in snake_case; their messages do too.
    let keys: BTreeMap<&str, Vec<&str>> = policies
        .policies()
        .iter()
        .map(|p| (p.id.as_str(), p.remediation.keys()))
        .collect();
    for (file, mut audit) in audits {
        if Language::from_path(Path::new(&file)) == Some(Language::Python) {
            for violation in &mut audit.violations {
                if let Some(keys) = keys
                    .get(violation.policy.as_str())
                    .filter(|k| !k.is_empty())
                {
                    violation.message = Language::Python.spell_keys(&violation.message, Some(keys));
                }
            }
        }
        summary.resources += audit.resources;
        summary.clean_resources += audit.clean_resources;
        if audit
            .diagnostics
            .iter()
            .any(|d| d.level == DiagnosticLevel::Error)
        {
            summary.files_with_errors += 1;
            report.files_in_error.push(file.clone());
        }
        for (index, tally) in audit.tallies {
            summary.indeterminate += tally.indeterminate;
            let id = policies.policies()[index].id.clone();
            report.tallies.entry(id).or_default().add(tally);
        }
        for violation in &audit.violations {
            *summary.by_severity.entry(violation.severity).or_default() += 1;
        }
        summary.violations += audit.violations.len() as u64;
        report.violations.extend(audit.violations);
        report.diagnostics.extend(
            audit
                .diagnostics
                .into_iter()
                .map(|diagnostic| FileDiagnostic {
                    file: file.clone(),
                    diagnostic,
                }),
        );
    }
    report.violations.sort_by(|a, b| {
        (&a.file, a.line, a.column, &a.policy).cmp(&(&b.file, b.line, b.column, &b.policy))
    });
    report.summary.duration_ms = u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX);
    report
}
