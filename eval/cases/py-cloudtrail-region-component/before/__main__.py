from typing import Optional

import pulumi
import pulumi_aws as aws


class AuditTrail(pulumi.ComponentResource):
    """An account's CloudTrail trail, writing to the central audit bucket."""

    def __init__(self, name: str, key_arn: pulumi.Input[str], opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("acme:security:AuditTrail", name, None, opts)
        self.trail = aws.cloudtrail.Trail(
            f"{name}-trail",
            s3_bucket_name="acme-audit-trail",
            s3_key_prefix=name,
            include_global_service_events=True,
            enable_log_file_validation=True,
            kms_key_id=key_arn,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"trail_arn": self.trail.arn})
