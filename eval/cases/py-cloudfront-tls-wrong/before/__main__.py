import pulumi_aws as aws

api = aws.cloudfront.Distribution(
    "api",
    enabled=True,
    aliases=["api.example.com"],
    origins=[
        aws.cloudfront.DistributionOriginArgs(
            domain_name="api-origin.example.com",
            origin_id="api",
            custom_origin_config=aws.cloudfront.DistributionOriginCustomOriginConfigArgs(
                http_port=80,
                https_port=443,
                origin_protocol_policy="https-only",
                origin_ssl_protocols=["TLSv1.2"],
            ),
        )
    ],
    default_cache_behavior=aws.cloudfront.DistributionDefaultCacheBehaviorArgs(
        target_origin_id="api",
        viewer_protocol_policy="https-only",
        allowed_methods=["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        cached_methods=["GET", "HEAD"],
        cache_policy_id="4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
    ),
    restrictions=aws.cloudfront.DistributionRestrictionsArgs(
        geo_restriction=aws.cloudfront.DistributionRestrictionsGeoRestrictionArgs(restriction_type="none"),
    ),
    viewer_certificate=aws.cloudfront.DistributionViewerCertificateArgs(
        acm_certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
        ssl_support_method="sni-only",
        minimum_protocol_version="TLSv1.1_2016",
    ),
)
