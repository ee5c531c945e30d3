use std::path::PathBuf;

/// Why policies could not be loaded. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("{}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no .rego files found", .0.display())]
    EmptyPack(PathBuf),
    #[error("{}: not read as a policy pack: {reason}", .path.display())]
    Unsafe { path: PathBuf, reason: String },
    #[error("{location}: invalid Rego: {message}")]
    Parse { location: String, message: String },
    #[error("{file}:{line}: invalid policy metadata: {message}")]
    Metadata {
        file: String,
        line: usize,
        message: String,
    },
    #[error("policy id `{id}` is defined twice: in {first} and in {second}")]
    Duplicate {
        id: String,
        first: String,
        second: String,
    },
}

impl PolicyError {
    /// regorus reports `--> file:line:col`, a source excerpt, then `error: message`; keep the
    /// location and the message on one line.
    pub(crate) fn from_regorus(file: &str, report: &str) -> Self {
        let location = report
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("--> "))
            .map_or_else(|| file.to_string(), |l| l.trim().to_string());
        let message = report
            .lines()
            .find_map(|l| l.trim_start().strip_prefix("error: "))
            .unwrap_or(report.trim())
            .to_string();
        Self::Parse { location, message }
    }
}

/// A policy failed while evaluating one resource (a builtin error, a time limit).
#[derive(Debug, Clone, thiserror::Error)]
#[error("policy {policy} failed: {message}")]
pub struct EvalError {
    pub policy: String,
    pub message: String,
}
