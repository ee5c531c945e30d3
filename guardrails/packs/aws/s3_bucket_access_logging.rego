package remedy.aws.s3_bucket_access_logging

import rego.v1

metadata := {
	"id": "aws-s3-bucket-access-logging",
	"title": "S3 buckets must enable server access logging",
	"description": "Server access logs record every request made to the bucket, which investigations and audits rely on. A bucket logs through its inline loggings (pulumi-aws 6) or logging block or a BucketLogging resource that refers to it (pulumi-aws 7). A bucket that receives other buckets' logs (the target of a BucketLogging or loggings entry, or with the log-delivery-write ACL) is not required to log itself.",
	"severity": "low",
	"resource_types": ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"],
	"frameworks": {
		"nist-800-53-r5": ["AU-2"],
		"pci-dss-4.0": ["10.2.1", "10.3.3"],
		"hitrust-csf-11.5": ["09.e"],
		"iso-27001-2022": ["A.8.15"],
		"soc2": ["A1.2", "CC7.2", "CC7.3"],
	},
	"remediation": {
		"kind": "manual",
		"hint": "With pulumi-aws 7, add a BucketLogging resource after the bucket: new aws.s3.BucketLogging(\"<bucket>-logging\", { bucket: <bucket>.id, targetBucket: <the team's log bucket>.id, targetPrefix: \"<bucket>/\" }). With pulumi-aws 6, loggings: [{ targetBucket: …, targetPrefix: … }].",
	},
}

logging_types := {
	"aws:s3/bucketLogging:BucketLogging",
	"aws:s3/bucketLoggingV2:BucketLoggingV2",
}

deny contains msg if {
	count(loggings) == 0
	not input.logging.targetBucket
	not logged_by_companion
	not log_target
	msg := sprintf("%s does not log requests (no server access logging)", [input.__name])
}

logged_by_companion if {
	some r in input.__referrers
	r.__type in logging_types
	"bucket" in r.__refers
}

# Where other buckets' logs go: logging to itself would log its own log writes.
log_target if input.acl == "log-delivery-write"

log_target if {
	some r in input.__referrers
	some path in r.__refers
	endswith(path, "targetBucket")
}

loggings := input.loggings if {
	input.loggings
} else := []
