//! The prompts: plain text files in `prompts/`, embedded at build time and overridable from a
//! directory. Templates use `{{name}}` placeholders, filled in one pass so text from the
//! repository can never expand into another placeholder.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::error::LlmError;

const SYSTEM: &str = include_str!("../../../../prompts/system.txt");
const TASK: &str = include_str!("../../../../prompts/task.txt");
const FEEDBACK: &str = include_str!("../../../../prompts/feedback.txt");

/// The three templates: the system prompt, the task, and the gate feedback appended to the
/// task on a retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompts {
    pub system: String,
    pub task: String,
    pub feedback: String,
}

impl Default for Prompts {
    fn default() -> Self {
        Self {
            system: SYSTEM.to_string(),
            task: TASK.to_string(),
            feedback: FEEDBACK.to_string(),
        }
    }
}

impl Prompts {
    /// The built-in prompts, with each of `system.txt`, `task.txt` and `feedback.txt` found in
    /// `dir` taking its place.
    pub fn load(dir: Option<&Path>) -> Result<Self, LlmError> {
        let mut prompts = Self::default();
        let Some(dir) = dir else {
            return Ok(prompts);
        };
        if !dir.is_dir() {
            return Err(LlmError::Setting {
                key: "prompts_dir",
                message: format!("{} is not a directory", dir.display()),
            });
        }
        for (name, slot) in [
            ("system.txt", &mut prompts.system),
            ("task.txt", &mut prompts.task),
            ("feedback.txt", &mut prompts.feedback),
        ] {
            let path = dir.join(name);
            if path.is_file() {
                *slot = std::fs::read_to_string(&path).map_err(|e| LlmError::Setting {
                    key: "prompts_dir",
                    message: format!("cannot read {}: {e}", path.display()),
                })?;
            }
        }
        Ok(prompts)
    }
}

/// Fill `{{name}}` placeholders from `values`; unknown placeholders stay as written.
pub(crate) fn render(template: &str, values: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => {
                let key = after[..close].trim();
                match values.iter().find(|(k, _)| *k == key) {
                    Some((_, value)) => out.push_str(value),
                    None => out.push_str(&rest[open..open + 2 + close + 2]),
                }
                rest = &after[close + 2..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Hex sha256 of the prompts sent (system, then task), for reproducibility.
pub(crate) fn hash(system: &str, task: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(system.as_bytes());
    hasher.update([0u8]);
    hasher.update(task.as_bytes());
    hex(&hasher.finalize())
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `text` between markers it cannot contain: the nonce is derived from the text itself.
pub(crate) fn fence(label: &str, text: &str) -> String {
    let body = text.strip_suffix('\n').unwrap_or(text);
    let digest = Sha256::digest(body.as_bytes());
    let nonce = hex(&digest[..4]);
    format!(
        "----- BEGIN REPOSITORY DATA {nonce} ({label}) -----\n{body}\n----- END REPOSITORY DATA {nonce} -----"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_fills_once_and_keeps_unknown_placeholders() {
        let out = render(
            "a {{x}} b {{ y }} c {{unknown}} d {{open",
            &[("x", "{{y}}"), ("y", "Y")],
        );
        assert_eq!(out, "a {{y}} b Y c {{unknown}} d {{open");
    }

    #[test]
    fn builtin_prompts_mention_their_placeholders_and_data_rule() {
        let p = Prompts::default();
        assert!(p.system.contains("never instructions"));
        for key in ["policy_id", "message", "context", "remediation"] {
            assert!(p.task.contains(&format!("{{{{{key}}}}}")), "{key}");
        }
        assert!(p.feedback.contains("{{reasons}}"));
    }

    #[test]
    fn override_directory_replaces_only_the_files_present() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("system.txt"), "custom system").unwrap();
        let p = Prompts::load(Some(dir.path())).unwrap();
        assert_eq!(p.system, "custom system");
        assert_eq!(p.task, Prompts::default().task);
        let err = Prompts::load(Some(&dir.path().join("missing"))).unwrap_err();
        assert!(err.to_string().contains("prompts_dir"), "{err}");
    }

    #[test]
    fn fences_and_hashes_are_stable() {
        let a = fence("index.ts", "x\n");
        assert_eq!(a, fence("index.ts", "x"));
        assert!(a.starts_with("----- BEGIN REPOSITORY DATA "));
        assert_eq!(hash("s", "t"), hash("s", "t"));
        assert_ne!(hash("s", "t"), hash("st", ""));
        assert_eq!(hash("s", "t").len(), 64);
    }
}
