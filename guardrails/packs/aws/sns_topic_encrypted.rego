package remedy.aws.sns_topic_encrypted

import rego.v1

metadata := {
	"id": "aws-sns-topic-encrypted",
	"title": "SNS topics must encrypt messages at rest with KMS",
	"description": "Server-side encryption protects published messages while SNS stores them. Set kmsMasterKeyId (the AWS managed key alias/aws/sns, or a customer managed key).",
	"severity": "medium",
	"resource_types": ["aws:sns/topic:Topic"],
	"frameworks": {
		"nist-800-53-r5": ["SC-28"],
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"iso-27001-2022": ["A.5.33", "A.8.24"],
		"soc2": ["PI1.4"],
	},
	"remediation": {"kind": "set", "property": "kmsMasterKeyId", "value": "alias/aws/sns"},
}

deny contains msg if {
	not input.kmsMasterKeyId
	msg := sprintf("%s does not encrypt messages at rest", [input.__name])
}
