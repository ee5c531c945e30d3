import * as aws from "@pulumi/aws";

const cert = new aws.acm.Certificate("site", { domainName: "example.com", validationMethod: "DNS" });
new aws.cloudfront.Distribution("good-tls12", {
    enabled: true,
    origins: [{ domainName: "example.com", originId: "site" }],
    defaultCacheBehavior: {
        targetOriginId: "site",
        viewerProtocolPolicy: "redirect-to-https",
        allowedMethods: ["GET", "HEAD"],
        cachedMethods: ["GET", "HEAD"],
    },
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: { acmCertificateArn: cert.arn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
});
// The default certificate cannot raise the minimum: not checked.
new aws.cloudfront.Distribution("good-default-certificate", {
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
