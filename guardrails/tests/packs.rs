//! Every built-in policy against its fixtures, in TypeScript and in Python.
//!
//! `packs/<cloud>/tests/<policy file stem>/` holds `violating.{ts,py}` and `compliant.{ts,py}`.
//! In a violating fixture every resource named `bad…` must violate the policy and none named
//! `good…` may; a compliant fixture must not violate it at all.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use remedy_guardrails::Evaluator;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use remedy_guardrails::PolicySet;
use remedy_source::{DiagnosticLevel, Language, parse_source};

fn fixture_dir(source: &str) -> PathBuf {
    let rel = source.strip_prefix("builtin:").unwrap();
    let (cloud, file) = rel.split_once('/').unwrap();
    let stem = file.strip_suffix(".rego").unwrap();
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("packs")
        .join(cloud)
        .join("tests")
        .join(stem)
}

#[test]
fn every_builtin_policy_fires_on_violating_and_not_on_compliant_code() {
    let set = PolicySet::builtin().unwrap();
    let mut failures = Vec::new();
    for policy in set.policies() {
        let dir = fixture_dir(&policy.source);
        for (file, violating) in [
            ("violating.ts", true),
            ("violating.py", true),
            ("compliant.ts", false),
            ("compliant.py", false),
        ] {
            let path = dir.join(file);
            let Ok(text) = std::fs::read_to_string(&path) else {
                failures.push(format!("{}: missing fixture {}", policy.id, path.display()));
                continue;
            };
            let language = Language::from_path(&path).unwrap();
            let parsed = parse_source(language, &path, &text);
            if let Some(d) = parsed
                .diagnostics
                .iter()
                .find(|d| d.level == DiagnosticLevel::Error)
            {
                failures.push(format!(
                    "{}: {} does not parse: {}",
                    policy.id,
                    path.display(),
                    d.message
                ));
            }
            let applicable: Vec<&str> = parsed
                .resources
                .iter()
                .filter(|r| policy.applies_to(&r.type_token))
                .filter_map(|r| r.name.as_deref())
                .collect();

            let mut ev = Evaluator::new(&set);
            let audit = ev.audit_source(file, language, &text);
            let fired: BTreeSet<&str> = audit
                .violations
                .iter()
                .filter(|v| v.policy == policy.id)
                .filter_map(|v| v.resource.name.as_deref())
                .collect();

            let bad: Vec<&str> = applicable
                .iter()
                .copied()
                .filter(|n| n.starts_with("bad"))
                .collect();
            let has_good = applicable.iter().any(|n| n.starts_with("good"));
            if violating {
                if bad.is_empty() {
                    failures.push(format!(
                        "{}: {} has no `bad…` resource",
                        policy.id,
                        path.display()
                    ));
                }
                for name in &bad {
                    if !fired.contains(name) {
                        failures.push(format!(
                            "{}: {} `{name}` should violate",
                            policy.id,
                            path.display()
                        ));
                    }
                }
            } else if !has_good {
                failures.push(format!(
                    "{}: {} has no `good…` resource",
                    policy.id,
                    path.display()
                ));
            }
            for name in fired.iter().filter(|n| !n.starts_with("bad")) {
                failures.push(format!(
                    "{}: {} `{name}` should not violate",
                    policy.id,
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
