import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface OrdersArgs {
    tags: Record<string, string>;
}

const dbDefaults = {
    engine: "postgres",
    engineVersion: "16.3",
    instanceClass: "db.t4g.micro",
    allocatedStorage: 20,
    username: "shop",
    skipFinalSnapshot: true,
    backupRetentionPeriod: 7,
    deletionProtection: true,
};

/** The order store: a table for carts, a database for orders, and their key. */
export class Orders extends pulumi.ComponentResource {
    public readonly table: aws.dynamodb.Table;

    constructor(name: string, args: OrdersArgs, opts?: pulumi.ComponentResourceOptions) {
        super("shop:data:Orders", name, {}, opts);
        const config = new pulumi.Config();

        // planted: no rotation
        const key = new aws.kms.Key("orders-key", {
            description: "orders data",
            deletionWindowInDays: 30,
            tags: args.tags,
        }, { parent: this });

        // planted: no point-in-time recovery
        this.table = new aws.dynamodb.Table("carts", {
            attributes: [{ name: "id", type: "S" }],
            hashKey: "id",
            billingMode: "PAY_PER_REQUEST",
            serverSideEncryption: { enabled: true, kmsKeyArn: key.arn },
            tags: args.tags,
        }, { parent: this });

        // planted: publicly accessible and unencrypted
        new aws.rds.Instance("orders-db", {
            ...dbDefaults,
            password: config.requireSecret("dbPassword"),
            publiclyAccessible: true,
            storageEncrypted: false,
            tags: args.tags,
        }, { parent: this });

        // Compliant replica settings through the same defaults.
        new aws.rds.Instance("orders-db-reporting", {
            ...dbDefaults,
            password: config.requireSecret("dbPassword"),
            publiclyAccessible: false,
            storageEncrypted: true,
            kmsKeyId: key.arn,
            tags: args.tags,
        }, { parent: this });

        this.registerOutputs({ table: this.table });
    }
}
