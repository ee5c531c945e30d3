//! What a program declares about its dependencies: which packages it has, and which major
//! version of a provider it pins.
//!
//! A program's manifests (`package.json` and `package-lock.json`; `requirements.txt`,
//! `pyproject.toml`, `poetry.lock`, `uv.lock`, `Pipfile`, `setup.py`, `setup.cfg`) are found
//! walking up from one of its files to the repository root, never outside it: a committed
//! symlink must not make remedy read elsewhere. They are read as text, loosely: a manifest remedy
//! cannot read says nothing, and nothing here fails.

use std::path::Path;

use crate::Language;

/// Largest manifest read.
const MAX_MANIFEST_BYTES: u64 = 4 * 1024 * 1024;

/// The manifests of a program, nearest first, lock files before the manifests they lock.
fn names(language: Language) -> &'static [&'static str] {
    match language {
        Language::TypeScript => &["package-lock.json", "package.json"],
        Language::Python => &[
            "poetry.lock",
            "uv.lock",
            "requirements.txt",
            "pyproject.toml",
            "Pipfile",
            "setup.py",
            "setup.cfg",
        ],
    }
}

/// One manifest's text.
struct Manifest {
    name: &'static str,
    text: String,
}

/// The manifests a program file sees.
pub struct Manifests {
    language: Language,
    found: Vec<Manifest>,
}

impl Manifests {
    /// The manifests from `file`'s directory (relative to `root`) up to `root`.
    pub fn for_file(root: &Path, file: &str, language: Language) -> Self {
        let mut found = Vec::new();
        if let Ok(root) = root.canonicalize() {
            let mut dir = Path::new(file).parent();
            while let Some(relative) = dir {
                for name in names(language) {
                    if let Some(text) = read_confined(&root, &root.join(relative).join(name)) {
                        found.push(Manifest { name, text });
                    }
                }
                dir = relative.parent();
            }
        }
        Self { language, found }
    }

