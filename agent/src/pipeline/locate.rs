//! Locate and remediate: find a recorded violation in the files a fix is made against (the
//! base, or a branch's tip with the fixes made so far), and fix it there. A record is a
//! snapshot: the file may have been edited since (the remediator finds the resource again by
//! fingerprint) or the resource moved to another file (found here by type, name and policy).

use remedy_guardrails::Evaluator;
use std::collections::BTreeMap;
use std::path::Path;

use remedy_deliver::{AcceptedFix, MadeBy};
use remedy_git::Revision;
use remedy_remediate::{Provider, Remediation, Remediator, Subject};
use remedy_source::Language;
use remedy_store::ViolationRecord;

use super::outcome::{Outcome, Processed, resource_name};

/// Program files a fix is made against.
pub trait ProgramFiles {
    /// A file's text; `None` when it is not there or cannot be read.
    fn read(&self, file: &str) -> Option<String>;
    /// Every program file (for a violation whose file moved).
    fn program_files(&self) -> Vec<String>;
    /// The repository root, for reading around a resource; nothing outside it is read.
    fn root(&self) -> &Path;
}

impl ProgramFiles for Revision<'_> {
    fn read(&self, file: &str) -> Option<String> {
        Revision::read(self, file)
    }

    fn program_files(&self) -> Vec<String> {
        Revision::program_files(self)
    }

    fn root(&self) -> &Path {
        self.repo.root()
    }
}

/// Files already read, by path relative to `root` (a preview outside git).
pub struct Texts {
    pub root: std::path::PathBuf,
    pub files: BTreeMap<String, String>,
}

impl ProgramFiles for Texts {
    fn read(&self, file: &str) -> Option<String> {
        self.files.get(file).cloned()
    }

    fn program_files(&self) -> Vec<String> {
        self.files.keys().cloned().collect()
    }

    fn root(&self) -> &Path {
        &self.root
    }
}

/// A violation located and remediated.
pub struct Located {
    /// What was fixed: the record's violation, or the same one found in another file.
    pub subject: Subject,
    /// The file's text before the fix, when the file was found.
    pub before: Option<String>,
    pub remediation: Remediation,
}

/// Locate `violation` in `files` and remediate it: the turn so far (a fix counts as fixed, not
/// yet delivered) and, when the gate accepted a fix, the fix ready to go out.
pub async fn fix(
    remediator: &Remediator<'_>,
    files: &dyn ProgramFiles,
    violation: &ViolationRecord,
) -> (Processed, Option<AcceptedFix>) {
    let located = remediate(remediator, files, violation).await;
    let mut processed = Processed::of(violation, Outcome::Resolved);
    processed.file.clone_from(&located.subject.file);
    processed.attempts = located.remediation.attempts().to_vec();
    processed.before = located.before;
    let mut accepted = None;
    processed.outcome = match located.remediation {
        Remediation::Fixed {
            after,
            verdict,
            provider,
            attempts,
        } => {
            let made_by = match provider {
                Provider::Recipe => MadeBy::Recipe,
                Provider::Llm => MadeBy::Model(
                    attempts
                        .iter()
                        .rev()
                        .find_map(|a| a.model.clone())
                        .unwrap_or_default(),
                ),
            };
            processed.provider = Some(provider);
            processed.after = Some(after.clone());
            accepted = Some(AcceptedFix {
                fingerprint: located.subject.fingerprint,
                policy: violation.policy.clone(),
                title: violation.title.clone(),
                severity: violation.severity,
                message: violation.message.clone(),
                resource: resource_name(violation).to_string(),
                resource_type: violation.resource.type_token.clone(),
                file: located.subject.file,
                frameworks: violation.frameworks.clone(),
                after,
                verdict,
                made_by,
                impact: remediator
                    .policies
                    .get(&violation.policy)
                    .map(|p| p.impact.clone())
                    .unwrap_or_default(),
            });
            Outcome::Fixed {
                delivered: None,
                note: None,
            }
        }
        Remediation::AlreadyResolved => Outcome::Resolved,
        Remediation::NeedsHuman { reason, .. } => Outcome::NeedsHuman { reason },
        Remediation::Failed { error, .. } => Outcome::Failed { error },
    };
    (processed, accepted)
}

/// Locate `violation` in `files` and remediate it.
pub async fn remediate(
    remediator: &Remediator<'_>,
    files: &dyn ProgramFiles,
    violation: &ViolationRecord,
) -> Located {
    let subject = Subject {
        fingerprint: violation.fingerprint.clone(),
        policy: violation.policy.clone(),
        file: violation.file.clone(),
    };
    let root = files.root();
    if let Some(text) = files.read(&violation.file) {
        let remediation = remediator.remediate(&subject, &text, root).await;
        if !matches!(remediation, Remediation::AlreadyResolved) {
            return Located {
                subject,
                before: Some(text),
                remediation,
            };
        }
    }
    if let Some((moved, text)) = find_moved(remediator, files, violation) {
        let remediation = remediator.remediate(&moved, &text, root).await;
        return Located {
            subject: moved,
            before: Some(text),
            remediation,
        };
    }
    Located {
        subject,
        before: None,
        remediation: Remediation::AlreadyResolved,
    }
}

/// The same policy on a resource of the same type and name, in another file.
fn find_moved(
    remediator: &Remediator<'_>,
    files: &dyn ProgramFiles,
    v: &ViolationRecord,
) -> Option<(Subject, String)> {
    let mut evaluator = Evaluator::new(remediator.policies);
    for file in files.program_files() {
        if file == v.file {
            continue;
        }
        let Some(language) = Language::from_path(Path::new(&file)) else {
            continue;
        };
        let Some(text) = files.read(&file) else {
            continue;
        };
        let audit = evaluator.audit_source(&file, language, &text);
        if let Some(found) = audit.violations.iter().find(|f| {
            f.policy == v.policy
                && f.resource.type_token == v.resource.type_token
                && f.resource.name == v.resource.name
                && f.resource.name_expr == v.resource.name_expr
        }) {
            tracing::info!(fingerprint = %v.fingerprint, from = %v.file, to = %file, "violation moved");
            let subject = Subject {
                fingerprint: found.fingerprint.clone(),
                policy: found.policy.clone(),
                file: file.clone(),
            };
            return Some((subject, text));
        }
    }
    None
}
