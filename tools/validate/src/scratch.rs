//! A scratch copy of one program with a fix applied, removed when dropped.
//!
//! The program is the directory holding `Pulumi.yaml` (searched upward from the fixed file, no
//! higher than the repository root), else the fixed file's directory. Its files are copied;
//! nothing is read outside the repository root: a symlink whose target lies outside it is left
//! out. The program's dependency directories (`node_modules`, `.venv`, `venv`) are linked, not
//! copied or read: only the checker looks inside them.

use std::path::{Component, Path, PathBuf};

use tempfile::TempDir;

use crate::detect::DEPENDENCY_DIRS;
use crate::error::{ValidateError, io};

/// Most files copied from one program.
const MAX_FILES: usize = 20_000;
const SKIPPED: [&str; 3] = [".git", "__pycache__", ".pulumi"];

/// A program copied into a temporary directory.
#[derive(Debug)]
pub struct Scratch {
    dir: TempDir,
    program: PathBuf,
}

impl Scratch {
    /// Copy the program of `file` (relative to `root`) and write `text` as that file.
    pub fn create(root: &Path, file: &str, text: &str) -> Result<Self, ValidateError> {
        let root = root.canonicalize().map_err(io(root))?;
        let relative = confined(&root, file)?;
        let source = program_dir(&root, &relative);
        let dir = tempfile::Builder::new()
            .prefix("remedy-validate-")
            .tempdir()
            .map_err(io(&std::env::temp_dir()))?;
        let program = dir.path().join("program");
        std::fs::create_dir(&program).map_err(io(&program))?;
        let mut copied = 0;
        copy_tree(&root, &source, &program, &mut copied)?;
        // Dependencies a parent directory holds for the program are linked in too, so that
        // the checker resolves the same packages from the copy.
        if !program.join("node_modules").exists()
            && let Some(modules) = crate::detect::node_modules(&root, &source)
        {
            link(&modules, &program.join("node_modules"))?;
        }
        let inside = relative
            .strip_prefix(source.strip_prefix(&root).unwrap_or(Path::new("")))
            .unwrap_or(&relative)
            .to_path_buf();
        let fixed = program.join(inside);
        if let Some(parent) = fixed.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        // Written fresh: the copy may be a link to the repository's file.
        let _ = std::fs::remove_file(&fixed);
        std::fs::write(&fixed, text).map_err(io(&fixed))?;
        Ok(Self { dir, program })
    }

    /// The copied program's directory, where the checker runs.
    pub fn program(&self) -> &Path {
        &self.program
    }

