//! Loading packs: built-ins, users' packs in Rego v1 and v0, and clear errors for bad ones.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use remedy_guardrails::Evaluator;
use remedy_guardrails::{LoadOptions, PolicyError, PolicySet, RuleKind, Severity};
use remedy_source::Language;

#[test]
fn builtin_packs_load_with_metadata() {
    let set = PolicySet::builtin().unwrap();
    assert!(set.policies().len() >= 10);
    for p in set.policies() {
        assert!(p.id.starts_with("aws-"), "{}", p.id);
        assert!(!p.resource_types.is_empty(), "{} names its types", p.id);
        assert!(p.source.starts_with("builtin:aws/"), "{}", p.source);
        assert_eq!(p.rules, vec![RuleKind::Deny]);
        // Reading `input` whole would make the policy undecidable on every resource with any
        // unknown value (tags built from config, say): built-ins read property paths only.
        assert!(!p.reads_whole_input(), "{} reads `input` whole", p.id);
    }
    let s3 = set.get("aws-s3-bucket-public-read").unwrap();
    assert_eq!(s3.severity, Severity::High);
    assert_eq!(s3.remediation.kind(), "set+remove");
}

fn load(files: &[(&str, &str)]) -> Result<PolicySet, PolicyError> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    PolicySet::load(&LoadOptions {
        builtin: false,
        paths: vec![dir.path().to_path_buf()],
        repository: None,
    })
}

#[test]
fn broken_rego_names_file_and_line() {
    let err = load(&[(
        "broken.rego",
        "package mine\n\ndeny contains msg if {\n  input.acl == \n}\n",
    )])
    .err()
    .unwrap();
    let text = err.to_string();
    assert!(text.contains("broken.rego:5:1"), "{text}");
    assert!(text.contains("invalid Rego"), "{text}");
}

#[test]
fn bad_metadata_names_the_field() {
    let err = load(&[(
        "meta.rego",
        "package mine\n\nmetadata := {\"id\": \"x\", \"title\": \"t\", \"severity\": \"severe\"}\n\ndeny contains \"m\" if input.x\n",
    )])
    .err()
    .unwrap();
    let text = err.to_string();
    assert!(text.contains("meta.rego:3"), "{text}");
    assert!(text.contains("severe"), "{text}");
}

#[test]
fn duplicate_ids_are_an_error() {
    let meta = |pkg: &str| {
        format!(
            "package {pkg}\n\nmetadata := {{\"id\": \"same\", \"title\": \"t\", \"severity\": \"low\"}}\n\ndeny contains \"m\" if input.x\n"
        )
    };
    let err = load(&[("a.rego", &meta("a")), ("b.rego", &meta("b"))])
        .err()
        .unwrap();
    assert!(err.to_string().contains("defined twice"), "{err}");
}

#[test]
fn missing_dir_is_an_error() {
    let err = PolicySet::load(&LoadOptions {
        builtin: false,
        paths: vec!["/no/such/policies".into()],
        repository: None,
    })
    .err()
    .unwrap();
    assert!(err.to_string().contains("/no/such/policies"), "{err}");
}

/// An OPA pack written for pulumi-policy-opa (Rego v0, no metadata) loads unchanged.
#[test]
fn existing_v0_pack_without_metadata() {
    let set = load(&[
        (
            "s3.rego",
            r#"package pulumi.s3

deny[msg] {
    input.__type == "aws:s3/bucket:Bucket"
    input.acl == "public-read-write"
    msg := sprintf("bucket %v is world-writable", [input.__name])
}

warn[msg] {
    input.__type == "aws:s3/bucket:Bucket"
    not input.versioning.enabled
    msg := "versioning is off"
}
"#,
        ),
        ("s3_test.rego", "this is not even rego"),
    ])
    .unwrap();
    assert_eq!(set.policies().len(), 1);
    let p = &set.policies()[0];
    assert_eq!(p.id, "pulumi.s3");
    assert_eq!(p.severity, Severity::Medium);
    assert_eq!(p.rules, vec![RuleKind::Deny, RuleKind::Warn]);

    let mut ev = Evaluator::new(&set);
    let audit = ev.audit_source(
        "index.ts",
        Language::TypeScript,
        "import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"b\", { acl: \"public-read-write\" });\nnew aws.s3.Bucket(\"c\", { acl: \"private\", versioning: { enabled: true } });\n",
    );
    assert_eq!(audit.violations.len(), 1, "{:#?}", audit.violations);
    let v = &audit.violations[0];
    assert_eq!(v.rule, RuleKind::Deny);
    assert_eq!(v.message, "bucket b is world-writable; versioning is off");
}

