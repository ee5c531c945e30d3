package remedy.aws.redshift_public

import rego.v1

metadata := {
	"id": "aws-redshift-public",
	"title": "Redshift clusters must not be publicly accessible",
	"description": "A publicly accessible cluster gets a public endpoint that anyone who can reach it can try to log in to. Keep clusters in private subnets.",
	"severity": "critical",
	"resource_types": ["aws:redshift/cluster:Cluster"],
	"frameworks": {
		"nist-800-53-r5": ["AC-3"],
		"pci-dss-4.0": ["1.4.1", "1.4.2"],
		"iso-27001-2022": ["A.5.15", "A.8.3"],
	},
	"impact": {"kind": "may_break", "note": "Clients outside the VPC lose access to the cluster."},
	"remediation": {"kind": "set", "property": "publiclyAccessible", "value": false},
}

deny contains msg if {
	input.publiclyAccessible == true
	msg := sprintf("%s is publicly accessible", [input.__name])
}
