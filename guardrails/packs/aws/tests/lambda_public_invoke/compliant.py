import pulumi_aws as aws

aws.lambda_.Permission("good-service", action="lambda:InvokeFunction", function="resize", principal="events.amazonaws.com", source_arn="arn:aws:events:us-east-1:111122223333:rule/nightly")
