package remedy.aws.s3_bucket_encryption

import rego.v1

metadata := {
	"id": "aws-s3-bucket-encryption",
	"title": "S3 buckets must configure default server-side encryption",
	"description": "Declare a default server-side encryption rule so that every object is encrypted at rest with a known algorithm (SSE-S3 or SSE-KMS).",
	"severity": "medium",
	"resource_types": ["aws:s3/bucket:Bucket"],
	"frameworks": {
		"cis-aws-1.4": ["2.1.1"],
		"nist-800-53-r5": ["SC-13", "SC-28", "SC-28(1)"],
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"hitrust-csf-11.5": ["06.d"],
		"iso-27001-2022": ["A.5.33", "A.8.24"],
		"soc2": ["PI1.4"],
	},
	"remediation": {
		"kind": "set",
		"property": "serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm",
		"value": "AES256",
	},
}

valid_algorithms := {"AES256", "aws:kms", "aws:kms:dsse"}

deny contains msg if {
	not input.serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm
	msg := sprintf("%s has no default server-side encryption configured", [input.__name])
}

deny contains msg if {
	algorithm := input.serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm
	not algorithm in valid_algorithms
	msg := sprintf("%s uses the unknown encryption algorithm %q", [input.__name, algorithm])
}
