package remedy.aws.eks_secrets_encryption

import rego.v1

metadata := {
	"id": "aws-eks-secrets-encryption",
	"title": "EKS clusters must encrypt Kubernetes secrets with a KMS key",
	"description": "Envelope encryption of secrets with a customer managed KMS key protects them in etcd beyond the default disk encryption. Set encryptionConfig with resources [\"secrets\"] and a provider key.",
	"severity": "medium",
	"resource_types": ["aws:eks/cluster:Cluster"],
	"frameworks": {
		"pci-dss-4.0": ["3.5.1", "3.6.1"],
		"hitrust-csf-11.5": ["06.d"],
		"iso-27001-2022": ["A.8.24"],
	},
	"remediation": {
		"kind": "manual",
		"hint": "Add encryptionConfig: { resources: [\"secrets\"], provider: { keyArn: <a KMS key ARN> } }.",
	},
}

deny contains msg if {
	not "secrets" in encrypted_resources
	msg := sprintf("%s does not encrypt Kubernetes secrets with a KMS key", [input.__name])
}

encrypted_resources := input.encryptionConfig.resources if {
	input.encryptionConfig.resources
} else := []
