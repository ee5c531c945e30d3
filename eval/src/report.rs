//! Eval results as JSON or Markdown, and regressions against a baseline.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::harness::{CaseResult, Summary};

/// The JSON document: `{"cases":[{"id","pass",<each score>}],"summary":{...}}`.
#[derive(Debug, Serialize)]
pub struct EvalReport<'a> {
    pub cases: &'a [CaseResult],
    pub summary: &'a Summary,
}

pub fn json(cases: &[CaseResult], summary: &Summary) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(&EvalReport { cases, summary }).map(|s| s + "\n")
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn tick(b: bool) -> &'static str {
    if b { "✓" } else { "✗" }
}

pub fn markdown(cases: &[CaseResult], summary: &Summary) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# remedy eval — provider `{}`\n", summary.provider);
    let _ = writeln!(
        out,
        "| cases | passed | pass@1 | pass@{} | fixed / expected fixed | needs_human as expected | median tokens | median latency |",
        summary.k
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    let _ = writeln!(
        out,
        "| {} | {} | {} | {} | {} / {} | {} | {} | {} ms |\n",
        summary.cases,
        summary.passed,
        pct(summary.pass_at_1),
        pct(summary.pass_at_k),
        summary.fixed,
        summary.expected_fixed,
        summary.needs_human_correct,
        summary.median_tokens,
        summary.median_latency_ms
    );
    for (title, groups) in [
        ("policy", &summary.by_policy),
        ("language", &summary.by_language),
    ] {
        let _ = writeln!(
            out,
            "## By {title}\n\n| {title} | cases | passed | pass@1 |\n|---|---|---|---|"
        );
        for (key, g) in groups {
            let _ = writeln!(
                out,
                "| {key} | {} | {} | {} |",
                g.cases,
                g.passed,
                pct(g.pass_at_1)
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## Cases\n\n| case | expect | outcome | pass | resolved | clean | no new | parses | types | scope | kept | not deceptive | diff lines | attempts |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for c in cases {
        let s = &c.scores;
        let types = s.type_checks.map_or("–", tick);
        let _ = writeln!(
            out,
            "| {} | {:?} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            c.id,
            c.expect,
            s.outcome,
            tick(c.pass),
            tick(s.resolved),
            tick(s.clean),
            tick(s.no_new_violations),
            tick(s.parses),
            types,
            tick(s.scope_kept),
            tick(s.kept),
            tick(s.not_deceptive),
            s.diff_lines,
            s.attempts
        );
    }
    out
}

#[derive(Debug, Deserialize)]
struct BaselineCase {
    id: String,
    pass: bool,
}

#[derive(Debug, Deserialize)]
struct Baseline {
    cases: Vec<BaselineCase>,
}

/// Cases that passed in the baseline and do not now (or are gone). An error names the file's
/// problem.
pub fn regressions(
    baseline_json: &str,
    cases: &[CaseResult],
) -> Result<Vec<String>, serde_json::Error> {
    let baseline: Baseline = serde_json::from_str(baseline_json)?;
    let now: BTreeMap<&str, bool> = cases.iter().map(|c| (c.id.as_str(), c.pass)).collect();
    Ok(baseline
        .cases
        .iter()
        .filter(|b| b.pass)
        .filter_map(|b| match now.get(b.id.as_str()) {
            Some(true) => None,
            Some(false) => Some(format!("{}: passed in the baseline, fails now", b.id)),
            None => Some(format!("{}: in the baseline, not run now", b.id)),
        })
        .collect())
}
