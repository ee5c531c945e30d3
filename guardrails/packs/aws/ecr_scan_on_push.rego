package remedy.aws.ecr_scan_on_push

import rego.v1

metadata := {
	"id": "aws-ecr-scan-on-push",
	"title": "ECR repositories must scan images on push",
	"description": "Scanning on push reports known vulnerabilities in every image as it arrives, before it is deployed.",
	"severity": "medium",
	"resource_types": ["aws:ecr/repository:Repository"],
	"frameworks": {
		"nist-800-53-r5": ["RA-5"],
		"pci-dss-4.0": ["6.2.3", "6.2.4"],
		"hitrust-csf-11.5": ["10.m"],
		"iso-27001-2022": ["A.8.8"],
	},
	"remediation": {"kind": "set", "property": "imageScanningConfiguration.scanOnPush", "value": true},
}

deny contains msg if {
	not input.imageScanningConfiguration.scanOnPush == true
	msg := sprintf("%s does not scan images on push", [input.__name])
}
