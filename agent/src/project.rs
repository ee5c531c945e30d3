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

/// The root for several paths: their common root when they share one (one git work tree), else
/// the deepest directory holding every path's root. With one path it is [`root_of`]; without
/// git, `remedy audit infra/ts infra/py` names files `ts/…` and `py/…`, relative to `infra`,
/// as `remedy audit infra` would name them.
pub fn root_of_all(paths: &[PathBuf]) -> PathBuf {
    let mut roots = paths.iter().map(|p| root_of(p));
    let first = roots.next().unwrap_or_else(|| root_of(Path::new(".")));
    roots.fold(first, |common, root| {
        common
            .ancestors()
            .find(|dir| root.starts_with(dir))
            .map_or_else(PathBuf::new, Path::to_path_buf)
    })
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
    fn several_paths_share_the_deepest_common_root() {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["infra/ts/lib", "infra/py"] {
            std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        }
        std::fs::write(dir.path().join("infra/py/__main__.py"), "").unwrap();
        let infra = dir.path().join("infra");
        let root = root_of_all(&[infra.join("ts/lib"), infra.join("py/__main__.py")]);
        assert_eq!(root, infra);
        assert_eq!(
            relative(&root, &infra.join("ts/lib/index.ts")),
            "ts/lib/index.ts"
        );
        assert_eq!(root_of_all(&[infra.join("ts")]), infra.join("ts"));

        std::fs::create_dir_all(dir.path().join(".git")).unwrap();
        let root = root_of_all(&[infra.join("ts"), infra.join("py")]);
        assert_eq!(root, dir.path());
    }

    #[test]
    fn without_git_the_directory_is_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let root = root_of(dir.path());
        assert_eq!(root, dir.path());
        assert_eq!(relative(&root, &dir.path().join("a/../b.py")), "b.py");
    }
}
