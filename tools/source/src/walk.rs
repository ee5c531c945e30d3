//! Finding the program files to read: in parallel, honouring `.gitignore`, skipping dependencies,
//! virtual environments and build output.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use ignore::{DirEntry, WalkBuilder, WalkState};

use crate::parse::Language;

/// Directories that hold someone else's code or generated files, never the program.
const SKIP_DIRS: &[&str] = &[
    "node_modules",
    "venv",
    ".venv",
    "__pycache__",
    "site-packages",
    ".pulumi",
    ".git",
    ".tox",
    ".mypy_cache",
    ".pytest_cache",
    "dist",
    "build",
    "target",
    "cdk.out",
];

#[derive(Debug, thiserror::Error)]
pub enum WalkError {
    #[error("{}: no such file or directory", .0.display())]
    NotFound(PathBuf),
    #[error("{}: {}", .path.display(), .message)]
    Unreadable { path: PathBuf, message: String },
}

/// The TypeScript and Python files under `paths` (files given by name are taken as they are),
/// sorted and without duplicates.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, WalkError> {
    let mut found = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => WalkError::NotFound(path.clone()),
            _ => WalkError::Unreadable {
                path: path.clone(),
                message: e.to_string(),
            },
        })?;
        if meta.is_file() {
            if Language::from_path(path).is_some() {
                found.push(path.clone());
            }
            continue;
        }
        found.extend(walk_dir(path));
    }
    found.sort();
    found.dedup();
    Ok(found)
}

fn walk_dir(root: &Path) -> Vec<PathBuf> {
    let files = Mutex::new(Vec::new());
    WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .filter_entry(|entry| !is_skipped_dir(entry))
        .build_parallel()
        .run(|| {
            Box::new(|entry| {
                match entry {
                    Ok(entry) => {
                        let is_file = entry.file_type().is_some_and(|t| t.is_file());
                        if is_file
                            && Language::from_path(entry.path()).is_some()
                            && let Ok(mut files) = files.lock()
                        {
                            files.push(entry.into_path());
                        }
                    }
                    // A symlink loop or an unreadable directory deep in the tree is worth a
                    // warning, not the whole run.
                    Err(err) => tracing::warn!("skipping: {err}"),
                }
                WalkState::Continue
            })
        });
    files.into_inner().unwrap_or_default()
}

/// Whether a repository-relative path lies in a directory the walker skips (dependencies,
/// virtual environments, build output). For paths that do not come from a directory walk, such
/// as a git tree listing.
pub fn is_skipped_path(rel: &str) -> bool {
    let mut parts: Vec<&str> = rel.split('/').collect();
    parts.pop();
    parts
        .iter()
        .any(|p| SKIP_DIRS.contains(p) || p.starts_with('.') && *p != "." && *p != "..")
}

fn is_skipped_dir(entry: &DirEntry) -> bool {
    if !entry.file_type().is_some_and(|t| t.is_dir()) || entry.depth() == 0 {
        return false;
    }
    let name = entry.file_name().to_string_lossy();
    // Any virtual environment, whatever it is called, has a pyvenv.cfg.
    SKIP_DIRS.contains(&name.as_ref()) || entry.path().join("pyvenv.cfg").is_file()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn finds_programs_and_skips_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let write = |rel: &str| {
            let p = root.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, "x").unwrap();
        };
        write("index.ts");
        write("infra/__main__.py");
        write("infra/types.d.ts");
        write("node_modules/@pulumi/aws/index.ts");
        write("venv/lib/thing.py");
        write("myenv/pyvenv.cfg");
        write("myenv/lib/other.py");
        write("ignored/secret.ts");
        write("README.md");
        fs::write(root.join(".gitignore"), "ignored/\n").unwrap();

        let found = discover(&[root.to_path_buf()]).unwrap();
        let rel: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(rel, vec!["index.ts", "infra/__main__.py"]);
    }

    #[test]
    fn skipped_paths() {
        assert!(is_skipped_path("node_modules/x/index.ts"));
        assert!(is_skipped_path("app/venv/lib/a.py"));
        assert!(is_skipped_path(".hidden/a.ts"));
        assert!(!is_skipped_path("infra/prod/index.ts"));
        assert!(!is_skipped_path("index.ts"));
    }

    #[test]
    fn missing_path_is_an_error() {
        let err = discover(&[PathBuf::from("/definitely/not/here")]).unwrap_err();
        assert!(err.to_string().contains("no such file"), "{err}");
    }
}
