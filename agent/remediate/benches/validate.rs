//! What the gate's `validate` check costs per fix. `cargo bench -p remedy-remediate --bench
//! validate [-- FIXES]` (default 20).
//!
//! A TypeScript program (`Pulumi.yaml`, a strict `tsconfig.json`, one file of FIXES S3 buckets
//! with `acl: "public-read"`) has each bucket fixed by the recipe, one fix at a time from the
//! unfixed text (as separate pull requests would), in one run:
//!   baseline  recipe and gate, no validate
//!   true      `[gate] validate = ["true"]`: the scratch copy and one process per fix
//!   tsc       `tsc --noEmit -p .` detected in the program's `node_modules`, linked to the
//!             package cache the type-checked eval installs (`@pulumi/aws` 6.83.0, TypeScript
//!             5.6.3; `CARGO_TARGET_TMPDIR/typecheck`, or `REMEDY_TYPECHECK_CACHE`); skipped
//!             when the cache is not there (run `cargo test -p remedy-eval --test typecheck`)
//! A fix the checker passes costs one run; the unfixed program is checked only when a fix fails.

// A benchmark aborts on any failure: there is nothing to recover.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use remedy_guardrails::{Evaluator, PolicySet};
use remedy_remediate::{
    ProviderChoice, Remediation, Remediator, Subject, VALIDATE, ValidateSettings, Validator,
};
use remedy_source::Language;

const TSCONFIG: &str = r#"{ "compilerOptions": { "strict": true, "noEmit": true, "target": "es2020",
  "module": "commonjs", "moduleResolution": "node", "skipLibCheck": true, "types": [] } }
"#;

fn program(fixes: usize) -> String {
    let mut text = String::from("import * as aws from \"@pulumi/aws\";\n\n");
    for i in 0..fixes {
        writeln!(
            text,
            "export const b{i} = new aws.s3.Bucket(\"b{i}\", {{ acl: \"public-read\" }});"
        )
        .unwrap();
    }
    text
}

fn cache() -> PathBuf {
    std::env::var_os("REMEDY_TYPECHECK_CACHE").map_or_else(
        || Path::new(env!("CARGO_TARGET_TMPDIR")).join("typecheck"),
        PathBuf::from,
    )
}

/// Fix every subject from `text`; the time and the last verdict's validate evidence.
fn run(
    policies: &PolicySet,
    validator: Option<Arc<Validator>>,
    subjects: &[Subject],
    text: &str,
    root: &Path,
) -> (Duration, String) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .build()
        .unwrap();
    let mut remediator = Remediator::new(policies);
    remediator.provider = ProviderChoice::Recipe;
    remediator.validator = validator;
    let started = Instant::now();
    let mut evidence = String::from("-");
    for subject in subjects {
        let outcome = runtime.block_on(remediator.remediate(subject, text, root));
        let Remediation::Fixed { verdict, .. } = outcome else {
            panic!("not fixed: {outcome:?}");
        };
        if let Some(check) = verdict.checks.iter().find(|c| c.name == VALIDATE) {
            assert!(check.passed, "{}", check.evidence);
            evidence.clone_from(&check.evidence);
        }
    }
    (started.elapsed(), evidence)
}

fn main() {
    let fixes = std::env::args()
        .skip(1)
        .find_map(|a| a.parse::<usize>().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let text = program(fixes);
    std::fs::create_dir_all(root.join("infra")).unwrap();
    std::fs::write(
        root.join("infra/Pulumi.yaml"),
        "name: infra\nruntime: nodejs\n",
    )
    .unwrap();
    std::fs::write(root.join("infra/tsconfig.json"), TSCONFIG).unwrap();
    std::fs::write(root.join("infra/index.ts"), &text).unwrap();
    let policies = PolicySet::builtin().unwrap();
    let audit =
        Evaluator::new(&policies).audit_source("infra/index.ts", Language::TypeScript, &text);
    let subjects: Vec<Subject> = audit
        .violations
        .iter()
        .filter(|v| v.policy == "aws-s3-bucket-public-read")
        .map(Subject::from)
        .collect();
    assert_eq!(subjects.len(), fixes);
    println!("{fixes} recipe fixes of one program, one at a time");

    let settings = |commands: Option<Vec<String>>| {
        Some(Arc::new(Validator::new(ValidateSettings {
            commands,
            ..ValidateSettings::default()
        })))
    };
    // Warm the policy engine and the file cache once, outside the timings.
    run(&policies, None, &subjects[..1], &text, root);
    let (baseline, _) = run(&policies, None, &subjects, &text, root);
    let per_fix = |d: Duration| d.as_secs_f64() * 1e3 / fixes as f64;
    println!("baseline  {:>8.1} ms/fix  1.00×", per_fix(baseline));
    let (t, evidence) = run(
        &policies,
        settings(Some(vec!["true".into()])),
        &subjects,
        &text,
        root,
    );
    println!(
        "true      {:>8.1} ms/fix  {:>5.2}×  ({evidence})",
        per_fix(t),
        t.as_secs_f64() / baseline.as_secs_f64()
    );
    let modules = cache().join("node_modules");
    if modules.join(".bin/tsc").is_file() {
        std::os::unix::fs::symlink(
            modules.canonicalize().unwrap(),
            root.join("infra/node_modules"),
        )
        .unwrap();
        let (t, evidence) = run(&policies, settings(None), &subjects, &text, root);
        println!(
            "tsc       {:>8.1} ms/fix  {:>5.0}×  ({evidence})",
            per_fix(t),
            t.as_secs_f64() / baseline.as_secs_f64()
        );
    } else {
        println!(
            "tsc       skipped: no TypeScript in {} (run `cargo test -p remedy-eval --test \
             typecheck` to install it)",
            modules.display()
        );
    }
}
