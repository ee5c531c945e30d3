package remedy.aws.cloudtrail_multi_region

import rego.v1

metadata := {
	"id": "aws-cloudtrail-multi-region",
	"title": "CloudTrail trails must record every region",
	"description": "A single-region trail misses API activity in the other regions, including ones an attacker picks because nobody watches them. Set isMultiRegionTrail to true.",
	"severity": "high",
	"resource_types": ["aws:cloudtrail/trail:Trail"],
	"frameworks": {
		"cis-aws-3.0": ["3.1"],
		"nist-800-53-r5": ["AU-12"],
		"pci-dss-4.0": ["10.2.1"],
		"iso-27001-2022": ["A.8.15"],
		"soc2": ["A1.2", "CC7.2", "PI1.3"],
	},
	"remediation": {"kind": "set", "property": "isMultiRegionTrail", "value": true},
}

deny contains msg if {
	not input.isMultiRegionTrail == true
	msg := sprintf("%s records only its home region", [input.__name])
}
