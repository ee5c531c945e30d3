//! The check itself: the checker on the program before and after the fix, and only the errors
//! the fix introduces count.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

use crate::detect::detect;
use crate::error::ValidateError;
use crate::run::{Command, Output};
use crate::scratch::{Scratch, program_dir};

/// How long one checker run may take unless configured.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(120);

/// Error lines shown in the evidence.
const SHOWN: usize = 3;
/// Unfixed programs whose checker results are kept.
const CACHED: usize = 64;

/// How the check is set up.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The commands to run, each a command line split without a shell; `None` detects the
    /// checker per program, an empty list turns the check off.
    pub commands: Option<Vec<String>>,
    /// How long one run of one command may take.
    pub timeout: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            commands: None,
            timeout: DEFAULT_TIMEOUT,
        }
    }
}

/// What the check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// No checker reported an error the fix introduced.
    Passed,
    /// The fix introduced errors (the first few, or why the check could not be run).
    Failed {
        first_errors: Vec<String>,
        count: usize,
    },
    /// No checker ran.
    NotTypeChecked { why: String },
}

/// One fix's validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validation {
    pub outcome: Outcome,
    /// The commands run, as a person would type them (empty when none ran).
    pub command: String,
    pub elapsed: Duration,
}

impl Validation {
    /// Whether the fix may go on: a failure rejects it; not type-checked does not.
    pub fn passed(&self) -> bool {
        !matches!(self.outcome, Outcome::Failed { .. })
    }

    /// One line for the gate evidence in the commit and the PR.
    pub fn evidence(&self) -> String {
        let secs = self.elapsed.as_secs_f64();
        match &self.outcome {
            Outcome::Passed => format!("{} passed in {secs:.1} s", self.command),
            Outcome::Failed {
                first_errors,
                count,
            } => {
                let noun = if *count == 1 { "error" } else { "errors" };
                format!(
                    "{count} new {noun} from {} in {secs:.1} s: {}",
                    self.command,
                    first_errors.join(" | ")
                )
            }
            Outcome::NotTypeChecked { why } => format!("not type-checked ({why})"),
        }
    }
}

/// What a checker said about a program: whether it passed, and its error lines, normalised.
#[derive(Debug, Clone)]
struct Report {
    passed: bool,
    errors: Vec<String>,
    /// The lines as printed (scratch paths stripped), parallel to `errors`.
    shown: Vec<String>,
    /// Why it could not judge (a timeout, a missing program), if so.
    broken: Option<String>,
}

/// The program, the command, the fixed file and a hash of its unfixed text.
type Key = (PathBuf, Vec<String>, String, [u8; 32]);

/// Runs the team's checker on fixed programs; shareable across workers.
#[derive(Debug, Default)]
pub struct Validator {
    settings: Settings,
    before: Mutex<HashMap<Key, Arc<Report>>>,
}

