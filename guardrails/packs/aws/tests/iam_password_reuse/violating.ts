import * as aws from "@pulumi/aws";

new aws.iam.AccountPasswordPolicy("bad-default", { minimumPasswordLength: 14 });
new aws.iam.AccountPasswordPolicy("bad-few", { passwordReusePrevention: 5 });
