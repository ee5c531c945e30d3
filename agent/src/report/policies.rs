//! `remedy policies`: the loaded policies, or one framework's controls and the policies that
//! cover them.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use anstyle::{AnsiColor, Style};
use remedy_guardrails::{Policy, PolicySet, Severity};
use serde::Serialize;

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();

/// Bumped only for a breaking change to the document.
pub const VERSION: u32 = 1;

/// One framework's coverage: each control and the policies mapped to it.
#[derive(Debug, Serialize)]
pub struct Coverage<'a> {
    pub framework: &'a str,
    pub controls: Vec<Control<'a>>,
    /// Distinct policies mapped to the framework.
    pub policies: usize,
}

#[derive(Debug, Serialize)]
pub struct Control<'a> {
    pub control: &'a str,
    pub policies: Vec<&'a str>,
}

/// Coverage of every framework key that starts with `filter` (all when `None`), sorted by key;
/// controls in natural order (`2.1.4` before `10.2.1`, `AC-3` before `AC-17`).
pub fn coverage<'a>(set: &'a PolicySet, filter: Option<&str>) -> Vec<Coverage<'a>> {
    let wanted = filter.map(str::to_ascii_lowercase);
    let mut by_framework: BTreeMap<&str, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    for policy in set.policies() {
        for (framework, controls) in &policy.frameworks {
            if wanted.as_deref().is_some_and(|w| !framework.starts_with(w)) {
                continue;
            }
            let entry = by_framework.entry(framework).or_default();
            for control in controls {
                entry.entry(control).or_default().insert(&policy.id);
            }
        }
    }
    by_framework
        .into_iter()
        .map(|(framework, controls)| {
            let policies = controls.values().flatten().collect::<BTreeSet<_>>().len();
            let mut controls: Vec<Control<'_>> = controls
                .into_iter()
                .map(|(control, ids)| Control {
                    control,
                    policies: ids.into_iter().collect(),
                })
                .collect();
            controls.sort_by(|a, b| natural_cmp(a.control, b.control));
            Coverage {
                framework,
                controls,
                policies,
            }
        })
        .collect()
}

pub fn write_table(
    set: &PolicySet,
    framework: Option<&str>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let width = set.policies().iter().map(|p| p.id.len()).max().unwrap_or(0);
    match framework {
        None => {
            let mut policies: Vec<&Policy> = set.policies().iter().collect();
            policies.sort_by(|a, b| a.id.cmp(&b.id));
            writeln!(
                out,
                "{BOLD}{:<width$}  {:<8}  {:<10}  TITLE{BOLD:#}",
                "POLICY", "SEVERITY", "FIX"
            )?;
            for policy in policies {
                write_policy_line(policy, width, out)?;
                let controls = policy
                    .frameworks
                    .iter()
                    .map(|(f, ids)| format!("{f} {}", ids.join(", ")))
                    .collect::<Vec<_>>();
                if !controls.is_empty() {
                    writeln!(out, "{:<width$}  {DIM}{}{DIM:#}", "", controls.join(" · "))?;
                }
            }
            let types: BTreeSet<&str> = set
                .policies()
                .iter()
                .flat_map(|p| p.resource_types.iter().map(String::as_str))
                .collect();
            let frameworks = coverage(set, None);
            writeln!(
                out,
                "\n{} polic{} over {} resource type{}, mapped to {} framework key{}",
                set.policies().len(),
                if set.policies().len() == 1 {
                    "y"
                } else {
                    "ies"
                },
                types.len(),
                if types.len() == 1 { "" } else { "s" },
                frameworks.len(),
                if frameworks.len() == 1 { "" } else { "s" },
            )
        }
        Some(filter) => {
            let by_id: BTreeMap<&str, &Policy> =
                set.policies().iter().map(|p| (p.id.as_str(), p)).collect();
            for (i, cov) in coverage(set, Some(filter)).iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(
                    out,
                    "{BOLD}{}{BOLD:#}: {} control{} covered by {} polic{}",
                    cov.framework,
                    cov.controls.len(),
                    if cov.controls.len() == 1 { "" } else { "s" },
                    cov.policies,
                    if cov.policies == 1 { "y" } else { "ies" },
                )?;
                for control in &cov.controls {
                    writeln!(out, "\n  {BOLD}{}{BOLD:#}", control.control)?;
                    for id in &control.policies {
                        if let Some(policy) = by_id.get(id) {
                            write!(out, "    ")?;
                            write_policy_line(policy, width, out)?;
                        }
                    }
                }
            }
            Ok(())
        }
    }
}

