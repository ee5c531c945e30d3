//! The gate suite: known-bad patches the gate must reject and known-good ones it must accept.
//!
//! Cases live in TOML files (`eval/gate-suite/*.toml`). A file declares named bases (a program
//! file) and cases; a case starts from a base and either replaces exact snippets (each must
//! occur exactly once) or gives the whole `after` text, optionally changing other files too.
//!
//! ```toml
//! [base.s3_ts]
//! file = "index.ts"
//! text = '''…'''
//!
//! [[case]]
//! id = "ts-acl-private"
//! expect = "accept"
//! base = "s3_ts"
//! target = { policy = "aws-s3-bucket-public-read", type = "aws:s3/bucket:Bucket", name = "site" }
//! replace = [['acl: "public-read"', 'acl: "private"']]
//! ```
//!
//! A rejected case names its `category` and the `check` that must fail.

use remedy_guardrails::Evaluator;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use remedy_guardrails::PolicySet;
use remedy_guardrails::gate::{self, FileChange, GateConfig, Target};
use remedy_source::Language;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum SuiteError {
    #[error("{}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", .path.display())]
    Parse { path: PathBuf, message: String },
    #[error("case {case}: {message}")]
    Case { case: String, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    Accept,
    Reject,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    #[serde(default)]
    base: BTreeMap<String, Base>,
    #[serde(default)]
    case: Vec<CaseSpec>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Base {
    file: String,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseSpec {
    id: String,
    expect: Expect,
    #[serde(default)]
    category: Option<String>,
    #[serde(default)]
    check: Option<String>,
    base: String,
    target: TargetSpec,
    #[serde(default)]
    replace: Vec<(String, String)>,
    #[serde(default)]
    after: Option<String>,
    /// The target's file is deleted.
    #[serde(default)]
    delete: bool,
    #[serde(default)]
    extra: Vec<ExtraFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetSpec {
    policy: String,
    #[serde(rename = "type")]
    type_token: String,
    name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraFile {
    path: String,
    #[serde(default)]
    before: Option<String>,
    #[serde(default)]
    after: Option<String>,
}

/// A case ready to run.
#[derive(Debug, Clone)]
pub struct GateCase {
    pub id: String,
    pub expect: Expect,
    pub category: Option<String>,
    pub check: Option<String>,
    pub file: String,
    pub policy: String,
    pub type_token: String,
    pub name: String,
    pub changes: Vec<FileChange>,
}

/// What the gate did with a case.
#[derive(Debug, Clone, Serialize)]
pub struct CaseResult {
    pub id: String,
    pub expect: Expect,
    pub category: Option<String>,
    pub accepted: bool,
    pub failed_checks: Vec<String>,
    /// The gate decided as expected (and, for a rejection, the named check failed).
    pub ok: bool,
    pub reasons: Vec<String>,
}

/// Load every `*.toml` file in `dir`, sorted by name.
pub fn load(dir: &Path) -> Result<Vec<GateCase>, SuiteError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|source| SuiteError::Read {
            path: path.to_path_buf(),
            source,
        })
    };
    let entries = std::fs::read_dir(dir).map_err(|source| SuiteError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let suite: SuiteFile = toml::from_str(&read(&path)?).map_err(|e| SuiteError::Parse {
            path: path.clone(),
            message: e.to_string(),
        })?;
        for spec in suite.case {
            cases.push(build(&suite.base, spec)?);
        }
    }
    Ok(cases)
}

fn build(bases: &BTreeMap<String, Base>, spec: CaseSpec) -> Result<GateCase, SuiteError> {
    let fail = |message: String| SuiteError::Case {
        case: spec.id.clone(),
        message,
    };
    let base = bases
        .get(&spec.base)
        .ok_or_else(|| fail(format!("no base `{}`", spec.base)))?;
    let mut after = match &spec.after {
        Some(text) => text.clone(),
        None => base.text.clone(),
    };
    for (old, new) in &spec.replace {
        let count = after.matches(old.as_str()).count();
        if count != 1 {
            return Err(fail(format!(
                "`{old}` occurs {count} times in the base; make it unique"
            )));
        }
        after = after.replacen(old.as_str(), new, 1);
    }
    if spec.expect == Expect::Reject && (spec.category.is_none() || spec.check.is_none()) {
        return Err(fail(
            "a rejected case names its `category` and the `check` that fails".into(),
        ));
    }
    let mut changes = vec![FileChange {
        path: base.file.clone(),
        before: Some(base.text.clone()),
        after: (!spec.delete).then_some(after),
    }];
    changes.extend(spec.extra.iter().map(|e| FileChange {
        path: e.path.clone(),
        before: e.before.clone(),
        after: e.after.clone(),
    }));
    Ok(GateCase {
        id: spec.id,
        expect: spec.expect,
        category: spec.category,
        check: spec.check,
        file: base.file.clone(),
        policy: spec.target.policy,
        type_token: spec.target.type_token,
        name: spec.target.name,
        changes,
    })
}

/// Run the gate on every case.
pub fn run(policies: &PolicySet, cases: &[GateCase]) -> Result<Vec<CaseResult>, SuiteError> {
    let mut evaluator = Evaluator::new(policies);
    let config = GateConfig::default();
    let mut results = Vec::with_capacity(cases.len());
    for case in cases {
        let before = case.changes[0].before.as_deref().unwrap_or_default();
        let language =
            Language::from_path(Path::new(&case.file)).ok_or_else(|| SuiteError::Case {
                case: case.id.clone(),
                message: format!("{} is not a program file", case.file),
            })?;
        let audit = evaluator.audit_source(&case.file, language, before);
        let violation = audit
            .violations
            .iter()
            .find(|v| {
                v.policy == case.policy
                    && v.resource.type_token == case.type_token
                    && v.resource.name.as_deref().unwrap_or(&v.resource.name_expr) == case.name
            })
            .ok_or_else(|| SuiteError::Case {
                case: case.id.clone(),
                message: format!(
                    "{} does not fire on `{}` in the base",
                    case.policy, case.name
                ),
            })?;
        let target = Target {
            fingerprint: violation.fingerprint.clone(),
            policy: case.policy.clone(),
            file: case.file.clone(),
            type_token: case.type_token.clone(),
            name: case.name.clone(),
            ordinal: 0,
        };
        let verdict = gate::check(&mut evaluator, &target, &case.changes, &config);
        let accepted = verdict.accepted();
        let failed_checks: Vec<String> = verdict
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.name.to_string())
            .collect();
        let ok = match case.expect {
            Expect::Accept => accepted,
            Expect::Reject => {
                !accepted
                    && case
                        .check
                        .as_ref()
                        .is_some_and(|c| failed_checks.contains(c))
            }
        };
        results.push(CaseResult {
            id: case.id.clone(),
            expect: case.expect,
            category: case.category.clone(),
            accepted,
            failed_checks,
            ok,
            reasons: verdict.reasons(),
        });
    }
    Ok(results)
}
