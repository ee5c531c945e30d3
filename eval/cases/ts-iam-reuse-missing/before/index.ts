import * as aws from "@pulumi/aws";

new aws.iam.AccountPasswordPolicy("account", {
    minimumPasswordLength: 16,
    requireNumbers: true,
    requireSymbols: true,
    allowUsersToChangePassword: true,
});