fn write_policy_line(policy: &Policy, width: usize, out: &mut dyn Write) -> std::io::Result<()> {
    let style = severity_style(policy.severity);
    writeln!(
        out,
        "{:<width$}  {style}{:<8}{style:#}  {:<10}  {}",
        policy.id,
        policy.severity.as_str(),
        policy.remediation.kind(),
        policy.title
    )
}

fn severity_style(severity: Severity) -> Style {
    match severity {
        Severity::Critical => AnsiColor::Red.on_default().bold(),
        Severity::High => AnsiColor::Red.on_default(),
        Severity::Medium => AnsiColor::Yellow.on_default(),
        Severity::Low => AnsiColor::Blue.on_default(),
    }
}

#[derive(Serialize)]
struct Document<'a> {
    version: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    framework: Option<&'a str>,
    policies: Vec<Entry<'a>>,
    frameworks: Vec<Coverage<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct Entry<'a> {
    id: &'a str,
    title: &'a str,
    severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    resource_types: &'a [String],
    frameworks: &'a BTreeMap<String, Vec<String>>,
    remediation: Remediation<'a>,
    source: &'a str,
}

#[derive(Serialize)]
struct Remediation<'a> {
    kind: &'static str,
    edits: &'a [remedy_guardrails::Edit],
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<&'a str>,
}

#[derive(Serialize)]
struct Summary {
    policies: usize,
    resource_types: usize,
    /// Framework key → policies and controls covered.
    frameworks: BTreeMap<String, FrameworkCount>,
}

#[derive(Serialize)]
struct FrameworkCount {
    policies: usize,
    controls: usize,
}

pub fn write_json(
    set: &PolicySet,
    framework: Option<&str>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let mut policies: Vec<&Policy> = set.policies().iter().collect();
    policies.sort_by(|a, b| a.id.cmp(&b.id));
    let frameworks = coverage(set, framework);
    let doc = Document {
        version: VERSION,
        framework,
        policies: policies
            .iter()
            .map(|p| Entry {
                id: &p.id,
                title: &p.title,
                severity: p.severity,
                description: p.description.as_deref(),
                resource_types: &p.resource_types,
                frameworks: &p.frameworks,
                remediation: Remediation {
                    kind: p.remediation.kind(),
                    edits: &p.remediation.edits,
                    hint: p.remediation.hint.as_deref(),
                },
                source: &p.source,
            })
            .collect(),
        summary: Summary {
            policies: policies.len(),
            resource_types: policies
                .iter()
                .flat_map(|p| p.resource_types.iter())
                .collect::<BTreeSet<_>>()
                .len(),
            frameworks: frameworks
                .iter()
                .map(|c| {
                    (
                        c.framework.to_string(),
                        FrameworkCount {
                            policies: c.policies,
                            controls: c.controls.len(),
                        },
                    )
                })
                .collect(),
        },
        frameworks,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// Compare control ids chunk by chunk, numbers numerically: `2.1.4` < `10.2.1`, `AC-3` < `AC-17`.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (mut a, mut b) = (a, b);
    loop {
        match (chunk(a), chunk(b)) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some((x, rest_a)), Some((y, rest_b))) => {
                let order = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
                    _ => x.cmp(y),
                };
                if order != Ordering::Equal {
                    return order;
                }
                a = rest_a;
                b = rest_b;
            }
        }
    }
}

/// The leading run of digits or of non-digits, and the rest.
fn chunk(s: &str) -> Option<(&str, &str)> {
    let first = s.chars().next()?;
    let digit = first.is_ascii_digit();
    let end = s
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() != digit)
        .map_or(s.len(), |(i, _)| i);
    Some(s.split_at(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order_of_control_ids() {
        let mut ids = vec![
            "AC-17", "10.2.1", "AC-3", "2.1.4", "A.8.15", "A.5.33", "1.8", "CC6.1",
        ];
        ids.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            ids,
            vec![
                "1.8", "2.1.4", "10.2.1", "A.5.33", "A.8.15", "AC-3", "AC-17", "CC6.1"
            ]
        );
    }

    #[test]
    fn coverage_groups_policies_by_control() {
        let set = PolicySet::builtin().unwrap();
        let cov = coverage(&set, Some("HITRUST"));
        assert_eq!(cov.len(), 1);
        assert!(cov[0].framework.starts_with("hitrust-csf-"));
        let c = cov[0]
            .controls
            .iter()
            .find(|c| c.control == "01.c")
            .unwrap();
        assert!(c.policies.contains(&"aws-iam-password-length"));
        assert!(c.policies.contains(&"aws-lambda-public-invoke"));
        // Every policy listed under a control maps to it.
        for control in &cov[0].controls {
            for id in &control.policies {
                let p = set.get(id).unwrap();
                assert!(
                    p.frameworks[cov[0].framework]
                        .iter()
                        .any(|x| x == control.control)
                );
            }
        }
    }
}
