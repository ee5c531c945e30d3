package remedy.aws.rds_instance_public

import rego.v1

metadata := {
	"id": "aws-rds-instance-public",
	"title": "RDS database instances must not be publicly accessible",
	"description": "A publicly accessible instance gets a public DNS name and address; anyone who can reach it can try to log in. Keep databases in private subnets and set publiclyAccessible to false.",
	"severity": "critical",
	"resource_types": ["aws:rds/instance:Instance", "aws:rds/clusterInstance:ClusterInstance"],
	"frameworks": {
		"cis-aws-3.0": ["2.3.3"],
		"nist-800-53-r5": ["AC-3", "AC-4", "AC-6", "AC-21", "SC-7"],
		"pci-dss-4.0": ["1.4.1", "1.4.2"],
		"hitrust-csf-11.5": ["09.m"],
		"iso-27001-2022": ["A.5.15", "A.8.3"],
		"soc2": ["CC6.2"],
	},
	"impact": {"kind": "may_break", "note": "Clients outside the VPC lose access to the database."},
	"remediation": {"kind": "set", "property": "publiclyAccessible", "value": false},
}

deny contains msg if {
	input.publiclyAccessible == true
	msg := sprintf("%s is publicly accessible", [input.__name])
}
