//! How the store's answers are shown: `status`, `violations` and `events` as tables for people
//! and as versioned JSON documents for tools.

use std::io::Write;

use anstyle::{AnsiColor, Style};
use remedy_guardrails::Severity;
use serde::Serialize;

use remedy_store::{Event, Status, StatusReport, ViolationPage, format_time};

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// Bumped only for a breaking change to a store document.
pub const VERSION: u32 = 1;

#[derive(Serialize)]
struct Versioned<'a, T: Serialize> {
    version: u32,
    #[serde(flatten)]
    body: &'a T,
}

#[derive(Serialize)]
struct Events<'a> {
    events: &'a [Event],
}

/// `{"version": 1, …the value's fields}`.
pub fn write_json<T: Serialize>(value: &T, out: &mut dyn Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &Versioned {
            version: VERSION,
            body: value,
        },
    )?;
    writeln!(out)
}

/// `{"version": 1, "events": […]}`.
pub fn write_events_json(events: &[Event], out: &mut dyn Write) -> std::io::Result<()> {
    write_json(&Events { events }, out)
}

fn status_style(status: Status) -> Style {
    match status {
        Status::Open => AnsiColor::Yellow.on_default(),
        Status::Assigned | Status::InProgress => AnsiColor::Cyan.on_default(),
        Status::PrOpen => AnsiColor::Blue.on_default(),
        Status::Resolved => AnsiColor::Green.on_default(),
        Status::NeedsHuman => AnsiColor::Red.on_default().bold(),
        Status::Dismissed => DIM,
    }
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => AnsiColor::Red.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Blue.on_default(),
    }
}

fn score(value: Option<f64>) -> String {
    value.map_or_else(|| "–".to_string(), |v| format!("{v:.1}%"))
}

/// Pad to `width` characters (styles are applied around, not inside).
fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

pub fn write_status(
    status: &StatusReport,
    store: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "{DIM}store {store}{DIM:#}")?;
    writeln!(out)?;
    writeln!(out, "{BOLD}Violations{BOLD:#}  {}", status.total)?;
    for (s, n) in &status.counts {
        let style = status_style(*s);
        writeln!(out, "  {style}{}{style:#} {n:>8}", pad(s.as_str(), 12))?;
    }
    if status.reopens > 0 {
        writeln!(
            out,
            "  {DIM}reopened {} times in all{DIM:#}",
            status.reopens
        )?;
    }

    if let Some(breakdown) = &status.breakdown {
        writeln!(out)?;
        let width = breakdown
            .rows
            .iter()
            .map(|r| r.key.chars().count())
            .max()
            .unwrap_or(0)
            .max(breakdown.by.len());
        write!(out, "{BOLD}{}  {:>7}", pad(breakdown.by, width), "total")?;
        for s in Status::ALL {
            write!(out, " {:>11}", s.as_str())?;
        }
        writeln!(out, "{BOLD:#}")?;
        for row in &breakdown.rows {
            write!(out, "{}  {:>7}", pad(&row.key, width), row.total)?;
            for s in Status::ALL {
                write!(out, " {:>11}", row.counts.get(&s).copied().unwrap_or(0))?;
            }
            writeln!(out)?;
        }
    }

    writeln!(out)?;
    let scores = &status.scores;
    if scores.repositories == 0 {
        writeln!(
            out,
            "{BOLD}Compliance{BOLD:#}  no audit recorded yet (run `remedy audit --record`)"
        )?;
    } else {
        writeln!(
            out,
            "{BOLD}Compliance{BOLD:#}  {DIM}latest audit of {} {}{DIM:#}",
            scores.repositories,
            if scores.repositories == 1 {
                "repository"
            } else {
                "repositories"
            }
        )?;
        writeln!(
            out,
            "  policies   {:>6}  {} of {} enabled policies pass",
            score(scores.policy),
            scores.policies_passing,
            scores.policies_enabled
        )?;
        writeln!(
            out,
            "  resources  {:>6}  {} of {} resources have no violation",
            score(scores.resource),
            scores.resources_clean,
            scores.resources
        )?;
        if !status.frameworks.is_empty() {
            let width = status
                .frameworks
                .iter()
                .map(|f| f.framework.len())
                .max()
                .unwrap_or(0);
            for f in &status.frameworks {
                let failing = if f.failing.is_empty() {
                    String::new()
                } else {
                    format!("  {DIM}failing: {}{DIM:#}", f.failing.join(", "))
                };
                writeln!(
                    out,
                    "  {}  {:>6}  {} of {} controls pass{failing}",
                    pad(&f.framework, width),
                    score(f.score),
                    f.passing,
                    f.controls
                )?;
            }
        }
    }

    if !status.trend.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{BOLD}Trend{BOLD:#}  {DIM}recorded audits, oldest first{DIM:#}"
        )?;
        let multi = status
            .trend
            .iter()
            .any(|p| p.repository != status.trend[0].repository);
        for p in &status.trend {
            let repo = if multi {
                format!("  {}", p.repository)
            } else {
                String::new()
            };
            writeln!(
                out,
                "  {}  policies {:>6}  resources {:>6}  {:>6} violations  +{} new  +{} reopened  \
                 -{} resolved{repo}",
                p.recorded_at,
                score(p.policy_score),
                score(p.resource_score),
                p.violations,
                p.opened,
                p.reopened,
                p.resolved
            )?;
        }
    }

    if !status.activity.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{BOLD}Activity{BOLD:#}  {DIM}last 14 days (UTC){DIM:#}"
        )?;
        for day in &status.activity {
            writeln!(
                out,
                "  {}  {:>6} opened  {:>6} reopened  {:>6} resolved",
                day.day, day.opened, day.reopened, day.resolved
            )?;
        }
    }

    let waiting = status.counts.get(&Status::NeedsHuman).copied().unwrap_or(0);
    if waiting > 0 {
        writeln!(out)?;
        let style = status_style(Status::NeedsHuman);
        writeln!(out, "{style}Needs a human{style:#}  {waiting}")?;
        for h in &status.needs_human {
            writeln!(
                out,
                "  {}  {}  {}:{}  {}",
                short(&h.fingerprint),
                h.policy,
                h.file,
                h.line,
                h.resource
            )?;
            if let Some(reason) = &h.reason {
                writeln!(out, "      {DIM}{reason}{DIM:#}")?;
            }
        }
        if waiting > status.needs_human.len() as u64 {
            writeln!(
                out,
                "  {DIM}… see `remedy violations --status needs_human`{DIM:#}"
            )?;
        }
    }
    Ok(())
}

