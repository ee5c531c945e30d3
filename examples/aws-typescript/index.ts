import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { Orders } from "./data";

const config = new pulumi.Config();
const stack = pulumi.getStack();
const tags = { app: "shop", stack };

// Static storefront assets.
// planted: public canned ACL, no versioning, no access logs
const assets = new aws.s3.Bucket("assets", {
    acl: "public-read",
    website: { indexDocument: "index.html", errorDocument: "404.html" },
    tags,
});

// Load balancer access logs: compliant.
const accessLogs = new aws.s3.Bucket("access-logs", {
    acl: "log-delivery-write",
    serverSideEncryptionConfiguration: {
        rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } },
    },
    versioning: { enabled: true },
    loggings: [{ targetBucket: "shop-audit-logs", targetPrefix: "access-logs/" }],
    tags,
});

// One bucket per upload kind; names are computed, the settings are not: compliant.
// (Where they log to is another resource's output, so the logging check is left undecided.)
for (const kind of ["invoices", "receipts"]) {
    new aws.s3.Bucket(`uploads-${kind}`, {
        acl: "private",
        serverSideEncryptionConfiguration: {
            rule: { applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } },
        },
        versioning: { enabled: true },
        loggings: [{ targetBucket: accessLogs.bucket, targetPrefix: `uploads-${kind}/` }],
        tags,
    });
}

// planted: SSH open to the world (the HTTPS rule is fine)
const web = new aws.ec2.SecurityGroup("web", {
    description: "storefront web tier",
    ingress: [
        { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] },
        { protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] },
    ],
    egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }],
    tags,
});

// Admin access from the office range only: compliant.
const admin = new aws.ec2.SecurityGroup("admin", {
    description: "office SSH",
    ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["198.51.100.0/24"] }],
    tags,
});

// Where admins may connect from is configuration, known only at deploy time: not reported.
new aws.ec2.SecurityGroup("bastion", {
    description: "bastion SSH",
    ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: [config.require("bastionCidr")] }],
    tags,
});

// Container images.
// planted: mutable tags
const images = new aws.ecr.Repository("storefront", {
    imageScanningConfiguration: { scanOnPush: true },
    tags,
});

// planted: public API endpoint (the default)
const cluster = new aws.eks.Cluster("shop", {
    roleArn: config.require("eksRoleArn"),
    vpcConfig: {
        subnetIds: config.requireObject<string[]>("privateSubnetIds"),
        securityGroupIds: [web.id],
    },
    encryptionConfig: { resources: ["secrets"], provider: { keyArn: config.require("eksKmsKeyArn") } },
    tags,
});

const orders = new Orders("orders", { tags });

export const assetsBucket = assets.bucket;
export const logsBucket = accessLogs.bucket;
export const repositoryUrl = images.repositoryUrl;
export const clusterEndpoint = cluster.endpoint;
export const ordersTable = orders.table.name;
export const adminGroup = admin.id;
