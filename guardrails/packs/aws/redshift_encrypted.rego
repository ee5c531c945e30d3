package remedy.aws.redshift_encrypted

import rego.v1

metadata := {
	"id": "aws-redshift-encrypted",
	"title": "Redshift clusters must be encrypted at rest",
	"description": "Encrypting the cluster encrypts its data blocks, system metadata and snapshots. New clusters are encrypted by default (AWS since January 2025; pulumi-aws 7 declares encrypted as the string \"true\" by default), so only a cluster that turns encryption off is reported. Set encrypted to true (a boolean in pulumi-aws 6, the string \"true\" in 7), optionally with kmsKeyId.",
	"severity": "high",
	"resource_types": ["aws:redshift/cluster:Cluster"],
	"frameworks": {
		"nist-800-53-r5": ["SC-28"],
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"iso-27001-2022": ["A.5.33", "A.8.24"],
	},
	"remediation": [
		{"kind": "set", "property": "encrypted", "value": true, "until": 7},
		{"kind": "set", "property": "encrypted", "value": "true", "since": 7},
	],
}

# A boolean in pulumi-aws 6, a string in 7.
turned_off := {false, "false"}

deny contains msg if {
	input.encrypted in turned_off
	msg := sprintf("%s turns encryption at rest off", [input.__name])
}
