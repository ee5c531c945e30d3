import * as aws from "@pulumi/aws";

export const orders = new aws.dynamodb.Table("orders", {
    attributes: [{ name: "id", type: "S" }],
    hashKey: "id",
    billingMode: "PAY_PER_REQUEST",
});
