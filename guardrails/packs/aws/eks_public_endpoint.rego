package remedy.aws.eks_public_endpoint

import rego.v1

metadata := {
	"id": "aws-eks-public-endpoint",
	"title": "EKS cluster API endpoints must not be publicly accessible",
	"description": "The Kubernetes API endpoint is public unless disabled, and open to any address (0.0.0.0/0) unless publicAccessCidrs narrows it; narrowing it still leaves the API on the internet. Turn on the private endpoint and turn off the public one, reaching the API from inside the VPC; publicAccessCidrs then has nothing to allow and is removed.",
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
		# A private endpoint has no public CIDRs to allow; left in place, a world-open
		# ["0.0.0.0/0"] reads as an exposure and comes back the day the endpoint is made public.
		{"kind": "remove", "property": "vpcConfig.publicAccessCidrs"},
	],
}

# The public endpoint is on unless explicitly turned off, whatever CIDRs it allows (it allows
# 0.0.0.0/0 unless publicAccessCidrs narrows it). The rule reads only endpointPublicAccess, so
# an unknown publicAccessCidrs never makes the finding indeterminate.
deny contains msg if {
	not input.vpcConfig.endpointPublicAccess == false
	msg := sprintf("%s exposes its Kubernetes API endpoint publicly", [input.__name])
}
