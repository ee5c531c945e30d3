import * as aws from "@pulumi/aws";

new aws.iam.AccountPasswordPolicy("bad-default", { requireSymbols: true });
new aws.iam.AccountPasswordPolicy("bad-short", { minimumPasswordLength: 8 });
