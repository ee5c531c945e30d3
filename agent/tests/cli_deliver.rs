//! `remedy fix --deliver github` and `remedy sync` as a user runs them: the real binary, a bare
//! `file://` origin, the GitHub REST double as the API (`GITHUB_API_URL`), the token in
//! `GITHUB_TOKEN`, settings from flags and from remedy.toml. Logs at trace level never show the
//! token.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::path::Path;

use remedy_tests::github::GitHubDouble;
use remedy_tests::repo::git;
use serde_json::Value;

const TOKEN: &str = "ghp_cliSecretToken0987654321";

const APP: &str = r#"import * as aws from "@pulumi/aws";

export const site = new aws.s3.Bucket("site", {
    acl: "public-read",
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
});

export const logs = new aws.s3.Bucket("logs", {
    acl: "public-read",
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
});
"#;

/// A bare `file://` origin under `dir` and a checkout `dir/work` that pushed `main` to it with
/// `files`: the origin's URL and the checkout.
fn origin_and_work(dir: &Path, files: &[(&str, &str)]) -> (String, std::path::PathBuf) {
    let remote = dir.join("remote.git");
    std::fs::create_dir_all(&remote).unwrap();
    git(&remote, &["init", "-q", "--bare", "-b", "main"]);
    let url = format!("file://{}", remote.display());
    let work = dir.join("work");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    for (path, text) in files {
        let path = work.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    git(&work, &["add", "-A"]);
    git(&work, &["commit", "-q", "-m", "init"]);
    git(&work, &["remote", "add", "origin", &url]);
    git(&work, &["push", "-q", "origin", "main"]);
    (url, work)
}

#[test]
fn fix_opens_pull_requests_and_sync_resolves_them_without_leaking_the_token() {
    let dir = tempfile::tempdir().unwrap();
    let (url, work) = origin_and_work(dir.path(), &[("infra/index.ts", APP)]);
    let github = GitHubDouble::start();
    let store = format!("sqlite://{}", dir.path().join("remedy.db").display());
    let data = dir.path().join("data");

    let remedy = |args: &[&str]| {
        let mut cmd = remedy_tests::cli::remedy(&work);
        cmd.env("REMEDY_STORE", &store)
            .env("REMEDY_DATA_DIR", &data)
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_API_URL", github.url())
            .env("REMEDY_LOG", "trace")
            .args(args);
        let out = cmd.assert().success().get_output().clone();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(!stderr.contains(TOKEN), "token in the logs:\n{stderr}");
        (String::from_utf8(out.stdout).unwrap(), stderr)
    };
    remedy(&["audit", ".", "--record"]);
    remedy(&["assign", "--policy", "aws-s3-bucket-public-read"]);
    let (out, stderr) = remedy(&[
        "fix",
        "--deliver",
        "github",
        "--github-repo",
        "acme/infra",
        "--group-by",
        "per-file",
        "--label",
        "compliance",
        "--format",
        "json",
    ]);
    assert!(stderr.contains("pull request opened"), "{stderr}");
    let results: Value = serde_json::from_str(&out).unwrap();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(r["outcome"], "fixed");
        assert_eq!(r["pr"], "https://github.example/pull/1");
        assert!(
            r["branch"]
                .as_str()
                .unwrap()
                .starts_with("remedy/file-index/")
        );
    }
    let pulls = github.pulls();
    assert_eq!(pulls.len(), 1);
    assert_eq!(pulls[0].labels, vec!["compliance"]);
    assert!(
        github
            .requests()
            .iter()
            .all(|r| r.header("authorization").is_some_and(|h| h.contains(TOKEN)))
    );

    // The reviewer merges; remedy sync (configured in remedy.toml this time) re-audits main.
    let merger = dir.path().join("merger");
    git(dir.path(), &["clone", "-q", &url, merger.to_str().unwrap()]);
    git(
        &merger,
        &[
            "merge",
            "-q",
            "--no-edit",
            &format!("origin/{}", pulls[0].head),
        ],
    );
    git(&merger, &["push", "-q", "origin", "main"]);
    github.merge(1);
    git(&work, &["pull", "-q", "--ff-only", "origin", "main"]);
    std::fs::write(
        work.join("remedy.toml"),
        "[delivery]\ntarget = \"github\"\ngroup_by = \"per_file\"\n\n[github]\nrepo = \"acme/infra\"\n",
    )
    .unwrap();
    let (out, _) = remedy(&["sync", "--format", "json"]);
    let synced: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(synced[0]["action"], "resolved", "{synced}");
    let (out, _) = remedy(&["violations", "--status", "resolved", "--format", "json"]);
    let resolved: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(resolved["total"], 2);

    // The token is in no file remedy wrote.
    for file in [
        work.join(".git/config"),
        dir.path().join("remedy.db"),
        dir.path().join("remote.git/config"),
    ] {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));
    }
}

