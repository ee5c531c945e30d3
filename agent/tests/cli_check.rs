//! `remedy check`, the CI gate: exit codes, thresholds, enforcement levels from remedy.toml and
//! the command line, file errors, and a compliant copy of the examples that passes.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;
use remedy_tests::repo::copy_dir;
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

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).unwrap()
}

/// A temporary repository (it has `.git`, so it is its own project root).
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".git")).unwrap();
    dir
}

#[test]
fn examples_fail_the_gate_with_exit_1() {
    let out = remedy()
        .args(["check", "examples", "--format", "json"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let doc = json_of(&out);
    let gate = &doc["gate"];
    assert_eq!(gate["outcome"], "fail");
    assert_eq!(gate["exit_code"], 1);
    assert_eq!(gate["fail_on"], "low");
    // Every violation is mandatory by default, so every one blocks at `low`.
    let violations = doc["violations"].as_array().unwrap();
    assert!(!violations.is_empty());
    assert_eq!(gate["blocking"], violations.len());
    assert!(violations.iter().all(|v| v["enforcement"] == "mandatory"));
}

#[test]
fn threshold_counts_only_violations_at_or_above_it() {
    let doc = json_of(
        &remedy()
            .args([
                "check",
                "examples",
                "--format",
                "json",
                "--fail-on",
                "critical",
            ])
            .assert()
            .code(1)
            .get_output()
            .clone(),
    );
    let criticals = doc["violations"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["severity"] == "critical")
        .count();
    assert!(criticals > 0);
    assert_eq!(doc["gate"]["blocking"], criticals);
    assert_eq!(
        doc["gate"]["below_threshold"],
        doc["violations"].as_array().unwrap().len() - criticals
    );
}

/// The planted violations, each fixed in the source: (file under examples/, old, new).
const FIXES: &[(&str, &str, &str)] = &[
    (
        "aws-typescript/index.ts",
        "    acl: \"public-read\",\n",
        "    acl: \"private\",\n    serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: \"AES256\" } } },\n    versioning: { enabled: true },\n    loggings: [{ targetBucket: \"shop-audit-logs\" }],\n",
    ),
    (
        "aws-typescript/index.ts",
        "{ protocol: \"tcp\", fromPort: 22, toPort: 22, cidrBlocks: [\"0.0.0.0/0\"] },",
        "{ protocol: \"tcp\", fromPort: 22, toPort: 22, cidrBlocks: [\"198.51.100.0/24\"] },",
    ),
    (
        "aws-typescript/index.ts",
        "new aws.ecr.Repository(\"storefront\", {\n",
        "new aws.ecr.Repository(\"storefront\", {\n    imageTagMutability: \"IMMUTABLE\",\n",
    ),
    (
        "aws-typescript/index.ts",
        "        securityGroupIds: [web.id],\n",
        "        securityGroupIds: [web.id],\n        endpointPrivateAccess: true,\n        endpointPublicAccess: false,\n",
    ),
    (
        "aws-typescript/data.ts",
        "            deletionWindowInDays: 30,\n",
        "            deletionWindowInDays: 30,\n            enableKeyRotation: true,\n",
    ),
    (
        "aws-typescript/data.ts",
        "            billingMode: \"PAY_PER_REQUEST\",\n",
        "            billingMode: \"PAY_PER_REQUEST\",\n            pointInTimeRecovery: { enabled: true },\n",
    ),
    (
        "aws-typescript/data.ts",
        "            publiclyAccessible: true,\n            storageEncrypted: false,\n",
        "            publiclyAccessible: false,\n            storageEncrypted: true,\n",
    ),
    (
        "aws-python/__main__.py",
        "    acl=\"public-read-write\",\n",
        "    acl=\"private\",\n    server_side_encryption_configuration={\"rule\": {\"apply_server_side_encryption_by_default\": {\"sse_algorithm\": \"AES256\"}}},\n    versioning={\"enabled\": True},\n    loggings=[{\"target_bucket\": \"analytics-access-logs\"}],\n",
    ),
    (
        "aws-python/__main__.py",
        "from_port=3389, to_port=3389, cidr_blocks=[\"0.0.0.0/0\"]",
        "from_port=3389, to_port=3389, cidr_blocks=[\"10.0.0.0/16\"]",
    ),
    (
        "aws-python/__main__.py",
        "ipv6_cidr_blocks=[\"::/0\"]",
        "ipv6_cidr_blocks=[\"fd00::/8\"]",
    ),
    (
        "aws-python/__main__.py",
        "    \"skip_final_snapshot\": True,\n",
        "    \"skip_final_snapshot\": True,\n    \"storage_encrypted\": True,\n",
    ),
    (
        "aws-python/__main__.py",
        "    publicly_accessible=True,\n",
        "    publicly_accessible=False,\n",
    ),
    (
        "aws-python/__main__.py",
        "enable_key_rotation=False",
        "enable_key_rotation=True",
    ),
    (
        "aws-python/storage.py",
        "size=size, tags={\"app\": \"analytics\"})",
        "size=size, encrypted=True, tags={\"app\": \"analytics\"})",
    ),
];

/// `remedy check examples/` fails; the same programs with every planted violation fixed pass.
#[test]
fn a_compliant_copy_of_the_examples_passes() {
    let dir = repo();
    let copy = dir.path().join("examples");
    copy_dir(&workspace().join("examples"), &copy);
    for (file, old, new) in FIXES {
        let path = copy.join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(
            text.matches(old).count(),
            1,
            "{file}: fix anchor not found once: {old}"
        );
        std::fs::write(&path, text.replacen(old, new, 1)).unwrap();
    }

    let out = remedy()
        .arg("check")
        .arg(&copy)
        .args(["--format", "json"])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let doc = json_of(&out);
    assert_eq!(doc["violations"], serde_json::json!([]), "{doc}");
    assert_eq!(doc["gate"]["outcome"], "pass");
    assert_eq!(doc["summary"]["files"], 4);
    assert_eq!(doc["summary"]["files_with_errors"], 0);

    remedy()
        .arg("check")
        .arg(&copy)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "check passed: no mandatory violation at or above low",
        ));
}

