//! The gate: the hard guardrail every fix must pass before anything is written.
//!
//! Whoever proposes a fix — a recipe or an LLM — is not trusted to have fixed only what it was
//! asked to, so the gate judges the result, never the intent: it re-parses and re-evaluates the
//! file as the fix leaves it. A fix is accepted only if every check passes; a rejected fix is
//! never written, and its failed checks' evidence is what the LLM gets back to try again.
//!
//! The checks live one per file under `checks/` and run in a fixed order from one list, so
//! adding a check is one file and one entry, and every entry point runs the same checks. The
//! team's own `validate` commands run outside this crate (they need a scratch checkout) and are
//! recorded alongside.

mod baseline;
mod checks;
mod diff;

use std::path::Path;

use remedy_source::Language;
use remedy_source::edit::Document;
use serde::Serialize;

use crate::engine::Evaluator;

pub use baseline::Baseline;

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

impl Check {
    /// A check's result; `pub` for the checks that run outside this crate (`validate`).
    pub fn new(name: &'static str, passed: bool, evidence: impl Into<String>) -> Self {
        Self {
            name,
            passed,
            evidence: evidence.into(),
        }
    }
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

    /// A fix refused before the file could be judged: it is out of scope at the file level.
    fn out_of_scope(evidence: impl Into<String>) -> Self {
        Self {
            checks: vec![Check::new(checks::scope::NAME, false, evidence)],
        }
    }
}

/// Run every check on a candidate fix.
pub fn check(
    evaluator: &mut Evaluator<'_>,
    target: &Target,
    changes: &[FileChange],
    config: &GateConfig,
) -> Verdict {
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
        .filter(|p| checks::scope::is_protected(p))
        .collect();
    let Some(change) = changed.iter().find(|c| c.path == target.file) else {
        return Verdict::out_of_scope("the fix changes nothing in the target's file");
    };
    let (Some(before), Some(after)) = (&change.before, &change.after) else {
        return Verdict::out_of_scope(format!("the fix deletes or creates {}", target.file));
    };
    let Some(language) = Language::from_path(Path::new(&target.file)) else {
        return Verdict::out_of_scope(format!(
            "{} is not a program file remedy reads",
            target.file
        ));
    };
    let path = Path::new(&target.file);
    let baseline = Baseline::new(
        evaluator,
        &target.file,
        Document::new(language, path, before.clone()),
    );
    let candidate = baseline.derive(evaluator, Document::new(language, path, after.clone()));
    checks::run(&checks::Context {
        policies: evaluator.policies(),
        baseline: &baseline,
        candidate: &candidate,
        target,
        others: &others,
        protected: &protected,
        config,
        hunks: diff::hunks(baseline.document().text(), candidate.document().text()),
    })
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
    if baseline.file() != target.file || candidate.file() != target.file {
        return Verdict::out_of_scope(format!(
            "the fix is for {}, checked against {}",
            target.file,
            baseline.file()
        ));
    }
    if candidate.document().text() == baseline.document().text() {
        return Verdict::out_of_scope("the fix changes nothing in the target's file");
    }
    let protected: Vec<&str> = Some(target.file.as_str())
        .filter(|p| checks::scope::is_protected(p))
        .into_iter()
        .collect();
    checks::run(&checks::Context {
        policies: evaluator.policies(),
        baseline,
        candidate,
        target,
        others: &[],
        protected: &protected,
        config,
        hunks: diff::hunks(baseline.document().text(), candidate.document().text()),
    })
}
