package remedy.aws.cloudfront_tls

import rego.v1

metadata := {
	"id": "aws-cloudfront-tls",
	"title": "CloudFront distributions with their own certificate must require TLS 1.2 or later",
	"description": "With a custom certificate (ACM or IAM), viewerCertificate.minimumProtocolVersion decides the oldest protocol viewers may use; anything below TLSv1.2_2018 allows TLS 1.0/1.1. Distributions on the default *.cloudfront.net certificate cannot raise the minimum and are not checked.",
	"severity": "medium",
	"resource_types": ["aws:cloudfront/distribution:Distribution"],
	"frameworks": {
		"pci-dss-4.0": ["4.2.1"],
		"hitrust-csf-11.5": ["10.f"],
		"iso-27001-2022": ["A.5.14", "A.8.20", "A.8.24"],
	},
	"remediation": {"kind": "set", "property": "viewerCertificate.minimumProtocolVersion", "value": "TLSv1.2_2021"},
}

modern := {"TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.3_2025"}

deny contains msg if {
	not input.viewerCertificate.cloudfrontDefaultCertificate == true
	custom_certificate
	not minimum in modern
	msg := sprintf("%s allows viewers to connect with %s", [input.__name, minimum])
}

# sslSupportMethod is required with (and only with) a custom certificate; the certificate's ARN
# itself is usually another resource's output, unknown statically.
custom_certificate if input.viewerCertificate.sslSupportMethod

# The provider's default for a custom certificate is TLSv1.
minimum := input.viewerCertificate.minimumProtocolVersion if {
	input.viewerCertificate.minimumProtocolVersion
} else := "TLSv1"
