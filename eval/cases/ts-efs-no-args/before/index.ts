import * as aws from "@pulumi/aws";

export const shared = new aws.efs.FileSystem("shared");
