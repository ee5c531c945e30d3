package remedy.aws.ec2_instance_public_ip

import rego.v1

metadata := {
	"id": "aws-ec2-instance-public-ip",
	"title": "EC2 instances and launch templates must not assign public IP addresses",
	"description": "A public address makes the instance reachable from the internet whenever a security group allows it. Put instances in private subnets and reach them through a load balancer, Session Manager or a bastion. For launch templates the first network interface is checked.",
	"severity": "high",
	"resource_types": ["aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"],
	"frameworks": {
		"nist-800-53-r5": ["AC-3"],
		"pci-dss-4.0": ["1.3.1", "1.4.2"],
		"hitrust-csf-11.5": ["09.m"],
		"iso-27001-2022": ["A.5.15", "A.8.3"],
		"soc2": ["CC6.6"],
	},
	"impact": {"kind": "replace", "note": "Changing associatePublicIpAddress replaces the instance."},
	"remediation": {
		"kind": "manual",
		"hint": "Set associatePublicIpAddress to false (on a launch template: networkInterfaces[0].associatePublicIpAddress = \"false\") and make sure the subnet does not assign public addresses.",
	},
}

deny contains msg if {
	input.__type == "aws:ec2/instance:Instance"
	input.associatePublicIpAddress == true
	msg := sprintf("%s is given a public IP address", [input.__name])
}

# Launch templates take the flag as a string ("true"/"false").
deny contains msg if {
	input.__type == "aws:ec2/launchTemplate:LaunchTemplate"
	lower(sprintf("%v", [input.networkInterfaces[0].associatePublicIpAddress])) == "true"
	msg := sprintf("%s gives instances a public IP address", [input.__name])
}
