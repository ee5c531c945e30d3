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
	"impact": {"kind": "may_break", "note": "Anonymous readers (a public website, public downloads) lose access."},
	# pulumi-aws 7 deprecates the bucket's inline `acl`: the bucket loses it and a BucketAcl
	# resource after it makes it private (or the one already there is left to govern it). A
	# program whose provider major is not known gets the inline setting, valid in both; a
	# separate ACL resource is set where it is.
	"remediation": [
		{"kind": "set", "property": "acl", "value": "private", "until": 7, "types": ["aws:s3/bucket:Bucket"]},
		{"kind": "remove", "property": "acl", "since": 7, "types": ["aws:s3/bucket:Bucket"]},
		{
			"kind": "companion",
			"type": "aws:s3/bucketAcl:BucketAcl",
			"refer": "bucket",
			"suffix": "acl",
			"properties": {"acl": "private"},
			"since": 7,
			"types": ["aws:s3/bucket:Bucket"],
		},
		{
			"kind": "set",
			"property": "acl",
			"value": "private",
			"types": ["aws:s3/bucketV2:BucketV2", "aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucketAcl:BucketAcl"],
		},
	],
}

public_acls := {"public-read", "public-read-write", "authenticated-read"}

deny contains msg if {
	input.acl in public_acls
	msg := sprintf("%s grants public access with the canned ACL %q", [input.__name, input.acl])
}

website_types := {
	"aws:s3/bucketWebsiteConfiguration:BucketWebsiteConfiguration",
	"aws:s3/bucketWebsiteConfigurationV2:BucketWebsiteConfigurationV2",
}

# The program serves the bucket as a public website: a private ACL takes the site down, so the
# fix is a person's (put CloudFront with an origin access control in front first).
fix_declined contains msg if {
	input.website
	msg := sprintf("%s is configured as a public website; making it private takes the site down (serve it through CloudFront with an origin access control first)", [input.__name])
}

fix_declined contains msg if {
	some r in input.__referrers
	r.__type in website_types
	msg := sprintf("%s is served as a website by %s; making it private takes the site down (serve it through CloudFront with an origin access control first)", [input.__name, r.__name])
}