#[test]
fn bad_delivery_settings_name_the_key() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join("index.ts"), APP).unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    std::fs::write(
        dir.path().join("remedy.toml"),
        "[delivery]\nprs_per_hr = 2\n",
    )
    .unwrap();
    remedy_tests::cli::remedy(dir.path())
        .args(["fix", "--all"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("prs_per_hr"));
    std::fs::write(
        dir.path().join("remedy.toml"),
        "[delivery]\nprs_per_hour = 0\n",
    )
    .unwrap();
    remedy_tests::cli::remedy(dir.path())
        .args(["fix", "--all"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("delivery.prs_per_hour"));
    // No origin: GitHub delivery says what to do.
    std::fs::write(dir.path().join("remedy.toml"), "").unwrap();
    remedy_tests::cli::remedy(dir.path())
        .args(["fix", "--all", "--deliver", "github"])
        .env_remove("GITHUB_TOKEN")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no `origin` remote"));
}

#[test]
fn local_branches_group_fixes_and_chain_them_in_one_file() {
    let dir = tempfile::tempdir().unwrap();
    git(dir.path(), &["init", "-q", "-b", "main"]);
    std::fs::write(dir.path().join("index.ts"), APP).unwrap();
    git(dir.path(), &["add", "-A"]);
    git(dir.path(), &["commit", "-q", "-m", "init"]);
    let run = || {
        let out = remedy_tests::cli::remedy(dir.path())
            .args([
                "fix",
                "--all",
                "--policy",
                "aws-s3-bucket-public-read",
                "--group-by",
                "per-file",
                "--format",
                "json",
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice::<Value>(&out).unwrap()
    };
    let results = run();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), 2);
    let branch = results[0]["branch"].as_str().unwrap().to_string();
    assert!(branch.starts_with("remedy/file-index/"), "{branch}");
    assert_eq!(results[1]["branch"], branch.as_str());
    let fixed = git(dir.path(), &["show", &format!("{branch}:index.ts")]);
    assert_eq!(fixed.matches("acl: \"private\"").count(), 2, "{fixed}");
    let log = git(
        dir.path(),
        &["log", "--format=%s", &format!("main..{branch}")],
    );
    assert_eq!(log.lines().count(), 2, "one commit per fix: {log}");
    assert_eq!(git(dir.path(), &["status", "--porcelain"]), "");

    // Again: the branch holds both; nothing is written.
    let tip = git(dir.path(), &["rev-parse", &branch]);
    let again = run();
    assert!(
        again
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["reason"] == "the branch already holds this fix"),
        "{again}"
    );
    assert_eq!(git(dir.path(), &["rev-parse", &branch]), tip);
}

