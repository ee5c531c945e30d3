import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("efs", { enableKeyRotation: true });
new aws.efs.FileSystem("good-kms", { encrypted: true, kmsKeyId: key.arn });
