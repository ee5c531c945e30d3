import * as aws from "@pulumi/aws";

new aws.kms.Key("bad-key", { description: "app data" });
new aws.kms.Key("bad-off", { enableKeyRotation: false, customerMasterKeySpec: "SYMMETRIC_DEFAULT" });
new aws.kms.Key("good-signing", { customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" });
