//! One checker process: argv (no shell), a directory, a cleared environment, its own process
//! group, a timeout that kills the whole group, and output capped.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rustix::process::{Pid, Signal, kill_process_group};

use crate::error::ValidateError;

/// The variables a checker keeps; everything else (tokens, keys) is cleared.
const KEPT_ENV: [&str; 8] = [
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "USER",
    // A Python checker resolves imports through the active environment.
    "VIRTUAL_ENV",
    "PYTHONHOME",
];

/// Most bytes kept of each of stdout and stderr; the rest is read and dropped.
pub const MAX_OUTPUT: usize = 64 * 1024;

/// A command to run.
#[derive(Debug, Clone)]
pub struct Command {
    argv: Vec<String>,
    dir: PathBuf,
    timeout: Duration,
    inherit_env: bool,
    max_output: usize,
}

/// What a finished (or killed) command left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The exit code; `None` when a signal ended it (the timeout's kill among them).
    pub code: Option<i32>,
    pub timed_out: bool,
    pub stdout: String,
    pub stderr: String,
    /// Whether either stream was longer than the cap.
    pub truncated: bool,
    pub elapsed: Duration,
}

impl Output {
    pub fn success(&self) -> bool {
        self.code == Some(0) && !self.timed_out
    }
}

impl Command {
    /// `argv[0]` and its arguments, run in `dir`.
    pub fn new(argv: Vec<String>, dir: impl Into<PathBuf>) -> Self {
        Self {
            argv,
            dir: dir.into(),
            timeout: crate::DEFAULT_TIMEOUT,
            inherit_env: false,
            max_output: MAX_OUTPUT,
        }
    }

    /// A command line split into words as a POSIX shell would, without running a shell.
    pub fn parse(line: &str, dir: impl Into<PathBuf>) -> Result<Self, ValidateError> {
        let argv = shlex::split(line).ok_or_else(|| ValidateError::BadCommand(line.into()))?;
        if argv.is_empty() {
            return Err(ValidateError::EmptyCommand);
        }
        Ok(Self::new(argv, dir))
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Keep the whole environment (for the operator's own commands, such as `npm install`,
    /// which need proxies and npm settings); checkers of an audited program never do.
    pub fn inherit_env(mut self, inherit: bool) -> Self {
        self.inherit_env = inherit;
        self
    }

    pub fn max_output(mut self, bytes: usize) -> Self {
        self.max_output = bytes;
        self
    }

    pub fn argv(&self) -> &[String] {
        &self.argv
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How long it may run.
    pub fn time_limit(&self) -> Duration {
        self.timeout
    }

    /// Run to completion or to the timeout, whichever is first.
    pub fn run(&self) -> Result<Output, ValidateError> {
        let Some((program, args)) = self.argv.split_first() else {
            return Err(ValidateError::EmptyCommand);
        };
        let mut command = std::process::Command::new(program);
        command
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if !self.inherit_env {
            command.env_clear();
            for name in KEPT_ENV {
                if let Some(value) = std::env::var_os(name) {
                    command.env(name, value);
                }
            }
        }
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        let started = Instant::now();
        let mut child = command.spawn().map_err(|source| ValidateError::Spawn {
            program: program.clone(),
            source,
        })?;
        let group = Pid::from_child(&child);
        let cap = self.max_output;
        let stdout = child.stdout.take().map(|s| reader(s, cap));
        let stderr = child.stderr.take().map(|s| reader(s, cap));

        let (done, waited) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let status = child.wait();
            let _ = done.send(());
            status
        });
        let timed_out = waited.recv_timeout(self.timeout).is_err();
        // The group goes either way: on a timeout to stop it, after an exit so that nothing it
        // left behind keeps the pipes open (or runs on).
        kill_group(group);
        let status = waiter
            .join()
            .map_err(|_| ValidateError::Wait {
                program: program.clone(),
                source: std::io::Error::other("the wait thread panicked"),
            })?
            .map_err(|source| ValidateError::Wait {
                program: program.clone(),
                source,
            })?;
        let elapsed = started.elapsed();
        let (stdout, cut_out) = stdout.as_ref().map(collect).unwrap_or_default();
        let (stderr, cut_err) = stderr.as_ref().map(collect).unwrap_or_default();
        Ok(Output {
            code: if timed_out { None } else { status.code() },
            timed_out,
            stdout,
            stderr,
            truncated: cut_out || cut_err,
            elapsed,
        })
    }

    /// The command as a person would type it, program name without its directory.
    pub fn display(&self) -> String {
        display(&self.argv)
    }
}

/// `argv` as a person would type it: the program's file name, then the arguments.
pub(crate) fn display(argv: &[String]) -> String {
    let mut words: Vec<String> = argv.to_vec();
    if let Some(first) = words.first_mut()
        && let Some(name) = Path::new(first.as_str()).file_name()
    {
        *first = name.to_string_lossy().into_owned();
    }
    shlex::try_join(words.iter().map(String::as_str)).unwrap_or_else(|_| words.join(" "))
}

fn kill_group(group: Pid) {
    match kill_process_group(group, Signal::KILL) {
        Ok(()) | Err(rustix::io::Errno::SRCH) => {}
        Err(err) => tracing::warn!(%err, "cannot kill the checker's process group"),
    }
}

/// How long a stream may stay open once the command has exited and its group is gone: a
/// process that left the group (a daemon it started) must not hold the check up.
const DRAIN: Duration = Duration::from_secs(2);

type Reader = mpsc::Receiver<(Vec<u8>, bool)>;

/// Read a stream to its end on a thread, keeping the first `cap` bytes.
fn reader(mut stream: impl Read + Send + 'static, cap: usize) -> Reader {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut truncated = false;
        let mut buf = [0u8; 8192];
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let room = cap.saturating_sub(kept.len());
                    if n > room {
                        truncated = true;
                    }
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        }
        let _ = send.send((kept, truncated));
    });
    receive
}

