import * as aws from "@pulumi/aws";

export const key = new aws.kms.Key("data", {
    description: "application data",
    deletionWindowInDays: 30,
});
