import * as aws from "@pulumi/aws";

new aws.kms.Key("good-key", { description: "app data", enableKeyRotation: true });
