import pulumi_aws as aws

jobs = aws.dynamodb.Table("jobs", attributes=[{"name": "id", "type": "S"}], hash_key="id", point_in_time_recovery={"enabled": False})
