import * as aws from "@pulumi/aws";

export const orders = new aws.sns.Topic("orders", {
    name: "orders.fifo",
    fifoTopic: true,
    contentBasedDeduplication: true,
    tags: { team: "checkout" },
});