impl Validator {
    pub fn new(settings: Settings) -> Self {
        Self {
            settings,
            before: Mutex::new(HashMap::new()),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Validate the fix of `file` (relative to `root`) from `before` to `after`. The other files
    /// of its program are read from `root`. Blocking: it runs processes.
    pub fn validate(&self, root: &Path, file: &str, before: &str, after: &str) -> Validation {
        let started = Instant::now();
        let done = |outcome, command: String| Validation {
            outcome,
            command,
            elapsed: started.elapsed(),
        };
        let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let program = program_dir(&real_root, Path::new(file));
        let commands: Vec<Vec<String>> = match &self.settings.commands {
            Some(lines) if lines.is_empty() => {
                return done(
                    Outcome::NotTypeChecked {
                        why: "the check is turned off".into(),
                    },
                    String::new(),
                );
            }
            Some(lines) => {
                let mut argvs = Vec::new();
                for line in lines {
                    match Command::parse(line, &program) {
                        Ok(c) => argvs.push(c.argv().to_vec()),
                        Err(err) => return done(failed(vec![err.to_string()]), line.clone()),
                    }
                }
                argvs
            }
            None => detect(&real_root, &program)
                .into_iter()
                .map(|c| c.argv)
                .collect(),
        };
        if commands.is_empty() {
            return done(
                Outcome::NotTypeChecked {
                    why: "no checker found".into(),
                },
                String::new(),
            );
        }
        let shown_command = commands
            .iter()
            .map(|a| crate::run::display(a))
            .collect::<Vec<_>>()
            .join(", ");
        let after_copy = match Scratch::create(&real_root, file, after) {
            Ok(s) => s,
            Err(err) => return done(failed(vec![err.to_string()]), shown_command),
        };
        for argv in &commands {
            let fixed = self.check(argv, &after_copy);
            if fixed.passed {
                continue;
            }
            if let Some(why) = &fixed.broken {
                return done(failed(vec![why.clone()]), shown_command);
            }
            let unfixed = match self.unfixed(&real_root, file, before, &program, argv) {
                Ok(report) => report,
                Err(err) => return done(failed(vec![err.to_string()]), shown_command),
            };
            if let Some(lines) = introduced(&unfixed, &fixed) {
                let count = lines.len();
                let first_errors = lines.into_iter().take(SHOWN).collect();
                return done(
                    Outcome::Failed {
                        first_errors,
                        count,
                    },
                    crate::run::display(argv),
                );
            }
        }
        done(Outcome::Passed, shown_command)
    }

    /// The checker's report on the unfixed program, run once per program, command and text.
    fn unfixed(
        &self,
        root: &Path,
        file: &str,
        before: &str,
        program: &Path,
        argv: &[String],
    ) -> Result<Arc<Report>, ValidateError> {
        let key = (
            program.to_path_buf(),
            argv.to_vec(),
            file.to_string(),
            Sha256::digest(before.as_bytes()).into(),
        );
        if let Some(hit) = self
            .before
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Ok(Arc::clone(hit));
        }
        let copy = Scratch::create(root, file, before)?;
        let report = Arc::new(self.check(argv, &copy));
        let mut cache = self.before.lock().unwrap_or_else(PoisonError::into_inner);
        if cache.len() >= CACHED {
            cache.clear();
        }
        cache.insert(key, Arc::clone(&report));
        Ok(report)
    }

    fn check(&self, argv: &[String], copy: &Scratch) -> Report {
        let command = Command::new(argv.to_vec(), copy.program()).timeout(self.settings.timeout);
        match command.run() {
            Ok(output) => report(&output, copy, self.settings.timeout),
            Err(err) => Report {
                passed: false,
                errors: Vec::new(),
                shown: Vec::new(),
                broken: Some(err.to_string()),
            },
        }
    }
}

fn failed(first_errors: Vec<String>) -> Outcome {
    Outcome::Failed {
        count: first_errors.len(),
        first_errors,
    }
}

fn report(output: &Output, copy: &Scratch, timeout: Duration) -> Report {
    if output.timed_out {
        return Report {
            passed: false,
            errors: Vec::new(),
            shown: Vec::new(),
            broken: Some(format!(
                "timed out after {} s (raise [gate] validate_timeout)",
                timeout.as_secs()
            )),
        };
    }
    let prefixes = scratch_prefixes(copy);
    let lines: Vec<String> = output
        .stdout
        .lines()
        .chain(output.stderr.lines())
        .map(|l| strip_prefixes(l.trim(), &prefixes))
        .filter(|l| !l.is_empty())
        .collect();
    let errors: Vec<String> = if lines.iter().any(|l| is_error(l)) {
        lines.into_iter().filter(|l| is_error(l)).collect()
    } else {
        lines
    };
    Report {
        passed: output.success(),
        errors: errors.iter().map(|l| normalise(l)).collect(),
        shown: errors.iter().map(|l| shorten(l)).collect(),
        broken: None,
    }
}

/// The lines of `fixed` not in `unfixed` (as a multiset, positions ignored); `None` when the
/// fix introduced nothing. A run that fails with no output, before and after, cannot be told
/// apart: it fails closed.
fn introduced(unfixed: &Report, fixed: &Report) -> Option<Vec<String>> {
    if fixed.passed {
        return None;
    }
    if unfixed.passed || unfixed.broken.is_some() {
        return Some(if fixed.shown.is_empty() {
            vec!["exited with a failure and printed nothing".into()]
        } else {
            fixed.shown.clone()
        });
    }
    if fixed.errors.is_empty() {
        return Some(vec![
            "failed before and after the fix and printed nothing, so what the fix changed \
             cannot be told"
                .into(),
        ]);
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for line in &unfixed.errors {
        *seen.entry(line).or_default() += 1;
    }
    let mut new = Vec::new();
    for (line, shown) in fixed.errors.iter().zip(&fixed.shown) {
        match seen.get_mut(line.as_str()) {
            Some(n) if *n > 0 => *n -= 1,
            _ => new.push(shown.clone()),
        }
    }
    (!new.is_empty()).then_some(new)
}

fn is_error(line: &str) -> bool {
    line.to_ascii_lowercase().contains("error")
}

fn scratch_prefixes(copy: &Scratch) -> Vec<String> {
    let mut prefixes = Vec::new();
    for dir in [copy.program().to_path_buf(), copy.path().to_path_buf()] {
        if let Ok(real) = dir.canonicalize() {
            prefixes.push(format!("{}/", real.display()));
        }
        prefixes.push(format!("{}/", dir.display()));
    }
    prefixes
}

fn strip_prefixes(line: &str, prefixes: &[String]) -> String {
    let mut line = line.to_string();
    for prefix in prefixes {
        line = line.replace(prefix.as_str(), "");
    }
    line
}

/// Positions stripped: a run of digits right after `(`, `:` or `,` and before `)`, `:`, `,`,
/// a space, `-` or the end (`index.ts(3,5)`, `main.py:3:5`, `main.py:3:`) becomes `#`.
fn normalise(line: &str) -> String {
    let chars: Vec<char> = line.chars().collect();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        out.push(c);
        i += 1;
        if matches!(c, '(' | ':' | ',') {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i > start {
                let ends = chars
                    .get(i)
                    .is_none_or(|n| matches!(n, ')' | ':' | ',' | ' ' | '-'));
                if ends {
                    out.push('#');
                } else {
                    out.extend(&chars[start..i]);
                }
            }
        }
    }
    out
}

fn shorten(line: &str) -> String {
    const MAX: usize = 200;
    if line.chars().count() <= MAX {
        return line.to_string();
    }
    let cut: String = line.chars().take(MAX).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn repo() -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        std::fs::write(root.path().join("Pulumi.yaml"), "name: x\n").unwrap();
        std::fs::write(root.path().join("index.ts"), "before\n").unwrap();
        root
    }

