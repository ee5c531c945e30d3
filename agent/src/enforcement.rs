//! Enforcement levels, as in Pulumi's policy groups: which violations count, per policy and per
//! path (`[[enforcement]]` in `remedy.toml`, `--enforce` on the command line).

use std::fmt;
use std::str::FromStr;

use globset::{Glob, GlobBuilder, GlobSet, GlobSetBuilder};
use remedy_guardrails::PolicySet;
use serde::{Deserialize, Serialize};

/// How a policy's violations count, as in Pulumi's policy groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Reported, and fails `remedy check`.
    Mandatory,
    /// Reported, never fails the gate.
    Advisory,
    /// Not reported.
    Disabled,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Mandatory => "mandatory",
            Self::Advisory => "advisory",
            Self::Disabled => "disabled",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Level {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "mandatory" => Ok(Self::Mandatory),
            "advisory" => Ok(Self::Advisory),
            "disabled" => Ok(Self::Disabled),
            other => Err(format!(
                "unknown enforcement level `{other}` (expected mandatory, advisory or disabled)"
            )),
        }
    }
}

/// One `[[enforcement]]` rule: `level` for the `policies` (ids or globs such as `aws-s3-*`;
/// none = every policy) in files matching `paths` (globs relative to the repository root; none =
/// every file).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnforcementRule {
    #[serde(default)]
    pub paths: Vec<String>,
    #[serde(default)]
    pub policies: Vec<String>,
    pub level: Level,
}

/// A rule that cannot apply: `key` names it (`enforcement[0].policies`).
#[derive(Debug, thiserror::Error)]
#[error("{origin}: {key}: {message}")]
pub struct EnforcementError {
    pub origin: String,
    pub key: String,
    pub message: String,
}

/// Enforcement levels, resolved per (policy, file).
///
/// Precedence: a rule that names policies and paths beats one that names only policies, which
/// beats one that names only paths, which beats one that names neither; among rules of the same
/// kind, the later one wins (rules given on the command line come after the file's). With no
/// matching rule a policy is mandatory.
#[derive(Debug, Default)]
pub struct Enforcement {
    rules: Vec<CompiledRule>,
}

#[derive(Debug)]
struct CompiledRule {
    paths: Option<GlobSet>,
    policies: Option<GlobSet>,
    level: Level,
    rank: (u8, usize),
}

impl Enforcement {
    /// Compile rules; `origin` names where they came from in errors. Every policy pattern must
    /// match a loaded policy, so a misspelt id is an error rather than a rule that never applies.
    pub fn new(
        rules: &[EnforcementRule],
        origin: &str,
        policies: &PolicySet,
    ) -> Result<Self, EnforcementError> {
        let mut compiled = Vec::with_capacity(rules.len());
        for (index, rule) in rules.iter().enumerate() {
            let key = |field: &str| format!("enforcement[{index}].{field}");
            let fail = |field: &str, message: String| EnforcementError {
                origin: origin.to_string(),
                key: key(field),
                message,
            };
            let paths = globs(&rule.paths, true).map_err(|m| fail("paths", m))?;
            let ids = globs(&rule.policies, false).map_err(|m| fail("policies", m))?;
            for (pattern, matcher) in rule.policies.iter().zip(single_globs(&rule.policies)) {
                let matched = matcher
                    .as_ref()
                    .is_some_and(|m| policies.policies().iter().any(|p| m.is_match(&p.id)));
                if !matched {
                    return Err(fail(
                        "policies",
                        format!("`{pattern}` matches no loaded policy (see `remedy policies`)"),
                    ));
                }
            }
            let specificity = u8::from(ids.is_some()) * 2 + u8::from(paths.is_some());
            compiled.push(CompiledRule {
                paths,
                policies: ids,
                level: rule.level,
                rank: (specificity, index),
            });
        }
        compiled.sort_by_key(|r| r.rank);
        Ok(Self { rules: compiled })
    }

    /// The level of `policy` for `file` (repository-relative, `/`-separated).
    pub fn level(&self, policy: &str, file: &str) -> Level {
        self.rules
            .iter()
            .rev()
            .find(|r| {
                r.policies.as_ref().is_none_or(|g| g.is_match(policy))
                    && r.paths.as_ref().is_none_or(|g| g.is_match(file))
            })
            .map_or(Level::Mandatory, |r| r.level)
    }
}

