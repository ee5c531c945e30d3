//! `remedy` as the command-line tests run it, the same way in every suite.

use std::path::Path;
use std::process::Command;

/// Variables from the environment that runs the tests that would change what `remedy` does:
/// every `REMEDY_*`, and the forge's and the LLM's settings and keys.
const SCRUBBED: [&str; 3] = ["GITHUB_TOKEN", "GITHUB_API_URL", "OPENAI_API_KEY"];

/// The `remedy` binary of the package under test, run in `dir`: no colour, no log filter, and
/// none of the environment's `REMEDY_*`, GitHub or LLM settings nor the user's own remedy
/// config (a test sets what it needs).
pub fn remedy(dir: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("remedy").unwrap_or_else(|err| {
        panic!("the remedy binary is built with the package's integration tests: {err}")
    });
    scrub(cmd.current_dir(dir));
    cmd
}

/// [`remedy`] as a plain process, for one that runs beside the test (a daemon).
pub fn remedy_process(bin: &Path, dir: &Path) -> Command {
    let mut cmd = Command::new(bin);
    cmd.current_dir(dir);
    for (key, _) in std::env::vars_os() {
        if is_scrubbed(&key.to_string_lossy()) {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", NO_USER_CONFIG);
    cmd
}

fn scrub(cmd: &mut assert_cmd::Command) {
    for (key, _) in std::env::vars_os() {
        if is_scrubbed(&key.to_string_lossy()) {
            cmd.env_remove(key);
        }
    }
    cmd.env("NO_COLOR", "1")
        .env("XDG_CONFIG_HOME", NO_USER_CONFIG);
}

/// Where the runs look for the operator's own config: nowhere that exists.
const NO_USER_CONFIG: &str = "/nonexistent/remedy-tests";

fn is_scrubbed(key: &str) -> bool {
    key.starts_with("REMEDY_") || SCRUBBED.contains(&key)
}
