//! `remedy audit` end to end: the bundled examples, both formats, exit codes and bad input.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn remedy() -> Command {
    remedy_tests::cli::remedy(&workspace())
}

fn audit_json(args: &[&str]) -> Value {
    let out = remedy()
        .arg("audit")
        .args(args)
        .args(["--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    serde_json::from_slice(&out).unwrap()
}

/// Every violation planted in `examples/` (marked `planted:` in the source), and nothing else.
#[test]
fn examples_report_exactly_the_planted_violations() {
    let doc = audit_json(&["examples"]);
    let found: BTreeSet<(String, String, String)> = doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let name = v["resource"]["name"].as_str().map_or_else(
                || v["resource"]["name_expr"].as_str().unwrap().to_string(),
                str::to_string,
            );
            (
                v["file"].as_str().unwrap().to_string(),
                name,
                v["policy"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: BTreeSet<(String, String, String)> = [
        (
            "examples/aws-python/__main__.py",
            "raw-events",
            "aws-s3-bucket-public-read",
        ),
        (
            "examples/aws-python/__main__.py",
            "raw-events",
            "aws-s3-bucket-versioning",
        ),
        (
            "examples/aws-python/__main__.py",
            "raw-events",
            "aws-s3-bucket-access-logging",
        ),
        (
            "examples/aws-python/__main__.py",
            "workers",
            "aws-ec2-security-group-open-admin",
        ),
        (
            "examples/aws-python/__main__.py",
            "warehouse",
            "aws-rds-storage-encrypted",
        ),
        (
            "examples/aws-python/__main__.py",
            "warehouse-1",
            "aws-rds-instance-public",
        ),
        (
            "examples/aws-python/__main__.py",
            "exports-key",
            "aws-kms-key-rotation",
        ),
        (
            "examples/aws-python/storage.py",
            "name",
            "aws-ebs-volume-encrypted",
        ),
        (
            "examples/aws-typescript/data.ts",
            "orders-key",
            "aws-kms-key-rotation",
        ),
        (
            "examples/aws-typescript/data.ts",
            "carts",
            "aws-dynamodb-pitr",
        ),
        (
            "examples/aws-typescript/data.ts",
            "orders-db",
            "aws-rds-instance-public",
        ),
        (
            "examples/aws-typescript/data.ts",
            "orders-db",
            "aws-rds-storage-encrypted",
        ),
        (
            "examples/aws-typescript/index.ts",
            "assets",
            "aws-s3-bucket-public-read",
        ),
        (
            "examples/aws-typescript/index.ts",
            "assets",
            "aws-s3-bucket-versioning",
        ),
        (
            "examples/aws-typescript/index.ts",
            "assets",
            "aws-s3-bucket-access-logging",
        ),
        (
            "examples/aws-typescript/index.ts",
            "web",
            "aws-ec2-security-group-open-admin",
        ),
        (
            "examples/aws-typescript/index.ts",
            "storefront",
            "aws-ecr-tag-immutability",
        ),
        (
            "examples/aws-typescript/index.ts",
            "shop",
            "aws-eks-public-endpoint",
        ),
    ]
    .iter()
    .map(|(f, n, p)| (f.to_string(), n.to_string(), p.to_string()))
    .collect();
    assert_eq!(found, expected);

    // The sources mark each planted violation; the count of markers matches what was found per
    // resource (a marker may cover several policies on one resource).
    let planted_resources: BTreeSet<(&str, &str)> = expected
        .iter()
        .map(|(f, n, _)| (f.as_str(), n.as_str()))
        .collect();
    let markers: usize = [
        "aws-python/__main__.py",
        "aws-python/storage.py",
        "aws-typescript/index.ts",
        "aws-typescript/data.ts",
    ]
    .iter()
    .map(|f| {
        std::fs::read_to_string(workspace().join("examples").join(f))
            .unwrap()
            .matches("planted:")
            .count()
    })
    .sum();
    assert_eq!(markers, planted_resources.len());
}

#[test]
fn json_document_has_the_documented_shape() {
    let doc = audit_json(&["examples/aws-typescript"]);
    assert_eq!(doc["version"], 1);
    let v = &doc["violations"][0];
    for key in [
        "fingerprint",
        "policy",
        "title",
        "severity",
        "rule",
        "message",
        "resource",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "frameworks",
        "remediation",
    ] {
        assert!(v.get(key).is_some(), "violation has `{key}`: {v}");
    }
    assert!(v["resource"].get("type").is_some() && v["resource"].get("name").is_some());
    assert_eq!(v["fingerprint"].as_str().unwrap().len(), 32);
    let s = &doc["summary"];
    for key in [
        "files",
        "resources",
        "clean_resources",
        "policies",
        "violations",
        "by_severity",
        "indeterminate",
        "files_with_errors",
        "duration_ms",
    ] {
        assert!(s.get(key).is_some(), "summary has `{key}`: {s}");
    }
    assert_eq!(s["files"], 2);
    assert_eq!(s["violations"], doc["violations"].as_array().unwrap().len());
    assert!(doc["diagnostics"].is_array());
}

#[test]
fn fingerprints_do_not_depend_on_where_remedy_runs_from() {
    let from_root = audit_json(&["examples/aws-typescript"]);
    let out = remedy_tests::cli::remedy(&workspace().join("examples/aws-typescript"))
        .args(["audit", ".", "--format", "json"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let from_inside: Value = serde_json::from_slice(&out).unwrap();
    let prints = |doc: &Value| -> BTreeSet<String> {
        doc["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["fingerprint"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(prints(&from_root), prints(&from_inside));
}

#[test]
fn table_is_grouped_by_file_and_summarised() {
    let out = remedy()
        .args(["audit", "examples/aws-typescript"])
        .assert()
        .success();
    let text = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let text = redact_duration(&text);
    insta::assert_snapshot!("audit_table_typescript", text);
}

/// `in 0.01s` varies run to run.
fn redact_duration(text: &str) -> String {
    text.lines()
        .map(|line| match line.rfind(" in ").zip(line.rfind('s')) {
            Some((start, end)) if line[start + 4..end].parse::<f64>().is_ok() => {
                format!("{} in <duration>{}", &line[..start], &line[end + 1..])
            }
            _ => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn colour_only_when_asked_or_on_a_terminal() {
    let plain = remedy()
        .args(["audit", "examples/aws-typescript"])
        .assert()
        .success();
    assert!(!String::from_utf8_lossy(&plain.get_output().stdout).contains('\u{1b}'));
    let coloured = remedy()
        .env_remove("NO_COLOR")
        .args(["audit", "examples/aws-typescript", "--color", "always"])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&coloured.get_output().stdout).contains('\u{1b}'));
}

/// Outside git, several directories share one root (the deepest directory holding them all), so
/// every file is named the same way whichever directory it is in and wherever remedy runs.
#[test]
fn several_directories_without_git_are_named_from_their_common_root() {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("infra");
    std::fs::create_dir_all(infra.join("ts")).unwrap();
    std::fs::create_dir_all(infra.join("py")).unwrap();
    std::fs::write(
        infra.join("ts/index.ts"),
        "import * as aws from \"@pulumi/aws\";\nnew aws.kms.Key(\"k\");\n",
    )
    .unwrap();
    std::fs::write(
        infra.join("py/__main__.py"),
        "import pulumi_aws as aws\naws.kms.Key(\"k\")\n",
    )
    .unwrap();
    let files = |cwd: &Path, args: &[&str]| -> Vec<String> {
        let out = remedy_tests::cli::remedy(cwd)
            .arg("audit")
            .args(args)
            .args(["--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let doc: Value = serde_json::from_slice(&out).unwrap();
        doc["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["file"].as_str().unwrap().to_string())
            .collect()
    };
    let expected = vec!["py/__main__.py".to_string(), "ts/index.ts".to_string()];
    assert_eq!(files(&infra, &["ts", "py"]), expected);
    assert_eq!(files(dir.path(), &["infra/py", "infra/ts"]), expected);
    // One directory is its own root, as before.
    assert_eq!(files(&infra, &["ts"]), vec!["index.ts".to_string()]);
}

/// A Python program's messages name properties as Python writes them.
#[test]
fn python_messages_name_properties_in_snake_case() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("__main__.py"),
        "import pulumi_aws as aws\naws.ec2.Instance(\"web\", ami=\"ami-1\", instance_type=\"t3.micro\")\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("index.ts"),
        "import * as aws from \"@pulumi/aws\";\nnew aws.ec2.Instance(\"web\", { ami: \"ami-1\", instanceType: \"t3.micro\" });\n",
    )
    .unwrap();
    let out = remedy()
        .args(["audit", "--format", "json", "--policy", "aws-ec2-imdsv2"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let doc: Value = serde_json::from_slice(&out).unwrap();
    let messages: Vec<(&str, &str)> = doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["file"].as_str().unwrap(), v["message"].as_str().unwrap()))
        .collect();
    assert_eq!(
        messages,
        vec![
            (
                "__main__.py",
                "web allows IMDSv1 (metadata_options.http_tokens is not \"required\")"
            ),
            (
                "index.ts",
                "web allows IMDSv1 (metadataOptions.httpTokens is not \"required\")"
            ),
        ]
    );
}

#[test]
fn output_file_is_plain() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("report.txt");
    remedy()
        .env_remove("NO_COLOR")
        .args(["audit", "examples", "--color", "always", "-o"])
        .arg(&file)
        .assert()
        .success()
        .stdout("");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("aws-s3-bucket-public-read") && !text.contains('\u{1b}'));
}

#[test]
fn min_severity_and_policy_filters() {
    let doc = audit_json(&["examples", "--min-severity", "critical"]);
    let severities: BTreeSet<&str> = doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["severity"].as_str().unwrap())
        .collect();
    assert_eq!(severities, BTreeSet::from(["critical"]));

    let doc = audit_json(&["examples", "--policy", "aws-kms-key-rotation"]);
    assert_eq!(doc["summary"]["violations"], 2);
    assert_eq!(doc["summary"]["policies"], 1);
}

#[test]
fn missing_path_exits_2_with_a_clear_error() {
    remedy()
        .args(["audit", "does/not/exist"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "error: does/not/exist: no such file or directory",
        ));
}

#[test]
fn unknown_policy_and_bad_severity_exit_2() {
    remedy()
        .args(["audit", "examples", "--policy", "aws-nope"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown policy `aws-nope`"));
    remedy()
        .args(["audit", "examples", "--min-severity", "severe"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown severity `severe`"));
}

#[test]
fn broken_rego_exits_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("mine.rego"),
        "package mine\n\ndeny contains msg if {\n  input.x ==\n}\n",
    )
    .unwrap();
    remedy()
        .args(["audit", "examples", "--policy-dir"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("mine.rego:5:1: invalid Rego"));
}

#[test]
fn user_policy_dir_adds_policies() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tags.rego"),
        r#"package acme.tags

metadata := {"id": "acme-tags", "title": "Resources must carry an owner tag", "severity": "low", "resource_types": ["aws:s3/bucket:Bucket"]}

deny contains msg if {
    not input.tags.owner
    msg := sprintf("%s has no owner tag", [input.__name])
}
"#,
    )
    .unwrap();
    let out = remedy()
        .args([
            "audit",
            "examples/aws-typescript",
            "--format",
            "json",
            "--no-builtin-policies",
            "--policy-dir",
        ])
        .arg(dir.path())
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    let names: BTreeSet<&str> = doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v["resource"]["name"].as_str())
        .collect();
    // `tags` is a const object without `owner`; the loop's one constructor has a computed name.
    assert_eq!(doc["summary"]["violations"], 3, "{doc}");
    assert!(names.contains("assets") && names.contains("access-logs"));
}

#[test]
fn unparseable_file_is_a_diagnostic_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("broken.ts"),
        "import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"x\", { acl: \n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("fine.py"),
        "import pulumi_aws as aws\naws.kms.Key(\"k\")\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("binary.ts"), [0xff, 0xfe, 0x00, 0x01]).unwrap();
    let out = remedy()
        .args(["audit", "--format", "json"])
        .arg(dir.path())
        .assert()
        .success();
    let doc: Value = serde_json::from_slice(&out.get_output().stdout).unwrap();
    assert_eq!(doc["summary"]["files"], 3);
    assert_eq!(doc["summary"]["files_with_errors"], 2);
    assert_eq!(doc["violations"][0]["policy"], "aws-kms-key-rotation");
    let messages: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["message"].as_str().unwrap())
        .collect();
    assert!(
        messages.iter().any(|m| m.contains("syntax error")),
        "{messages:?}"
    );
    assert!(messages.iter().any(|m| m.contains("UTF-8")), "{messages:?}");

    let table = remedy().arg("audit").arg(dir.path()).assert().success();
    let text = String::from_utf8_lossy(&table.get_output().stdout).to_string();
    assert!(text.contains("error: broken.ts:2:"), "{text}");
}

#[test]
fn help_is_available_everywhere() {
    remedy()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("audit"));
    remedy()
        .args(["audit", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("--min-severity"));
}

/// Names come from the audited source: control sequences in them are shown escaped, never sent
/// to the terminal.
#[test]
fn control_sequences_in_names_do_not_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("index.ts"),
        "import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"\\x1b]0;pwned\\x07\\x1b[2J\", { acl: \"public-read\" });\n",
    )
    .unwrap();
    let out = remedy()
        .env_remove("NO_COLOR")
        .args(["audit", "--color", "always"])
        .arg(dir.path())
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&out.get_output().stdout).to_string();
    assert!(stdout.contains("aws-s3-bucket-public-read"), "{stdout}");
    assert!(!stdout.contains('\u{7}'), "{stdout:?}");
    assert!(!stdout.contains("\u{1b}]0;"), "{stdout:?}");
    assert!(!stdout.contains("\u{1b}[2J"), "{stdout:?}");
    assert!(stdout.contains("\\u{1b}]0;pwned\\u{7}"), "{stdout:?}");
}
