import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export class Database extends pulumi.ComponentResource {
    constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
        super("acme:data:Database", name, {}, opts);
        new aws.rds.Instance(`${name}-db`, {
            engine: "mysql",
            instanceClass: "db.t4g.small",
            publiclyAccessible: true,
            storageEncrypted: true,
            backupRetentionPeriod: 7,
            deletionProtection: true,
        }, { parent: this });
        this.registerOutputs({});
    }
}
