package remedy.aws.kms_key_rotation

import rego.v1

metadata := {
	"id": "aws-kms-key-rotation",
	"title": "Symmetric KMS keys must have automatic rotation enabled",
	"description": "Rotating key material yearly limits how much data one key version protects. Asymmetric and HMAC keys cannot rotate automatically and are not checked.",
	"severity": "medium",
	"resource_types": ["aws:kms/key:Key"],
	"frameworks": {
		"cis-aws-3.0": ["3.6"],
		"nist-800-53-r5": ["SC-12", "SC-12(2)", "SC-28(3)"],
		"pci-dss-4.0": ["3.7.4"],
		"hitrust-csf-11.5": ["10.f"],
		"iso-27001-2022": ["A.8.24"],
		"soc2": ["PI1.5"],
	},
	"remediation": {"kind": "set", "property": "enableKeyRotation", "value": true},
}

deny contains msg if {
	symmetric
	not input.enableKeyRotation
	msg := sprintf("%s does not rotate its key material", [input.__name])
}

symmetric if not input.customerMasterKeySpec

symmetric if input.customerMasterKeySpec == "SYMMETRIC_DEFAULT"
