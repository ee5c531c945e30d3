import * as aws from "@pulumi/aws";

new aws.efs.FileSystem("bad-default");
new aws.efs.FileSystem("bad-off", { encrypted: false });
new aws.efs.FileSystem("good-on", { encrypted: true });
