import * as aws from "@pulumi/aws";

new aws.dynamodb.Table("good-orders", {
    attributes: [{ name: "id", type: "S" }], hashKey: "id", billingMode: "PAY_PER_REQUEST",
    pointInTimeRecovery: { enabled: true },
});
