//! The project being audited: its root (the enclosing git work tree, or the directory given)
//! and paths relative to it, which is how files are named in reports and fingerprints.

use std::path::{Component, Path, PathBuf};

/// The root for `path`: the nearest ancestor holding `.git`, else the directory itself
/// (or the file's directory).
pub fn root_of(path: &Path) -> PathBuf {
    let absolute = absolute(path);
    let start = if absolute.is_file() {
        absolute.parent().map(Path::to_path_buf).unwrap_or_default()
    } else {
        absolute
    };
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map_or(start.clone(), Path::to_path_buf)
}

/// `path` relative to `root` with `/` separators; the path as given when it lies outside.
pub fn relative(root: &Path, path: &Path) -> String {
    let absolute = absolute(path);
    let rel = absolute.strip_prefix(root).unwrap_or(path);
    rel.components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy()),
            Component::RootDir => Some("".into()),
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// An absolute, lexically normalised path (no symlink resolution: reports name files the way
/// the user reached them).
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_is_the_git_work_tree() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        std::fs::create_dir_all(dir.path().join("infra/prod")).unwrap();
        let root = root_of(&dir.path().join("infra/prod"));
        assert_eq!(root, dir.path());
        assert_eq!(
            relative(&root, &dir.path().join("infra/prod/index.ts")),
            "infra/prod/index.ts"
        );
    }

    #[test]
    fn without_git_the_directory_is_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = root_of(dir.path());
        assert_eq!(root, dir.path());
        assert_eq!(relative(&root, &dir.path().join("a/../b.py")), "b.py");
    }
}
