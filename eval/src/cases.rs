//! Fix-quality cases: `<dir>/<case-id>/case.toml` plus the program in `<case-id>/before/`.
//!
//! ```toml
//! language = "typescript"              # or "python"
//! policy = "aws-s3-bucket-public-read" # the target policy id
//! resource = { type = "aws:s3/bucket:Bucket", name = "site" }
//! expect = "fixed"                     # or "needs_human" (not fixable in source)
//! keep = ["website.indexDocument"]     # optional: properties that must survive unchanged
//! shape = "inline-literal"             # optional: what the case exercises, for reports
//! values = { admin_cidr_blocks = ["10.0.0.0/8"] }   # optional: remedy.toml `[values]`
//! want = { "ingress[1].cidrBlocks" = ["10.0.0.0/8"] } # optional: values the fix must write
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum CaseError {
    #[error("{}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", .path.display())]
    Invalid { path: PathBuf, message: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CaseLanguage {
    Typescript,
    Python,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Expected {
    Fixed,
    NeedsHuman,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceSpec {
    #[serde(rename = "type")]
    pub type_token: String,
    /// The logical name, or the name expression for computed names.
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    language: CaseLanguage,
    policy: String,
    resource: ResourceSpec,
    expect: Expected,
    #[serde(default)]
    keep: Vec<String>,
    #[serde(default)]
    shape: Option<String>,
    /// Team values (`remedy.toml` `[values]`) the case runs with.
    #[serde(default)]
    values: BTreeMap<String, toml::Value>,
    /// Properties (paths as in `keep`) that must hold exactly these values after the fix.
    #[serde(default)]
    want: BTreeMap<String, toml::Value>,
}

/// A loaded case.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub dir: PathBuf,
    pub language: CaseLanguage,
    pub policy: String,
    pub resource: ResourceSpec,
    pub expect: Expected,
    pub keep: Vec<String>,
    pub shape: Option<String>,
    pub values: BTreeMap<String, serde_json::Value>,
    /// Properties that must hold exactly these values after the fix (for example where a team
    /// value must land).
    pub want: BTreeMap<String, serde_json::Value>,
    /// The program: (path relative to `before/`, text), sorted by path.
    pub files: Vec<(String, String)>,
}

/// Every case under `dir` (each subdirectory with a `case.toml`), sorted by id.
pub fn load(dir: &Path) -> Result<Vec<Case>, CaseError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CaseError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("case.toml").is_file())
        .collect();
    dirs.sort();
    if dirs.is_empty() {
        return Err(CaseError::Invalid {
            path: dir.to_path_buf(),
            message: "no cases (directories with a case.toml)".into(),
        });
    }
    dirs.iter().map(|d| load_case(d)).collect()
}

fn load_case(dir: &Path) -> Result<Case, CaseError> {
    let path = dir.join("case.toml");
    let text = std::fs::read_to_string(&path).map_err(|source| CaseError::Read {
        path: path.clone(),
        source,
    })?;
    let spec: CaseFile = toml::from_str(&text).map_err(|e| CaseError::Invalid {
        path: path.clone(),
        message: e.to_string(),
    })?;
    let before = dir.join("before");
    let mut files = Vec::new();
    collect(&before, &before, &mut files)?;
    if files.is_empty() {
        return Err(CaseError::Invalid {
            path: before,
            message: "no program files".into(),
        });
    }
    files.sort();
    let values = to_json(&path, "values", spec.values)?;
    let want = to_json(&path, "want", spec.want)?;
    Ok(Case {
        id: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        dir: dir.to_path_buf(),
        language: spec.language,
        policy: spec.policy,
        resource: spec.resource,
        expect: spec.expect,
        keep: spec.keep,
        shape: spec.shape,
        values,
        want,
        files,
    })
}

/// A TOML table of values as JSON values, as the source model and the recipes see them.
fn to_json(
    path: &Path,
    table: &str,
    values: BTreeMap<String, toml::Value>,
) -> Result<BTreeMap<String, serde_json::Value>, CaseError> {
    values
        .into_iter()
        .map(|(k, v)| {
            serde_json::to_value(&v)
                .map(|json| (k.clone(), json))
                .map_err(|e| CaseError::Invalid {
                    path: path.to_path_buf(),
                    message: format!("{table}.{k}: {e}"),
                })
        })
        .collect()
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) -> Result<(), CaseError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CaseError::Read {
        path: dir.to_path_buf(),
        source,
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        // What a tool or the desktop leaves beside the program (`.DS_Store`, `.git`, an editor's
        // swap file) is not part of it.
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            // Skipped as the audit's walker skips them: `__pycache__`, `node_modules`, a venv.
            if !remedy_source::is_skipped_path(&format!("{rel}/")) {
                collect(root, &path, out)?;
            }
            continue;
        }
        let text = std::fs::read_to_string(&path).map_err(|source| CaseError::Read {
            path: path.clone(),
            source,
        })?;
        out.push((rel, text));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn caches_and_desktop_files_beside_a_case_are_not_read() {
        let dir = tempfile::tempdir().unwrap();
        let case = dir.path().join("py-case");
        let before = case.join("before");
        std::fs::create_dir_all(before.join("__pycache__")).unwrap();
        std::fs::create_dir_all(before.join("lib/__pycache__")).unwrap();
        std::fs::create_dir_all(dir.path().join("__pycache__")).unwrap();
        std::fs::write(
            case.join("case.toml"),
            "language = \"python\"\npolicy = \"p\"\nresource = { type = \"aws:s3/bucket:Bucket\", name = \"b\" }\nexpect = \"fixed\"\n",
        )
        .unwrap();
        std::fs::write(before.join("__main__.py"), "import pulumi_aws\n").unwrap();
        std::fs::write(before.join("lib/util.py"), "X = 1\n").unwrap();
        // Compiled bytecode and Finder metadata are not UTF-8.
        let binary = [0x42u8, 0x0d, 0x0d, 0x0a, 0xff, 0xfe, 0x00];
        std::fs::write(before.join("__pycache__/__main__.cpython-312.pyc"), binary).unwrap();
        std::fs::write(before.join("lib/__pycache__/util.cpython-312.pyc"), binary).unwrap();
        std::fs::write(before.join(".DS_Store"), binary).unwrap();
        std::fs::write(case.join(".DS_Store"), binary).unwrap();
        std::fs::write(dir.path().join(".DS_Store"), binary).unwrap();

        let cases = load(dir.path()).unwrap();
        assert_eq!(cases.len(), 1);
        let files: Vec<&str> = cases[0].files.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(files, vec!["__main__.py", "lib/util.py"]);
    }
}
