import * as aws from "@pulumi/aws";

new aws.kms.Key("a", { description: "a", enableKeyRotation: true });
new aws.kms.Key("b", { description: "b" });
new aws.kms.Key("c", { description: "c", enableKeyRotation: true });
