use std::path::Path;

use serde_json::json;

use super::*;

fn ts(src: &str) -> ParsedFile {
    parse_source(Language::TypeScript, Path::new("index.ts"), src)
}

fn py(src: &str) -> ParsedFile {
    parse_source(Language::Python, Path::new("__main__.py"), src)
}

fn only(file: &ParsedFile) -> &Resource {
    assert_eq!(file.resources.len(), 1, "{:#?}", file.resources);
    &file.resources[0]
}

fn props(r: &Resource) -> serde_json::Value {
    serde_json::Value::Object(r.properties.clone())
}

// ---------- TypeScript ----------

#[test]
fn ts_namespace_import_and_literals() {
    let f = ts(r#"
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

const bucket = new aws.s3.Bucket("site", {
    acl: "public-read",
    forceDestroy: true,
    tags: { Name: `site`, "cost-center": 'a\'b' },
    corsRules: [{ allowedMethods: ["GET"], maxAgeSeconds: 3_000 }],
    count: -1,
    ratio: 0.5,
    nothing: undefined,
    alsoNothing: null,
}, { protect: true });
"#);
    let r = only(&f);
    assert_eq!(r.type_token, "aws:s3/bucket:Bucket");
    assert_eq!(r.name.as_deref(), Some("site"));
    assert_eq!(
        props(r),
        json!({
            "acl": "public-read",
            "forceDestroy": true,
            "tags": {"Name": "site", "cost-center": "a'b"},
            "corsRules": [{"allowedMethods": ["GET"], "maxAgeSeconds": 3000}],
            "count": -1,
            "ratio": 0.5
        })
    );
    assert!(r.unknown.is_empty() && r.open.is_empty(), "{r:#?}");
    assert_eq!((r.line, r.column), (5, 16));
    assert!(r.sites.contains_key("corsRules[0].allowedMethods[0]"));
    assert!(
        r.sites.contains_key("nothing"),
        "explicit undefined keeps its site"
    );
}

#[test]
fn ts_spans_point_at_the_source() {
    let src = r#"import * as aws from "@pulumi/aws";
new aws.s3.Bucket("b", { acl: "private" });
"#;
    let f = ts(src);
    let r = only(&f);
    let site = &r.sites["acl"];
    assert_eq!(&src[site.entry.start..site.entry.end], r#"acl: "private""#);
    assert_eq!(&src[site.value.start..site.value.end], r#""private""#);
    assert_eq!(
        &src[r.span.start..r.span.end],
        r#"new aws.s3.Bucket("b", { acl: "private" })"#
    );
}

#[test]
fn ts_named_and_aliased_imports() {
    let f = ts(r#"
import { s3, ec2 as network } from "@pulumi/aws";
import { Bucket as B } from "@pulumi/aws/s3";
import aws2 = require("@pulumi/aws");
const aws3 = require("@pulumi/aws");
new s3.Bucket("a", {});
new network.SecurityGroup("b", {});
new B("c");
new aws2.kms.Key("d", { enableKeyRotation: true });
new aws3.ecr.Repository("e", {});
"#);
    let tokens: Vec<(&str, Option<&str>)> = f
        .resources
        .iter()
        .map(|r| (r.type_token.as_str(), r.name.as_deref()))
        .collect();
    assert_eq!(
        tokens,
        vec![
            ("aws:s3/bucket:Bucket", Some("a")),
            ("aws:ec2/securityGroup:SecurityGroup", Some("b")),
            ("aws:s3/bucket:Bucket", Some("c")),
            ("aws:kms/key:Key", Some("d")),
            ("aws:ecr/repository:Repository", Some("e")),
        ]
    );
}

#[test]
fn ts_ignores_non_pulumi_constructors() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { S3 } from "aws-sdk";
new S3.Bucket("x", {});
new Map();
new pulumi.Config();
new aws.sdk.whatever("x");
const b = aws.s3.getBucket({ bucket: "x" });
"#);
    assert!(f.resources.is_empty(), "{:#?}", f.resources);
}

#[test]
fn ts_const_values_and_args_objects() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";
const NAME = "logs";
const ACL = "private" as const;
const tagsBase = { team: "infra" };
const args: aws.s3.BucketArgs = { acl: ACL, tags: { ...tagsBase, env: "prod" } };
new aws.s3.Bucket(NAME, args);
"#);
    let r = only(&f);
    assert_eq!(r.name.as_deref(), Some("logs"));
    assert_eq!(
        props(r),
        json!({"acl": "private", "tags": {"team": "infra", "env": "prod"}})
    );
    assert_eq!(r.sites["acl"].via.as_deref(), Some("args"));
    assert_eq!(
        r.sites["tags.team"].via.as_deref(),
        Some("tagsBase"),
        "the nearest variable"
    );
    assert!(r.unknown.is_empty() && r.open.is_empty());
}

#[test]
fn ts_member_of_const_object() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";
const settings = { db: { public: false } };
new aws.rds.Instance("db", { publiclyAccessible: settings.db.public, storageEncrypted: settings["db"]["missing"] });
"#);
    let r = only(&f);
    assert_eq!(props(r), json!({"publiclyAccessible": false}));
    assert!(r.unknown.contains("storageEncrypted"));
}

#[test]
fn ts_unknowns_are_never_guessed() {
    let f = ts(r#"
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
const config = new pulumi.Config();
let mutable = "private";
mutable = "public-read";
const other = new aws.s3.Bucket("other");
new aws.s3.Bucket("b", {
    acl: config.require("acl"),
    bucket: other.id,
    policy: `{"bucket": "${other.arn}"}`,
    website: mutable,
    tags: fn(),
    versioning: { enabled: process.env.VERSIONING === "1" },
});
"#);
    let r = &f.resources[1];
    assert_eq!(props(r), json!({"versioning": {}}));
    for p in [
        "acl",
        "bucket",
        "policy",
        "website",
        "tags",
        "versioning.enabled",
    ] {
        assert!(
            r.unknown.contains(p),
            "{p} should be unknown: {:?}",
            r.unknown
        );
        assert!(r.is_uncertain(p));
    }
    assert!(
        r.is_uncertain("versioning"),
        "a parent of an unknown is uncertain"
    );
    assert!(!r.is_uncertain("serverSideEncryptionConfiguration"));
}

#[test]
fn ts_spreads_open_objects() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";
new aws.s3.Bucket("b", { acl: "private", ...common, forceDestroy: true });
new aws.s3.Bucket("c", common);
new aws.s3.Bucket("d", { ...{ acl: "private" } });
"#);
    let b = &f.resources[0];
    assert!(b.open.contains(""));
    assert!(
        b.unknown.contains("acl"),
        "a spread after a key may overwrite it"
    );
    assert_eq!(props(b), json!({"forceDestroy": true}));
    assert!(b.is_uncertain("acl"));
    assert!(!b.is_uncertain("forceDestroy"));
    assert!(
        b.is_uncertain("versioning"),
        "an absent key may come from the spread"
    );

    let c = &f.resources[1];
    assert!(c.open.contains("") && c.properties.is_empty());
    assert!(c.is_uncertain("acl"));

    let d = &f.resources[2];
    assert_eq!(props(d), json!({"acl": "private"}));
    assert!(d.open.is_empty());
}

#[test]
fn ts_resources_in_functions_loops_classes_and_components() {
    let f = ts(r#"
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

function makeBucket(name: string) {
    return new aws.s3.Bucket(name, { acl: "private" });
}
for (const env of ["dev", "prod"]) {
    new aws.s3.Bucket(`logs-${env}`, { acl: "log-delivery-write" });
}
class Storage extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("acme:storage:Storage", name, {}, opts);
        const bucket = new aws.s3.Bucket(`${name}-data`, {}, { parent: this });
        const key = new aws.kms.Key("data-key", { enableKeyRotation: false }, { parent: this });
    }
}
export const handler = () => new aws.dynamodb.Table("t", { pointInTimeRecovery: { enabled: true } });
"#);
    let found: Vec<(&str, Option<&str>, &str)> = f
        .resources
        .iter()
        .map(|r| {
            (
                r.type_token.as_str(),
                r.name.as_deref(),
                r.name_expr.as_str(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("aws:s3/bucket:Bucket", None, "name"),
            ("aws:s3/bucket:Bucket", None, "`logs-${env}`"),
            ("aws:s3/bucket:Bucket", None, "`${name}-data`"),
            ("aws:kms/key:Key", Some("data-key"), "\"data-key\""),
            ("aws:dynamodb/table:Table", Some("t"), "\"t\""),
        ]
    );
    assert_eq!(
        f.diagnostics
            .iter()
            .filter(|d| d.level == DiagnosticLevel::Info)
            .count(),
        3,
        "computed names are reported: {:?}",
        f.diagnostics
    );
    assert_eq!(
        f.resources[1].properties["acl"],
        json!("log-delivery-write")
    );
}

#[test]
fn ts_args_asserted_to_a_qualified_type() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";
new aws.kms.Key("a", { description: "d" } as aws.kms.KeyArgs);
new aws.kms.Key("b", { description: "d" } satisfies aws.kms.KeyArgs);
const x = { k: 1 };
new aws.kms.Key("c", { description: (x as Cfg).k as any });
"#);
    for r in &f.resources[..2] {
        assert_eq!(props(r), json!({"description": "d"}), "{}", r.name_expr);
        assert!(r.open.is_empty());
    }
    // A real member access through an assertion still reads the member.
    assert_eq!(props(&f.resources[2]), json!({"description": 1}));
}

#[test]
fn ts_shadowed_names_are_not_resolved() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";
const acl = "private";
function f(acl: string) {
    new aws.s3.Bucket("b", { acl });
}
"#);
    let r = only(&f);
    assert!(r.unknown.contains("acl"));
}

