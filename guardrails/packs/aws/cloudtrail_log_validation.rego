package remedy.aws.cloudtrail_log_validation

import rego.v1

metadata := {
	"id": "aws-cloudtrail-log-validation",
	"title": "CloudTrail trails must enable log file validation",
	"description": "Log file validation writes signed digest files, so anyone can later prove whether a log file was changed or deleted after delivery.",
	"severity": "medium",
	"resource_types": ["aws:cloudtrail/trail:Trail"],
	"frameworks": {
		"cis-aws-3.0": ["3.2"],
		"nist-800-53-r5": ["AU-9"],
		"pci-dss-4.0": ["10.3.4"],
		"iso-27001-2022": ["A.5.33", "A.8.15"],
		"soc2": ["CC7.3", "PI1.3"],
	},
	"remediation": {"kind": "set", "property": "enableLogFileValidation", "value": true},
}

deny contains msg if {
	not input.enableLogFileValidation == true
	msg := sprintf("%s does not validate its log files", [input.__name])
}
