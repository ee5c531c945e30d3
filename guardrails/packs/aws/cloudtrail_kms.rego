package remedy.aws.cloudtrail_kms

import rego.v1

metadata := {
	"id": "aws-cloudtrail-kms",
	"title": "CloudTrail trails must encrypt logs with a KMS key",
	"description": "Without kmsKeyId, logs are encrypted with S3-managed keys only, and anyone who can read the bucket can read the logs. With a KMS key, reading also needs kms:Decrypt, which the key policy controls.",
	"severity": "medium",
	"resource_types": ["aws:cloudtrail/trail:Trail"],
	"frameworks": {
		"cis-aws-3.0": ["3.5"],
		"nist-800-53-r5": ["AU-9"],
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"iso-27001-2022": ["A.5.33", "A.8.15"],
	},
	"remediation": {
		"kind": "manual",
		"hint": "Set kmsKeyId to the ARN of a customer managed KMS key whose key policy lets cloudtrail.amazonaws.com encrypt.",
	},
}

deny contains msg if {
	not input.kmsKeyId
	msg := sprintf("%s does not encrypt its logs with a KMS key", [input.__name])
}
