import * as aws from "@pulumi/aws";

new aws.iam.AccountPasswordPolicy("good-remember", { minimumPasswordLength: 14, passwordReusePrevention: 24 });