    fn validator(commands: &[&str]) -> Validator {
        Validator::new(Settings {
            commands: Some(commands.iter().map(|c| (*c).to_string()).collect()),
            timeout: Duration::from_secs(10),
        })
    }

    #[test]
    fn a_passing_command_passes() {
        let root = repo();
        let v = validator(&["true"]).validate(root.path(), "index.ts", "before\n", "after\n");
        assert_eq!(v.outcome, Outcome::Passed);
        assert!(v.passed());
        assert!(
            v.evidence().starts_with("true passed in "),
            "{}",
            v.evidence()
        );
    }

    #[test]
    fn a_failing_command_rejects_even_when_it_failed_before() {
        let root = repo();
        let v = validator(&["false"]).validate(root.path(), "index.ts", "before\n", "after\n");
        assert!(!v.passed());
        assert!(v.evidence().contains("from false"), "{}", v.evidence());
    }

    #[test]
    fn only_errors_the_fix_introduces_count() {
        let root = repo();
        // Prints `file:line:text` for each error and fails when there is one, as a checker does.
        let grep =
            "awk '/error/ { print FILENAME \":\" FNR \":\" $0; n++ } END { exit n > 0 }' index.ts";
        let v =
            validator(&[grep]).validate(root.path(), "index.ts", "error: old\n", "\nerror: old\n");
        assert_eq!(v.outcome, Outcome::Passed, "{}", v.evidence());
        let v = validator(&[grep]).validate(
            root.path(),
            "index.ts",
            "error: old\n",
            "error: old\nerror: new\n",
        );
        assert_eq!(
            v.outcome,
            Outcome::Failed {
                first_errors: vec!["index.ts:2:error: new".into()],
                count: 1
            },
            "{}",
            v.evidence()
        );
        assert_eq!(
            v.evidence().split(" in ").next().unwrap(),
            format!("1 new error from {grep}")
        );
    }

    #[test]
    fn the_unfixed_run_is_cached_per_program_and_text() {
        let root = repo();
        let v = validator(&["awk '/error/ { n++ } END { exit n > 0 }' index.ts"]);
        v.validate(root.path(), "index.ts", "error\n", "error 2\n");
        v.validate(root.path(), "index.ts", "error\n", "error 3\n");
        assert_eq!(v.before.lock().unwrap().len(), 1);
        v.validate(root.path(), "index.ts", "other error\n", "error x\n");
        assert_eq!(v.before.lock().unwrap().len(), 2);
    }

    #[test]
    fn a_timeout_fails_the_fix_naming_the_setting() {
        let root = repo();
        let v = Validator::new(Settings {
            commands: Some(vec!["sleep 30".into()]),
            timeout: Duration::from_millis(200),
        })
        .validate(root.path(), "index.ts", "a", "b");
        assert!(!v.passed());
        assert!(
            v.evidence().contains("validate_timeout"),
            "{}",
            v.evidence()
        );
    }

    #[test]
    fn without_a_checker_the_fix_is_not_type_checked() {
        let root = repo();
        let v = Validator::default().validate(root.path(), "index.ts", "a", "b");
        assert!(v.passed());
        assert_eq!(v.evidence(), "not type-checked (no checker found)");
        let v = validator(&[]).validate(root.path(), "index.ts", "a", "b");
        assert!(v.evidence().starts_with("not type-checked"));
    }

    #[test]
    fn a_missing_program_fails_closed() {
        let root = repo();
        let v = validator(&["remedy-no-such-checker"]).validate(root.path(), "index.ts", "a", "b");
        assert!(!v.passed());
        assert!(
            v.evidence().contains("remedy-no-such-checker"),
            "{}",
            v.evidence()
        );
    }

    #[test]
    fn positions_are_stripped() {
        assert_eq!(
            normalise("index.ts(3,15): error TS2322: Type 'x'"),
            "index.ts(#,#): error TS2322: Type 'x'"
        );
        assert_eq!(
            normalise("main.py:3:5 - error: x"),
            "main.py:#:# - error: x"
        );
        assert_eq!(
            normalise("main.py:12: error: got 2"),
            "main.py:#: error: got 2"
        );
    }
}