/// A glob set, `None` for an empty list (which matches everything). For paths, `*` stays
/// within one directory and `**` crosses directories, as in `.gitignore`.
fn globs(patterns: &[String], paths: bool) -> Result<Option<GlobSet>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = GlobBuilder::new(pattern)
            .literal_separator(paths)
            .build()
            .map_err(|e| format!("invalid glob `{pattern}`: {e}"))?;
        builder.add(glob);
    }
    builder
        .build()
        .map(Some)
        .map_err(|e| format!("invalid globs: {e}"))
}

fn single_globs(patterns: &[String]) -> Vec<Option<globset::GlobMatcher>> {
    patterns
        .iter()
        .map(|p| Glob::new(p).ok().map(|g| g.compile_matcher()))
        .collect()
}

/// Parse `ID=LEVEL` from the command line (`--enforce`).
pub fn parse_enforce_flag(s: &str) -> Result<EnforcementRule, String> {
    let (id, level) = s
        .split_once('=')
        .ok_or_else(|| format!("expected POLICY=LEVEL, got `{s}`"))?;
    Ok(EnforcementRule {
        paths: Vec::new(),
        policies: vec![id.trim().to_string()],
        level: level.trim().parse()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set() -> PolicySet {
        PolicySet::builtin().unwrap()
    }

    fn rules(text: &str) -> Vec<EnforcementRule> {
        #[derive(Deserialize)]
        struct File {
            enforcement: Vec<EnforcementRule>,
        }
        toml::from_str::<File>(text).unwrap().enforcement
    }

    #[test]
    fn precedence_specific_over_general_then_later_over_earlier() {
        let text = r#"
[[enforcement]]
level = "advisory"

[[enforcement]]
paths = ["prod/**"]
level = "mandatory"

[[enforcement]]
policies = ["aws-iam-password-reuse"]
level = "disabled"

[[enforcement]]
paths = ["sandbox/**"]
policies = ["aws-rds-*"]
level = "mandatory"

[[enforcement]]
paths = ["prod/legacy/**"]
level = "advisory"
"#;
        let e = Enforcement::new(&rules(text), "remedy.toml", &set()).unwrap();
        // Everything everywhere: advisory.
        assert_eq!(
            e.level("aws-s3-bucket-versioning", "app/index.ts"),
            Level::Advisory
        );
        // Paths beat the catch-all; the later path rule wins among path rules.
        assert_eq!(
            e.level("aws-s3-bucket-versioning", "prod/index.ts"),
            Level::Mandatory
        );
        assert_eq!(
            e.level("aws-s3-bucket-versioning", "prod/legacy/a.py"),
            Level::Advisory
        );
        // A policy rule beats a path rule.
        assert_eq!(
            e.level("aws-iam-password-reuse", "prod/index.ts"),
            Level::Disabled
        );
        // A policy-and-path rule beats both.
        assert_eq!(
            e.level("aws-rds-instance-public", "sandbox/db.ts"),
            Level::Mandatory
        );
        assert_eq!(
            e.level("aws-rds-instance-public", "other/db.ts"),
            Level::Advisory
        );
    }

    #[test]
    fn no_rules_means_mandatory() {
        let e = Enforcement::new(&[], "remedy.toml", &set()).unwrap();
        assert_eq!(e.level("anything", "any/file.ts"), Level::Mandatory);
    }

    #[test]
    fn misspelt_policy_is_an_error_naming_the_rule() {
        let rules = vec![EnforcementRule {
            paths: vec![],
            policies: vec!["aws-s3-bucket-publc-read".into()],
            level: Level::Advisory,
        }];
        let err = Enforcement::new(&rules, "remedy.toml", &set())
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("remedy.toml: enforcement[0].policies: `aws-s3-bucket-publc-read`"),
            "{err}"
        );
    }

    #[test]
    fn enforce_flag() {
        let rule = parse_enforce_flag("aws-kms-key-rotation=advisory").unwrap();
        assert_eq!(rule.policies, vec!["aws-kms-key-rotation"]);
        assert_eq!(rule.level, Level::Advisory);
        assert!(parse_enforce_flag("aws-kms-key-rotation").is_err());
        assert!(parse_enforce_flag("x=sometimes").is_err());
    }
}