    /// Manifests given as text (for tests and callers that read a revision, not a work tree):
    /// `(file name, text)`, nearest first.
    pub fn from_texts(language: Language, texts: &[(&'static str, String)]) -> Self {
        Self {
            language,
            found: texts
                .iter()
                .map(|(name, text)| Manifest {
                    name,
                    text: text.clone(),
                })
                .collect(),
        }
    }

    /// Whether any manifest declares `package` (`@pulumi/aws`, `pulumi-aws`).
    pub fn declares(&self, package: &str) -> bool {
        let package = self.normalize(package);
        self.found
            .iter()
            .any(|m| self.version_in(m, &package).is_some() || self.mentions(m, &package))
    }

    /// The major version of `package` the program pins: from a lock file when there is one,
    /// else from the first version in its requirement (`^7.0.0`, `>=6.5,<7`, `==7.12.0`).
    pub fn major(&self, package: &str) -> Option<u32> {
        let package = self.normalize(package);
        self.found.iter().find_map(|m| {
            let version = self.version_in(m, &package)?;
            let digits: String = version
                .chars()
                .skip_while(|c| !c.is_ascii_digit())
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
    }

    fn normalize(&self, package: &str) -> String {
        match self.language {
            Language::TypeScript => package.to_string(),
            Language::Python => normalize_python(package),
        }
    }

    /// The version text a manifest gives `package`, if it names it with one.
    fn version_in(&self, manifest: &Manifest, package: &str) -> Option<String> {
        match manifest.name {
            "package-lock.json" => {
                let json: serde_json::Value = serde_json::from_str(&manifest.text).ok()?;
                json.get("packages")
                    .and_then(|p| p.get(format!("node_modules/{package}")))
                    .or_else(|| json.get("dependencies").and_then(|d| d.get(package)))
                    .and_then(|p| p.get("version"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            }
            "package.json" => {
                let json: serde_json::Value = serde_json::from_str(&manifest.text).ok()?;
                [
                    "dependencies",
                    "devDependencies",
                    "peerDependencies",
                    "optionalDependencies",
                ]
                .iter()
                .find_map(|section| json.get(section)?.get(package)?.as_str())
                .map(str::to_string)
            }
            "poetry.lock" | "uv.lock" => locked_version(&manifest.text, package),
            _ => requirement_version(&manifest.text, package),
        }
    }

    /// Whether a manifest names `package` at all (a requirement without a version).
    fn mentions(&self, manifest: &Manifest, package: &str) -> bool {
        match manifest.name {
            "package.json" | "package-lock.json" => false,
            _ => requirement_tokens(&manifest.text).any(|(token, _)| token == package),
        }
    }
}

/// Python distribution names compare with `_`, `-` and `.` alike, case-insensitively.
pub fn normalize_python(name: &str) -> String {
    name.trim().to_ascii_lowercase().replace(['_', '.'], "-")
}

/// `[[package]]\nname = "pulumi-aws"\nversion = "7.1.0"` in a lock file.
fn locked_version(text: &str, package: &str) -> Option<String> {
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let Some(name) = line.trim().strip_prefix("name = ") else {
            continue;
        };
        if normalize_python(name.trim_matches('"')) != package {
            continue;
        }
        return lines
            .take(3)
            .find_map(|l| l.trim().strip_prefix("version = "))
            .map(|v| v.trim_matches('"').to_string());
    }
    None
}

/// The version text after `package` in a requirement (`pulumi-aws>=7.0.0,<8`, `pulumi-aws =
/// "^7.0"`, `"pulumi_aws==6.83.0"`).
fn requirement_version(text: &str, package: &str) -> Option<String> {
    requirement_tokens(text).find_map(|(token, rest)| {
        (token == package)
            .then(|| rest.trim_start())
            .filter(|rest| {
                rest.starts_with(['=', '>', '<', '~', '^', '!'])
                    || rest.starts_with("= \"")
                    || rest.starts_with('"')
            })
            .map(|rest| rest.chars().take_while(|c| *c != '\n').collect())
    })
}

/// Every name-like token of a Python manifest, normalized, with the text after it on its line.
fn requirement_tokens(text: &str) -> impl Iterator<Item = (String, &str)> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or_default())
        .flat_map(|line| {
            let mut out = Vec::new();
            let mut start = None;
            for (i, c) in line
                .char_indices()
                .chain(std::iter::once((line.len(), ' ')))
            {
                let name_char = c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
                match (start, name_char) {
                    (None, true) => start = Some(i),
                    (Some(s), false) => {
                        out.push((normalize_python(&line[s..i]), &line[i..]));
                        start = None;
                    }
                    _ => {}
                }
            }
            out
        })
}

fn read_confined(root: &Path, path: &Path) -> Option<String> {
    let real = path.canonicalize().ok()?;
    if !real.starts_with(root) || !real.is_file() {
        return None;
    }
    if std::fs::metadata(&real).ok()?.len() > MAX_MANIFEST_BYTES {
        tracing::warn!(path = %real.display(), "manifest too large to read");
        return None;
    }
    std::fs::read_to_string(&real).ok()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

    use super::*;

    fn ts(texts: &[(&'static str, &str)]) -> Manifests {
        let texts: Vec<(&'static str, String)> =
            texts.iter().map(|(n, t)| (*n, (*t).to_string())).collect();
        Manifests::from_texts(Language::TypeScript, &texts)
    }

    fn py(texts: &[(&'static str, &str)]) -> Manifests {
        let texts: Vec<(&'static str, String)> =
            texts.iter().map(|(n, t)| (*n, (*t).to_string())).collect();
        Manifests::from_texts(Language::Python, &texts)
    }

    #[test]
    fn typescript_majors_from_the_lock_then_the_range() {
        let range = r#"{"dependencies": {"@pulumi/aws": "^7.0.0", "@pulumi/pulumi": "^3"}}"#;
        assert_eq!(ts(&[("package.json", range)]).major("@pulumi/aws"), Some(7));
        let lock = r#"{"packages": {"node_modules/@pulumi/aws": {"version": "6.83.0"}}}"#;
        assert_eq!(
            ts(&[("package-lock.json", lock), ("package.json", range)]).major("@pulumi/aws"),
            Some(6)
        );
        assert!(ts(&[("package.json", range)]).declares("@pulumi/aws"));
        assert!(!ts(&[("package.json", range)]).declares("@pulumi/awsx"));
        assert_eq!(ts(&[]).major("@pulumi/aws"), None);
    }

    #[test]
    fn python_majors_from_locks_and_requirements() {
        assert_eq!(
            py(&[(
                "requirements.txt",
                "pulumi>=3.0.0,<4.0.0\npulumi-aws>=7.0.0,<8.0.0\n"
            )])
            .major("pulumi_aws"),
            Some(7)
        );
        assert_eq!(
            py(&[("requirements.txt", "pulumi_aws==6.83.0 # pinned\n")]).major("pulumi-aws"),
            Some(6)
        );
        assert_eq!(
            py(&[(
                "pyproject.toml",
                "[tool.poetry.dependencies]\npython = \"^3.11\"\npulumi-aws = \"^7.2\"\n"
            )])
            .major("pulumi-aws"),
            Some(7)
        );
        assert_eq!(
            py(&[(
                "pyproject.toml",
                "[project]\ndependencies = [\"pulumi>=3\", \"pulumi-aws>=6.5,<7\"]\n"
            )])
            .major("pulumi-aws"),
            Some(6)
        );
        let lock = "[[package]]\nname = \"pulumi-aws\"\nversion = \"7.4.0\"\n";
        assert_eq!(
            py(&[("uv.lock", lock), ("requirements.txt", "pulumi-aws>=6\n")]).major("pulumi-aws"),
            Some(7)
        );
        // Named without a version: declared, major unknown.
        let bare = py(&[("requirements.txt", "pulumi\npulumi-aws\n")]);
        assert!(bare.declares("pulumi_aws"));
        assert_eq!(bare.major("pulumi-aws"), None);
        assert!(!bare.declares("pulumi-command"));
        // A comment is not a requirement.
        assert!(!py(&[("requirements.txt", "# pulumi-command\n")]).declares("pulumi-command"));
    }

    #[test]
    fn manifests_are_found_up_to_the_root_and_not_outside_it() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(
            outside.path().join("package.json"),
            r#"{"dependencies": {"@pulumi/aws": "5.0.0"}}"#,
        )
        .unwrap();
        let repo = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(repo.path().join("infra/stacks")).unwrap();
        std::fs::write(
            repo.path().join("infra/package.json"),
            r#"{"dependencies": {"@pulumi/aws": "7.12.0"}}"#,
        )
        .unwrap();
        let found = Manifests::for_file(repo.path(), "infra/stacks/index.ts", Language::TypeScript);
        assert_eq!(found.major("@pulumi/aws"), Some(7));
        std::os::unix::fs::symlink(
            outside.path().join("package.json"),
            repo.path().join("package.json"),
        )
        .unwrap();
        let found = Manifests::for_file(repo.path(), "index.ts", Language::TypeScript);
        assert_eq!(found.major("@pulumi/aws"), None);
    }
}
