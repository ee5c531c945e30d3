import pulumi_aws as aws

aws.dynamodb.Table("bad-orders", attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")], hash_key="id")
