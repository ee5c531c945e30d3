package remedy.aws.eks_public_endpoint

import rego.v1

metadata := {
	"id": "aws-eks-public-endpoint",
	"title": "EKS cluster API endpoints must not be publicly accessible",
	"description": "The Kubernetes API endpoint is public unless disabled. Turn on the private endpoint and turn off the public one, reaching the API from inside the VPC.",
	"severity": "high",
	"resource_types": ["aws:eks/cluster:Cluster"],
	"frameworks": {
		"nist-800-53-r5": ["AC-3", "AC-4", "AC-21", "SC-7"],
		"pci-dss-4.0": ["1.3.1", "1.4.2", "1.4.4"],
		"hitrust-csf-11.5": ["09.m"],
		"iso-27001-2022": ["A.8.3"],
	},
	"impact": {"kind": "may_break", "note": "kubectl, CI and anything else outside the VPC lose access to the Kubernetes API."},
	"remediation": [
		{"kind": "set", "property": "vpcConfig.endpointPrivateAccess", "value": true},
		{"kind": "set", "property": "vpcConfig.endpointPublicAccess", "value": false},
	],
}

# The public endpoint is on unless explicitly turned off.
deny contains msg if {
	not input.vpcConfig.endpointPublicAccess == false
	msg := sprintf("%s exposes its Kubernetes API endpoint publicly", [input.__name])
}
