import * as aws from "@pulumi/aws";

new aws.lambda.Permission("bad-anyone", { action: "lambda:InvokeFunction", function: "resize", principal: "*" });
new aws.lambda.Permission("good-account", {
    action: "lambda:InvokeFunction",
    function: "resize",
    principal: "s3.amazonaws.com",
    sourceAccount: "111122223333",
});
