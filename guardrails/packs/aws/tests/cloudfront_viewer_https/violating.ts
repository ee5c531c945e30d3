import * as aws from "@pulumi/aws";

new aws.cloudfront.Distribution("bad-http", {
    enabled: true,
    origins: [{ domainName: "example.com", originId: "site" }],
    defaultCacheBehavior: {
        targetOriginId: "site",
        viewerProtocolPolicy: "allow-all",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
});
new aws.cloudfront.Distribution("bad-api", {
    enabled: true,
    origins: [{ domainName: "example.com", originId: "site" }],
    defaultCacheBehavior: {
        targetOriginId: "site",
        viewerProtocolPolicy: "https-only",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
    },
    orderedCacheBehaviors: [{
        pathPattern: "/api/*",
        targetOriginId: "site",
        viewerProtocolPolicy: "allow-all",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
    }],
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
});
new aws.cloudfront.Distribution("good-redirect", {
    enabled: true,
    origins: [{ domainName: "example.com", originId: "site" }],
    defaultCacheBehavior: {
        targetOriginId: "site",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { cloudfrontDefaultCertificate: true },
});
