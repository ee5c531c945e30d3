import pulumi_aws as aws

# Only /images/* serves plain HTTP; /checkout/* is deliberately https-only, which is stricter
# than a redirect: a fix must leave it as it is.
shop = aws.cloudfront.Distribution(
    "shop",
    enabled=True,
    origins=[{"domain_name": "shop-origin.example.com", "origin_id": "shop", "custom_origin_config": {
        "http_port": 80,
        "https_port": 443,
        "origin_protocol_policy": "https-only",
        "origin_ssl_protocols": ["TLSv1.2"],
    }}],
    default_cache_behavior={
        "target_origin_id": "shop",
        "viewer_protocol_policy": "redirect-to-https",
        "allowed_methods": ["GET", "HEAD"],
        "cached_methods": ["GET", "HEAD"],
        "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
    ordered_cache_behaviors=[
        {
            "path_pattern": "/images/*",
            "target_origin_id": "shop",
            "viewer_protocol_policy": "allow-all",
            "allowed_methods": ["GET", "HEAD"],
            "cached_methods": ["GET", "HEAD"],
            "cache_policy_id": "658327ea-f89d-4fab-a63d-7e88639e58f6",
        },
        {
            "path_pattern": "/checkout/*",
            "target_origin_id": "shop",
            "viewer_protocol_policy": "https-only",
            "allowed_methods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
            "cached_methods": ["GET", "HEAD"],
            "cache_policy_id": "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
        },
    ],
    restrictions={"geo_restriction": {"restriction_type": "none"}},
    viewer_certificate={"cloudfront_default_certificate": True},
)