const TEAM_CONFIG: &str = r#"
[check]
fail_on = "high"

# Sandboxes report but never block; production blocks.
[[enforcement]]
paths = ["sandbox/**"]
level = "advisory"

[[enforcement]]
paths = ["prod/**"]
level = "mandatory"

# Access logs are handled by an organisation-wide trail.
[[enforcement]]
policies = ["aws-s3-bucket-access-logging"]
level = "disabled"
"#;

fn team_repo() -> tempfile::TempDir {
    let dir = repo();
    copy_dir(
        &workspace().join("examples/aws-typescript"),
        &dir.path().join("prod"),
    );
    copy_dir(
        &workspace().join("examples/aws-typescript"),
        &dir.path().join("sandbox"),
    );
    std::fs::write(dir.path().join("remedy.toml"), TEAM_CONFIG).unwrap();
    dir
}

#[test]
fn enforcement_is_stricter_for_prod_than_for_sandbox() {
    let dir = team_repo();
    let doc = json_of(
        &remedy()
            .arg("check")
            .arg(dir.path())
            .args(["--format", "json"])
            .assert()
            .code(1)
            .get_output()
            .clone(),
    );
    let violations = doc["violations"].as_array().unwrap();
    let level_of = |prefix: &str| -> Vec<&str> {
        violations
            .iter()
            .filter(|v| v["file"].as_str().unwrap().starts_with(prefix))
            .map(|v| v["enforcement"].as_str().unwrap())
            .collect()
    };
    let prod = level_of("prod/");
    let sandbox = level_of("sandbox/");
    assert!(
        !prod.is_empty() && prod.iter().all(|l| *l == "mandatory"),
        "{prod:?}"
    );
    assert_eq!(sandbox.len(), prod.len());
    assert!(sandbox.iter().all(|l| *l == "advisory"), "{sandbox:?}");
    // Disabled everywhere: not reported, but counted.
    assert!(
        violations
            .iter()
            .all(|v| v["policy"] != "aws-s3-bucket-access-logging")
    );
    assert_eq!(doc["summary"]["disabled"], 2);
    // `fail_on = "high"` from the file: only prod's critical and high violations block.
    let blocking = violations
        .iter()
        .filter(|v| v["file"].as_str().unwrap().starts_with("prod/"))
        .filter(|v| v["severity"] == "critical" || v["severity"] == "high")
        .count();
    assert!(blocking > 0);
    assert_eq!(doc["gate"]["fail_on"], "high");
    assert_eq!(doc["gate"]["blocking"], blocking);
    assert_eq!(doc["gate"]["advisory"], sandbox.len());

    // The sandbox alone passes: everything there is advisory.
    remedy()
        .arg("check")
        .arg(dir.path().join("sandbox"))
        .assert()
        .code(0)
        .stdout(predicate::str::contains("[advisory]"))
        .stdout(predicate::str::contains("check passed"));
}

#[test]
fn command_line_overrides_the_config() {
    let dir = team_repo();
    // --fail-on beats [check] fail_on.
    let doc = json_of(
        &remedy()
            .arg("check")
            .arg(dir.path().join("prod"))
            .args(["--format", "json", "--fail-on", "critical"])
            .assert()
            .code(1)
            .get_output()
            .clone(),
    );
    assert_eq!(doc["gate"]["fail_on"], "critical");
    // --enforce comes after the file's rules: make prod's blocking policies advisory.
    let mut cmd = remedy();
    cmd.arg("check").arg(dir.path().join("prod"));
    for id in [
        "aws-ec2-security-group-open-admin",
        "aws-eks-public-endpoint",
        "aws-rds-instance-public",
        "aws-rds-storage-encrypted",
        "aws-s3-bucket-public-read",
    ] {
        cmd.arg("--enforce").arg(format!("{id}=advisory"));
    }
    cmd.assert().code(0);
    // --config names another file.
    let other = dir.path().join("strict.toml");
    std::fs::write(&other, "[check]\nfail_on = \"medium\"\n").unwrap();
    let doc = json_of(
        &remedy()
            .arg("check")
            .arg(dir.path().join("sandbox"))
            .args(["--format", "json", "--config"])
            .arg(&other)
            .assert()
            .code(1)
            .get_output()
            .clone(),
    );
    assert_eq!(doc["gate"]["fail_on"], "medium");
}

