//! SARIF 2.1.0, as GitHub code scanning reads it.
//!
//! One run; `tool.driver.rules` holds every evaluated policy (sorted by id, so `ruleIndex` is
//! stable) with help text, framework control tags and a `security-severity`; each result points
//! at the resource's constructor call (repository-relative `uri` under `%SRCROOT%`, 1-based
//! lines, columns in Unicode code points) and carries the violation fingerprint as
//! `partialFingerprints["remedyFingerprint/v1"]`. File diagnostics go to
//! `invocations[0].toolExecutionNotifications`.

use std::collections::BTreeMap;
use std::io::Write;

use remedy_guardrails::{Edit, Policy, PolicySet, Severity};
use remedy_source::DiagnosticLevel;
use serde_json::{Value, json};

use crate::audit::AuditReport;
use crate::check::CheckResult;

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI: &str = "https://github.com/remedy-dev/remedy";
const FINGERPRINT_KEY: &str = "remedyFingerprint/v1";
/// GitHub shows at most this many tags per rule; the full mapping is in `properties.frameworks`.
const MAX_TAGS: usize = 20;

pub fn write(
    report: &AuditReport,
    policies: &PolicySet,
    gate: Option<&CheckResult>,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let doc = document(report, policies, gate);
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// The SARIF log as JSON.
pub fn document(report: &AuditReport, policies: &PolicySet, gate: Option<&CheckResult>) -> Value {
    let mut rules: Vec<&Policy> = policies.policies().iter().collect();
    rules.sort_by(|a, b| a.id.cmp(&b.id));
    let index: BTreeMap<&str, usize> = rules
        .iter()
        .enumerate()
        .map(|(i, p)| (p.id.as_str(), i))
        .collect();

    let results: Vec<Value> = report
        .violations
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let level = match gate {
                Some(gate) if gate.blocks(report, i) => "error",
                Some(_) if v.severity >= Severity::Medium => "warning",
                Some(_) => "note",
                None => severity_level(v.severity),
            };
            let mut result = json!({
                "ruleId": v.policy,
                "level": level,
                "message": { "text": v.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&v.file), "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": v.line.max(1),
                            "startColumn": v.column.max(1),
                            "endLine": v.end_line.max(1),
                            "endColumn": v.end_column.max(1),
                        }
                    }
                }],
                "partialFingerprints": { FINGERPRINT_KEY: v.fingerprint },
                "properties": {
                    "severity": v.severity,
                    "enforcement": report.level(i),
                    "resourceType": v.resource.type_token,
                    "resourceName": v.resource.name.as_deref().unwrap_or(&v.resource.name_expr),
                    "component": v.resource.component,
                    "remediation": v.remediation,
                    "frameworks": v.frameworks,
                }
            });
            if let (Some(i), Some(obj)) = (index.get(v.policy.as_str()), result.as_object_mut()) {
                obj.insert("ruleIndex".into(), json!(i));
            }
            result
        })
        .collect();

    let notifications: Vec<Value> = report
        .diagnostics
        .iter()
        .filter(|d| d.diagnostic.level != DiagnosticLevel::Info)
        .map(|d| {
            json!({
                "level": match d.diagnostic.level {
                    DiagnosticLevel::Error => "error",
                    DiagnosticLevel::Warning => "warning",
                    DiagnosticLevel::Info => "note",
                },
                "message": { "text": d.diagnostic.message },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&d.file), "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": d.diagnostic.line.max(1),
                            "startColumn": d.diagnostic.column.max(1),
                        }
                    }
                }]
            })
        })
        .collect();

    let mut invocation = json!({
        "executionSuccessful": true,
        "toolExecutionNotifications": notifications,
    });
    if let (Some(gate), Some(obj)) = (gate, invocation.as_object_mut()) {
        obj.insert("exitCode".into(), json!(gate.exit_code));
        obj.insert("properties".into(), json!({ "gate": gate }));
    }

    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "remedy",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": rules.iter().map(|p| rule(p)).collect::<Vec<_>>(),
                }
            },
            "invocations": [invocation],
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

fn rule(policy: &Policy) -> Value {
    let description = policy.description.as_deref().unwrap_or(&policy.title);
    let fix = fix_text(policy);
    let controls = policy
        .frameworks
        .iter()
        .map(|(framework, ids)| format!("{framework}: {}", ids.join(", ")))
        .collect::<Vec<_>>();

    let mut text = format!("{}\n\n{description}\n\nFix: {fix}", policy.title);
    if !controls.is_empty() {
        text.push_str(&format!("\n\nControls: {}", controls.join("; ")));
    }
    let mut markdown = format!("**{}**\n\n{description}\n\n**Fix:** {fix}\n", policy.title);
    if !policy.frameworks.is_empty() {
        markdown.push_str("\n| Framework | Controls |\n|---|---|\n");
        for (framework, ids) in &policy.frameworks {
            markdown.push_str(&format!("| `{framework}` | {} |\n", ids.join(", ")));
        }
    }
    markdown.push_str(&format!(
        "\nSeverity: {}. Resource types: {}.",
        policy.severity,
        policy
            .resource_types
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    ));

    let mut tags = vec!["security".to_string(), "iac".to_string()];
    for (framework, ids) in &policy.frameworks {
        for id in ids {
            tags.push(format!("{framework}/{id}"));
        }
    }
    tags.truncate(MAX_TAGS);

    json!({
        "id": policy.id,
        "name": pascal_case(&policy.id),
        "shortDescription": { "text": policy.title },
        "fullDescription": { "text": description },
        "help": { "text": text, "markdown": markdown },
        "defaultConfiguration": { "level": severity_level(policy.severity) },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(policy.severity),
            "precision": "high",
            "severity": policy.severity,
            "remediation": policy.remediation.kind(),
            "frameworks": policy.frameworks,
            "resourceTypes": policy.resource_types,
        }
    })
}

/// How a policy's fix reads to people.
fn fix_text(policy: &Policy) -> String {
    let remediation = &policy.remediation;
    if remediation.edits.is_empty() {
        return remediation
            .hint
            .clone()
            .unwrap_or_else(|| "manual; no declarative fix".to_string());
    }
    remediation
        .edits
        .iter()
        .map(Edit::describe)
        .collect::<Vec<_>>()
        .join("; ")
}

/// GitHub's rule severity scale: critical ≥ 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
    }
}

fn severity_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

/// `aws-s3-bucket-public-read` → `AwsS3BucketPublicRead`.
fn pascal_case(id: &str) -> String {
    id.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// A repository-relative path as a URI reference: `/`-separated, percent-encoding everything
/// but unreserved characters.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_uris() {
        assert_eq!(
            pascal_case("aws-s3-bucket-public-read"),
            "AwsS3BucketPublicRead"
        );
        assert_eq!(pascal_case("pulumi.s3"), "PulumiS3");
        assert_eq!(uri("infra/my app/index.ts"), "infra/my%20app/index.ts");
        assert_eq!(uri("a/b_c-d.py"), "a/b_c-d.py");
        assert_eq!(uri("ü.ts"), "%C3%BC.ts");
    }

    #[test]
    fn security_severity_follows_githubs_bands() {
        for (severity, low, high) in [
            (Severity::Critical, 9.0, 10.0),
            (Severity::High, 7.0, 8.9),
            (Severity::Medium, 4.0, 6.9),
            (Severity::Low, 0.1, 3.9),
        ] {
            let score: f64 = security_severity(severity).parse().unwrap();
            assert!((low..=high).contains(&score), "{severity}: {score}");
        }
    }
}
