//! A synthetic Pulumi monorepo: N resources across TypeScript and Python files, a set share of
//! them violating exactly one built-in policy each. Deterministic for a given seed, so runs
//! compare like with like.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// What to generate.
#[derive(Debug, Clone, Copy)]
pub struct CorpusSpec {
    pub resources: usize,
    /// Share of resources that violate a policy, 0.0 to 1.0.
    pub violation_density: f64,
    /// Resources per file.
    pub per_file: usize,
    pub seed: u64,
}

impl Default for CorpusSpec {
    fn default() -> Self {
        Self {
            resources: 100_000,
            violation_density: 0.2,
            per_file: 100,
            seed: 7,
        }
    }
}

/// What was generated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CorpusStats {
    pub files: usize,
    pub resources: usize,
    /// Violations an audit must report: one per violating resource.
    pub violations: usize,
    pub bytes: u64,
}

/// Small, fast, deterministic; quality is irrelevant here.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One resource shape: (TypeScript, Python) source for a compliant and a violating instance.
/// `{n}` is replaced by the logical name.
struct Template {
    good: (&'static str, &'static str),
    bad: (&'static str, &'static str),
}

const TEMPLATES: &[Template] = &[
    Template {
        good: (
            r#"new aws.s3.Bucket("{n}", {
    acl: "private",
    serverSideEncryptionConfiguration: {
        rule: {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" },
        },
    },
    versioning: { enabled: true },
    loggings: [{ targetBucket: "access-logs", targetPrefix: "{n}/" }],
    tags,
});"#,
            r#"aws.s3.Bucket(
    "{n}",
    acl="private",
    server_side_encryption_configuration={
        "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}},
    },
    versioning={"enabled": True},
    loggings=[{"target_bucket": "access-logs", "target_prefix": "{n}/"}],
    tags=TAGS,
)"#,
        ),
        bad: (
            r#"new aws.s3.Bucket("{n}", {
    acl: "public-read",
    serverSideEncryptionConfiguration: {
        rule: {
            applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" },
        },
    },
    website: { indexDocument: "index.html" },
    versioning: { enabled: true },
    loggings: [{ targetBucket: "access-logs", targetPrefix: "{n}/" }],
    tags,
});"#,
            r#"aws.s3.Bucket(
    "{n}",
    acl="public-read",
    server_side_encryption_configuration={
        "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}},
    },
    website={"index_document": "index.html"},
    versioning={"enabled": True},
    loggings=[{"target_bucket": "access-logs", "target_prefix": "{n}/"}],
    tags=TAGS,
)"#,
        ),
    },
    Template {
        good: (
            r#"new aws.ec2.SecurityGroup("{n}", {
    description: "service ingress",
    ingress: [
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
    ],
    tags,
});"#,
            r#"aws.ec2.SecurityGroup(
    "{n}",
    description="service ingress",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"]),
    ],
    tags=TAGS,
)"#,
        ),
        bad: (
            r#"new aws.ec2.SecurityGroup("{n}", {
    description: "service ingress",
    ingress: [
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
    ],
    tags,
});"#,
            r#"aws.ec2.SecurityGroup(
    "{n}",
    description="service ingress",
    ingress=[
        aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=22, to_port=22, cidr_blocks=["0.0.0.0/0"]),
    ],
    tags=TAGS,
)"#,
        ),
    },
    Template {
        good: (
            r#"new aws.rds.Instance("{n}", {
    engine: "postgres",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 20,
    publiclyAccessible: false,
    storageEncrypted: true,
    backupRetentionPeriod: 7,
    deletionProtection: true,
    password: config.requireSecret("dbPassword"),
});"#,
            r#"aws.rds.Instance(
    "{n}",
    engine="postgres",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    publicly_accessible=False,
    storage_encrypted=True,
    backup_retention_period=7,
    deletion_protection=True,
    password=config.require_secret("db_password"),
)"#,
        ),
        bad: (
            r#"new aws.rds.Instance("{n}", {
    engine: "postgres",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 20,
    publiclyAccessible: true,
    storageEncrypted: true,
    backupRetentionPeriod: 7,
    deletionProtection: true,
    password: config.requireSecret("dbPassword"),
});"#,
            r#"aws.rds.Instance(
    "{n}",
    engine="postgres",
    instance_class="db.t4g.micro",
    allocated_storage=20,
    publicly_accessible=True,
    storage_encrypted=True,
    backup_retention_period=7,
    deletion_protection=True,
    password=config.require_secret("db_password"),
)"#,
        ),
    },
    Template {
        good: (
            r#"new aws.ebs.Volume("{n}", {
    availabilityZone: "us-east-1a",
    size: 50,
    type: "gp3",
    encrypted: true,
    tags,
});"#,
            r#"aws.ebs.Volume(
    "{n}",
    availability_zone="us-east-1a",
    size=50,
    type="gp3",
    encrypted=True,
    tags=TAGS,
)"#,
        ),
        bad: (
            r#"new aws.ebs.Volume("{n}", {
    availabilityZone: "us-east-1a",
    size: 50,
    type: "gp3",
    tags,
});"#,
            r#"aws.ebs.Volume(
    "{n}",
    availability_zone="us-east-1a",
    size=50,
    type="gp3",
    tags=TAGS,
)"#,
        ),
    },
    Template {
        good: (
            r#"new aws.kms.Key("{n}", {
    description: "service data",
    deletionWindowInDays: 30,
    enableKeyRotation: true,
    tags,
});"#,
            r#"aws.kms.Key(
    "{n}",
    description="service data",
    deletion_window_in_days=30,
    enable_key_rotation=True,
    tags=TAGS,
)"#,
        ),
        bad: (
            r#"new aws.kms.Key("{n}", {
    description: "service data",
    deletionWindowInDays: 30,
    tags,
});"#,
            r#"aws.kms.Key(
    "{n}",
    description="service data",
    deletion_window_in_days=30,
    tags=TAGS,
)"#,
        ),
    },
    Template {
        good: (
            r#"new aws.ecr.Repository("{n}", {
    imageTagMutability: "IMMUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    tags,
});"#,
            r#"aws.ecr.Repository(
    "{n}",
    image_tag_mutability="IMMUTABLE",
    image_scanning_configuration={"scan_on_push": True},
    tags=TAGS,
)"#,
        ),
        bad: (
            r#"new aws.ecr.Repository("{n}", {
    imageTagMutability: "MUTABLE",
    imageScanningConfiguration: { scanOnPush: true },
    tags,
});"#,
            r#"aws.ecr.Repository(
    "{n}",
    image_tag_mutability="MUTABLE",
    image_scanning_configuration={"scan_on_push": True},
    tags=TAGS,
)"#,
        ),
    },
    Template {
        good: (
            r#"new aws.dynamodb.Table("{n}", {
    attributes: [{ name: "id", type: "S" }],
    hashKey: "id",
    billingMode: "PAY_PER_REQUEST",
    pointInTimeRecovery: { enabled: true },
    tags,
});"#,
            r#"aws.dynamodb.Table(
    "{n}",
    attributes=[{"name": "id", "type": "S"}],
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
    point_in_time_recovery={"enabled": True},
    tags=TAGS,
)"#,
        ),
        bad: (
            r#"new aws.dynamodb.Table("{n}", {
    attributes: [{ name: "id", type: "S" }],
    hashKey: "id",
    billingMode: "PAY_PER_REQUEST",
    tags,
});"#,
            r#"aws.dynamodb.Table(
    "{n}",
    attributes=[{"name": "id", "type": "S"}],
    hash_key="id",
    billing_mode="PAY_PER_REQUEST",
    tags=TAGS,
)"#,
        ),
    },
    Template {
        good: (
            r#"new aws.sns.Topic("{n}", {
    displayName: "service events",
    kmsMasterKeyId: "alias/aws/sns",
    tags,
});"#,
            r#"aws.sns.Topic(
    "{n}",
    display_name="service events",
    kms_master_key_id="alias/aws/sns",
    tags=TAGS,
)"#,
        ),
        bad: (
            r#"new aws.eks.Cluster("{n}", {
    roleArn: config.require("eksRoleArn"),
    vpcConfig: { subnetIds: ["subnet-0a1b2c3d", "subnet-4e5f6a7b"] },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: config.require("eksKeyArn") } },
    tags,
});"#,
            r#"aws.eks.Cluster(
    "{n}",
    role_arn=config.require("eks_role_arn"),
    vpc_config={"subnet_ids": ["subnet-0a1b2c3d", "subnet-4e5f6a7b"]},
    encryption_config={"resources": ["secrets"], "provider": {"key_arn": config.require("eks_key_arn")}},
    tags=TAGS,
)"#,
        ),
    },
];