    /// The temporary directory holding the copy (removed on drop).
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// `file` as a relative path with no `..`, no root and no prefix.
fn confined(root: &Path, file: &str) -> Result<PathBuf, ValidateError> {
    let path = Path::new(file);
    let clean = path
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !clean || file.is_empty() {
        return Err(ValidateError::OutsideRoot {
            path: path.to_path_buf(),
            root: root.to_path_buf(),
        });
    }
    Ok(path.components().collect())
}

/// The program directory of `file` (relative to `root`): the nearest directory up to `root`
/// that holds `Pulumi.yaml`, else the file's own directory. Absolute.
pub fn program_dir(root: &Path, file: &Path) -> PathBuf {
    let own = root.join(file.parent().unwrap_or(Path::new("")));
    let mut dir = Some(own.as_path());
    while let Some(d) = dir {
        if d.join("Pulumi.yaml").is_file() || d.join("Pulumi.yml").is_file() {
            return d.to_path_buf();
        }
        if d == root {
            break;
        }
        dir = d.parent().filter(|p| p.starts_with(root));
    }
    own
}

fn copy_tree(root: &Path, from: &Path, to: &Path, copied: &mut usize) -> Result<(), ValidateError> {
    let entries = std::fs::read_dir(from).map_err(io(from))?;
    for entry in entries {
        let entry = entry.map_err(io(from))?;
        let name = entry.file_name();
        let name_str = name.to_string_lossy();
        let source = entry.path();
        let target = to.join(&name);
        if SKIPPED.contains(&name_str.as_ref()) {
            continue;
        }
        if DEPENDENCY_DIRS.contains(&name_str.as_ref()) {
            link(&source, &target)?;
            continue;
        }
        let kind = entry.file_type().map_err(io(&source))?;
        let (kind, real) = if kind.is_symlink() {
            // Followed only when it stays inside the repository.
            match source.canonicalize() {
                Ok(real) if real.starts_with(root) => {
                    let meta = std::fs::metadata(&real).map_err(io(&real))?;
                    if meta.is_dir() {
                        // A linked directory could loop; the program's own tree is enough.
                        tracing::debug!(path = %source.display(), "linked directory left out of the scratch copy");
                        continue;
                    }
                    (meta.file_type(), real)
                }
                _ => {
                    tracing::debug!(path = %source.display(), "symlink out of the repository left out of the scratch copy");
                    continue;
                }
            }
        } else {
            (kind, source.clone())
        };
        if kind.is_dir() {
            std::fs::create_dir(&target).map_err(io(&target))?;
            copy_tree(root, &real, &target, copied)?;
        } else if kind.is_file() {
            *copied += 1;
            if *copied > MAX_FILES {
                return Err(ValidateError::TooLarge {
                    dir: from.to_path_buf(),
                    limit: MAX_FILES,
                });
            }
            std::fs::copy(&real, &target).map_err(io(&real))?;
        }
    }
    Ok(())
}

/// Link a dependency directory into the copy, where it really is.
fn link(source: &Path, target: &Path) -> Result<(), ValidateError> {
    let real = source.canonicalize().map_err(io(source))?;
    std::os::unix::fs::symlink(&real, target).map_err(io(target))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    #[test]
    fn the_program_is_copied_with_the_fix_and_removed_on_drop() {
        let root = tempfile::tempdir().unwrap();
        write(root.path(), "infra/Pulumi.yaml", "name: x\n");
        write(root.path(), "infra/src/index.ts", "before\n");
        write(root.path(), "infra/util.ts", "util\n");
        write(root.path(), "infra/node_modules/a/index.js", "");
        write(root.path(), "other/secret.ts", "no\n");
        let scratch = Scratch::create(root.path(), "infra/src/index.ts", "after\n").unwrap();
        let p = scratch.program().to_path_buf();
        assert_eq!(
            std::fs::read_to_string(p.join("src/index.ts")).unwrap(),
            "after\n"
        );
        assert_eq!(
            std::fs::read_to_string(p.join("util.ts")).unwrap(),
            "util\n"
        );
        assert!(
            p.join("node_modules")
                .symlink_metadata()
                .unwrap()
                .is_symlink()
        );
        assert!(!scratch.path().join("other").exists());
        assert_eq!(
            std::fs::read_to_string(root.path().join("infra/src/index.ts")).unwrap(),
            "before\n",
            "the repository is untouched"
        );
        let temp = scratch.path().to_path_buf();
        drop(scratch);
        assert!(!temp.exists());
    }

    #[test]
    fn symlinks_out_of_the_repository_are_not_followed() {
        let outside = tempfile::tempdir().unwrap();
        write(outside.path(), "secret.txt", "secret\n");
        let root = tempfile::tempdir().unwrap();
        write(root.path(), "index.ts", "x\n");
        std::os::unix::fs::symlink(
            outside.path().join("secret.txt"),
            root.path().join("leak.ts"),
        )
        .unwrap();
        let scratch = Scratch::create(root.path(), "index.ts", "y\n").unwrap();
        assert!(!scratch.program().join("leak.ts").exists());
        assert!(Scratch::create(root.path(), "../x.ts", "y").is_err());
        assert!(Scratch::create(root.path(), "/etc/passwd", "y").is_err());
    }

    #[test]
    fn without_pulumi_yaml_the_program_is_the_files_directory() {
        let root = Path::new("/r");
        assert_eq!(
            program_dir(root, Path::new("a/b/c.ts")),
            Path::new("/r/a/b")
        );
        assert_eq!(program_dir(root, Path::new("c.ts")), Path::new("/r"));
    }
}
