package remedy.aws.s3_bucket_access_logging

import rego.v1

metadata := {
	"id": "aws-s3-bucket-access-logging",
	"title": "S3 buckets must enable server access logging",
	"description": "Server access logs record every request made to the bucket, which investigations and audits rely on. Add a loggings entry naming a target bucket (a log bucket that does not log to itself). The classic Bucket's inline loggings are checked; BucketLoggingV2 resources always configure logging.",
	"severity": "low",
	"resource_types": ["aws:s3/bucket:Bucket"],
	"frameworks": {
		"nist-800-53-r5": ["AU-2"],
		"pci-dss-4.0": ["10.2.1", "10.3.3"],
		"hitrust-csf-11.5": ["09.e"],
		"iso-27001-2022": ["A.8.15"],
		"soc2": ["A1.2", "CC7.2", "CC7.3"],
	},
	"remediation": {
		"kind": "manual",
		"hint": "Add loggings: [{ targetBucket: <the team's log bucket>, targetPrefix: \"<bucket name>/\" }].",
	},
}

deny contains msg if {
	count(loggings) == 0
	msg := sprintf("%s does not log requests (no server access logging)", [input.__name])
}

loggings := input.loggings if {
	input.loggings
} else := []
