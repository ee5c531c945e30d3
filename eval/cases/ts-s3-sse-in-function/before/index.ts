import * as aws from "@pulumi/aws";

export function artifacts(name: string) {
    return new aws.s3.Bucket(`${name}-artifacts`, {
        acl: "private",
        versioning: { enabled: true },
        loggings: [{ targetBucket: "acme-access-logs", targetPrefix: `${name}-artifacts/` }],
    });
}
