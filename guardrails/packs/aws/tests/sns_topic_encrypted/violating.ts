import * as aws from "@pulumi/aws";

new aws.sns.Topic("bad-plain", { displayName: "alerts" });
new aws.sns.Topic("good-managed", { kmsMasterKeyId: "alias/aws/sns" });
