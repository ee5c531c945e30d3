import * as aws from "@pulumi/aws";

export function artifacts(name: string) {
    return new aws.s3.Bucket(`${name}-artifacts`, {
        acl: "private",
    });
}
