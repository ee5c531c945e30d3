//! Synthetic audit findings for store tests and benchmarks: `n` violations spread over files and
//! the ten built-in AWS policies (with their severities and a framework mapping each), with
//! stable fingerprints, as `remedy audit` would report them.

use std::collections::BTreeMap;

use remedy_guardrails::{ResourceRef, RuleKind, Severity, Violation, fingerprint};
use remedy_source::Span;

/// `(policy id, severity, resource type)` of the built-in AWS pack.
pub const POLICIES: [(&str, Severity, &str); 10] = [
    (
        "aws-s3-bucket-public-read",
        Severity::High,
        "aws:s3/bucket:Bucket",
    ),
    (
        "aws-s3-bucket-encryption",
        Severity::Medium,
        "aws:s3/bucket:Bucket",
    ),
    (
        "aws-ec2-security-group-open-admin",
        Severity::Critical,
        "aws:ec2/securityGroup:SecurityGroup",
    ),
    (
        "aws-rds-instance-public",
        Severity::Critical,
        "aws:rds/instance:Instance",
    ),
    (
        "aws-rds-storage-encrypted",
        Severity::High,
        "aws:rds/instance:Instance",
    ),
    (
        "aws-ebs-volume-encrypted",
        Severity::High,
        "aws:ebs/volume:Volume",
    ),
    ("aws-kms-key-rotation", Severity::Medium, "aws:kms/key:Key"),
    (
        "aws-ecr-tag-immutability",
        Severity::Medium,
        "aws:ecr/repository:Repository",
    ),
    (
        "aws-dynamodb-pitr",
        Severity::Medium,
        "aws:dynamodb/table:Table",
    ),
    (
        "aws-eks-public-endpoint",
        Severity::High,
        "aws:eks/cluster:Cluster",
    ),
];

/// Violations per file.
pub const PER_FILE: usize = 50;

/// Violation `i` of a synthetic audit: policy `p = i % 10`, resource `res-i`, in file
/// `stacks/s{i / PER_FILE}/index.ts`. Policy `p` maps to NIST 800-53 `SC-{p + 1}`, and when it
/// is high or critical to CIS AWS `2.{p % 3}`. The same `i` always gives the same fingerprint.
pub fn violation(i: usize) -> Violation {
    let (policy, severity, type_token) = POLICIES[i % POLICIES.len()];
    let name = format!("res-{i}");
    let file = format!("stacks/s{:04}/index.ts", i / PER_FILE);
    let line = u32::try_from(1 + (i % PER_FILE) * 10).unwrap_or(u32::MAX);
    let mut frameworks = BTreeMap::new();
    frameworks.insert(
        "nist-800-53-r5".to_string(),
        vec![format!("SC-{}", 1 + i % POLICIES.len())],
    );
    if severity >= Severity::High {
        frameworks.insert(
            "cis-aws-2.0".to_string(),
            vec![format!("2.{}", i % POLICIES.len() % 3)],
        );
    }
    Violation {
        fingerprint: fingerprint(policy, type_token, &name, &file, 0),
        policy: policy.to_string(),
        title: format!("{policy} title"),
        severity,
        rule: RuleKind::Deny,
        message: format!("{name} violates {policy}"),
        resource: ResourceRef {
            type_token: type_token.to_string(),
            name: Some(name.clone()),
            name_expr: format!("\"{name}\""),
            component: None,
        },
        file,
        line,
        column: 1,
        end_line: line + 5,
        end_column: 2,
        span: Span { start: 0, end: 0 },
        frameworks,
        remediation: "set",
    }
}

/// Violations `range` of the synthetic audit.
pub fn violations(range: std::ops::Range<usize>) -> Vec<Violation> {
    range.map(violation).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        assert_eq!(violation(7).fingerprint, violation(7).fingerprint);
        let all: std::collections::HashSet<String> = violations(0..1000)
            .into_iter()
            .map(|v| v.fingerprint)
            .collect();
        assert_eq!(all.len(), 1000);
    }
}
