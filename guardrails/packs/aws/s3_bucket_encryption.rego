package remedy.aws.s3_bucket_encryption

import rego.v1

metadata := {
	"id": "aws-s3-bucket-encryption",
	"title": "S3 default encryption must use a known algorithm",
	"description": "S3 encrypts every new object with SSE-S3 (AES256) by default since January 2023, so a bucket without an encryption configuration is encrypted and is not reported. A configuration that names an algorithm S3 does not know is (inline, pulumi-aws 6; the separate BucketServerSideEncryptionConfiguration resources are checked by aws-s3-bucket-encryption-resource).",
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
	algorithm := input.serverSideEncryptionConfiguration.rule.applyServerSideEncryptionByDefault.sseAlgorithm
	not algorithm in valid_algorithms
	msg := sprintf("%s uses the unknown encryption algorithm %q", [input.__name, algorithm])
}
