import pulumi_aws as aws

aws.cloudfront.Distribution(
    "good-https",
    enabled=True,
    origins=[aws.cloudfront.DistributionOriginArgs(domain_name="example.com", origin_id="site")],
    default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id="site",
        viewer_protocol_policy="https-only",
        allowed_methods=["GET", "HEAD"],
        cached_methods=["GET", "HEAD"],
    ),
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"cloudfront_default_certificate": True},
)
