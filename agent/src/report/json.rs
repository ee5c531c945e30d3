//! The JSON report: `{"version", "violations", "diagnostics", "summary"}`. Documented in the
//! README; fields are only ever added, never renamed or removed, within a `version`.

use std::io::Write;

use serde::Serialize;

use crate::audit::{AuditReport, FileDiagnostic, Summary};
use remedy_guardrails::Violation;

/// Bumped only for a breaking change to the document.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    violations: &'a [Violation],
    diagnostics: &'a [FileDiagnostic],
    summary: &'a Summary,
}

pub fn write(report: &AuditReport, out: &mut dyn Write) -> std::io::Result<()> {
    let doc = Document {
        version: VERSION,
        violations: &report.violations,
        diagnostics: &report.diagnostics,
        summary: &report.summary,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
