//! The CI check (prevent): which violations fail `remedy check`, and its exit status.

use remedy_guardrails::Severity;
use serde::Serialize;

use crate::audit::AuditReport;
use crate::enforcement::Level;

/// Exit status when the gate passes.
pub const EXIT_PASS: u8 = 0;
/// Exit status when mandatory violations at or above the threshold exist.
pub const EXIT_FAIL: u8 = 1;
/// Exit status on errors, including files that could not be read or parsed.
pub const EXIT_ERROR: u8 = 2;

/// `remedy check`'s decision over an audit report (with enforcement applied). Not to be
/// confused with the fix gate (`remedy_guardrails::gate`), which proves each fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// The lowest severity of a mandatory violation that fails the result.
    pub fail_on: Severity,
    /// Mandatory violations at or above `fail_on`: these fail the result.
    pub blocking: u64,
    /// Mandatory violations below `fail_on`.
    pub below_threshold: u64,
    /// Advisory violations: reported, never failing.
    pub advisory: u64,
    /// Files that could not be read or fully parsed.
    pub files_with_errors: u64,
    /// Whether such files fail the gate (exit 2).
    pub fail_on_file_errors: bool,
    /// `pass`, `fail` (violations) or `error` (unreadable or unparseable files).
    pub outcome: CheckStatus,
    pub exit_code: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Pass,
    Fail,
    Error,
}

impl CheckResult {
    pub fn decide(report: &AuditReport, fail_on: Severity, fail_on_file_errors: bool) -> Self {
        let mut result = Self {
            fail_on,
            blocking: 0,
            below_threshold: 0,
            advisory: 0,
            files_with_errors: report.summary.files_with_errors,
            fail_on_file_errors,
            outcome: CheckStatus::Pass,
            exit_code: EXIT_PASS,
        };
        for (i, v) in report.violations.iter().enumerate() {
            match report.level(i) {
                Level::Mandatory if v.severity >= fail_on => result.blocking += 1,
                Level::Mandatory => result.below_threshold += 1,
                Level::Advisory => result.advisory += 1,
                Level::Disabled => {}
            }
        }
        // A gate that cannot read a file cannot vouch for it: errors take precedence.
        (result.outcome, result.exit_code) = if fail_on_file_errors && result.files_with_errors > 0
        {
            (CheckStatus::Error, EXIT_ERROR)
        } else if result.blocking > 0 {
            (CheckStatus::Fail, EXIT_FAIL)
        } else {
            (CheckStatus::Pass, EXIT_PASS)
        };
        result
    }

    /// Whether the violation at `index` of `report` fails the result.
    pub fn blocks(&self, report: &AuditReport, index: usize) -> bool {
        report.level(index) == Level::Mandatory
            && report
                .violations
                .get(index)
                .is_some_and(|v| v.severity >= self.fail_on)
    }
}
