package remedy.aws.ec2_imdsv2

import rego.v1

metadata := {
	"id": "aws-ec2-imdsv2",
	"title": "EC2 instances and launch templates must require IMDSv2",
	"description": "IMDSv1 answers unauthenticated GET requests, so a server-side request forgery in an application can read the instance role's credentials. Requiring session tokens (httpTokens = required) turns IMDSv1 off. A disabled metadata endpoint also passes.",
	"severity": "high",
	"resource_types": ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"],
	"frameworks": {
		"cis-aws-3.0": ["5.6"],
		"nist-800-53-r5": ["SC-8"],
		"iso-27001-2022": ["A.5.15", "A.8.3"],
		"soc2": ["CC7.2"],
	},
	"impact": {"kind": "may_break", "note": "Software on the instance that still calls the metadata service without a token (IMDSv1) loses instance metadata."},
	"remediation": {"kind": "set", "property": "metadataOptions.httpTokens", "value": "required"},
}

deny contains msg if {
	not input.metadataOptions.httpTokens == "required"
	not input.metadataOptions.httpEndpoint == "disabled"
	msg := sprintf("%s allows IMDSv1 (metadataOptions.httpTokens is not \"required\")", [input.__name])
}
