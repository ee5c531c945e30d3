import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";

export interface WarehouseArgs {
    masterPassword: pulumi.Input<string>;
}

export class Warehouse extends pulumi.ComponentResource {
    public readonly cluster: aws.redshift.Cluster;

    constructor(name: string, args: WarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("acme:analytics:Warehouse", name, {}, opts);
        this.cluster = new aws.redshift.Cluster(`${name}-warehouse`, {
            clusterIdentifier: `${name}-warehouse`,
            databaseName: "analytics",
            masterUsername: "admin",
            masterPassword: args.masterPassword,
            nodeType: "ra3.xlplus",
            clusterType: "multi-node",
            numberOfNodes: 2,
            publiclyAccessible: false,
            skipFinalSnapshot: true,
            encrypted: false,
        }, { parent: this });
        this.registerOutputs({ endpoint: this.cluster.endpoint });
    }
}
