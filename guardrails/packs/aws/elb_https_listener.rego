package remedy.aws.elb_https_listener

import rego.v1

metadata := {
	"id": "aws-elb-https-listener",
	"title": "Load balancer listeners must use HTTPS or redirect HTTP to HTTPS",
	"description": "A plain HTTP listener (an ALB listener without a protocol is one) sends requests, cookies and credentials unencrypted. On an ALB, make HTTP listeners redirect to HTTPS (defaultActions[0] of type redirect with protocol HTTPS) and terminate TLS on an HTTPS listener; on a classic ELB, use HTTPS or SSL listeners.",
	"severity": "medium",
	"resource_types": [
		"aws:lb/listener:Listener",
		"aws:alb/listener:Listener",
		"aws:elb/loadBalancer:LoadBalancer",
	],
	"frameworks": {
		"nist-800-53-r5": ["SC-8"],
		"pci-dss-4.0": ["4.2.1"],
		"hitrust-csf-11.5": ["10.f"],
		"iso-27001-2022": ["A.5.14", "A.8.20", "A.8.24"],
	},
	"remediation": {
		"kind": "manual",
		"hint": "Change the listener to protocol HTTPS with a certificate, or make its default action a redirect to HTTPS (port 443, HTTP_301).",
	},
}

deny contains msg if {
	input.__type in {"aws:lb/listener:Listener", "aws:alb/listener:Listener"}
	listener_protocol == "HTTP"
	not redirects_to_https
	msg := sprintf("%s serves plain HTTP without redirecting to HTTPS", [input.__name])
}

# An ALB listener without a protocol serves HTTP (the provider's default).
listener_protocol := upper(input.protocol) if {
	input.protocol
} else := "HTTP"

redirects_to_https if {
	input.defaultActions[0].type == "redirect"
	upper(input.defaultActions[0].redirect.protocol) == "HTTPS"
}

# Classic load balancers list their listeners inline.
deny contains msg if {
	input.__type == "aws:elb/loadBalancer:LoadBalancer"
	some listener in input.listeners
	lower(listener.lbProtocol) == "http"
	msg := sprintf("%s has a plain HTTP listener on port %v", [input.__name, listener.lbPort])
}