/// A library package without rules is loaded for others to import, and is no policy itself.
#[test]
fn library_packages_are_not_policies() {
    let set = load(&[
        ("lib.rego", "package lib.net\n\nworld(cidr) if cidr == \"0.0.0.0/0\"\n"),
        (
            "rule.rego",
            "package mine\n\nimport data.lib.net\n\ndeny contains \"open\" if {\n  some c in input.cidrBlocks\n  net.world(c)\n}\n",
        ),
    ])
    .unwrap();
    assert_eq!(set.policies().len(), 1);
    let mut ev = Evaluator::new(&set);
    let audit = ev.audit_source(
        "main.py",
        Language::Python,
        "import pulumi_aws as aws\naws.ec2.SecurityGroupRule(\"r\", type=\"ingress\", cidr_blocks=[\"0.0.0.0/0\"])\n",
    );
    assert_eq!(audit.violations.len(), 1);
}

/// A policy directory can come from a repository's own configuration: a symlink loop in it is
/// read once, not forever.
#[test]
fn a_symlink_loop_under_a_policy_directory_is_read_once() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pack/nested")).unwrap();
    std::fs::write(
        dir.path().join("pack/nested/s3.rego"),
        "package team.s3\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.acl == \"public-read\"\n\tmsg := \"public\"\n}\n",
    )
    .unwrap();
    std::os::unix::fs::symlink(dir.path().join("pack"), dir.path().join("pack/nested/loop"))
        .unwrap();
    let (done, finished) = std::sync::mpsc::channel();
    let path = dir.path().join("pack");
    std::thread::spawn(move || {
        let loaded = PolicySet::load(&LoadOptions {
            builtin: false,
            paths: vec![path],
            repository: None,
        })
        .map(|set| set.policies().len());
        let _ = done.send(loaded.map_err(|e| e.to_string()));
    });
    let loaded = finished
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("loading a pack with a symlink loop must finish");
    assert_eq!(loaded, Ok(1));
}

/// Packs a repository's own configuration names are read inside that repository only: a
/// symlink from the pack to a file or directory elsewhere is refused by name, and a directory
/// nested without end stops at a depth cap.
#[test]
fn repository_packs_stay_inside_the_repository() {
    use remedy_guardrails::RepositoryPacks;
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let outside = dir.path().join("elsewhere");
    std::fs::create_dir_all(repo.join("policies")).unwrap();
    std::fs::create_dir_all(&outside).unwrap();
    let rego = "package team.s3\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.acl == \"public-read\"\n\tmsg := \"public\"\n}\n";
    std::fs::write(repo.join("policies/s3.rego"), rego).unwrap();
    let load = |paths: Vec<std::path::PathBuf>| {
        PolicySet::load(&LoadOptions {
            builtin: false,
            paths: Vec::new(),
            repository: Some(RepositoryPacks {
                root: repo.clone(),
                paths,
            }),
        })
        .map(|set| set.policies().len())
        .map_err(|e| e.to_string())
    };
    assert_eq!(load(vec![repo.join("policies")]), Ok(1));

    std::fs::write(
        outside.join("secret.rego"),
        rego.replace("team.s3", "team.other"),
    )
    .unwrap();
    std::os::unix::fs::symlink(outside.join("secret.rego"), repo.join("policies/link.rego"))
        .unwrap();
    let err = load(vec![repo.join("policies")]).unwrap_err();
    assert!(
        err.contains("link.rego") && err.contains("outside the repository"),
        "{err}"
    );
    std::fs::remove_file(repo.join("policies/link.rego")).unwrap();

    std::os::unix::fs::symlink(&outside, repo.join("policies/out")).unwrap();
    let err = load(vec![repo.join("policies")]).unwrap_err();
    assert!(err.contains("outside the repository"), "{err}");
    let err = load(vec![outside.clone()]).unwrap_err();
    assert!(err.contains("outside the repository"), "{err}");
    std::fs::remove_file(repo.join("policies/out")).unwrap();

    // The same directory given by the operator is read as given.
    let operator = PolicySet::load(&LoadOptions {
        builtin: false,
        paths: vec![outside],
        repository: None,
    })
    .map(|set| set.policies().len());
    assert_eq!(operator.ok(), Some(1));

    let mut deep = repo.join("policies");
    for _ in 0..20 {
        deep = deep.join("d");
    }
    std::fs::create_dir_all(&deep).unwrap();
    let err = load(vec![repo.join("policies")]).unwrap_err();
    assert!(err.contains("directories deep"), "{err}");
}
