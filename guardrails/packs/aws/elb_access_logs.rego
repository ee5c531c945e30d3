package remedy.aws.elb_access_logs

import rego.v1

metadata := {
	"id": "aws-elb-access-logs",
	"title": "Application and classic load balancers must write access logs",
	"description": "Access logs record every request a load balancer handles, with client address, latency and response; they are off unless configured. Network and gateway load balancers are not checked.",
	"severity": "medium",
	"resource_types": [
		"aws:lb/loadBalancer:LoadBalancer",
		"aws:alb/loadBalancer:LoadBalancer",
		"aws:elb/loadBalancer:LoadBalancer",
	],
	"frameworks": {
		"nist-800-53-r5": ["AU-2"],
		"pci-dss-4.0": ["10.2.1"],
		"hitrust-csf-11.5": ["09.z"],
		"iso-27001-2022": ["A.8.15"],
		"soc2": ["A1.2", "CC7.2", "CC7.3", "PI1.2"],
	},
	"remediation": {
		"kind": "manual",
		"hint": "Add accessLogs: { bucket: <the team's log bucket>, enabled: true }.",
	},
}

deny contains msg if {
	input.__type in {"aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"}
	load_balancer_type == "application"
	not input.accessLogs.enabled == true
	msg := sprintf("%s does not write access logs", [input.__name])
}

load_balancer_type := input.loadBalancerType if {
	input.loadBalancerType
} else := "application"

# A classic load balancer logs when accessLogs names a bucket and is not disabled.
deny contains msg if {
	input.__type == "aws:elb/loadBalancer:LoadBalancer"
	not input.accessLogs.bucket
	msg := sprintf("%s does not write access logs", [input.__name])
}

deny contains msg if {
	input.__type == "aws:elb/loadBalancer:LoadBalancer"
	input.accessLogs.enabled == false
	msg := sprintf("%s has access logs turned off", [input.__name])
}
