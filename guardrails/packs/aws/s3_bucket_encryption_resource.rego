package remedy.aws.s3_bucket_encryption_resource

import rego.v1

metadata := {
	"id": "aws-s3-bucket-encryption-resource",
	"title": "S3 server-side encryption configuration resources must name an algorithm",
	"description": "A BucketServerSideEncryptionConfiguration (or ...V2) resource whose rule has no applyServerSideEncryptionByDefault.sseAlgorithm sets no default encryption. The first rule is checked (S3 accepts one). A BucketV2 without such a resource is not detected (see MAPPINGS.md).",
	"severity": "medium",
	"resource_types": [
		"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
		"aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
	],
	"frameworks": {
		"nist-800-53-r5": ["SC-13", "SC-28", "SC-28(1)"],
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"hitrust-csf-11.5": ["06.d"],
		"iso-27001-2022": ["A.5.33", "A.8.24"],
		"soc2": ["PI1.4"],
	},
	"remediation": {"kind": "set", "property": "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm", "value": "AES256"},
}

valid_algorithms := {"AES256", "aws:kms", "aws:kms:dsse"}

deny contains msg if {
	not input.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm
	msg := sprintf("%s names no default encryption algorithm", [input.__name])
}

deny contains msg if {
	algorithm := input.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm
	not algorithm in valid_algorithms
	msg := sprintf("%s uses the unknown encryption algorithm %q", [input.__name, algorithm])
}
