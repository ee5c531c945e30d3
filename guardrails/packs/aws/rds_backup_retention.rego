package remedy.aws.rds_backup_retention

import rego.v1

metadata := {
	"id": "aws-rds-backup-retention",
	"title": "RDS instances and clusters must keep automated backups for at least 7 days",
	"description": "Automated backups allow point-in-time restore. When backupRetentionPeriod is not written, the API default is 1 day; 0 turns backups off. Read replicas are not checked (backups are taken from the source).",
	"severity": "medium",
	"resource_types": ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"],
	"frameworks": {
		"nist-800-53-r5": ["CP-9"],
		"hitrust-csf-11.5": ["12.a"],
		"iso-27001-2022": ["A.5.29", "A.5.30", "A.8.13"],
		"soc2": ["A1.2", "CC7.4"],
	},
	"remediation": {"kind": "set", "property": "backupRetentionPeriod", "value": 7},
}

minimum_days := 7

deny contains msg if {
	not input.replicateSourceDb
	days := retention
	days < minimum_days
	msg := sprintf("%s keeps automated backups for %d day(s); at least %d are required", [input.__name, days, minimum_days])
}

retention := input.backupRetentionPeriod if {
	is_number(input.backupRetentionPeriod)
} else := 1