#[test]
fn ts_shorthand_property_resolves_const() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";
const acl = "private";
new aws.s3.Bucket("b", { acl });
"#);
    assert_eq!(props(only(&f)), json!({"acl": "private"}));
}

#[test]
fn ts_broken_file_is_a_diagnostic_and_keeps_good_resources() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";
new aws.s3.Bucket("good", { acl: "private" });
new aws.s3.Bucket("bad", { acl: "private" ;
"#);
    assert_eq!(f.resources.len(), 1);
    assert_eq!(f.resources[0].name.as_deref(), Some("good"));
    let errors: Vec<_> = f
        .diagnostics
        .iter()
        .filter(|d| d.level == DiagnosticLevel::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{:?}", f.diagnostics);
    assert!(errors[0].message.contains("syntax error"));
    assert!(errors[0].message.contains("1 resource(s)"));
}

#[test]
fn tsx_files_parse() {
    let f = parse_source(
        Language::TypeScript,
        Path::new("app.tsx"),
        "import * as aws from \"@pulumi/aws\";\nconst x = <div/>;\nnew aws.s3.Bucket(\"b\");\n",
    );
    assert_eq!(f.resources.len(), 1);
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
}

// ---------- Python ----------

#[test]
fn py_keyword_arguments() {
    let f = py(r#"
import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("site",
    acl="public-read",
    force_destroy=True,
    tags={"Name": "site", "cost_center": "a"},
    cors_rules=[{"allowed_methods": ["GET"], "max_age_seconds": 3_000}],
    server_side_encryption_configuration=None,
    opts=pulumi.ResourceOptions(protect=True))
"#);
    let r = only(&f);
    assert_eq!(r.type_token, "aws:s3/bucket:Bucket");
    assert_eq!(r.name.as_deref(), Some("site"));
    assert_eq!(
        props(r),
        json!({
            "acl": "public-read",
            "forceDestroy": true,
            "tags": {"Name": "site", "cost_center": "a"},
            "corsRules": [{"allowedMethods": ["GET"], "maxAgeSeconds": 3000}]
        })
    );
    assert!(r.unknown.is_empty() && r.open.is_empty(), "{r:#?}");
    assert!(r.sites.contains_key("serverSideEncryptionConfiguration"));
}

#[test]
fn py_args_objects_positional_and_keyword() {
    let f = py(r#"
import pulumi_aws as aws
aws.ec2.SecurityGroup("web", aws.ec2.SecurityGroupArgs(
    description="web",
    ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"])],
))
aws.rds.Instance("db", args=aws.rds.InstanceArgs(publicly_accessible=True, storage_encrypted=False))
"#);
    assert_eq!(f.resources.len(), 2);
    assert_eq!(
        props(&f.resources[0]),
        json!({"description": "web", "ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}]})
    );
    assert_eq!(f.resources[1].type_token, "aws:rds/instance:Instance");
    assert_eq!(
        props(&f.resources[1]),
        json!({"publiclyAccessible": true, "storageEncrypted": false})
    );
}

#[test]
fn py_from_imports_and_aliases() {
    let f = py(r#"
from pulumi_aws import s3, ec2 as network
from pulumi_aws.kms import Key
import pulumi_aws
import pulumi_aws.ecr as ecr
from pulumi_aws import lambda_
s3.Bucket("a")
network.SecurityGroup("b")
Key("c", enable_key_rotation=True)
pulumi_aws.dynamodb.Table("d")
ecr.Repository("e")
lambda_.Permission("f", action="lambda:InvokeFunction", principal="*")
s3.get_bucket(bucket="x")
"#);
    let tokens: Vec<&str> = f.resources.iter().map(|r| r.type_token.as_str()).collect();
    assert_eq!(
        tokens,
        vec![
            "aws:s3/bucket:Bucket",
            "aws:ec2/securityGroup:SecurityGroup",
            "aws:kms/key:Key",
            "aws:dynamodb/table:Table",
            "aws:ecr/repository:Repository",
            "aws:lambda/permission:Permission",
        ]
    );
}

#[test]
fn py_module_constants_and_dict_splat() {
    let f = py(r#"
import pulumi_aws as aws
NAME = "db"
PUBLIC = False
BASE = {"engine": "postgres", "storage_encrypted": True}
aws.rds.Instance(NAME, publicly_accessible=PUBLIC, **BASE)
aws.rds.Instance("other", **unknown_kwargs, publicly_accessible=True)
"#);
    let r = &f.resources[0];
    assert_eq!(r.name.as_deref(), Some("db"));
    assert_eq!(
        props(r),
        json!({"publiclyAccessible": false, "engine": "postgres", "storageEncrypted": true})
    );
    assert_eq!(r.sites["storageEncrypted"].via.as_deref(), Some("BASE"));
    let other = &f.resources[1];
    assert!(other.open.contains(""));
    assert!(
        !other.is_uncertain("publiclyAccessible"),
        "explicit keywords stay known"
    );
    assert!(other.is_uncertain("storageEncrypted"));
}

#[test]
fn py_unknowns_and_rebinding() {
    let f = py(r#"
import pulumi
import pulumi_aws as aws
config = pulumi.Config()
acl = "private"
acl = "public-read"
def make(encrypted):
    return aws.ebs.Volume("v", availability_zone="us-east-1a", size=8, encrypted=encrypted)
aws.s3.Bucket("b", acl=acl, bucket=f"logs-{pulumi.get_stack()}", policy=config.require("p"))
"#);
    let v = &f.resources[0];
    assert!(v.unknown.contains("encrypted"));
    assert_eq!(v.properties["size"], json!(8));
    let b = &f.resources[1];
    for p in ["acl", "bucket", "policy"] {
        assert!(b.unknown.contains(p), "{p}: {:?}", b.unknown);
    }
}

#[test]
fn py_strings() {
    let f = py(r#"
import pulumi_aws as aws
aws.s3.Bucket("b", tags={"a": "x\ty", "b": r"\d", "c": "con" 'cat', "d": """tri""", "e": f"{{plain}}"})
"#);
    assert_eq!(
        props(only(&f)),
        json!({"tags": {"a": "x\ty", "b": "\\d", "c": "concat", "d": "tri", "e": "{plain}"}})
    );
}

#[test]
fn py_resources_in_functions_loops_and_components() {
    let f = py(r#"
import pulumi
import pulumi_aws as aws

class Storage(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("acme:storage:Storage", name, None, opts)
        self.bucket = aws.s3.Bucket(f"{name}-data", acl="private", opts=pulumi.ResourceOptions(parent=self))

for env in ["dev", "prod"]:
    aws.s3.Bucket(f"logs-{env}")

def key():
    return aws.kms.Key("k", enable_key_rotation=False)
"#);
    let names: Vec<(Option<&str>, &str)> = f
        .resources
        .iter()
        .map(|r| (r.name.as_deref(), r.name_expr.as_str()))
        .collect();
    assert_eq!(
        names,
        vec![
            (None, "f\"{name}-data\""),
            (None, "f\"logs-{env}\""),
            (Some("k"), "\"k\""),
        ]
    );
}

#[test]
fn py_dict_literal_args_with_camel_keys() {
    let f = py(r#"
import pulumi_aws as aws
aws.s3.Bucket("b", server_side_encryption_configuration={
    "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}},
})
aws.ec2.SecurityGroup("sg", ingress=[dict(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["10.0.0.0/8"])])
"#);
    assert_eq!(
        props(&f.resources[0]),
        json!({"serverSideEncryptionConfiguration": {"rule": {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}}})
    );
    assert_eq!(
        props(&f.resources[1]),
        json!({"ingress": [{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["10.0.0.0/8"]}]})
    );
}

#[test]
fn py_broken_file_is_a_diagnostic() {
    let f = py("import pulumi_aws as aws\naws.s3.Bucket(\"ok\")\ndef broken(:\n    pass\n");
    assert_eq!(f.resources.len(), 1);
    assert!(
        f.diagnostics
            .iter()
            .any(|d| d.level == DiagnosticLevel::Error)
    );
}

#[test]
fn py_star_args_make_everything_unknown() {
    let f = py("import pulumi_aws as aws\naws.s3.Bucket(*params)\n");
    let r = only(&f);
    assert_eq!(r.name, None);
    assert!(r.is_uncertain("acl"));
}

#[test]
fn deep_nesting_does_not_overflow() {
    let mut src =
        String::from("import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"b\", { tags: ");
    for _ in 0..2000 {
        src.push_str("{ a: ");
    }
    src.push('1');
    for _ in 0..2000 {
        src.push_str(" }");
    }
    src.push_str(" });\n");
    let f = ts(&src);
    let r = only(&f);
    assert!(!r.unknown.is_empty(), "depth beyond the limit is unknown");
}

#[test]
fn position_counts_characters() {
    assert_eq!(position("ab\ncé", 6), (2, 3));
    assert_eq!(position("", 0), (1, 1));
}

#[test]
fn ts_writes_through_a_constant_make_it_unknown() {
    let writes = [
        "repoArgs.imageTagMutability = \"MUTABLE\";",
        "repoArgs[\"imageTagMutability\"] = \"MUTABLE\";",
        "Object.assign(repoArgs, { imageTagMutability: \"MUTABLE\" });",
        "delete repoArgs.imageTagMutability;",
        "tweak(repoArgs);",
        "(() => { repoArgs.imageTagMutability = \"MUTABLE\"; })();",
    ];
    for write in writes {
        let src = format!(
            "import * as aws from \"@pulumi/aws\";\nconst repoArgs = {{ imageTagMutability: \"IMMUTABLE\" }};\n{write}\nnew aws.ecr.Repository(\"api\", repoArgs);\n"
        );
        let file = ts(&src);
        let r = only(&file);
        assert!(r.is_uncertain("imageTagMutability"), "{write}: {r:?}");
    }
    // Reading it, or handing it to a provider or JSON.stringify, changes nothing.
    let src = "import * as aws from \"@pulumi/aws\";\nconst repoArgs = { imageTagMutability: \"IMMUTABLE\" };\nconsole.log(JSON.stringify(repoArgs), repoArgs.imageTagMutability);\nnew aws.ecr.Repository(\"api\", repoArgs);\n";
    let file = ts(src);
    assert_eq!(
        props(only(&file)),
        serde_json::json!({"imageTagMutability": "IMMUTABLE"})
    );
}

#[test]
fn py_writes_through_a_constant_make_it_unknown() {
    let writes = [
        "ARGS[\"acl\"] = \"public-read\"",
        "ARGS.update(acl=\"public-read\")",
        "ARGS |= {\"acl\": \"public-read\"}",
        "del ARGS[\"acl\"]",
        "setattr(ARGS, \"acl\", \"public-read\")",
        "globals()[\"ARGS\"] = {\"acl\": \"public-read\"}",
        "exec(\"ARGS = {}\")",
    ];
    for write in writes {
        let src = format!(
            "import pulumi_aws as aws\nARGS = {{\"acl\": \"private\"}}\n{write}\naws.s3.Bucket(\"b\", **ARGS)\n"
        );
        let file = py(&src);
        let r = only(&file);
        assert!(r.is_uncertain("acl"), "{write}: {r:?}");
    }
}

#[test]
fn py_keywords_beside_an_args_object_are_dropped_as_the_sdk_drops_them() {
    let file = py(
        "import pulumi_aws as aws\nSHARED = aws.s3.BucketArgs(acl=\"public-read\")\naws.s3.Bucket(\"b\", SHARED, acl=\"private\")\n",
    );
    assert_eq!(
        props(only(&file)),
        serde_json::json!({"acl": "public-read"})
    );
    let file = py(
        "import pulumi_aws as aws\naws.s3.Bucket(\"b\", args=aws.s3.BucketArgs(acl=\"public-read\"), acl=\"private\")\n",
    );
    assert_eq!(
        props(only(&file)),
        serde_json::json!({"acl": "public-read"})
    );
    // An args object of unknown kind: the keyword may or may not count.
    let file = py(
        "import pulumi_aws as aws\nfrom lib import shared\naws.s3.Bucket(\"b\", shared(), acl=\"private\")\n",
    );
    assert!(only(&file).is_uncertain("acl"));
    // Without an args object, keywords are the properties.
    let file = py("import pulumi_aws as aws\naws.s3.Bucket(\"b\", acl=\"private\")\n");
    assert_eq!(props(only(&file)), serde_json::json!({"acl": "private"}));
}

#[test]
fn resource_options_are_read_in_both_languages() {
    let file = ts(
        "import * as aws from \"@pulumi/aws\";\nconst opts = { ignoreChanges: [\"acl\"], protect: true };\nnew aws.s3.Bucket(\"b\", { acl: \"private\" }, opts);\n",
    );
    let options = only(&file).options.clone().unwrap();
    assert_eq!(options.ignored_changes(), Some(vec!["acl".to_string()]));
    assert!(options.may_set("protect"));
    assert!(!options.may_set("transformations"));

    let file = py(
        "import pulumi\nimport pulumi_aws as aws\naws.s3.Bucket(\"b\", acl=\"private\", opts=pulumi.ResourceOptions(ignore_changes=[\"acl\"], transformations=[fix]))\n",
    );
    let options = only(&file).options.clone().unwrap();
    assert_eq!(options.ignored_changes(), Some(vec!["acl".to_string()]));
    assert!(options.may_set("transformations"));

    let file =
        py("import pulumi_aws as aws\naws.s3.Bucket(\"b\", acl=\"private\", opts=make_opts())\n");
    let options = only(&file).options.clone().unwrap();
    assert_eq!(options.ignored_changes(), None);
    assert!(options.may_set("transforms"));
    assert!(
        ts("import * as aws from \"@pulumi/aws\";\nnew aws.s3.Bucket(\"b\", {});\n").resources[0]
            .options
            .is_none()
    );
}

#[test]
fn py_importing_submodules_of_an_imported_package_keeps_it_readable() {
    let f = py(r#"
import pulumi
import pulumi_aws
import pulumi_aws.s3
import pulumi_aws.acm
pulumi_aws.s3.Bucket("a", acl="private")
pulumi_aws.acm.Certificate("b", domain_name="example.com")
pulumi_aws.kms.Key("c")
"#);
    let tokens: Vec<&str> = f.resources.iter().map(|r| r.type_token.as_str()).collect();
    assert_eq!(
        tokens,
        vec![
            "aws:s3/bucket:Bucket",
            "aws:acm/certificate:Certificate",
            "aws:kms/key:Key",
        ]
    );
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    assert!(f.provider_names.contains("pulumi_aws"));
}

#[test]
fn py_module_aliases_and_the_same_module_imported_twice() {
    let f = py(r#"
import pulumi_aws.s3 as s3
from pulumi_aws import s3
from pulumi_aws import s3 as storage
import pulumi_aws.ec2 as ec2, pulumi_aws.ec2 as ec2
s3.Bucket("a")
storage.Bucket("b")
ec2.SecurityGroup("c")
"#);
    let names: Vec<_> = f.resources.iter().map(|r| r.name.as_deref()).collect();
    assert_eq!(names, vec![Some("a"), Some("b"), Some("c")]);
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
}

#[test]
fn py_a_rebound_import_is_a_diagnostic_not_a_silent_miss() {
    let f = py(r#"
import pulumi_aws as aws
import pulumi_gcp as aws
aws.s3.Bucket("a")
aws.s3.Bucket("b")
aws.s3.get_bucket(bucket="x")
"#);
    assert!(f.resources.is_empty(), "{:#?}", f.resources);
    assert_eq!(f.diagnostics.len(), 1, "{:?}", f.diagnostics);
    let d = &f.diagnostics[0];
    assert_eq!(d.level, DiagnosticLevel::Warning);
    assert_eq!((d.line, d.column), (4, 1));
    assert!(d.message.starts_with("2 resource(s)"), "{}", d.message);
    assert!(d.message.contains("`aws`"), "{}", d.message);
}

#[test]
fn ts_package_module_and_member_imports_together() {
    let f = ts(r#"
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { s3 } from "@pulumi/aws";
import * as storage from "@pulumi/aws/s3";
import { acm } from "@pulumi/aws";
new aws.s3.Bucket("a");
new s3.Bucket("b");
new storage.Bucket("c");
new acm.Certificate("d", { domainName: "example.com" });
"#);
    let tokens: Vec<(&str, Option<&str>)> = f
        .resources
        .iter()
        .map(|r| (r.type_token.as_str(), r.name.as_deref()))
        .collect();
    assert_eq!(
        tokens,
        vec![
            ("aws:s3/bucket:Bucket", Some("a")),
            ("aws:s3/bucket:Bucket", Some("b")),
            ("aws:s3/bucket:Bucket", Some("c")),
            ("aws:acm/certificate:Certificate", Some("d")),
        ]
    );
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
}

#[test]
fn ts_a_shadowed_import_is_a_diagnostic() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";
function make(aws: any) { return aws; }
new aws.s3.Bucket("a");
"#);
    assert!(f.resources.is_empty(), "{:#?}", f.resources);
    assert_eq!(f.diagnostics.len(), 1, "{:?}", f.diagnostics);
    assert_eq!(f.diagnostics[0].level, DiagnosticLevel::Warning);
    assert_eq!(f.diagnostics[0].line, 4);
}

#[test]
fn a_file_that_imports_no_pulumi_package_never_has_an_error() {
    // A page the grammar cannot read (here truly broken; in practice also valid code the
    // grammar does not know) declares no resources either way.
    let page = "import Link from \"next/link\";\nexport default function Page() {\n  return <p>Terms {</p>;\n}\n";
    let f = parse_source(Language::TypeScript, Path::new("app/page.tsx"), page);
    assert!(f.resources.is_empty());
    assert_eq!(f.diagnostics.len(), 1, "{:?}", f.diagnostics);
    assert_eq!(f.diagnostics[0].level, DiagnosticLevel::Info);
    assert!(
        f.diagnostics[0]
            .message
            .contains("imports no Pulumi package"),
        "{:?}",
        f.diagnostics
    );

    let script = py("import boto3\ndef broken(:\n    pass\n");
    assert_eq!(script.diagnostics.len(), 1, "{:?}", script.diagnostics);
    assert_eq!(script.diagnostics[0].level, DiagnosticLevel::Info);

    // A Pulumi program's syntax error stays an error, even when the import is what is broken.
    for (language, path, text) in [
        (
            Language::TypeScript,
            "index.tsx",
            "import * as aws from \"@pulumi/aws\";\nconst p = <p>Q {a</p>;\n",
        ),
        (
            Language::TypeScript,
            "index.ts",
            "import * as aws from \"@pulumi/aws\"\nnew aws.s3.Bucket(\"b\", { acl: ;\n",
        ),
        (
            Language::Python,
            "__main__.py",
            "from pulumi_aws import (s3\ns3.Bucket(\"b\")\n",
        ),
    ] {
        let f = parse_source(language, Path::new(path), text);
        assert!(
            f.diagnostics
                .iter()
                .any(|d| d.level == DiagnosticLevel::Error),
            "{path}: {:?}",
            f.diagnostics
        );
    }
}

#[test]
fn property_paths_are_spelled_as_each_language_writes_them() {
    assert_eq!(
        Language::Python.spell_path("vpcConfig.publicAccessCidrs"),
        "vpc_config.public_access_cidrs"
    );
    assert_eq!(
        Language::Python.spell_path("ingress[*].ipv6CidrBlocks"),
        "ingress[*].ipv6_cidr_blocks"
    );
    assert_eq!(
        Language::Python.spell_path("tags.costCenter"),
        "tags.costCenter"
    );
    assert_eq!(
        Language::TypeScript.spell_path("vpcConfig.publicAccessCidrs"),
        "vpcConfig.publicAccessCidrs"
    );
}

// ---------- References between resources ----------

#[test]
fn ts_references_to_other_resources_and_their_outputs() {
    let f = ts(r#"
import * as aws from "@pulumi/aws";

export const site = new aws.s3.Bucket("site", {});
const versioning = new aws.s3.BucketVersioning("site-versioning", {
    bucket: site.id,
    versioningConfiguration: { status: "Enabled" },
});
new aws.s3.BucketPolicy("site-policy", { bucket: site, policy: site.arn.apply(a => a) });
const notResource = { id: "x" };
new aws.s3.BucketLogging("l", { bucket: notResource.id, targetBucket: site.bucket });
"#);
    assert_eq!(f.resources[0].binding.as_deref(), Some("site"));
    assert_eq!(f.resources[1].binding.as_deref(), Some("versioning"));
    assert_eq!(f.resources[2].binding, None);
    let versioning = &f.resources[1];
    assert_eq!(
        versioning.references.get("bucket"),
        Some(&Reference {
            binding: "site".into(),
            attribute: Some("id".into())
        })
    );
    assert!(versioning.unknown.contains("bucket"));
    assert_eq!(
        versioning.properties["versioningConfiguration"],
        json!({"status": "Enabled"})
    );
    let policy = &f.resources[2];
    assert_eq!(
        policy.references.get("bucket").map(|r| r.attribute.clone()),
        Some(None)
    );
    // A call on an output is not a plain reference.
    assert!(!policy.references.contains_key("policy"));
    let logging = &f.resources[3];
    assert_eq!(logging.properties["bucket"], json!("x"));
    assert_eq!(
        logging
            .references
            .get("targetBucket")
            .map(|r| r.binding.as_str()),
        Some("site")
    );
}

#[test]
fn py_references_to_other_resources_and_their_outputs() {
    let f = py(r#"
import pulumi_aws as aws

site = aws.s3.Bucket("site")
aws.s3.BucketVersioning("site-versioning",
    bucket=site.id,
    versioning_configuration={"status": "Enabled"})
aws.s3.BucketLogging("l", bucket=site.bucket_domain_name, target_bucket=other.id)
"#);
    assert_eq!(f.resources[0].binding.as_deref(), Some("site"));
    assert_eq!(f.resources[1].binding, None);
    assert_eq!(
        f.resources[1].references.get("bucket"),
        Some(&Reference {
            binding: "site".into(),
            attribute: Some("id".into())
        })
    );
    assert_eq!(
        f.resources[2].references.get("bucket"),
        Some(&Reference {
            binding: "site".into(),
            attribute: Some("bucketDomainName".into())
        })
    );
    assert!(!f.resources[2].references.contains_key("targetBucket"));
}

#[test]
fn a_bare_ampersand_in_jsx_text_is_no_syntax_error() {
    let src = "import * as aws from \"@pulumi/aws\";\nconst page = <main><p>Terms & Conditions</p><p>Q &amp; A & more</p></main>;\nconst both = a && b & c;\nnew aws.s3.Bucket(\"b\", { acl: \"private\", tags: { Owner: \"R&D\" } });\n";
    let f = parse_source(Language::TypeScript, Path::new("app.tsx"), src);
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let r = only(&f);
    assert_eq!(
        props(r),
        json!({"acl": "private", "tags": {"Owner": "R&D"}})
    );
    // Still a syntax error in a .ts file, where JSX is not allowed at all.
    let ts_file = parse_source(Language::TypeScript, Path::new("app.ts"), src);
    assert!(!ts_file.diagnostics.is_empty());
}

// ---------- components ----------

fn created<'a>(file: &'a ParsedFile, type_token: &str) -> Vec<&'a Resource> {
    file.resources
        .iter()
        .filter(|r| r.type_token == type_token && r.component.is_some())
        .collect()
}

#[test]
fn an_eks_cluster_is_seen_as_the_cluster_it_creates_with_the_documented_defaults() {
    let f = ts(r#"
import * as eks from "@pulumi/eks";
const open = new eks.Cluster("open", { instanceType: "t3.medium" });
const closed = new eks.Cluster("closed", {
    endpointPublicAccess: false,
    endpointPrivateAccess: true,
    encryptionConfigKeyArn: key.arn,
});
const unknown = new eks.Cluster("unknown", settings);
"#);
    let clusters = created(&f, "aws:eks/cluster:Cluster");
    assert_eq!(clusters.len(), 3, "{:#?}", f.resources);
    let by = |name: &str| clusters.iter().find(|r| r.display_name() == name).unwrap();
    assert_eq!(
        props(by("open")),
        json!({"vpcConfig": {"endpointPublicAccess": true, "endpointPrivateAccess": false}})
    );
    let closed = by("closed");
    assert_eq!(
        closed.properties["vpcConfig"]["endpointPublicAccess"],
        json!(false)
    );
    assert_eq!(
        closed.properties["encryptionConfig"]["resources"],
        json!(["secrets"])
    );
    assert!(closed.unknown.contains("encryptionConfig.provider.keyArn"));
    assert!(closed.sites.contains_key("vpcConfig.endpointPublicAccess"));
    // Arguments not known statically: no default is assumed.
    let unknown = by("unknown");
    assert!(unknown.properties.is_empty(), "{:#?}", unknown.properties);
    assert!(unknown.is_uncertain("vpcConfig.endpointPublicAccess"));
    // The created resource is reported where the component is.
    let component = f
        .resources
        .iter()
        .find(|r| r.type_token == "eks:index:Cluster" && r.display_name() == "open")
        .unwrap();
    assert_eq!(by("open").line, component.line);
}

#[test]
fn python_eks_and_awsx_components() {
    let f = py(r#"
import pulumi_eks as eks
import pulumi_awsx as awsx

cluster = eks.Cluster("c", endpoint_public_access=False)
repo = awsx.ecr.Repository("r", image_tag_mutability="MUTABLE")
vpc = awsx.ec2.Vpc("v")
vpc2 = awsx.ec2.Vpc("w")
"#);
    let cluster = created(&f, "aws:eks/cluster:Cluster");
    assert_eq!(
        cluster[0].properties["vpcConfig"]["endpointPublicAccess"],
        json!(false)
    );
    let repo = created(&f, "aws:ecr/repository:Repository");
    assert_eq!(repo[0].properties["imageTagMutability"], json!("MUTABLE"));
    let note = f
        .diagnostics
        .iter()
        .find(|d| d.message.contains("awsx:ec2:Vpc"))
        .expect("unmodelled components are counted");
    assert!(
        note.message.starts_with("2 awsx:ec2:Vpc"),
        "{}",
        note.message
    );
}

#[test]
fn awsx_load_balancers_create_their_listeners() {
    let f = ts(r#"
import * as awsx from "@pulumi/awsx";
const plain = new awsx.lb.ApplicationLoadBalancer("plain", {});
const two = new awsx.lb.ApplicationLoadBalancer("two", {
    listeners: [{ port: 443, protocol: "HTTPS", certificateArn: cert }, { port: 80 }],
});
const nlb = new awsx.lb.NetworkLoadBalancer("nlb", { listener: { port: 5432 } });
"#);
    let listeners = created(&f, "aws:lb/listener:Listener");
    let of = |name: &str| -> Vec<serde_json::Value> {
        listeners
            .iter()
            .filter(|r| r.display_name() == name)
            .map(|r| props(r))
            .collect()
    };
    assert_eq!(of("plain"), vec![json!({"port": 80, "protocol": "HTTP"})]);
    assert_eq!(
        of("two"),
        vec![
            json!({"port": 443, "protocol": "HTTPS"}),
            json!({"port": 80})
        ]
    );
    assert_eq!(of("nlb"), vec![json!({"port": 5432, "protocol": "TCP"})]);
    let balancers = created(&f, "aws:lb/loadBalancer:LoadBalancer");
    assert_eq!(balancers.len(), 3);
}