#[test]
fn config_mistakes_exit_2_naming_file_line_and_key() {
    let dir = repo();
    std::fs::write(dir.path().join("main.py"), "import pulumi_aws as aws\n").unwrap();
    std::fs::write(
        dir.path().join("remedy.toml"),
        "[check]\nfial_on = \"high\"\n",
    )
    .unwrap();
    remedy()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("remedy.toml:2:1"))
        .stderr(predicate::str::contains("unknown field `fial_on`"));

    std::fs::write(
        dir.path().join("remedy.toml"),
        "[[enforcement]]\npolicies = [\"aws-s3-bucket-publc-read\"]\nlevel = \"advisory\"\n",
    )
    .unwrap();
    remedy()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "enforcement[0].policies: `aws-s3-bucket-publc-read` matches no loaded policy",
        ));

    remedy()
        .args([
            "check",
            "examples",
            "--enforce",
            "aws-kms-key-rotation=sometimes",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "unknown enforcement level `sometimes`",
        ));
}

#[test]
fn unparseable_files_fail_the_gate_unless_allowed() {
    let dir = repo();
    std::fs::write(
        dir.path().join("broken.ts"),
        "import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"x\", { acl: \n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("fine.py"),
        "import pulumi_aws as aws\naws.kms.Key(\"k\", enable_key_rotation=True)\n",
    )
    .unwrap();
    let out = remedy()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .get_output()
        .clone();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("error: broken.ts:2:"), "{text}");
    assert!(text.contains("could not be read or fully parsed"), "{text}");

    remedy()
        .arg("check")
        .arg(dir.path())
        .arg("--allow-file-errors")
        .assert()
        .code(0);
    std::fs::write(
        dir.path().join("remedy.toml"),
        "[check]\nfail_on_file_errors = false\n",
    )
    .unwrap();
    remedy().arg("check").arg(dir.path()).assert().code(0);
}

/// A web app beside the infrastructure: its pages import no Pulumi package, so whatever the
/// parser makes of them they never fail the gate; a bare `&` in JSX text (an error to
/// tree-sitter's TSX grammar) is not even a note.
#[test]
fn files_that_import_no_pulumi_package_never_fail_the_gate() {
    let dir = repo();
    std::fs::create_dir_all(dir.path().join("web/app")).unwrap();
    std::fs::write(
        dir.path().join("web/app/page.tsx"),
        "import Link from \"next/link\";\n\nexport default function Page() {\n  return <p>Terms & Conditions, <Link href=\"/faq\">Q & A</Link></p>;\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("web/app/draft.tsx"),
        "export default function Draft() {\n  return <p>{</p>;\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("tool.py"),
        "import sys\nprint(f\"{sys.argv[1]\")\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("index.ts"),
        "import * as aws from \"@pulumi/aws\";\nnew aws.kms.Key(\"k\", { enableKeyRotation: true });\n",
    )
    .unwrap();
    let out = remedy()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(0)
        .get_output()
        .clone();
    let doc = json_of(&out);
    assert_eq!(doc["summary"]["files"], 4);
    assert_eq!(doc["summary"]["files_with_errors"], 0);
    assert_eq!(doc["gate"]["outcome"], "pass");
    let notes: Vec<(&str, &str)> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["file"].as_str().unwrap(), d["level"].as_str().unwrap()))
        .collect();
    assert_eq!(
        notes,
        vec![("tool.py", "info"), ("web/app/draft.tsx", "info")],
        "{doc:#}"
    );
}

#[test]
fn audit_keeps_exiting_0_and_honours_disabled_policies() {
    let dir = team_repo();
    let doc = json_of(
        &remedy()
            .arg("audit")
            .arg(dir.path())
            .args(["--format", "json"])
            .assert()
            .code(0)
            .get_output()
            .clone(),
    );
    assert!(doc.get("gate").is_none());
    assert_eq!(doc["summary"]["disabled"], 2);
    assert!(
        doc["violations"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["enforcement"] == "advisory")
    );
}

#[test]
fn check_table_shows_the_verdict() {
    let out = remedy()
        .args(["check", "examples/aws-typescript", "--fail-on", "high"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let text = text
        .lines()
        .map(|line| match line.find(" in 0.") {
            Some(i) => format!("{} in <duration>", &line[..i]),
            None => line.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    insta::assert_snapshot!("check_table_typescript", text);
}
