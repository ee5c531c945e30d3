use std::path::PathBuf;

/// Why a checker could not be run. Every variant names the command or the path.
#[derive(Debug, thiserror::Error)]
pub enum ValidateError {
    #[error("an empty validate command; give a program and its arguments")]
    EmptyCommand,
    #[error("cannot split the validate command `{0}` into words (an unclosed quote?)")]
    BadCommand(String),
    #[error("cannot run `{program}`: {source} (is it installed and on PATH?)")]
    Spawn {
        program: String,
        source: std::io::Error,
    },
    #[error("waiting for `{program}` failed: {source}")]
    Wait {
        program: String,
        source: std::io::Error,
    },
    #[error("{} is outside the repository root {}", .path.display(), .root.display())]
    OutsideRoot { path: PathBuf, root: PathBuf },
    #[error("the program in {} has more than {limit} files; too many to copy for validation", .dir.display())]
    TooLarge { dir: PathBuf, limit: usize },
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

pub(crate) fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> ValidateError + use<> {
    let path = path.to_path_buf();
    move |source| ValidateError::Io { path, source }
}
