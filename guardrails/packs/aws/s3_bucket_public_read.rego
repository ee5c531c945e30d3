package remedy.aws.s3_bucket_public_read

import rego.v1

metadata := {
	"id": "aws-s3-bucket-public-read",
	"title": "S3 buckets must not grant public access through a canned ACL",
	"description": "A canned ACL of public-read, public-read-write or authenticated-read lets anyone (or any AWS account) list and read the bucket's objects. Use the private ACL and grant access through bucket policies scoped to known principals.",
	"severity": "high",
	"resource_types": [
		"aws:s3/bucket:Bucket",
		"aws:s3/bucketV2:BucketV2",
		"aws:s3/bucketAclV2:BucketAclV2",
		"aws:s3/bucketAcl:BucketAcl",
	],
	"frameworks": {
		"nist-800-53-r5": ["AC-3", "AC-4", "AC-6", "AC-21", "SC-7"],
		"pci-dss-4.0": ["1.4.2", "7.3.1"],
		"hitrust-csf-11.5": ["09.m"],
		"soc2": ["CC6.1"],
	},
	"remediation": {"kind": "set", "property": "acl", "value": "private"},
}

public_acls := {"public-read", "public-read-write", "authenticated-read"}

deny contains msg if {
	input.acl in public_acls
	msg := sprintf("%s grants public access with the canned ACL %q", [input.__name, input.acl])
}
