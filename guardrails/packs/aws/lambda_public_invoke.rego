package remedy.aws.lambda_public_invoke

import rego.v1

metadata := {
	"id": "aws-lambda-public-invoke",
	"title": "Lambda permissions must not let anyone invoke the function",
	"description": "A permission for principal \"*\" without a sourceArn, sourceAccount or principalOrgId condition lets any AWS account (or, for function URLs, anyone on the internet) invoke the function. Name the calling service or account and scope it with sourceArn or sourceAccount.",
	"severity": "critical",
	"resource_types": ["aws:lambda/permission:Permission"],
	"frameworks": {
		"nist-800-53-r5": ["AC-3"],
		"pci-dss-4.0": ["1.4.2", "7.3.1"],
		"hitrust-csf-11.5": ["01.c"],
		"iso-27001-2022": ["A.8.3"],
	},
	"remediation": {
		"kind": "manual",
		"hint": "Replace principal \"*\" with the calling service or account, and add sourceArn or sourceAccount.",
	},
}

deny contains msg if {
	input.principal == "*"
	not input.sourceArn
	not input.sourceAccount
	not input.principalOrgId
	msg := sprintf("%s lets any principal invoke the function", [input.__name])
}
