package remedy.aws.redshift_encrypted

import rego.v1

metadata := {
	"id": "aws-redshift-encrypted",
	"title": "Redshift clusters must be encrypted at rest",
	"description": "Encrypting the cluster encrypts its data blocks, system metadata and snapshots. Set encrypted to true (optionally with kmsKeyId).",
	"severity": "high",
	"resource_types": ["aws:redshift/cluster:Cluster"],
	"frameworks": {
		"nist-800-53-r5": ["SC-28"],
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"iso-27001-2022": ["A.5.33", "A.8.24"],
	},
	"remediation": {"kind": "set", "property": "encrypted", "value": true},
}

deny contains msg if {
	not input.encrypted == true
	msg := sprintf("%s is not encrypted at rest", [input.__name])
}
