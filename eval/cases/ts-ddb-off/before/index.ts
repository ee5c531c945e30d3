import * as aws from "@pulumi/aws";

export const carts = new aws.dynamodb.Table("carts", {
    attributes: [{ name: "id", type: "S" }],
    hashKey: "id",
    pointInTimeRecovery: { enabled: false },
});
