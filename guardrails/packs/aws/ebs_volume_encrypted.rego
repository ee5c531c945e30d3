package remedy.aws.ebs_volume_encrypted

import rego.v1

metadata := {
	"id": "aws-ebs-volume-encrypted",
	"title": "EBS volumes must be encrypted",
	"description": "Unencrypted EBS volumes and their snapshots expose data at rest. Set encrypted to true (optionally with a customer managed kmsKeyId).",
	"severity": "high",
	"resource_types": ["aws:ebs/volume:Volume"],
	"frameworks": {
		"nist-800-53-r5": ["SC-13", "SC-28", "SC-28(1)"],
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"hitrust-csf-11.5": ["06.d"],
		"iso-27001-2022": ["A.8.24"],
		"soc2": ["PI1.5"],
	},
	"impact": {"kind": "replace", "note": "An existing volume is replaced by a new, empty, encrypted one: snapshot it and restore from the snapshot."},
	"remediation": {"kind": "set", "property": "encrypted", "value": true},
}

deny contains msg if {
	not input.encrypted
	not input.snapshotId
	msg := sprintf("%s is not encrypted", [input.__name])
}
