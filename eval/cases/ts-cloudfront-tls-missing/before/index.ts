import * as aws from "@pulumi/aws";

const certificate = new aws.acm.Certificate("site", {
    domainName: "shop.example.com",
    validationMethod: "DNS",
});

export const distribution = new aws.cloudfront.Distribution("site", {
    enabled: true,
    aliases: ["shop.example.com"],
    defaultRootObject: "index.html",
    origins: [{
        domainName: "acme-shop-assets.s3.us-east-1.amazonaws.com",
        originId: "assets",
    }],
    defaultCacheBehavior: {
        targetOriginId: "assets",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
        cachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: {
        acmCertificateArn: certificate.arn,
        sslSupportMethod: "sni-only",
    },
});
