package remedy.aws.s3_bucket_versioning

import rego.v1

metadata := {
	"id": "aws-s3-bucket-versioning",
	"title": "S3 buckets must enable versioning",
	"description": "Versioning keeps every version of every object, so an overwrite or delete (by mistake, or by ransomware) can be undone. This checks the inline versioning block of the classic Bucket; the separate BucketVersioning resources are checked by aws-s3-bucket-versioning-resource.",
	"severity": "medium",
	"resource_types": ["aws:s3/bucket:Bucket"],
	"frameworks": {
		"nist-800-53-r5": ["CP-9"],
		"hitrust-csf-11.5": ["06.d"],
		"iso-27001-2022": ["A.5.33", "A.8.13"],
		"soc2": ["A1.2", "C1.2", "CC7.4", "PI1.5"],
	},
	"remediation": {"kind": "set", "property": "versioning.enabled", "value": true},
}

deny contains msg if {
	not input.versioning.enabled == true
	msg := sprintf("%s does not enable versioning", [input.__name])
}
