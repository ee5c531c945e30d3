package remedy.aws.dynamodb_pitr

import rego.v1

metadata := {
	"id": "aws-dynamodb-pitr",
	"title": "DynamoDB tables must enable point-in-time recovery",
	"description": "Point-in-time recovery keeps continuous backups for 35 days, so a bad write or delete can be undone.",
	"severity": "medium",
	"resource_types": ["aws:dynamodb/table:Table"],
	"frameworks": {
		"nist-800-53-r5": ["CP-9", "CP-10", "SI-13(5)"],
		"iso-27001-2022": ["A.5.29", "A.5.30", "A.8.13"],
		"soc2": ["A1.2", "CC7.4"],
	},
	"remediation": {"kind": "set", "property": "pointInTimeRecovery.enabled", "value": true},
}

deny contains msg if {
	not input.pointInTimeRecovery.enabled
	msg := sprintf("%s has no point-in-time recovery", [input.__name])
}
