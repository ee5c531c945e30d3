//! Which checker a program has: `tsc` when TypeScript is in its `node_modules` (the program's
//! or a parent's, up to the repository root), `pyright` or `mypy` when its virtual environment
//! or PATH has one. Nothing is installed and nothing is guessed: no checker, no check.

use std::path::{Path, PathBuf};

/// A checker found for a program: what to run, in the program's directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checker {
    /// The program (an absolute path when found on disk) and its arguments.
    pub argv: Vec<String>,
}

impl Checker {
    /// As a person would type it (`tsc --noEmit -p .`).
    pub fn display(&self) -> String {
        crate::run::display(&self.argv)
    }
}

/// Directories that are never a program's own source.
pub(crate) const DEPENDENCY_DIRS: [&str; 3] = ["node_modules", ".venv", "venv"];
const SKIPPED_DIRS: [&str; 4] = [".git", "__pycache__", ".pulumi", "target"];

/// The checkers for the program in `program` (a directory inside `root`).
pub fn detect(root: &Path, program: &Path) -> Vec<Checker> {
    let mut checkers = Vec::new();
    let files = source_files(program);
    let ts: Vec<&String> = files.iter().filter(|f| is_typescript(f)).collect();
    if !ts.is_empty()
        && let Some(tsc) = find_up(root, program, "node_modules/.bin/tsc")
    {
        let mut argv = vec![
            path_string(&tsc),
            "--noEmit".into(),
            "--pretty".into(),
            "false".into(),
        ];
        if program.join("tsconfig.json").is_file() {
            argv.extend(["-p".into(), ".".into()]);
        } else {
            argv.push("--skipLibCheck".into());
            argv.extend(ts.iter().map(|f| (*f).clone()));
        }
        checkers.push(Checker { argv });
    }
    let py: Vec<&String> = files.iter().filter(|f| f.ends_with(".py")).collect();
    if !py.is_empty() {
        let venv = [".venv", "venv"]
            .iter()
            .map(|v| program.join(v))
            .find(|v| v.join("bin").is_dir());
        let local = |name: &str| {
            venv.as_ref()
                .map(|v| v.join("bin").join(name))
                .filter(|p| p.is_file())
        };
        let python = venv
            .as_ref()
            .map(|v| v.join("bin/python"))
            .filter(|p| p.exists());
        if let Some(pyright) = local("pyright").or_else(|| on_path("pyright")) {
            let mut argv = vec![path_string(&pyright)];
            if let Some(python) = &python {
                argv.extend(["--pythonpath".into(), path_string(python)]);
            }
            argv.extend(py.iter().map(|f| (*f).clone()));
            checkers.push(Checker { argv });
        } else if let Some(mypy) = local("mypy").or_else(|| on_path("mypy")) {
            let mut argv = vec![
                path_string(&mypy),
                "--no-color-output".into(),
                "--no-error-summary".into(),
            ];
            if let Some(python) = &python {
                argv.extend(["--python-executable".into(), path_string(python)]);
            }
            argv.extend(py.iter().map(|f| (*f).clone()));
            checkers.push(Checker { argv });
        }
    }
    checkers
}

fn is_typescript(file: &str) -> bool {
    file.ends_with(".ts") || file.ends_with(".tsx")
}

fn path_string(path: &Path) -> String {
    path.to_string_lossy().into_owned()
}

/// `relative` in `program` or one of its parents, stopping at `root`.
fn find_up(root: &Path, program: &Path, relative: &str) -> Option<PathBuf> {
    let mut dir = Some(program);
    while let Some(d) = dir {
        let candidate = d.join(relative);
        if candidate.is_file() {
            return Some(candidate);
        }
        if d == root {
            break;
        }
        dir = d.parent().filter(|p| p.starts_with(root));
    }
    None
}

/// The nearest `node_modules` directory of `program`, up to `root`.
pub(crate) fn node_modules(root: &Path, program: &Path) -> Option<PathBuf> {
    let mut dir = Some(program);
    while let Some(d) = dir {
        let candidate = d.join("node_modules");
        if candidate.is_dir() {
            return Some(candidate);
        }
        if d == root {
            break;
        }
        dir = d.parent().filter(|p| p.starts_with(root));
    }
    None
}

fn on_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// The program's source files (TypeScript and Python), relative to `program`, sorted; its
/// dependency directories, hidden directories and symlinks are skipped.
pub(crate) fn source_files(program: &Path) -> Vec<String> {
    let mut files = Vec::new();
    let mut stack = vec![PathBuf::new()];
    while let Some(relative) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(program.join(&relative)) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = relative.join(&name);
            if kind.is_dir() {
                if !name.starts_with('.')
                    && !DEPENDENCY_DIRS.contains(&name.as_str())
                    && !SKIPPED_DIRS.contains(&name.as_str())
                {
                    stack.push(path);
                }
            } else if kind.is_file()
                && (is_typescript(&name) || name.ends_with(".py"))
                && !name.ends_with(".d.ts")
            {
                files.push(path.to_string_lossy().into_owned());
            }
        }
    }
    files.sort();
    files
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
    fn no_checker_without_typescript_in_node_modules() {
        let root = tempfile::tempdir().unwrap();
        write(root.path(), "index.ts", "export {};\n");
        assert!(detect(root.path(), root.path()).is_empty());
    }

    #[test]
    fn tsc_from_a_parent_node_modules_with_the_files_when_there_is_no_tsconfig() {
        let root = tempfile::tempdir().unwrap();
        write(root.path(), "node_modules/.bin/tsc", "");
        write(root.path(), "infra/index.ts", "export {};\n");
        write(root.path(), "infra/lib/util.ts", "export {};\n");
        write(root.path(), "infra/node_modules/x/index.ts", "");
        let program = root.path().join("infra");
        let found = detect(root.path(), &program);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].display(),
            "tsc --noEmit --pretty false --skipLibCheck index.ts lib/util.ts"
        );
        write(&program, "tsconfig.json", "{}");
        assert_eq!(
            detect(root.path(), &program)[0].display(),
            "tsc --noEmit --pretty false -p ."
        );
    }

    #[test]
    fn a_python_checker_from_the_programs_virtualenv() {
        let root = tempfile::tempdir().unwrap();
        write(root.path(), "__main__.py", "import pulumi\n");
        write(root.path(), ".venv/bin/mypy", "");
        write(root.path(), ".venv/lib/site.py", "");
        let found = detect(root.path(), root.path());
        // pyright on the machine's PATH wins over the virtualenv's mypy.
        let expected = if on_path("pyright").is_some() {
            "pyright"
        } else {
            "mypy"
        };
        assert!(found[0].display().starts_with(expected), "{found:?}");
        assert!(
            found[0].argv.ends_with(&["__main__.py".to_string()]),
            "{found:?}"
        );
    }
}
