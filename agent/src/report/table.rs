//! The human report: violations grouped by file, then a one-paragraph summary.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use remedy_guardrails::{Severity, Violation};
use remedy_source::DiagnosticLevel;

use crate::audit::AuditReport;
use crate::check::{CheckResult, CheckStatus};
use crate::enforcement::Level;

const FILE: Style = Style::new().bold().underline();
const DIM: Style = Style::new().dimmed();
const BOLD: Style = Style::new().bold();

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => AnsiColor::Red.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Blue.on_default(),
    }
}

/// Write the table, and the gate's verdict when there is one. `verbose` adds informational
/// diagnostics.
pub fn write(
    report: &AuditReport,
    gate: Option<&CheckResult>,
    verbose: bool,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut current: Option<&str> = None;
    for (i, v) in report.violations.iter().enumerate() {
        if current != Some(v.file.as_str()) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{FILE}{}{FILE:#}", printable(&v.file))?;
            current = Some(&v.file);
        }
        write_violation(v, report.level(i), out)?;
    }
    if !report.violations.is_empty() {
        writeln!(out)?;
    }

    let shown = report
        .diagnostics
        .iter()
        .filter(|d| verbose || d.diagnostic.level != DiagnosticLevel::Info);
    for d in shown {
        let (label, style) = match d.diagnostic.level {
            DiagnosticLevel::Error => ("error", AnsiColor::Red.on_default().bold()),
            DiagnosticLevel::Warning => ("warning", AnsiColor::Yellow.on_default().bold()),
            DiagnosticLevel::Info => ("note", BOLD),
        };
        writeln!(
            out,
            "{style}{label}{style:#}: {}:{}:{}: {}",
            printable(&d.file),
            d.diagnostic.line,
            d.diagnostic.column,
            printable(&d.diagnostic.message)
        )?;
    }
    write_summary(report, out)?;
    match gate {
        Some(gate) => write_gate(gate, out),
        None => Ok(()),
    }
}

fn write_violation(v: &Violation, level: Level, out: &mut dyn Write) -> std::io::Result<()> {
    let style = severity_style(v.severity);
    let location = format!("{}:{}", v.line, v.column);
    let tag = if level == Level::Advisory {
        format!(" {DIM}[advisory]{DIM:#}")
    } else {
        String::new()
    };
    writeln!(
        out,
        "  {DIM}{location:<7}{DIM:#} {style}{:<9}{style:#} {BOLD}{}{BOLD:#}  {} {DIM}({}){DIM:#}{tag}",
        v.severity.as_str(),
        printable(&v.policy),
        printable(v.resource.name.as_deref().unwrap_or(&v.resource.name_expr)),
        printable(&match &v.resource.component {
            Some(component) => format!("{}, created by {component}", v.resource.type_token),
            None => v.resource.type_token.clone(),
        }),
    )?;
    writeln!(out, "  {:<7} {:<9} {}", "", "", printable(&v.message))
}

/// Text from the audited source (names, messages quoting it, paths) with its control
/// characters shown escaped: a resource named `"\x1b]0;…\x07"` must not drive the terminal.
/// Line breaks become spaces so one finding stays on its lines.
fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(
        text.chars()
            .map(|c| match c {
                '\n' | '\r' | '\t' => " ".to_string(),
                c if c.is_control() => c.escape_unicode().to_string(),
                c => c.to_string(),
            })
            .collect(),
    )
}

fn write_summary(report: &AuditReport, out: &mut dyn Write) -> std::io::Result<()> {
    let s = &report.summary;
    if s.violations == 0 {
        let style = AnsiColor::Green.on_default().bold();
        write!(out, "{style}No violations{style:#}")?;
    } else {
        let parts: Vec<String> = Severity::ALL
            .iter()
            .filter_map(|sev| {
                let n = s.by_severity.get(sev).copied().unwrap_or(0);
                (n > 0).then(|| {
                    let style = severity_style(*sev);
                    format!("{style}{n} {sev}{style:#}")
                })
            })
            .collect();
        let files = report
            .violations
            .iter()
            .map(|v| v.file.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .len();
        write!(
            out,
            "{BOLD}{} violation{}{BOLD:#} ({}) in {} file{}",
            s.violations,
            plural(s.violations),
            parts.join(", "),
            files,
            plural(files as u64)
        )?;
    }
    writeln!(
        out,
        " {DIM}· {} resource{} in {} file{} checked against {} polic{} in {:.2}s{DIM:#}",
        s.resources,
        plural(s.resources),
        s.files,
        plural(s.files),
        s.policies,
        if s.policies == 1 { "y" } else { "ies" },
        s.duration_ms as f64 / 1000.0
    )?;
    if s.indeterminate > 0 {
        writeln!(
            out,
            "{DIM}{} check{} could not be decided statically (values known only at deploy time){DIM:#}",
            s.indeterminate,
            plural(s.indeterminate)
        )?;
    }
    if s.disabled > 0 {
        writeln!(
            out,
            "{DIM}{} violation{} of disabled policies not shown (remedy.toml){DIM:#}",
            s.disabled,
            plural(s.disabled)
        )?;
    }
    if s.files_with_errors > 0 {
        let style = AnsiColor::Yellow.on_default();
        writeln!(
            out,
            "{style}{} file{} could not be fully parsed; see the errors above{style:#}",
            s.files_with_errors,
            plural(s.files_with_errors)
        )?;
    }
    Ok(())
}

fn write_gate(gate: &CheckResult, out: &mut dyn Write) -> std::io::Result<()> {
    let mut notes = Vec::new();
    if gate.below_threshold > 0 {
        notes.push(format!(
            "{} mandatory below {}",
            gate.below_threshold, gate.fail_on
        ));
    }
    if gate.advisory > 0 {
        notes.push(format!("{} advisory", gate.advisory));
    }
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", notes.join(", "))
    };
    match gate.outcome {
        CheckStatus::Pass => {
            let style = AnsiColor::Green.on_default().bold();
            writeln!(
                out,
                "{style}check passed{style:#}: no mandatory violation at or above {}{notes}",
                gate.fail_on
            )
        }
        CheckStatus::Fail => {
            let style = AnsiColor::Red.on_default().bold();
            writeln!(
                out,
                "{style}check failed{style:#}: {} mandatory violation{} at or above {}{notes}",
                gate.blocking,
                plural(gate.blocking),
                gate.fail_on
            )
        }
        CheckStatus::Error => {
            let style = AnsiColor::Red.on_default().bold();
            writeln!(
                out,
                "{style}check failed{style:#}: {} file{} could not be read or fully parsed, so the gate cannot vouch for {} (--allow-file-errors gates on the rest)",
                gate.files_with_errors,
                plural(gate.files_with_errors),
                if gate.files_with_errors == 1 {
                    "it"
                } else {
                    "them"
                }
            )
        }
    }
}

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_from_source_never_reach_the_terminal() {
        let hostile = "site\x1b]0;pwned\x07\x1b[2J\nnext";
        let shown = printable(hostile);
        assert!(!shown.chars().any(char::is_control), "{shown:?}");
        assert!(shown.contains("\\u{1b}]0;pwned\\u{7}"), "{shown:?}");
        assert!(matches!(
            printable("plain"),
            std::borrow::Cow::Borrowed("plain")
        ));
    }
}
