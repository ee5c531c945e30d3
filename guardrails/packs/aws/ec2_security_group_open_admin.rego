package remedy.aws.ec2_security_group_open_admin

import rego.v1

metadata := {
	"id": "aws-ec2-security-group-open-admin",
	"title": "Security groups must not allow ingress from the internet to SSH, RDP or all ports",
	"description": "Ingress from 0.0.0.0/0 or ::/0 to port 22 (SSH), port 3389 (RDP) or to every port exposes administration interfaces to the whole internet. Restrict the source to known address ranges, or use Session Manager or a bastion.",
	"severity": "critical",
	"resource_types": [
		"aws:ec2/securityGroup:SecurityGroup",
		"aws:ec2/securityGroupRule:SecurityGroupRule",
		"aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
	],
	"frameworks": {
		"cis-aws-3.0": ["5.2", "5.3"],
		"nist-800-53-r5": ["AC-4", "AC-17", "CM-7", "SC-7"],
		"pci-dss-4.0": ["1.3.1"],
		"hitrust-csf-11.5": ["10.f"],
		"soc2": ["CC6.6", "CC7.2"],
	},
	"impact": {"kind": "may_break", "note": "Clients outside the team's administration range lose access on the administration ports."},
	"remediation": [
		{"kind": "set", "property": "ingress[*].cidrBlocks", "value_from_config": "admin_cidr_blocks"},
		{"kind": "remove", "property": "ingress[*].ipv6CidrBlocks"},
	],
}

admin_ports := {22, 3389}

all_protocols := {"-1", "all"}

tcp := {"tcp", "6"}

world_v4 := "0.0.0.0/0"

world_v6 := "::/0"

# Rules read only `input.<property>` paths (never `input` whole), so that a value unknown
# statically elsewhere on the resource does not make the check undecidable.

# Inline rules of a SecurityGroup.
deny contains msg if {
	input.__type == "aws:ec2/securityGroup:SecurityGroup"
	some rule in input.ingress
	source := world_source(object.get(rule, "cidrBlocks", []), object.get(rule, "ipv6CidrBlocks", []))
	exposure := exposed(lower(rule.protocol), rule.fromPort, rule.toPort)
	msg := sprintf("%s allows ingress from %s to %s", [input.__name, source, exposure])
}

# A standalone SecurityGroupRule of type ingress.
deny contains msg if {
	input.__type == "aws:ec2/securityGroupRule:SecurityGroupRule"
	input.type == "ingress"
	source := world_source(rule_v4, rule_v6)
	exposure := exposed(lower(input.protocol), input.fromPort, input.toPort)
	msg := sprintf("%s allows ingress from %s to %s", [input.__name, source, exposure])
}

# A vpc.SecurityGroupIngressRule: one source, ports absent for protocol -1.
deny contains msg if {
	input.__type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
	source := world_source([vpc_v4], [vpc_v6])
	exposure := exposed(lower(input.ipProtocol), vpc_from_port, vpc_to_port)
	msg := sprintf("%s allows ingress from %s to %s", [input.__name, source, exposure])
}

world_source(v4, v6) := world_v4 if {
	world_v4 in v4
} else := world_v6 if {
	world_v6 in v6
}

rule_v4 := input.cidrBlocks if {
	input.cidrBlocks
} else := []

rule_v6 := input.ipv6CidrBlocks if {
	input.ipv6CidrBlocks
} else := []

vpc_v4 := input.cidrIpv4 if {
	input.cidrIpv4
} else := ""

vpc_v6 := input.cidrIpv6 if {
	input.cidrIpv6
} else := ""

vpc_from_port := input.fromPort if {
	input.fromPort
} else := 0

vpc_to_port := input.toPort if {
	input.toPort
} else := 65535

exposed(protocol, from_port, to_port) := "all ports" if {
	protocol in all_protocols
} else := "all ports" if {
	protocol in tcp
	from_port <= 0
	to_port >= 65535
} else := sprintf("port %s", [concat(", ", ports)]) if {
	protocol in tcp
	ports := [sprintf("%d", [p]) | some p in sort(admin_ports); from_port <= p; p <= to_port]
	count(ports) > 0
}
