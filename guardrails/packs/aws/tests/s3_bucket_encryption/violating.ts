import * as aws from "@pulumi/aws";

new aws.s3.Bucket("bad-plain", { acl: "private" });
new aws.s3.Bucket("bad-empty-rule", { serverSideEncryptionConfiguration: { rule: {} } });
