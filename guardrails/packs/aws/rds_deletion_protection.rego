package remedy.aws.rds_deletion_protection

import rego.v1

metadata := {
	"id": "aws-rds-deletion-protection",
	"title": "RDS instances and clusters must enable deletion protection",
	"description": "Deletion protection stops a database from being deleted by a stray API call or an IaC change that replaces it; it is off unless set.",
	"severity": "medium",
	"resource_types": ["aws:rds/instance:Instance", "aws:rds/cluster:Cluster"],
	"frameworks": {
		"nist-800-53-r5": ["CP-2"],
		"iso-27001-2022": ["A.5.29", "A.5.30"],
		"soc2": ["C1.1"],
	},
	"remediation": {"kind": "set", "property": "deletionProtection", "value": true},
}

deny contains msg if {
	not input.deletionProtection == true
	msg := sprintf("%s can be deleted without first turning off deletion protection", [input.__name])
}
