package remedy.aws.iam_password_length

import rego.v1

metadata := {
	"id": "aws-iam-password-length",
	"title": "The IAM account password policy must require at least 14 characters",
	"description": "Long passwords resist guessing and cracking. When minimumPasswordLength is not written, the policy allows 6 characters.",
	"severity": "medium",
	"resource_types": ["aws:iam/accountPasswordPolicy:AccountPasswordPolicy"],
	"frameworks": {
		"cis-aws-3.0": ["1.8"],
		"nist-800-53-r5": ["IA-5"],
		"pci-dss-4.0": ["8.3.6"],
		"hitrust-csf-11.5": ["01.c"],
		"iso-27001-2022": ["A.5.17", "A.8.5"],
	},
	"remediation": {"kind": "set", "property": "minimumPasswordLength", "value": 14},
}

minimum := 14

deny contains msg if {
	length < minimum
	msg := sprintf("%s allows passwords of %d characters; at least %d are required", [input.__name, length, minimum])
}

length := input.minimumPasswordLength if {
	is_number(input.minimumPasswordLength)
} else := 6