#[test]
fn local_mode_fills_a_branch_then_the_next_and_a_rerun_ends() {
    let dir = tempfile::tempdir().unwrap();
    let three = format!(
        "{APP}\nexport const media = new aws.s3.Bucket(\"media\", {{\n    acl: \"public-read\",\n    serverSideEncryptionConfiguration: {{\n        rule: {{ applyServerSideEncryptionByDefault: {{ sseAlgorithm: \"AES256\" }} }},\n    }},\n}});\n"
    );
    let (url, work) = origin_and_work(dir.path(), &[("index.ts", &three)]);
    let github = GitHubDouble::start();
    let data = dir.path().join("data");
    // `local` mode pushes branches and opens no pull request: a full branch has none, and the
    // next fixes must still move on to the next part rather than come back for ever.
    let run = || {
        let out = remedy_tests::cli::remedy(&work)
            .env("REMEDY_DATA_DIR", &data)
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_API_URL", github.url())
            .args([
                "fix",
                "--all",
                "--policy",
                "aws-s3-bucket-public-read",
                "--deliver",
                "github",
                "--github-repo",
                "acme/infra",
                "--group-by",
                "per-file",
                "--mode",
                "local",
                "--max-violations-per-pr",
                "2",
                "--format",
                "json",
            ])
            .timeout(std::time::Duration::from_secs(120))
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        serde_json::from_slice::<Value>(&out).unwrap()
    };
    for pass in 0..2 {
        let results = run();
        let results = results.as_array().unwrap();
        assert_eq!(
            results.len(),
            3,
            "pass {pass}: one outcome each: {results:#?}"
        );
        let mut branches: Vec<&str> = results
            .iter()
            .map(|r| {
                assert_eq!(r["outcome"], "fixed", "pass {pass}: {r}");
                r["branch"].as_str().unwrap()
            })
            .collect();
        branches.sort_unstable();
        branches.dedup();
        assert_eq!(branches.len(), 2, "two parts: {branches:?}");
        assert!(branches[1].ends_with("-2"), "{branches:?}");
    }
    assert!(
        github.pulls().is_empty(),
        "local mode opens no pull request"
    );
    let on_origin = git(&work, &["ls-remote", &url, "refs/heads/remedy/*"]);
    assert_eq!(on_origin.lines().count(), 2, "{on_origin}");
}

