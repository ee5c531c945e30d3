import pulumi_aws as aws

aws.lambda_.Permission("bad-anyone", action="lambda:InvokeFunctionUrl", function="resize", principal="*", function_url_auth_type="NONE")
aws.lambda_.Permission("good-org", action="lambda:InvokeFunction", function="resize", principal="*", principal_org_id="o-a1b2c3d4e5")
