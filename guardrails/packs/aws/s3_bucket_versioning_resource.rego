package remedy.aws.s3_bucket_versioning_resource

import rego.v1

metadata := {
	"id": "aws-s3-bucket-versioning-resource",
	"title": "S3 bucket versioning resources must set the status to Enabled",
	"description": "A BucketVersioning (or BucketVersioningV2) resource whose status is Suspended or Disabled leaves new object versions unprotected. Only the resource itself is checked: a BucketV2 with no versioning resource at all is not detected (see MAPPINGS.md).",
	"severity": "medium",
	"resource_types": ["aws:s3/bucketVersioningV2:BucketVersioningV2", "aws:s3/bucketVersioning:BucketVersioning"],
	"frameworks": {
		"nist-800-53-r5": ["CP-9"],
		"hitrust-csf-11.5": ["06.d"],
		"iso-27001-2022": ["A.5.33", "A.8.13"],
		"soc2": ["A1.2", "C1.2", "CC7.4", "PI1.5"],
	},
	"remediation": {"kind": "set", "property": "versioningConfiguration.status", "value": "Enabled"},
}

deny contains msg if {
	not input.versioningConfiguration.status == "Enabled"
	msg := sprintf("%s does not set the versioning status to Enabled", [input.__name])
}