/// A remedy.toml committed by an attacker names where the GitHub token and the LLM key would
/// go, and a file outside the repository as the pull-request template: remedy refuses each by
/// key before any request, and the servers it names hear nothing.
#[test]
fn a_hostile_remedy_toml_sends_no_secret_and_reads_nothing_outside() {
    let dir = tempfile::tempdir().unwrap();
    let (_, work) = origin_and_work(dir.path(), &[("infra/index.ts", APP)]);
    let github = GitHubDouble::start();
    let llm = remedy_eval::scripted_llm::ScriptedLlm::start(Vec::new());
    let store = format!("sqlite://{}", dir.path().join("remedy.db").display());
    std::fs::write(dir.path().join("secret.txt"), "AKIA-not-for-a-pull-request").unwrap();
    let remedy = |args: &[&str]| {
        remedy_tests::cli::remedy(&work)
            .env("REMEDY_STORE", &store)
            .env("REMEDY_DATA_DIR", dir.path().join("data"))
            .env("GITHUB_TOKEN", TOKEN)
            .env("REMEDY_LLM_API_KEY", "sk-hostile-test")
            .args(args)
            .assert()
    };
    remedy(&["audit", ".", "--record"]).success();
    remedy(&["assign", "--all"]).success();
    for (config, key) in [
        (
            format!(
                "[github]\napi_url = \"{}\"\nrepo = \"acme/infra\"\n",
                github.url()
            ),
            "github.api_url",
        ),
        (
            format!("[llm]\nbase_url = \"{}\"\nmodel = \"m\"\n", llm.base_url()),
            "llm.base_url",
        ),
        (
            "[delivery]\ntemplate = \"../../secret.txt\"\n".to_string(),
            "delivery.template",
        ),
    ] {
        std::fs::write(work.join("remedy.toml"), &config).unwrap();
        remedy(&["fix", "--all", "--deliver", "github", "--provider", "auto"])
            .code(2)
            .stderr(predicates::str::contains(format!("`{key}`")));
    }
    assert!(
        github.requests().is_empty(),
        "the forge named by the repository was reached"
    );
    assert!(
        llm.requests().is_empty(),
        "the LLM named by the repository was reached"
    );

    // The operator names the same double: requests go there, with the token.
    std::fs::write(
        work.join("remedy.toml"),
        "[github]\nrepo = \"acme/infra\"\n",
    )
    .unwrap();
    let operator = dir.path().join("operator.toml");
    std::fs::write(
        &operator,
        format!(
            "[github]\napi_url = \"{}\"\nrepo = \"acme/infra\"\n",
            github.url()
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("xdg/remedy")).unwrap();
    std::fs::rename(&operator, dir.path().join("xdg/remedy/remedy.toml")).unwrap();
    remedy_tests::cli::remedy(&work)
        .env("REMEDY_STORE", &store)
        .env("REMEDY_DATA_DIR", dir.path().join("data"))
        .env("GITHUB_TOKEN", TOKEN)
        .env("XDG_CONFIG_HOME", dir.path().join("xdg"))
        .args(["fix", "--all", "--deliver", "github"])
        .assert()
        .success();
    assert!(!github.pulls().is_empty());
    for pull in github.pulls() {
        assert!(!pull.body.contains("AKIA"), "{}", pull.body);
    }
}

/// `prs_per_hour` holds across runs: a second run on the same store, and a run on a store of its
/// own (another CI job), count the pull requests the first opened within the hour.
#[test]
fn two_runs_in_one_hour_open_no_more_than_prs_per_hour_together() {
    let dir = tempfile::tempdir().unwrap();
    let (_, work) = origin_and_work(dir.path(), &[("infra/index.ts", APP)]);
    let github = GitHubDouble::start();
    let run = |store: &str, args: &[&str]| {
        let out = remedy_tests::cli::remedy(&work)
            .env("REMEDY_STORE", store)
            .env("REMEDY_DATA_DIR", dir.path().join("data"))
            .env("GITHUB_TOKEN", TOKEN)
            .env("GITHUB_API_URL", github.url())
            .args(args)
            .assert()
            .success()
            .get_output()
            .clone();
        String::from_utf8(out.stdout).unwrap()
    };
    let fix = [
        "fix",
        "--deliver",
        "github",
        "--github-repo",
        "acme/infra",
        "--group-by",
        "per-violation",
        "--prs-per-hour",
        "2",
        "--format",
        "json",
    ];
    let shared = format!("sqlite://{}", dir.path().join("shared.db").display());
    run(&shared, &["audit", ".", "--record"]);
    run(&shared, &["assign", "--all"]);
    let first: Value = serde_json::from_str(&run(&shared, &fix)).unwrap();
    let fixed = |results: &Value| {
        results
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["outcome"] == "fixed")
            .count()
    };
    let held_by_the_budget = |results: &Value| {
        results.as_array().unwrap().iter().any(|r| {
            r["reason"]
                .as_str()
                .is_some_and(|s| s.contains("2 per hour"))
        })
    };
    assert_eq!(fixed(&first), 2, "{first:#}");
    assert!(
        first.as_array().unwrap().len() > 2,
        "more work than the budget: {first:#}"
    );
    assert_eq!(github.pulls().len(), 2);

    // The same store: the hour's budget is spent. (The deferred work is handed out again at
    // once, as a person re-assigning it would.)
    run(&shared, &["unassign", "--all"]);
    run(&shared, &["assign", "--all"]);
    let second: Value = serde_json::from_str(&run(&shared, &fix)).unwrap();
    assert_eq!(github.pulls().len(), 2, "{second:#}");
    assert!(held_by_the_budget(&second), "{second:#}");
    // A store of its own: the forge's count of the hour holds it back.
    let other = format!("sqlite://{}", dir.path().join("other.db").display());
    run(&other, &["audit", ".", "--record"]);
    run(&other, &["assign", "--all"]);
    let third: Value = serde_json::from_str(&run(&other, &fix)).unwrap();
    assert_eq!(github.pulls().len(), 2, "{third:#}");
    assert!(held_by_the_budget(&third), "{third:#}");
}
