//! Eval results as JSON or Markdown, and regressions against a baseline.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::cases::Expected;
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
    // pass@k is its own column only when it differs from pass@1 in kind (k > 1).
    let (k_head, k_rule, k_cell) = if summary.k > 1 {
        (
            format!(" pass@{} |", summary.k),
            "---|",
            format!(" {} |", pct(summary.pass_at_k)),
        )
    } else {
        (String::new(), "", String::new())
    };
    let _ = writeln!(
        out,
        "| cases | passed | pass@1 |{k_head} fixed / expected fixed | needs_human as expected | median tokens | median latency |"
    );
    let _ = writeln!(out, "|---|---|---|{k_rule}---|---|---|---|");
    let _ = writeln!(
        out,
        "| {} | {} | {} |{k_cell} {} / {} | {} / {} | {} | {} ms |\n",
        summary.cases,
        summary.passed,
        pct(summary.pass_at_1),
        summary.fixed,
        summary.expected_fixed,
        summary.needs_human_correct,
        summary.cases - summary.expected_fixed,
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
    let failures: Vec<&CaseResult> = cases.iter().filter(|c| !c.pass).collect();
    if !failures.is_empty() {
        let _ = writeln!(
            out,
            "## Failures\n\n| case | expect | outcome | why |\n|---|---|---|---|"
        );
        for c in failures {
            let _ = writeln!(
                out,
                "| {} | {:?} | {} | {} |",
                c.id,
                c.expect,
                c.scores.outcome,
                cell(&why(c))
            );
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "## Cases\n\n| case | expect | outcome | pass | resolved | clean | no new | parses | types | scope | kept | wanted | others | not deceptive | diff lines | attempts | tokens |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for c in cases {
        let s = &c.scores;
        let types = s.type_checks.map_or("–", tick);
        let _ = writeln!(
            out,
            "| {} | {:?} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
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
            tick(s.wanted),
            tick(s.others_unchanged),
            tick(s.not_deceptive),
            s.diff_lines,
            s.attempts,
            s.tokens
        );
    }
    out
}

/// Why a case did not pass: the scorers a fix failed, or the reason it did not end in a fix.
fn why(c: &CaseResult) -> String {
    let s = &c.scores;
    if c.expect == Expected::NeedsHuman && s.outcome == "fixed" {
        return "a fix where a person must decide (the gate accepted it)".into();
    }
    if s.outcome == "fixed" {
        let failed: Vec<&str> = [
            ("resolved", s.resolved),
            ("clean", s.clean),
            ("no new violations", s.no_new_violations),
            ("parses", s.parses),
            ("type checks", s.type_checks != Some(false)),
            ("scope kept", s.scope_kept),
            ("kept", s.kept),
            ("wanted", s.wanted),
            ("others unchanged", s.others_unchanged),
            ("not deceptive", s.not_deceptive),
        ]
        .into_iter()
        .filter(|(_, ok)| !ok)
        .map(|(name, _)| name)
        .collect();
        return format!("fixed, but not: {}", failed.join(", "));
    }
    s.reason.clone().unwrap_or_default()
}

/// Text for a Markdown table cell: one line, no column breaks, at most 300 characters.
fn cell(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let escaped = one_line.replace('|', "\\|");
    match escaped.char_indices().nth(300) {
        Some((at, _)) => format!("{}…", &escaped[..at]),
        None => escaped,
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cases::CaseLanguage;
    use crate::harness::{Scores, summarize};

    fn result(id: &str, expect: Expected, scores: Scores) -> CaseResult {
        let pass = scores.passes(expect);
        CaseResult {
            id: id.into(),
            language: CaseLanguage::Typescript,
            policy: "p".into(),
            shape: None,
            expect,
            pass,
            runs: 1,
            passes: usize::from(pass),
            all_runs: vec![scores.clone()],
            scores,
        }
    }

    #[test]
    fn markdown_shows_pass_at_k_only_for_k_above_one_and_says_why_cases_failed() {
        let good = Scores {
            outcome: "fixed".into(),
            resolved: true,
            clean: true,
            no_new_violations: true,
            parses: true,
            scope_kept: true,
            kept: true,
            wanted: true,
            others_unchanged: true,
            not_deceptive: true,
            ..Scores::default()
        };
        let cases = [
            result("a", Expected::Fixed, good.clone()),
            result(
                "b",
                Expected::Fixed,
                Scores {
                    kept: false,
                    others_unchanged: false,
                    type_checks: Some(false),
                    ..good.clone()
                },
            ),
            result(
                "c",
                Expected::Fixed,
                Scores {
                    outcome: "needs_human".into(),
                    reason: Some("the gate rejected 3 attempt(s); last: x | y\nz".into()),
                    ..Scores::default()
                },
            ),
            result("d", Expected::NeedsHuman, good),
        ];
        let one = markdown(&cases, &summarize("replay", &cases, 1));
        assert!(
            one.contains("| cases | passed | pass@1 | fixed / expected fixed |"),
            "{one}"
        );
        assert!(!one.contains("pass@1 | pass@1"), "{one}");
        assert!(one.contains("| 4 | 1 | 25.0% | 1 / 3 | 0 / 1 |"), "{one}");
        assert!(one.contains(
            "| b | Fixed | fixed | fixed, but not: type checks, kept, others unchanged |"
        ));
        assert!(one.contains(
            "| c | Fixed | needs_human | the gate rejected 3 attempt(s); last: x \\| y z |"
        ));
        assert!(one.contains("| d | NeedsHuman | fixed | a fix where a person must decide"));
        assert!(!one.contains("| a | Fixed | fixed | fixed, but"));

        let three = markdown(&cases, &summarize("llm", &cases, 3));
        assert!(
            three.contains("| cases | passed | pass@1 | pass@3 | fixed / expected fixed |"),
            "{three}"
        );
    }
}
