//! The store commands end to end through the `remedy` binary: `audit --record`, `assign`,
//! `dismiss`, `priority`, `assignee`, `status`, `violations`, `events`, and store errors.

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

/// A copy of the examples in a git work tree with an origin, and `remedy` run inside it.
struct Project {
    dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&workspace().join("examples"), &dir.path().join("examples"));
        let git = |args: &[&str]| {
            assert!(
                std::process::Command::new("git")
                    .arg("-C")
                    .arg(dir.path())
                    .args(args)
                    .status()
                    .unwrap()
                    .success()
            );
        };
        git(&["init", "-q"]);
        git(&[
            "remote",
            "add",
            "origin",
            "https://x:token@github.com/acme/shop.git",
        ]);
        Self { dir }
    }

    fn remedy(&self) -> Command {
        let mut cmd = remedy_tests::cli::remedy(self.dir.path());
        cmd.env("REMEDY_ACTOR", "tester");
        cmd
    }

    fn json(&self, args: &[&str]) -> Value {
        let out = self
            .remedy()
            .args(args)
            .args(["--format", "json"])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice(&out).unwrap()
    }

    fn replace(&self, file: &str, from: &str, to: &str) {
        let path = self.dir.path().join(file);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(from), "{from} in {file}");
        std::fs::write(&path, text.replace(from, to)).unwrap();
    }
}

/// Ten built-in policies: the counts below were worked out for them, and stay put
/// as the pack grows.
const FIRST_TEN: [&str; 20] = [
    "--policy",
    "aws-s3-bucket-public-read",
    "--policy",
    "aws-s3-bucket-versioning",
    "--policy",
    "aws-ec2-security-group-open-admin",
    "--policy",
    "aws-rds-instance-public",
    "--policy",
    "aws-rds-storage-encrypted",
    "--policy",
    "aws-ebs-volume-encrypted",
    "--policy",
    "aws-kms-key-rotation",
    "--policy",
    "aws-ecr-tag-immutability",
    "--policy",
    "aws-dynamodb-pitr",
    "--policy",
    "aws-eks-public-endpoint",
];

