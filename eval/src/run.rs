//! Running a corpus: every case `k` times, then type checks in one batch.

use remedy_guardrails::PolicySet;

use crate::cases::{Case, CaseLanguage};
use crate::harness::{CaseResult, Fixer, run_once};
use crate::typecheck::TypeChecker;

/// Run every case `k` times.
pub async fn run_cases(
    policies: &PolicySet,
    cases: &[Case],
    k: usize,
    fixer: &dyn Fixer,
    typecheck: Option<&TypeChecker>,
) -> Result<Vec<CaseResult>, String> {
    let mut results = Vec::with_capacity(cases.len());
    for case in cases {
        let mut runs = Vec::with_capacity(k.max(1));
        for _ in 0..k.max(1) {
            runs.push(run_once(policies, fixer, case).await?);
        }
        results.push((case, runs));
    }
    if let Some(checker) = typecheck {
        let programs: Vec<(String, Vec<(String, String)>)> = results
            .iter()
            .filter(|(case, _)| case.language == CaseLanguage::Typescript)
            .flat_map(|(case, runs)| {
                runs.iter().enumerate().filter_map(move |(i, s)| {
                    let (file, after) = s.after.as_ref()?;
                    let mut files = case.files.clone();
                    if let Some(slot) = files.iter_mut().find(|(f, _)| f == file) {
                        slot.1 = after.clone();
                    }
                    Some((format!("{}-{i}", case.id), files))
                })
            })
            .collect();
        let verdicts = checker.check(&programs).map_err(|e| e.to_string())?;
        for (case, runs) in &mut results {
            for (i, scores) in runs.iter_mut().enumerate() {
                if scores.after.is_some() {
                    scores.type_checks = verdicts.get(&format!("{}-{i}", case.id)).copied();
                }
            }
        }
    }
    Ok(results
        .into_iter()
        .map(|(case, runs)| {
            let passes = runs.iter().filter(|s| s.passes(case.expect)).count();
            let first = runs.first().cloned().unwrap_or_default();
            CaseResult {
                id: case.id.clone(),
                language: case.language,
                policy: case.policy.clone(),
                shape: case.shape.clone(),
                expect: case.expect,
                pass: first.passes(case.expect),
                runs: runs.len(),
                passes,
                scores: first,
                all_runs: runs,
            }
        })
        .collect())
}
