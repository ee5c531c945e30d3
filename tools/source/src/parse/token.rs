//! From an import and a constructor reference to a Pulumi type token.
//!
//! `aws.s3.Bucket` in a file that did `import * as aws from "@pulumi/aws"` is the resource type
//! `aws:s3/bucket:Bucket`. Each local name bound by an import points at a package and a path
//! inside it; a constructor reference appends to that path.

use super::text::lower_first;

/// What a local name bound by an import refers to: a Pulumi provider package and a path in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ImportTarget {
    pub package: String,
    pub path: Vec<String>,
}

/// The Pulumi provider package named by a TypeScript module specifier: `@pulumi/aws` → `aws`,
/// `@pulumi/aws/s3` → `aws` with path `["s3"]`. The core SDK (`@pulumi/pulumi`) is no provider.
pub(crate) fn typescript_module(specifier: &str) -> Option<ImportTarget> {
    let rest = specifier.strip_prefix("@pulumi/")?;
    let mut parts = rest.split('/').filter(|p| !p.is_empty());
    let package = parts.next()?;
    if package == "pulumi" || package == "policy" {
        return None;
    }
    let path = parts
        .filter(|p| *p != "index")
        .map(str::to_string)
        .collect();
    Some(ImportTarget {
        package: package.to_string(),
        path,
    })
}

/// The Pulumi provider package named by a Python module path: `pulumi_aws` → `aws`,
/// `pulumi_aws.s3` → `aws` with path `["s3"]`, `pulumi_azure_native` → `azure-native`.
pub(crate) fn python_module(dotted: &str) -> Option<ImportTarget> {
    let mut parts = dotted.split('.');
    let package = parts.next()?.strip_prefix("pulumi_")?;
    if package.is_empty() || package == "policy" {
        return None;
    }
    let path = parts.map(python_segment).collect();
    Some(ImportTarget {
        package: package.replace('_', "-"),
        path,
    })
}

/// Python modules that clash with keywords carry a trailing underscore (`lambda_`).
pub(crate) fn python_segment(segment: &str) -> String {
    segment.trim_end_matches('_').to_string()
}

/// The type token for a constructor at `path` inside `package`, when the last segment names a
/// resource class (capitalised). `None` for functions, enums or anything lower-case.
pub(crate) fn type_token(package: &str, path: &[String]) -> Option<String> {
    let (class, modules) = path.split_last()?;
    if !class.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    if class == "Provider" && modules.is_empty() {
        return Some(format!("pulumi:providers:{package}"));
    }
    let module = if modules.is_empty() {
        "index".to_string()
    } else {
        modules.join("/")
    };
    Some(match package {
        // These providers name types `pkg:module:Class`, with no per-resource file segment.
        "kubernetes" | "azure-native" | "awsx" | "eks" => format!("{package}:{module}:{class}"),
        _ => format!("{package}:{module}/{}:{class}", lower_first(class)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(package: &str, path: &[&str]) -> Option<String> {
        let path: Vec<String> = path.iter().map(ToString::to_string).collect();
        type_token(package, &path)
    }

    #[test]
    fn tokens() {
        assert_eq!(
            tok("aws", &["s3", "Bucket"]).as_deref(),
            Some("aws:s3/bucket:Bucket")
        );
        assert_eq!(
            tok("aws", &["s3", "BucketV2"]).as_deref(),
            Some("aws:s3/bucketV2:BucketV2")
        );
        assert_eq!(
            tok("aws", &["ec2", "SecurityGroup"]).as_deref(),
            Some("aws:ec2/securityGroup:SecurityGroup")
        );
        assert_eq!(
            tok("aws", &["Provider"]).as_deref(),
            Some("pulumi:providers:aws")
        );
        assert_eq!(
            tok("kubernetes", &["apps", "v1", "Deployment"]).as_deref(),
            Some("kubernetes:apps/v1:Deployment")
        );
        assert_eq!(tok("aws", &["s3", "getBucket"]), None);
        assert_eq!(tok("aws", &["s3"]), None);
    }

    #[test]
    fn modules() {
        assert_eq!(
            typescript_module("@pulumi/aws"),
            Some(ImportTarget {
                package: "aws".into(),
                path: vec![]
            })
        );
        assert_eq!(
            typescript_module("@pulumi/aws/s3"),
            Some(ImportTarget {
                package: "aws".into(),
                path: vec!["s3".into()]
            })
        );
        assert_eq!(typescript_module("@pulumi/pulumi"), None);
        assert_eq!(typescript_module("aws-sdk"), None);
        assert_eq!(
            python_module("pulumi_aws.lambda_"),
            Some(ImportTarget {
                package: "aws".into(),
                path: vec!["lambda".into()]
            })
        );
        assert_eq!(
            python_module("pulumi_azure_native").map(|t| t.package),
            Some("azure-native".into())
        );
        assert_eq!(python_module("pulumi"), None);
        assert_eq!(python_module("boto3"), None);
    }
}
