//! Programs that violate the built-in policies, for measurements over many violations (the LLM
//! agent's prompt size): the packs' own fixtures and the gate suite's programs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The violating programs of the workspace at `workspace` as `(label, text)`: every built-in
/// AWS policy's `violating.ts`/`violating.py` fixture (labelled by its path) and each distinct
/// program of the gate suite (`gate-suite:<file>`).
pub fn violating_programs(workspace: &Path) -> Result<Vec<(String, String)>, String> {
    let mut files = Vec::new();
    let fixtures = workspace.join("guardrails/packs/aws/tests");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&fixtures)
        .map_err(|e| format!("{}: {e}", fixtures.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for dir in dirs {
        for name in ["violating.ts", "violating.py"] {
            let path = dir.join(name);
            if let Ok(text) = std::fs::read_to_string(&path) {
                let label = path
                    .strip_prefix(workspace)
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                files.push((label, text));
            }
        }
    }
    let cases =
        crate::gate_suite::load(&workspace.join("eval/gate-suite")).map_err(|e| e.to_string())?;
    let mut seen = BTreeSet::new();
    for case in cases {
        let Some(before) = case.changes.first().and_then(|c| c.before.clone()) else {
            continue;
        };
        if seen.insert(before.clone()) {
            files.push((format!("gate-suite:{}", case.file), before));
        }
    }
    Ok(files)
}
