import * as aws from "@pulumi/aws";

new aws.dynamodb.Table("bad-orders", {
    attributes: [{ name: "id", type: "S" }], hashKey: "id", billingMode: "PAY_PER_REQUEST",
});
new aws.dynamodb.Table("bad-off", {
    attributes: [{ name: "id", type: "S" }], hashKey: "id", pointInTimeRecovery: { enabled: false },
});
