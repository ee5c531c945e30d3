//! The gate suite's cases, read from the eval crate's `eval/gate-suite/*.toml` (format in
//! `eval/src/gate_suite.rs`) and made ready for the gate: each target is the violation as an
//! audit of its base reports it.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use remedy_guardrails::Evaluator;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use remedy_guardrails::gate::{FileChange, Target};
use remedy_guardrails::{LoadOptions, PolicySet};
use remedy_source::Language;
use serde::Deserialize;

/// The gate's checks, in the order it runs and reports them.
pub const CHECKS: [&str; 7] = [
    "parses",
    "target_resolved",
    "no_new_violations",
    "scope",
    "resource_options",
    "data_not_code",
    "typed_values",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    #[serde(default)]
    base: BTreeMap<String, BaseSpec>,
    #[serde(default)]
    case: Vec<CaseSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BaseSpec {
    file: String,
    text: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    id: String,
    expect: String,
    category: Option<String>,
    check: Option<String>,
    base: String,
    target: TargetSpec,
    #[serde(default)]
    replace: Vec<(String, String)>,
    after: Option<String>,
    #[serde(default)]
    delete: bool,
    #[serde(default)]
    extra: Vec<ExtraFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetSpec {
    policy: String,
    #[serde(rename = "type")]
    type_token: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraFile {
    path: String,
    before: Option<String>,
    after: Option<String>,
}

/// A case ready for the gate. `reject` names the check that must fail; `None` means accept.
pub struct Case {
    pub id: String,
    pub language: Language,
    pub reject: Option<String>,
    pub target: Target,
    pub changes: Vec<FileChange>,
}

pub struct Suite {
    pub policies: PolicySet,
    pub cases: Vec<Case>,
}

pub static SUITE: LazyLock<Suite> = LazyLock::new(|| {
    let policies = PolicySet::load(&LoadOptions {
        builtin: true,
        paths: vec![],
        repository: None,
    })
    .unwrap();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../eval/gate-suite");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let suite: SuiteFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for spec in suite.case {
            cases.push(build(&policies, &suite.base, spec));
        }
    }
    Suite { policies, cases }
});

fn build(policies: &PolicySet, bases: &BTreeMap<String, BaseSpec>, spec: CaseSpec) -> Case {
    let id = spec.id;
    let base = bases
        .get(&spec.base)
        .unwrap_or_else(|| panic!("{id}: no base"));
    let mut after = spec.after.unwrap_or_else(|| base.text.clone());
    for (old, new) in &spec.replace {
        let count = after.matches(old.as_str()).count();
        assert_eq!(count, 1, "{id}: `{old}` occurs {count} times in the base");
        after = after.replacen(old.as_str(), new, 1);
    }
    let reject = match spec.expect.as_str() {
        "accept" => None,
        "reject" => {
            assert!(
                spec.category.is_some(),
                "{id}: a rejection names its category"
            );
            let check = spec.check.unwrap_or_else(|| panic!("{id}: names no check"));
            assert!(CHECKS.contains(&check.as_str()), "{id}: no check `{check}`");
            Some(check)
        }
        other => panic!("{id}: expect = {other:?}"),
    };
    let language = Language::from_path(Path::new(&base.file)).unwrap();
    // The target is the violation as an audit of the base reports it.
    let audit = Evaluator::new(policies).audit_source(&base.file, language, &base.text);
    let t = &spec.target;
    let violation = audit
        .violations
        .iter()
        .find(|v| {
            v.policy == t.policy
                && v.resource.type_token == t.type_token
                && v.resource.name.as_deref().unwrap_or(&v.resource.name_expr) == t.name
        })
        .unwrap_or_else(|| panic!("{id}: {} does not fire on `{}`", t.policy, t.name));
    let mut changes = vec![FileChange {
        path: base.file.clone(),
        before: Some(base.text.clone()),
        after: (!spec.delete).then_some(after),
    }];
    changes.extend(spec.extra.into_iter().map(|e| FileChange {
        path: e.path,
        before: e.before,
        after: e.after,
    }));
    Case {
        id,
        language,
        reject,
        target: Target {
            fingerprint: violation.fingerprint.clone(),
            policy: t.policy.clone(),
            file: base.file.clone(),
            type_token: t.type_token.clone(),
            name: t.name.clone(),
            ordinal: 0,
        },
        changes,
    }
}
