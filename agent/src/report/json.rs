//! The JSON report: `{"version", "violations", "diagnostics", "summary"}` (and `"gate"` from
//! `remedy check`). Documented in the README; fields are only ever added, never renamed or
//! removed, within a `version`.

use std::io::Write;

use serde::Serialize;

use crate::audit::{AuditReport, FileDiagnostic, Summary};
use crate::check::CheckResult;
use crate::enforcement::Level;
use remedy_guardrails::Violation;

/// Bumped only for a breaking change to the document.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    violations: Vec<Entry<'a>>,
    diagnostics: &'a [FileDiagnostic],
    summary: &'a Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    gate: Option<&'a CheckResult>,
}

#[derive(Serialize)]
struct Entry<'a> {
    #[serde(flatten)]
    violation: &'a Violation,
    enforcement: Level,
}

pub fn write(
    report: &AuditReport,
    gate: Option<&CheckResult>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let doc = Document {
        version: VERSION,
        violations: report
            .violations
            .iter()
            .enumerate()
            .map(|(i, violation)| Entry {
                violation,
                enforcement: report.level(i),
            })
            .collect(),
        diagnostics: &report.diagnostics,
        summary: &report.summary,
        gate,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