const TS_HEADER: &str = "import * as pulumi from \"@pulumi/pulumi\";\nimport * as aws from \"@pulumi/aws\";\n\nconst config = new pulumi.Config();\nconst tags = { team: \"platform\", stack: pulumi.getStack() };\n\n";
const PY_HEADER: &str = "import pulumi\nimport pulumi_aws as aws\n\nconfig = pulumi.Config()\nTAGS = {\"team\": \"platform\"}\n\n";

/// Write the corpus under `dir` (half the files TypeScript, half Python, in nested folders).
pub fn generate(dir: &Path, spec: CorpusSpec) -> io::Result<CorpusStats> {
    let mut rng = XorShift(spec.seed.max(1));
    let mut stats = CorpusStats::default();
    let per_file = spec.per_file.max(1);
    let files = spec.resources.div_ceil(per_file);
    for file in 0..files {
        let python = file % 2 == 1;
        let count = per_file.min(spec.resources - file * per_file);
        let mut text = String::from(if python { PY_HEADER } else { TS_HEADER });
        for i in 0..count {
            let template = &TEMPLATES[(rng.next() % TEMPLATES.len() as u64) as usize];
            let bad = rng.unit() < spec.violation_density;
            let (ts, py) = if bad { template.bad } else { template.good };
            let name = format!("r{file}-{i}");
            if i % 4 == 0 {
                text.push_str(if python {
                    "\n# Service resources, managed by the platform team.\n"
                } else {
                    "\n// Service resources, managed by the platform team.\n"
                });
            }
            text.push_str(&(if python { py } else { ts }).replace("{n}", &name));
            text.push('\n');
            stats.violations += usize::from(bad);
        }
        if !python {
            let _ = writeln!(text, "\nexport const count = {count};");
        }
        let sub = dir.join(format!("svc{:03}", file / 50));
        std::fs::create_dir_all(&sub)?;
        let name = if python {
            format!("stack_{file}.py")
        } else {
            format!("stack_{file}.ts")
        };
        std::fs::write(sub.join(name), &text)?;
        stats.files += 1;
        stats.resources += count;
        stats.bytes += text.len() as u64;
    }
    Ok(stats)
}
