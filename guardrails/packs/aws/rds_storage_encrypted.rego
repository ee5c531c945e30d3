package remedy.aws.rds_storage_encrypted

import rego.v1

metadata := {
	"id": "aws-rds-storage-encrypted",
	"title": "RDS instances and clusters must encrypt storage at rest",
	"description": "Unencrypted database storage, snapshots and backups can be read by anyone who obtains them. Set storageEncrypted (AWS replaces the database to apply it: plan a snapshot-and-restore).",
	"severity": "high",
	"resource_types": ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"],
	"frameworks": {
		"cis-aws-3.0": ["2.3.1"],
		"nist-800-53-r5": ["SC-13", "SC-28", "SC-28(1)"],
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"hitrust-csf-11.5": ["06.d"],
		"iso-27001-2022": ["A.5.33", "A.8.24"],
		"soc2": ["PI1.5"],
	},
	"impact": {"kind": "replace", "note": "Encrypting an existing instance's or cluster's storage creates a new one: its data is lost unless restored from a snapshot, and skipFinalSnapshot: true skips the final snapshot."},
	"remediation": {"kind": "set", "property": "storageEncrypted", "value": true},
}

deny contains msg if {
	not input.storageEncrypted
	not encrypted_elsewhere
	msg := sprintf("%s does not encrypt its storage", [input.__name])
}

# Read replicas inherit encryption from their source; Aurora Serverless v1 is always encrypted.
encrypted_elsewhere if input.replicateSourceDb

encrypted_elsewhere if input.engineMode == "serverless"
