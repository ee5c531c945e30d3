package remedy.aws.ecr_tag_immutability

import rego.v1

metadata := {
	"id": "aws-ecr-tag-immutability",
	"title": "ECR repositories must make image tags immutable",
	"description": "With mutable tags, pushing an image can silently replace what a tag such as v1.2.3 points to, so deployments cannot be traced to a reviewed image.",
	"severity": "medium",
	"resource_types": ["aws:ecr/repository:Repository"],
	"frameworks": {
		"nist-800-53-r5": ["CA-9(1)", "CM-2", "CM-8(1)"],
		"pci-dss-4.0": ["11.5.2"],
		"hitrust-csf-11.5": ["10.h"],
	},
	"impact": {"kind": "may_break", "note": "Pipelines that push the same tag again (latest) start failing."},
	"remediation": {"kind": "set", "property": "imageTagMutability", "value": "IMMUTABLE"},
}

immutable := {"IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION"}

deny contains msg if {
	not input.imageTagMutability in immutable
	msg := sprintf("%s allows image tags to be overwritten", [input.__name])
}