/// The first 12 hex digits: enough to tell violations apart, and accepted by `--id`.
fn short(fingerprint: &str) -> &str {
    fingerprint.get(..12).unwrap_or(fingerprint)
}

pub fn write_violations(page: &ViolationPage, out: &mut dyn Write) -> std::io::Result<()> {
    if page.violations.is_empty() {
        return writeln!(out, "no violations match ({} in all)", page.total);
    }
    let widths = |f: &dyn Fn(&remedy_store::ViolationRecord) -> String, min: usize| {
        page.violations
            .iter()
            .map(|v| f(v).chars().count())
            .max()
            .unwrap_or(0)
            .max(min)
    };
    let location = |v: &remedy_store::ViolationRecord| format!("{}:{}", v.file, v.line);
    let resource = |v: &remedy_store::ViolationRecord| {
        v.resource
            .name
            .clone()
            .unwrap_or_else(|| v.resource.name_expr.clone())
    };
    let policy_w = widths(&|v| v.policy.clone(), 6);
    let location_w = widths(&location, 4);
    let resource_w = widths(&resource, 8);
    writeln!(
        out,
        "{BOLD}{}  {}  {}  {}  {}  {}  {}  ASSIGNEE{BOLD:#}",
        pad("ID", 12),
        pad("STATUS", 11),
        pad("PRI", 3),
        pad("SEVERITY", 8),
        pad("POLICY", policy_w),
        pad("FILE", location_w),
        pad("RESOURCE", resource_w),
    )?;
    for v in &page.violations {
        let st = status_style(v.status);
        let sv = severity_style(v.severity);
        writeln!(
            out,
            "{}  {st}{}{st:#}  {}  {sv}{}{sv:#}  {}  {}  {}  {}",
            pad(short(&v.fingerprint), 12),
            pad(v.status.as_str(), 11),
            pad(&v.priority.to_string(), 3),
            pad(v.severity.as_str(), 8),
            pad(&v.policy, policy_w),
            pad(&location(v), location_w),
            pad(&resource(v), resource_w),
            v.assignee.as_deref().unwrap_or("-"),
        )?;
    }
    let first = page.offset + 1;
    let last = page.offset + page.violations.len() as u64;
    write!(out, "{DIM}{first}–{last} of {}", page.total)?;
    if last < page.total && page.limit > 0 {
        write!(out, "; next: --page {}", page.offset / page.limit + 2)?;
    }
    writeln!(out, "{DIM:#}")
}

pub fn write_events(events: &[Event], out: &mut dyn Write) -> std::io::Result<()> {
    if events.is_empty() {
        return writeln!(out, "no events match");
    }
    for e in events {
        let change = match (e.from, e.to) {
            (Some(from), Some(to)) if from != to => format!("{from} → {to}"),
            (None, Some(to)) => format!("→ {to}"),
            _ => String::new(),
        };
        let data = e
            .data
            .as_ref()
            .map(|d| format!("  {DIM}{d}{DIM:#}"))
            .unwrap_or_default();
        writeln!(
            out,
            "{}  {}  {}  {}  {}{data}",
            format_time(e.at),
            short(&e.fingerprint),
            pad(&e.kind, 10),
            pad(&e.actor, 12),
            change
        )?;
    }
    Ok(())
}
