import * as aws from "@pulumi/aws";

const bucket = new aws.s3.Bucket("uploads");
// The source ARN is another resource's output: the condition is there, whatever its value.
new aws.lambda.Permission("good-bucket", {
    action: "lambda:InvokeFunction",
    function: "resize",
    principal: "s3.amazonaws.com",
    sourceArn: bucket.arn,
});
