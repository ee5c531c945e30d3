import pulumi_aws as aws

alerts = aws.sns.Topic("alerts")
