import * as aws from "@pulumi/aws";

export const docs = new aws.cloudfront.Distribution("docs", {
    enabled: true,
    comment: "product documentation",
    origins: [{ domainName: "docs-origin.example.com", originId: "docs", customOriginConfig: {
        httpPort: 80,
        httpsPort: 443,
        originProtocolPolicy: "https-only",
        originSslProtocols: ["TLSv1.2"],
    } }],
    defaultCacheBehavior: {
        targetOriginId: "docs",
        viewerProtocolPolicy: "allow-all",
        allowedMethods: ["GET", "HEAD", "OPTIONS"],
        cachedMethods: ["GET", "HEAD"],
        forwardedValues: { queryString: false, cookies: { forward: "none" } },
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
});
