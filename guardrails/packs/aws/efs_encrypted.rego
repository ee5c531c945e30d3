package remedy.aws.efs_encrypted

import rego.v1

metadata := {
	"id": "aws-efs-encrypted",
	"title": "EFS file systems must be encrypted at rest",
	"description": "Encryption at rest can only be chosen when the file system is created; set encrypted to true (optionally with a kmsKeyId). AWS replaces the file system to apply it: plan a data copy.",
	"severity": "high",
	"resource_types": ["aws:efs/fileSystem:FileSystem"],
	"frameworks": {
		"cis-aws-3.0": ["2.4.1"],
		"nist-800-53-r5": ["SC-28"],
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"hitrust-csf-11.5": ["06.d"],
		"iso-27001-2022": ["A.8.24"],
	},
	"impact": {"kind": "replace", "note": "An existing file system is replaced by a new, empty, encrypted one: copy its data first."},
	"remediation": {"kind": "set", "property": "encrypted", "value": true},
}

deny contains msg if {
	not input.encrypted == true
	msg := sprintf("%s is not encrypted at rest", [input.__name])
}
