package remedy.aws.cloudfront_viewer_https

import rego.v1

metadata := {
	"id": "aws-cloudfront-viewer-https",
	"title": "CloudFront distributions must not serve viewers over plain HTTP",
	"description": "A cache behavior with viewerProtocolPolicy allow-all serves content, cookies and tokens unencrypted. Use redirect-to-https or https-only on the default and every ordered cache behavior.",
	"severity": "medium",
	"resource_types": ["aws:cloudfront/distribution:Distribution"],
	"frameworks": {
		"pci-dss-4.0": ["4.2.1"],
		"hitrust-csf-11.5": ["10.f"],
		"iso-27001-2022": ["A.5.14", "A.8.20", "A.8.24"],
	},
	"remediation": [
		{"kind": "set", "property": "defaultCacheBehavior.viewerProtocolPolicy", "value": "redirect-to-https"},
		{"kind": "set", "property": "orderedCacheBehaviors[*].viewerProtocolPolicy", "value": "redirect-to-https"},
	],
}

deny contains msg if {
	input.defaultCacheBehavior.viewerProtocolPolicy == "allow-all"
	msg := sprintf("%s serves its default cache behavior over plain HTTP", [input.__name])
}

deny contains msg if {
	some behavior in input.orderedCacheBehaviors
	behavior.viewerProtocolPolicy == "allow-all"
	msg := sprintf("%s serves %s over plain HTTP", [input.__name, object.get(behavior, "pathPattern", "a cache behavior")])
}
