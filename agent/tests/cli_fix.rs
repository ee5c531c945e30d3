//! `remedy fix` end to end on a real git repository: fixes land on branches, the working tree
//! and the current branch stay as they were, re-runs change nothing, --dry-run writes nothing.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use remedy_tests::repo::git_stdout;
use serde_json::Value;

fn repo_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    git_stdout(dir.path(), &["init", "-q", "-b", "main"]);
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git_stdout(dir.path(), &["add", "-A"]);
    git_stdout(dir.path(), &["commit", "-q", "-m", "init"]);
    dir
}

fn remedy(dir: &Path) -> Command {
    remedy_tests::cli::remedy(dir)
}

const APP: &str = r#"import * as aws from "@pulumi/aws";

const site = new aws.s3.Bucket("site", {
    acl: "public-read",
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
});

const key = new aws.kms.Key("data", { description: "data" });

const web = new aws.ec2.SecurityGroup("web", {
    ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }],
});
"#;

/// The policies this file's tests look at (the pack has more that also fire on `APP`).
const POLICIES: [&str; 6] = [
    "--policy",
    "aws-s3-bucket-public-read",
    "--policy",
    "aws-kms-key-rotation",
    "--policy",
    "aws-ec2-security-group-open-admin",
];

#[test]
fn fixes_are_committed_on_branches_without_touching_the_work_tree() {
    let dir = repo_with(&[("infra/index.ts", APP)]);
    let head = git_stdout(dir.path(), &["rev-parse", "HEAD"]);
    let out = remedy(dir.path())
        .args(["fix", "--all", "--format", "json"])
        .args(POLICIES)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let results: Value = serde_json::from_slice(&out).unwrap();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 3);
    let by_policy = |p: &str| results.iter().find(|r| r["policy"] == p).unwrap();

    let acl = by_policy("aws-s3-bucket-public-read");
    assert_eq!(acl["outcome"], "fixed");
    assert_eq!(acl["provider"], "recipe");
    let branch = acl["branch"].as_str().unwrap();
    assert!(branch.starts_with("remedy/aws-s3-bucket-public-read/"));
    let fixed = git_stdout(dir.path(), &["show", &format!("{branch}:infra/index.ts")]);
    assert!(fixed.contains("acl: \"private\""), "{fixed}");
    assert!(
        fixed.contains("new aws.kms.Key(\"data\", { description: \"data\" })"),
        "one fix per branch"
    );
    let message = git_stdout(dir.path(), &["log", "-1", "--format=%B", branch]);
    assert!(message.contains(&format!(
        "Remedy-Violation: {}",
        acl["fingerprint"].as_str().unwrap()
    )));
    assert!(message.contains("target_resolved"));
    assert!(
        message.contains("- validate: not type-checked (the check is turned off)"),
        "without a checker the evidence says so: {message}"
    );
    assert_eq!(
        git_stdout(dir.path(), &["rev-parse", &format!("{branch}~1")]),
        head,
        "branched from main"
    );

    assert_eq!(by_policy("aws-kms-key-rotation")["outcome"], "fixed");
    let sg = by_policy("aws-ec2-security-group-open-admin");
    assert_eq!(sg["outcome"], "needs_human");
    assert!(
        sg["reason"]
            .as_str()
            .unwrap()
            .contains("values.admin_cidr_blocks")
    );

    // The user's checkout is exactly as it was.
    assert_eq!(git_stdout(dir.path(), &["rev-parse", "HEAD"]), head);
    assert_eq!(
        git_stdout(dir.path(), &["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "main"
    );
    assert_eq!(git_stdout(dir.path(), &["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("infra/index.ts")).unwrap(),
        APP
    );

    // A second run finds its branches already holding the fixes.
    let branches_before = git_stdout(
        dir.path(),
        &[
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/heads/remedy",
        ],
    );
    remedy(dir.path())
        .args(["fix", "--all"])
        .args(POLICIES)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "the branch already holds this fix",
        ));
    let branches_after = git_stdout(
        dir.path(),
        &[
            "for-each-ref",
            "--format=%(refname) %(objectname)",
            "refs/heads/remedy",
        ],
    );
    assert_eq!(branches_before, branches_after);
}

#[test]
fn dry_run_prints_diffs_and_writes_nothing() {
    let dir = repo_with(&[("index.ts", APP)]);
    remedy(dir.path())
        .args(["fix", "--all", "--dry-run", "--policy", "aws-kms-key-rotation"])
        .assert()
        .success()
        .stdout(predicate::str::contains("+const key = new aws.kms.Key(\"data\", { description: \"data\", enableKeyRotation: true });"))
        .stdout(predicate::str::contains("1 would be fixed (dry run, nothing written)"));
    assert_eq!(
        git_stdout(dir.path(), &["branch", "--list", "remedy/*"]),
        ""
    );
}

#[test]
fn only_committed_content_is_fixed() {
    let dir = repo_with(&[("index.ts", APP)]);
    // An uncommitted edit in the working tree is not the base the fix is made against.
    std::fs::write(
        dir.path().join("index.ts"),
        APP.replace("public-read", "private"),
    )
    .unwrap();
    let out = remedy(dir.path())
        .args([
            "fix",
            "--all",
            "--format",
            "json",
            "--policy",
            "aws-s3-bucket-public-read",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let results: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(results[0]["outcome"], "fixed");
    assert!(
        git_stdout(dir.path(), &["status", "--porcelain"]).contains("index.ts"),
        "the edit is still there"
    );
}

#[test]
fn outside_git_without_dry_run_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.ts"), APP).unwrap();
    remedy(dir.path())
        .args(["fix", "--all"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--dry-run"));
    remedy(dir.path())
        .args(["fix", "--all", "--dry-run", "--format", "json"])
        .assert()
        .success()
        .stdout(predicate::str::contains("\"outcome\": \"fixed\""));
}

#[test]
fn with_nothing_assigned_the_run_says_how_to_assign() {
    let dir = repo_with(&[("index.ts", APP)]);
    let db = tempfile::tempdir().unwrap();
    remedy(dir.path())
        .env(
            "REMEDY_STORE",
            format!("sqlite://{}", db.path().join("r.db").display()),
        )
        .args(["fix"])
        .assert()
        .success()
        .stderr(predicate::str::contains("remedy assign, or --all"));
}

/// The default: the violations assigned to the agent in the store are claimed, fixed on
/// branches, and their outcomes recorded (with an event per attempt).
#[test]
fn assigned_violations_are_fixed_and_recorded() {
    let dir = repo_with(&[("index.ts", APP)]);
    let db = tempfile::tempdir().unwrap();
    let store = format!("sqlite://{}", db.path().join("remedy.db").display());
    let run = |args: &[&str]| {
        remedy(dir.path())
            .env("REMEDY_STORE", &store)
            .env("REMEDY_ACTOR", "tester")
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone()
    };
    run(&["audit", ".", "--record"]);
    run(&[
        "assign",
        "--policy",
        "aws-s3-bucket-public-read",
        "--policy",
        "aws-kms-key-rotation",
        "--policy",
        "aws-ec2-security-group-open-admin",
    ]);

    // A dry run previews what is assigned and writes nothing anywhere: no claim and no event
    // (every change of a violation appends one), no status moves, no branch.
    let events = &["events", "--path", "index.ts", "--format", "json"];
    let events_before = run(events);
    let preview: Value =
        serde_json::from_slice(&run(&["fix", "--dry-run", "--format", "json"])).unwrap();
    assert_eq!(run(events), events_before, "a dry run adds no event");

    assert_eq!(preview.as_array().unwrap().len(), 3);
    assert!(preview.as_array().unwrap().iter().any(|r| {
        r["diff"]
            .as_str()
            .is_some_and(|d| d.contains("+    acl: \"private\","))
    }));
    let listed: Value = serde_json::from_slice(&run(&[
        "violations",
        "--status",
        "assigned",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(listed["total"], 3, "still assigned after the dry run");
    assert_eq!(
        git_stdout(dir.path(), &["branch", "--list", "remedy/*"]),
        ""
    );

    let results: Value = serde_json::from_slice(&run(&["fix", "--format", "json"])).unwrap();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 3);
    let fixed: Vec<&Value> = results.iter().filter(|r| r["outcome"] == "fixed").collect();
    assert_eq!(fixed.len(), 2);
    for r in &fixed {
        let branch = r["branch"].as_str().unwrap();
        assert!(git_stdout(dir.path(), &["branch", "--list", branch]).contains(branch));
    }

    let open: Value = serde_json::from_slice(&run(&[
        "violations",
        "--status",
        "pr_open",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(open["total"], 2);
    for v in open["violations"].as_array().unwrap() {
        assert!(v["pr"]["branch"].as_str().unwrap().starts_with("remedy/"));
    }
    let human: Value = serde_json::from_slice(&run(&[
        "violations",
        "--status",
        "needs_human",
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(human["total"], 1);
    let sg = &human["violations"][0];
    assert_eq!(sg["policy"], "aws-ec2-security-group-open-admin");
    assert!(
        sg["reason"]
            .as_str()
            .unwrap()
            .contains("values.admin_cidr_blocks"),
        "{sg}"
    );

    let id = fixed[0]["fingerprint"].as_str().unwrap();
    let events: Value =
        serde_json::from_slice(&run(&["events", "--id", id, "--format", "json"])).unwrap();
    let kinds: Vec<&str> = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"attempt"), "{kinds:?}");
    let attempt = events["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["kind"] == "attempt")
        .unwrap();
    assert_eq!(attempt["data"]["provider"], "recipe");
    let checks: Vec<&str> = attempt["data"]["verdict"]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        checks,
        [
            "parses",
            "target_resolved",
            "no_new_violations",
            "scope",
            "resource_options",
            "data_not_code",
            "typed_values",
            "validate"
        ]
    );

    // Nothing left assigned: a second run has nothing to do.
    let again: Value = serde_json::from_slice(&run(&["fix", "--format", "json"])).unwrap();
    assert_eq!(again.as_array().unwrap().len(), 0);
    assert_eq!(git_stdout(dir.path(), &["status", "--porcelain"]), "");
}

/// `remedy fix --all` of one policy in `dir`; the one result.
fn fix_one(dir: &Path, policy: &str) -> Value {
    fix_one_with(dir, policy, &[])
}

/// [`fix_one`] with more flags.
fn fix_one_with(dir: &Path, policy: &str, extra: &[&str]) -> Value {
    let out = remedy(dir)
        .args(["fix", "--all", "--format", "json", "--policy", policy])
        .args(extra)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let results: Value = serde_json::from_slice(&out).unwrap();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 1, "{results:?}");
    results[0].clone()
}

#[test]
fn a_failing_validate_command_rejects_the_recipe_fix() {
    let dir = repo_with(&[("infra/index.ts", APP)]);
    let result = fix_one_with(
        dir.path(),
        "aws-s3-bucket-public-read",
        &["--validate", "false"],
    );
    assert_eq!(result["outcome"], "needs_human", "{result}");
    let reason = result["reason"].as_str().unwrap();
    assert!(
        reason.contains("validate: ") && reason.contains("from false"),
        "the reason names the check and the command: {reason}"
    );
    assert_eq!(
        git_stdout(dir.path(), &["branch", "--list", "remedy/*"]),
        "",
        "nothing is committed"
    );
}

#[test]
fn a_passing_validate_command_is_in_the_gate_evidence() {
    let dir = repo_with(&[("infra/index.ts", APP)]);
    let result = fix_one_with(
        dir.path(),
        "aws-s3-bucket-public-read",
        &["--validate", "true"],
    );
    assert_eq!(result["outcome"], "fixed", "{result}");
    let branch = result["branch"].as_str().unwrap();
    let message = git_stdout(dir.path(), &["log", "-1", "--format=%B", branch]);
    assert!(
        message.contains("- validate: true passed in "),
        "the commit carries the check: {message}"
    );
}

/// Whoever commits to the repository does not choose what runs on the fixing machine: the
/// repository's own `[gate] validate` is ignored.
#[test]
fn the_repositorys_own_validate_commands_never_run() {
    let dir = repo_with(&[
        (
            "remedy.toml",
            "[gate]\nvalidate = [\"touch /tmp/remedy-was-made-to-run-this\", \"false\"]\n",
        ),
        ("infra/index.ts", APP),
    ]);
    let result = fix_one(dir.path(), "aws-s3-bucket-public-read");
    assert_eq!(result["outcome"], "fixed", "{result}");
    let branch = result["branch"].as_str().unwrap();
    let message = git_stdout(dir.path(), &["log", "-1", "--format=%B", branch]);
    assert!(
        message.contains("- validate: not type-checked"),
        "{message}"
    );
}

#[test]
fn flags_override_the_gate_settings() {
    let dir = repo_with(&[("infra/index.ts", APP)]);
    let operator = tempfile::tempdir().unwrap();
    let config = operator.path().join("remedy.toml");
    std::fs::write(&config, "[gate]\nvalidate = [\"false\"]\n").unwrap();
    let out = remedy(dir.path())
        .args(["fix", "--all", "--format", "json", "--no-validate"])
        .arg("--config")
        .arg(&config)
        .args(["--policy", "aws-s3-bucket-public-read"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let results: Value = serde_json::from_slice(&out).unwrap();
    let result = &results[0];
    assert_eq!(result["outcome"], "fixed", "{result}");
    let branch = result["branch"].as_str().unwrap();
    let message = git_stdout(dir.path(), &["log", "-1", "--format=%B", branch]);
    assert!(
        message.contains("- validate: not type-checked (the check is turned off)"),
        "{message}"
    );
}

/// A program with the real `@pulumi/aws` types (the package cache the type-checked eval
/// installs from npm once per target directory), `node_modules` linked in as a team's checkout
/// has it: `tsc` is detected and judges the fix.
#[test]
fn tsc_is_detected_and_rejects_a_fix_that_breaks_the_types() {
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("typecheck");
    remedy_eval::typecheck::TypeChecker::setup(&cache).unwrap();
    let tsconfig = r#"{ "compilerOptions": { "strict": true, "noEmit": true, "target": "es2020",
  "module": "commonjs", "moduleResolution": "node", "skipLibCheck": true, "types": [] } }
"#;
    let program = |values: &str| {
        let dir = repo_with(&[
            ("remedy.toml", values),
            (".gitignore", "node_modules\n"),
            ("infra/Pulumi.yaml", "name: infra\nruntime: nodejs\n"),
            ("infra/tsconfig.json", tsconfig),
            ("infra/index.ts", APP),
        ]);
        std::os::unix::fs::symlink(
            cache.join("node_modules").canonicalize().unwrap(),
            dir.path().join("infra/node_modules"),
        )
        .unwrap();
        dir
    };

    // The team's value has the provider's type: tsc passes the fix.
    let good = program("[values]\nadmin_cidr_blocks = [\"10.0.0.0/8\"]\n");
    let auto = ["--validate", "auto"];
    let result = fix_one_with(good.path(), "aws-ec2-security-group-open-admin", &auto);
    assert_eq!(result["outcome"], "fixed", "{result}");
    let branch = result["branch"].as_str().unwrap();
    let message = git_stdout(good.path(), &["log", "-1", "--format=%B", branch]);
    assert!(
        message.contains("- validate: tsc --noEmit --pretty false -p . passed in "),
        "{message}"
    );

    // A string where the provider takes a list of strings: the fix does not type-check.
    let bad = program("[values]\nadmin_cidr_blocks = \"10.0.0.0/8\"\n");
    let result = fix_one_with(bad.path(), "aws-ec2-security-group-open-admin", &auto);
    assert_eq!(result["outcome"], "needs_human", "{result}");
    let reason = result["reason"].as_str().unwrap();
    assert!(
        reason.contains("validate: 1 new error from tsc") && reason.contains("error TS2322"),
        "{reason}"
    );
}
