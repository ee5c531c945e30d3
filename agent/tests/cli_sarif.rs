//! `--format sarif`: valid against the official SARIF 2.1.0 schema (vendored in
//! `tests/data/`), with what GitHub code scanning reads.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
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

fn validator() -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn assert_valid(doc: &Value) {
    let validator = validator();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "invalid SARIF:\n{}", errors.join("\n"));
}

fn remedy_json(args: &[&str], code: i32) -> Value {
    let out = remedy().args(args).assert().code(code).get_output().clone();
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn the_schema_check_rejects_invalid_logs() {
    // Guards the test itself: a validator that accepted anything would prove nothing.
    let validator = validator();
    let doc = remedy_json(&["audit", "examples", "--format", "sarif"], 0);
    assert!(validator.is_valid(&doc));
    let mut broken = doc.clone();
    broken["version"] = Value::from("2.0.0");
    assert!(!validator.is_valid(&broken));
    let mut broken = doc;
    broken["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn audit_sarif_is_valid_and_has_what_github_reads() {
    let doc = remedy_json(&["audit", "examples", "--format", "sarif"], 0);
    assert_valid(&doc);
    assert_eq!(doc["version"], "2.1.0");
    let run = &doc["runs"][0];
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "remedy");
    let rules = driver["rules"].as_array().unwrap();
    assert!(rules.len() >= 30);
    for rule in rules {
        for key in ["id", "name"] {
            assert!(rule[key].as_str().is_some_and(|s| !s.is_empty()), "{rule}");
        }
        assert!(
            rule["shortDescription"]["text"].as_str().is_some(),
            "{rule}"
        );
        assert!(rule["fullDescription"]["text"].as_str().is_some(), "{rule}");
        assert!(rule["help"]["text"].as_str().is_some(), "{rule}");
        assert!(rule["help"]["markdown"].as_str().is_some(), "{rule}");
        let tags: Vec<&str> = rule["properties"]["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert!(tags.contains(&"security"), "{rule}");
        assert!(tags.len() <= 20, "{rule}");
        let score: f64 = rule["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.0..=10.0).contains(&score));
    }
    // Framework control tags, e.g. on the public-read rule.
    let public_read = rules
        .iter()
        .find(|r| r["id"] == "aws-s3-bucket-public-read")
        .unwrap();
    let tags = public_read["properties"]["tags"].to_string();
    assert!(tags.contains("nist-800-53-r5/AC-3"), "{tags}");
    assert!(tags.contains("pci-dss-4.0/1.4.2"), "{tags}");

    // Results point at rules, regions and fingerprints that match the JSON report.
    let json = remedy_json(&["audit", "examples", "--format", "json"], 0);
    let by_fingerprint: BTreeMap<&str, &Value> = json["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["fingerprint"].as_str().unwrap(), v))
        .collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), by_fingerprint.len());
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(["error", "warning", "note"].contains(&result["level"].as_str().unwrap()));
        let fingerprint = result["partialFingerprints"]["remedyFingerprint/v1"]
            .as_str()
            .unwrap();
        let violation = by_fingerprint[fingerprint];
        assert_eq!(violation["policy"], result["ruleId"]);
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(location["artifactLocation"]["uri"], violation["file"]);
        assert!(
            !location["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
                .starts_with('/')
        );
        let region = &location["region"];
        assert_eq!(region["startLine"], violation["line"]);
        assert_eq!(region["startColumn"], violation["column"]);
        assert_eq!(region["endLine"], violation["end_line"]);
        assert_eq!(region["endColumn"], violation["end_column"]);
    }
    // Severity decides the level without a gate.
    let critical = results
        .iter()
        .find(|r| r["properties"]["severity"] == "critical")
        .unwrap();
    assert_eq!(critical["level"], "error");
}

#[test]
fn check_sarif_marks_blocking_results_as_errors_and_records_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("remedy.sarif");
    remedy()
        .args([
            "check",
            "examples",
            "--format",
            "sarif",
            "--fail-on",
            "critical",
            "-o",
        ])
        .arg(&file)
        .assert()
        .code(1)
        .stdout("");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_valid(&doc);
    let run = &doc["runs"][0];
    assert_eq!(run["invocations"][0]["exitCode"], 1);
    assert_eq!(
        run["invocations"][0]["properties"]["gate"]["outcome"],
        "fail"
    );
    for result in run["results"].as_array().unwrap() {
        let critical = result["properties"]["severity"] == "critical";
        assert_eq!(result["level"] == "error", critical, "{result}");
    }
}

#[test]
fn framework_filter_and_diagnostics_stay_valid() {
    let doc = remedy_json(
        &[
            "audit",
            "examples",
            "--format",
            "sarif",
            "--framework",
            "cis",
        ],
        0,
    );
    assert_valid(&doc);
    for rule in doc["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
    {
        assert!(
            rule["properties"]["frameworks"]
                .as_object()
                .unwrap()
                .keys()
                .any(|k| k.starts_with("cis-aws-")),
            "{rule}"
        );
    }

    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    std::fs::create_dir_all(dir.path().join("my app")).unwrap();
    std::fs::write(
        dir.path().join("my app/broken.ts"),
        "import * as aws from \"@pulumi/aws\";\nnew aws.kms.Key(\"k\", {});\nnew aws.s3.Bucket(\"x\", { acl: \n",
    )
    .unwrap();
    let out = remedy()
        .arg("check")
        .arg(dir.path())
        .args(["--format", "sarif"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_valid(&doc);
    let invocation = &doc["runs"][0]["invocations"][0];
    assert_eq!(invocation["exitCode"], 2);
    let notification = &invocation["toolExecutionNotifications"][0];
    assert_eq!(notification["level"], "error");
    assert_eq!(
        notification["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20app/broken.ts"
    );
    assert_eq!(
        doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "my%20app/broken.ts"
    );
}
