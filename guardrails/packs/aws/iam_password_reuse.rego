package remedy.aws.iam_password_reuse

import rego.v1

metadata := {
	"id": "aws-iam-password-reuse",
	"title": "The IAM account password policy must prevent reuse of the last 24 passwords",
	"description": "Preventing reuse stops users from cycling back to a password that may already be compromised. passwordReusePrevention is off unless written.",
	"severity": "low",
	"resource_types": ["aws:iam/accountPasswordPolicy:AccountPasswordPolicy"],
	"frameworks": {
		"cis-aws-3.0": ["1.9"],
		"nist-800-53-r5": ["IA-5"],
		"pci-dss-4.0": ["8.3.7"],
		"hitrust-csf-11.5": ["01.c"],
		"iso-27001-2022": ["A.5.17", "A.8.5"],
	},
	"remediation": {"kind": "set", "property": "passwordReusePrevention", "value": 24},
}

minimum := 24

deny contains msg if {
	remembered < minimum
	msg := sprintf("%s remembers %d previous password(s); at least %d are required", [input.__name, remembered, minimum])
}

remembered := input.passwordReusePrevention if {
	is_number(input.passwordReusePrevention)
} else := 0
