package remedy.aws.s3_public_access_block

import rego.v1

metadata := {
	"id": "aws-s3-public-access-block",
	"title": "S3 public access blocks must turn on all four settings",
	"description": "Block Public Access overrides ACLs and bucket policies that would make data public. A BucketPublicAccessBlock or AccountPublicAccessBlock must set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true (each defaults to false). A bucket with no access block resource at all is not detected (see MAPPINGS.md).",
	"severity": "high",
	"resource_types": [
		"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
		"aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
	],
	"frameworks": {
		"cis-aws-3.0": ["2.1.4"],
		"nist-800-53-r5": ["AC-3", "AC-3(7)", "AC-4", "AC-4(21)", "AC-6", "AC-21", "SC-7", "SC-7(3)", "SC-7(4)", "SC-7(9)", "SC-7(11)", "SC-7(16)", "SC-7(20)", "SC-7(21)"],
		"pci-dss-4.0": ["1.4.2", "1.4.4", "7.3.1"],
		"hitrust-csf-11.5": ["09.m"],
		"iso-27001-2022": ["A.5.15", "A.8.3"],
	},
	"remediation": [
		{"kind": "set", "property": "blockPublicAcls", "value": true},
		{"kind": "set", "property": "blockPublicPolicy", "value": true},
		{"kind": "set", "property": "ignorePublicAcls", "value": true},
		{"kind": "set", "property": "restrictPublicBuckets", "value": true},
	],
}

deny contains msg if {
	count(off) > 0
	msg := sprintf("%s leaves %s off", [input.__name, concat(", ", sort(off))])
}

# Each setting defaults to false when not written.
off contains "blockPublicAcls" if not input.blockPublicAcls == true

off contains "blockPublicPolicy" if not input.blockPublicPolicy == true

off contains "ignorePublicAcls" if not input.ignorePublicAcls == true

off contains "restrictPublicBuckets" if not input.restrictPublicBuckets == true
