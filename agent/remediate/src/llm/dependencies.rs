//! Which packages a program depends on, so that `add_import` adds only an import of a provider
//! package the program already has.
//!
//! The edit engine already refuses anything but one import of a Pulumi package; this narrows it
//! to packages the program declares (its manifests, [`Manifests`]) or already imports in the
//! file. A fix must not pull a package nobody reviewed into the build,
//! even one named `pulumi_…`: a name on a registry is not a provider.

use std::path::Path;

use remedy_source::edit::{Construct, Document};
use remedy_source::manifest::{Manifests, normalize_python};
use remedy_source::{Language, Span};

/// The modules `statement` imports (one import statement), or why it is not one.
pub(crate) fn imported_modules(language: Language, file: &str, statement: &str) -> Vec<String> {
    let alone = Document::new(language, Path::new(file), statement.to_string());
    let whole = [Span {
        start: 0,
        end: statement.len(),
    }];
    alone
        .constructs(&whole)
        .into_iter()
        .filter_map(|found| match found.construct {
            Construct::Import { module, .. } => Some(module),
            _ => None,
        })
        .flat_map(|modules| {
            modules
                .split(", ")
                .map(str::to_string)
                .collect::<Vec<String>>()
        })
        .collect()
}

/// Why the program holding `document` may not import `module`, or `Ok` when it depends on the
/// module's package already.
pub(crate) fn check(
    root: &Path,
    document: &Document,
    file: &str,
    module: &str,
) -> Result<(), String> {
    let language = document.language();
    let package = package_of(language, module);
    if is_core(language, &package) {
        return Ok(());
    }
    let already_imported = document
        .constructs(&[Span {
            start: 0,
            end: document.text().len(),
        }])
        .into_iter()
        .any(|found| match found.construct {
            Construct::Import { module, .. } => module
                .split(", ")
                .any(|m| package_of(language, m) == package),
            _ => false,
        });
    if already_imported {
        return Ok(());
    }
    let declared = Manifests::for_file(root, file, language).declares(&package);
    if declared {
        return Ok(());
    }
    Err(format!(
        "the program does not depend on `{package}` (no import of it in {file} and no manifest \
         declaring it); a fix may import only packages the program already uses"
    ))
}

/// The package a module comes from: `@pulumi/aws/s3` → `@pulumi/aws`; `pulumi_aws.s3` →
/// `pulumi-aws` (Python distribution names compare with `_` and `-` alike, case-insensitive).
fn package_of(language: Language, module: &str) -> String {
    match language {
        Language::TypeScript => {
            let mut parts = module.split('/');
            let first = parts.next().unwrap_or_default();
            if first.starts_with('@') {
                format!("{first}/{}", parts.next().unwrap_or_default())
            } else {
                first.to_string()
            }
        }
        Language::Python => normalize_python(module.split('.').next().unwrap_or_default()),
    }
}

/// The Pulumi SDK itself: every program depends on it.
fn is_core(language: Language, package: &str) -> bool {
    match language {
        Language::TypeScript => package == "@pulumi/pulumi",
        Language::Python => package == "pulumi",
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

    use super::*;

    fn document(language: Language, file: &str, text: &str) -> Document {
        Document::new(language, Path::new(file), text.to_string())
    }

    #[test]
    fn packages_by_module() {
        assert_eq!(
            package_of(Language::TypeScript, "@pulumi/aws/s3"),
            "@pulumi/aws"
        );
        assert_eq!(
            package_of(Language::TypeScript, "@pulumi/aws"),
            "@pulumi/aws"
        );
        assert_eq!(package_of(Language::Python, "pulumi_aws.s3"), "pulumi-aws");
        assert_eq!(package_of(Language::Python, "Pulumi_AWS"), "pulumi-aws");
    }

    #[test]
    fn a_declared_or_imported_package_may_be_imported_and_nothing_else() {
        let repo = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(repo.path().join("infra")).unwrap();
        std::fs::write(
            repo.path().join("infra/package.json"),
            r#"{"dependencies": {"@pulumi/aws": "7.12.0", "@pulumi/pulumi": "3.200.0"}}"#,
        )
        .unwrap();
        let ts = document(Language::TypeScript, "infra/index.ts", "const x = 1;\n");
        assert!(check(repo.path(), &ts, "infra/index.ts", "@pulumi/aws").is_ok());
        assert!(check(repo.path(), &ts, "infra/index.ts", "@pulumi/pulumi").is_ok());
        let err = check(repo.path(), &ts, "infra/index.ts", "@pulumi/command").unwrap_err();
        assert!(
            err.contains("does not depend on `@pulumi/command`"),
            "{err}"
        );

        std::fs::write(
            repo.path().join("requirements.txt"),
            "pulumi>=3.0.0,<4.0.0\npulumi-aws==7.12.0 # the provider\n# pulumi_command\n",
        )
        .unwrap();
        let py = document(Language::Python, "infra/__main__.py", "import pulumi\n");
        assert!(check(repo.path(), &py, "infra/__main__.py", "pulumi_aws.s3").is_ok());
        let err = check(repo.path(), &py, "infra/__main__.py", "pulumi_command").unwrap_err();
        assert!(err.contains("pulumi-command"), "{err}");
        // Imported already in the file: the program has it.
        let imports = document(
            Language::Python,
            "infra/__main__.py",
            "import pulumi_random as random\n",
        );
        assert!(check(repo.path(), &imports, "infra/__main__.py", "pulumi_random").is_ok());
    }

    #[test]
    fn a_manifest_outside_the_repository_is_not_read() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(
            outside.path().join("package.json"),
            r#"{"dependencies": {"@pulumi/command": "1.0.0"}}"#,
        )
        .unwrap();
        let repo = tempfile::tempdir().unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("package.json"),
            repo.path().join("package.json"),
        )
        .unwrap();
        let ts = document(Language::TypeScript, "index.ts", "");
        assert!(check(repo.path(), &ts, "index.ts", "@pulumi/command").is_err());
    }

    #[test]
    fn modules_of_an_import_statement() {
        assert_eq!(
            imported_modules(
                Language::TypeScript,
                "index.ts",
                "import * as aws from \"@pulumi/aws\";"
            ),
            ["@pulumi/aws"]
        );
        assert_eq!(
            imported_modules(Language::Python, "m.py", "from pulumi_aws import s3"),
            ["pulumi_aws"]
        );
    }
}
