import * as aws from "@pulumi/aws";

new aws.iam.AccountPasswordPolicy("good-long", { minimumPasswordLength: 14, passwordReusePrevention: 24 });
