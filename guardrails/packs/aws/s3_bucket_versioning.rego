package remedy.aws.s3_bucket_versioning

import rego.v1

metadata := {
	"id": "aws-s3-bucket-versioning",
	"title": "S3 buckets must enable versioning",
	"description": "Versioning keeps every version of every object, so an overwrite or delete (by mistake, or by ransomware) can be undone. A bucket is versioned by its inline versioning block (pulumi-aws 6) or by a BucketVersioning resource that refers to it (pulumi-aws 7, where the inline block is deprecated); what that resource sets is checked by aws-s3-bucket-versioning-resource.",
	"severity": "medium",
	"resource_types": ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
	"frameworks": {
		"nist-800-53-r5": ["CP-9"],
		"hitrust-csf-11.5": ["06.d"],
		"iso-27001-2022": ["A.5.33", "A.8.13"],
		"soc2": ["A1.2", "C1.2", "CC7.4", "PI1.5"],
	},
	# pulumi-aws 7 deprecates the inline block: a BucketVersioning resource after the bucket.
	# A program whose provider major is not known gets the inline block, valid in both.
	"remediation": [
		{"kind": "set", "property": "versioning.enabled", "value": true, "until": 7},
		{
			"kind": "companion",
			"type": "aws:s3/bucketVersioning:BucketVersioning",
			"refer": "bucket",
			"suffix": "versioning",
			"properties": {"versioningConfiguration": {"status": "Enabled"}},
			"since": 7,
		},
	],
}

versioning_types := {
	"aws:s3/bucketVersioning:BucketVersioning",
	"aws:s3/bucketVersioningV2:BucketVersioningV2",
}

deny contains msg if {
	not input.versioning.enabled == true
	not versioned_by_companion
	msg := sprintf("%s does not enable versioning", [input.__name])
}

# A BucketVersioning that points at the bucket versions it, unless it says otherwise; whether
# its status is Enabled is that resource's own finding (aws-s3-bucket-versioning-resource).
versioned_by_companion if {
	some r in input.__referrers
	r.__type in versioning_types
	"bucket" in r.__refers
}