/// What a stream held; what a stream still held open after [`DRAIN`] is given up on (the thread
/// ends when the stream closes).
fn collect(reader: &Reader) -> (String, bool) {
    match reader.recv_timeout(DRAIN) {
        Ok((bytes, truncated)) => (String::from_utf8_lossy(&bytes).into_owned(), truncated),
        Err(_) => (String::new(), true),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn cmd(argv: &[&str]) -> Command {
        Command::new(
            argv.iter().map(|s| (*s).to_string()).collect(),
            std::env::temp_dir(),
        )
    }

    #[test]
    fn exit_codes_are_reported() {
        assert!(cmd(&["true"]).run().unwrap().success());
        let out = cmd(&["false"]).run().unwrap();
        assert_eq!(out.code, Some(1));
        assert!(!out.success());
    }

    #[test]
    fn a_timeout_kills_the_process_group() {
        let started = Instant::now();
        let out = cmd(&["sleep", "30"])
            .timeout(Duration::from_millis(200))
            .run()
            .unwrap();
        assert!(out.timed_out);
        assert_eq!(out.code, None);
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    fn a_process_that_leaves_the_group_does_not_hold_the_check_up() {
        // `setsid` puts `sleep` in a session (and group) of its own, holding stdout open.
        if !Path::new("/usr/bin/setsid").exists() {
            return;
        }
        let started = Instant::now();
        let out = cmd(&["setsid", "-f", "sleep", "30"]).run().unwrap();
        assert!(started.elapsed() < Duration::from_secs(10), "{out:?}");
    }

    #[test]
    fn output_is_captured_and_capped() {
        let out = cmd(&["echo", "hello"]).run().unwrap();
        assert_eq!(out.stdout, "hello\n");
        let out = cmd(&["echo", "a long line"]).max_output(4).run().unwrap();
        assert_eq!(out.stdout, "a lo");
        assert!(out.truncated);
    }

    #[test]
    fn the_environment_is_cleared_but_for_path_and_home() {
        // `env` prints what the child sees.
        let out = cmd(&["env"]).run().unwrap();
        for line in out.stdout.lines() {
            let name = line.split('=').next().unwrap();
            assert!(KEPT_ENV.contains(&name), "{name} leaked into the checker");
        }
        assert!(out.stdout.contains("PATH="));
    }

    #[test]
    fn a_missing_program_is_an_error_naming_it() {
        let err = cmd(&["remedy-no-such-checker"]).run().unwrap_err();
        assert!(err.to_string().contains("remedy-no-such-checker"), "{err}");
    }

    #[test]
    fn command_lines_are_split_without_a_shell() {
        let c = Command::parse("npx tsc --noEmit -p 'my dir'", ".").unwrap();
        assert_eq!(c.argv(), ["npx", "tsc", "--noEmit", "-p", "my dir"]);
        assert!(Command::parse("", ".").is_err());
        assert!(Command::parse("tsc 'open", ".").is_err());
        assert_eq!(
            display(&["/a/b/tsc".into(), "--noEmit".into()]),
            "tsc --noEmit"
        );
    }
}
