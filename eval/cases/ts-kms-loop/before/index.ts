import * as aws from "@pulumi/aws";

for (const team of ["payments", "search"]) {
    new aws.kms.Key(`${team}-key`, { description: `${team} data` });
}
