import pulumi_aws as aws

aws.cloudfront.Distribution(
    "good-tls12",
    enabled=True,
    origins=[aws.cloudfront.DistributionOriginArgs(domain_name="example.com", origin_id="site")],
    default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id="site",
        viewer_protocol_policy="redirect-to-https",
        allowed_methods=["GET", "HEAD"],
        cached_methods=["GET", "HEAD"],
    ),
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"acm_certificate_arn": "arn:aws:acm:us-east-1:111122223333:certificate/1", "ssl_support_method": "sni-only", "minimum_protocol_version": "TLSv1.2_2019"},
)