#[test]
fn record_assign_dismiss_and_report() {
    let p = Project::new();
    p.remedy()
        .args(["audit", "examples", "--record"])
        .args(FIRST_TEN)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "recorded 16 violations of github.com/acme/shop",
        ))
        .stderr(predicate::str::contains("16 new, 0 reopened, 0 resolved"))
        .stderr(predicate::str::contains("token").not());
    assert!(p.dir.path().join(".remedy/remedy.db").exists());

    p.remedy()
        .args(["assign", "--min-severity", "critical"])
        .assert()
        .success()
        .stdout("assigned 4 violations to remedy\n");
    p.remedy()
        .args(["assign"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("nothing selected"));

    let list = p.json(&["violations", "--status", "open", "--limit", "5"]);
    assert_eq!(list["version"], 1);
    assert_eq!(list["total"], 12);
    assert_eq!(list["violations"].as_array().unwrap().len(), 5);
    let first = &list["violations"][0];
    assert_eq!(first["repository"], "github.com/acme/shop");
    assert_eq!(first["priority"], "p1");
    let id = first["fingerprint"].as_str().unwrap()[..12].to_string();

    p.remedy()
        .args([
            "dismiss",
            "--id",
            &id,
            "--reason",
            "by design: public assets",
        ])
        .assert()
        .success()
        .stdout("dismissed 1 violation\n");
    p.remedy()
        .args(["priority", "p4", "--policy", "aws-kms-key-rotation"])
        .assert()
        .success()
        .stdout("set priority p4 on 2 violations\n");
    p.remedy()
        .args(["assignee", "alice", "--path", "examples/aws-python"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with("set assignee alice on "));

    let events = p.json(&["events", "--id", &id]);
    let kinds: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["opened", "dismissed", "assignee"]);
    assert_eq!(events["events"][1]["actor"], "tester");

    // Fix one planted violation and record again: it resolves; the dismissal holds.
    p.replace(
        "examples/aws-typescript/index.ts",
        "imageScanningConfiguration: { scanOnPush: true },",
        "imageScanningConfiguration: { scanOnPush: true },\n    imageTagMutability: \"IMMUTABLE\",",
    );
    p.remedy()
        .args(["audit", "examples", "--record", "--format", "json"])
        .args(FIRST_TEN)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "0 new, 0 reopened, 1 resolved, 1 dismissed",
        ));

    let status = p.json(&["status"]);
    assert_eq!(status["counts"]["resolved"], 1);
    assert_eq!(status["counts"]["dismissed"], 1);
    assert_eq!(status["counts"]["assigned"], 4);
    assert_eq!(status["scores"]["policies_enabled"], 10);
    assert_eq!(status["scores"]["policies_passing"], 1, "ecr now passes");
    assert_eq!(status["trend"].as_array().unwrap().len(), 2);
    assert_eq!(status["activity"][0]["opened"], 16);
    assert_eq!(status["activity"][0]["resolved"], 1);

    let table = p
        .remedy()
        .args(["status", "--by", "severity"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let table = String::from_utf8(table).unwrap();
    for needle in [
        "Violations  16",
        "critical",
        "Compliance",
        "policies    10.0%",
        "Trend",
    ] {
        assert!(table.contains(needle), "{needle} in\n{table}");
    }
    let listing = p
        .remedy()
        .args(["violations", "--policy", "aws-rds-instance-public"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let listing = String::from_utf8(listing).unwrap();
    assert!(listing.starts_with("ID  "), "{listing}");
    assert!(
        listing.contains("assigned     p0   critical  aws-rds-instance-public"),
        "{listing}"
    );
    assert!(listing.contains("1–2 of 2"), "{listing}");
}

/// The default store lives in `.remedy/` in the repository, which ignores itself: recording an
/// audit leaves `git status` as it was.
#[test]
fn recording_leaves_the_work_tree_clean_for_git() {
    let p = Project::new();
    let status = || {
        let out = std::process::Command::new("git")
            .arg("-C")
            .arg(p.dir.path())
            .args(["status", "--porcelain", "--untracked-files=all"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let before = status();
    p.remedy()
        .args(["audit", "examples", "--record", "-q"])
        .assert()
        .success();
    assert!(p.dir.path().join(".remedy/remedy.db").exists());
    assert_eq!(status(), before, "nothing new for git to see");
}

/// A file that cannot be decoded is not a fixed file: its violations stay open.
#[test]
fn an_unreadable_file_resolves_nothing() {
    let p = Project::new();
    p.remedy()
        .args(["audit", "examples", "--record", "-q"])
        .assert()
        .success();
    // The default store's directory keeps itself out of the user's `git status`.
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(p.dir.path())
        .args(["status", "--porcelain", "--untracked-files=all"])
        .output()
        .unwrap();
    let status = String::from_utf8(status.stdout).unwrap();
    assert!(p.dir.path().join(".remedy/remedy.db").exists());
    assert!(!status.contains(".remedy"), "{status}");
    let open_in = |file: &str| -> usize {
        p.json(&["violations", "--status", "open"])["violations"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|v| v["file"] == file)
            .count()
    };
    let file = "examples/aws-typescript/index.ts";
    let before = open_in(file);
    assert!(before > 0);
    // One Latin-1 byte: the file is no longer UTF-8.
    let path = p.dir.path().join(file);
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend_from_slice(b"\n// caf\xe9\n");
    std::fs::write(&path, bytes).unwrap();
    p.remedy()
        .args(["audit", "examples", "--record", "-q"])
        .assert()
        .success();
    assert_eq!(open_in(file), before, "nothing in {file} is resolved");
}

#[test]
fn audit_without_record_touches_no_store() {
    let p = Project::new();
    p.remedy()
        .args([
            "audit",
            "examples",
            "--store",
            "postgres://nobody@127.0.0.1:9/none",
        ])
        .assert()
        .success();
    assert!(!p.dir.path().join(".remedy").exists());
}

#[test]
fn a_corrupt_store_is_one_clear_line_and_exit_2() {
    let p = Project::new();
    std::fs::create_dir_all(p.dir.path().join(".remedy")).unwrap();
    std::fs::write(p.dir.path().join(".remedy/remedy.db"), vec![7u8; 8192]).unwrap();
    let out = p
        .remedy()
        .args(["status"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(".remedy/remedy.db"), "{err}");
    assert!(err.contains("not a remedy database or is damaged"), "{err}");
}

#[test]
fn an_unreachable_store_is_one_clear_line_without_the_password() {
    let p = Project::new();
    let out = p
        .remedy()
        .args(["violations"])
        .env(
            "REMEDY_STORE",
            "postgres://remedy:s3cret@127.0.0.1:9/remedy",
        )
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("cannot connect to the store postgres://remedy@127.0.0.1:9/remedy"),
        "{err}"
    );
    assert!(!err.contains("s3cret"), "{err}");
}
