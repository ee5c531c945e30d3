import * as aws from "@pulumi/aws";

export const passwordPolicy = new aws.iam.AccountPasswordPolicy("strict", {
    minimumPasswordLength: 8,
    requireLowercaseCharacters: true,
    requireUppercaseCharacters: true,
    requireNumbers: true,
    requireSymbols: true,
    allowUsersToChangePassword: true,
    passwordReusePrevention: 24,
    maxPasswordAge: 90,
});
