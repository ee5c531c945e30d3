import * as aws from "@pulumi/aws";

const key = new aws.kms.Key("topics", { enableKeyRotation: true });
new aws.sns.Topic("good-managed", { kmsMasterKeyId: "alias/aws/sns" });
// A customer managed key: unknown statically, never reported.
new aws.sns.Topic("good-cmk", { kmsMasterKeyId: key.id });
