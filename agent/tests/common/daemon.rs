//! Shared by the daemon tests: `remedy` as a real process, a minimal HTTP client for its API,
//! and waiting on the store through the CLI.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

pub fn remedy(dir: &Path, store: &str) -> Command {
    let mut cmd = remedy_tests::cli::remedy_process(Path::new(env!("CARGO_BIN_EXE_remedy")), dir);
    cmd.env("REMEDY_STORE", store);
    cmd
}

pub fn ok(mut cmd: Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A minimal HTTP/1.1 client: (status, body).
pub fn http(port: u16, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
    http_as(port, "localhost", method, path, body)
}

/// [`http`] naming another `Host`.
pub fn http_as(
    port: u16,
    host: &str,
    method: &str,
    path: &str,
    body: Option<&str>,
) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let body = body.unwrap_or("");
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let status = raw
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = raw
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

pub fn json(port: u16, path: &str) -> Value {
    let (status, body) = http(port, "GET", path, None);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

pub struct Daemon {
    pub child: Child,
    pub port: u16,
    pub log: PathBuf,
}

impl Daemon {
    /// `remedy run` in `dir` on `store` with the test defaults (1 s polls, no re-audit unless
    /// `args` set one) and `args`, logging to `log`; once the API answers.
    pub fn start(dir: &Path, store: &str, args: &[&str], log: &Path) -> Self {
        Self::start_with(dir, store, &[], args, log)
    }

    /// As [`Daemon::start`], with `env` set for the process.
    pub fn start_with(
        dir: &Path,
        store: &str,
        env: &[(&str, &str)],
        args: &[&str],
        log: &Path,
    ) -> Self {
        let port = free_port();
        let mut cmd = remedy(dir, store);
        cmd.envs(env.iter().copied()).args([
            "run",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--poll-secs",
            "1",
            "-v",
        ]);
        if !args.contains(&"--audit-interval-secs") {
            cmd.args(["--audit-interval-secs", "0"]);
        }
        let child = cmd
            .args(args)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let daemon = Self {
            child,
            port,
            log: log.to_path_buf(),
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the daemon did not start:\n{}",
                daemon.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        daemon
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Wait for the process to exit; its exit code.
    pub fn wait(&mut self, within: Duration) -> Option<i32> {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            assert!(
                started.elapsed() < within,
                "still running after {within:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Counts per status, from the CLI (not the daemon).
pub fn counts(dir: &Path, store: &str) -> BTreeMap<String, u64> {
    let status: Value = serde_json::from_str(&ok({
        let mut c = remedy(dir, store);
        c.args(["status", "--format", "json"]);
        c
    }))
    .unwrap();
    status["counts"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| (k.clone(), v.as_u64().unwrap()))
        .collect()
}

pub fn wait_until(what: &str, within: Duration, daemon: &Daemon, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < within,
            "timed out waiting for {what}:\n{}",
            daemon.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

pub fn metric(text: &str, name_and_labels: &str) -> Option<f64> {
    text.lines()
        .find(|l| l.starts_with(name_and_labels) && l[name_and_labels.len()..].starts_with(' '))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}
