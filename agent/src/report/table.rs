//! The human report: violations grouped by file, then a one-paragraph summary.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use remedy_guardrails::{Severity, Violation};
use remedy_tools::DiagnosticLevel;

use crate::audit::AuditReport;

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

/// Write the table. `verbose` adds informational diagnostics.
pub fn write(report: &AuditReport, verbose: bool, out: &mut dyn Write) -> std::io::Result<()> {
    let mut current: Option<&str> = None;
    for v in &report.violations {
        if current != Some(v.file.as_str()) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{FILE}{}{FILE:#}", v.file)?;
            current = Some(&v.file);
        }
        write_violation(v, out)?;
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
            d.file, d.diagnostic.line, d.diagnostic.column, d.diagnostic.message
        )?;
    }
    write_summary(report, out)
}

fn write_violation(v: &Violation, out: &mut dyn Write) -> std::io::Result<()> {
    let style = severity_style(v.severity);
    let location = format!("{}:{}", v.line, v.column);
    writeln!(
        out,
        "  {DIM}{location:<7}{DIM:#} {style}{:<9}{style:#} {BOLD}{}{BOLD:#}  {} {DIM}({}){DIM:#}",
        v.severity.as_str(),
        v.policy,
        v.resource.name.as_deref().unwrap_or(&v.resource.name_expr),
        v.resource.type_token,
    )?;
    writeln!(out, "  {:<7} {:<9} {}", "", "", v.message)
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

fn plural(n: u64) -> &'static str {
    if n == 1 { "" } else { "s" }
}
