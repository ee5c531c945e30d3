//! How a store is opened and what its backends share: where it lives, its clock, how failed work
//! is retried, and who "the agent" is.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use super::clock::Clock;
use super::error::{StoreError, redact};

/// The assignee that means "the agent": violations assigned to it form the work queue.
pub const AGENT: &str = "remedy";

/// How to open a store.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// Connections in the pool.
    pub max_connections: u32,
    /// How long to wait for the database before giving up.
    pub connect_timeout: Duration,
    /// How failed work is retried.
    pub retry: RetryPolicy,
    pub clock: Clock,
    /// PostgreSQL only: use (and create) this schema instead of the connection's default.
    pub schema: Option<String>,
}

impl Default for StoreOptions {
    fn default() -> Self {
        Self {
            max_connections: 4,
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            clock: Clock::system(),
            schema: None,
        }
    }
}

/// Where a store lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreUrl {
    Sqlite(PathBuf),
    Postgres(String),
}

impl StoreUrl {
    pub fn parse(url: &str) -> Result<Self, StoreError> {
        let lower = url.to_ascii_lowercase();
        if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_string()));
        }
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .ok_or_else(|| StoreError::BadUrl(redact(url)))?;
        let path = path.split('?').next().unwrap_or_default();
        if path.is_empty() || path == ":memory:" {
            return Err(StoreError::BadUrl(redact(url)));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The default store of the repository at `root`: `sqlite://<root>/.remedy/remedy.db`.
    pub fn default_for(root: &Path) -> Self {
        Self::Sqlite(root.join(".remedy").join("remedy.db"))
    }

    /// The URL for messages: never a password.
    pub fn label(&self) -> String {
        match self {
            Self::Sqlite(path) => format!("sqlite://{}", path.display()),
            Self::Postgres(url) => redact(url),
        }
    }
}

/// How failed work is retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Claims a violation gets before it goes to `needs_human`.
    pub max_attempts: u32,
    /// Delay after the first failure; doubled after each further one.
    pub base_delay: Duration,
    /// Longest delay.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 5,
            base_delay: Duration::from_secs(60),
            max_delay: Duration::from_secs(6 * 3600),
        }
    }
}

impl RetryPolicy {
    /// The delay before retrying after failed attempt `attempt` (1-based): the exponential
    /// delay, less up to half of it at random ("equal jitter"), so that workers that failed
    /// together do not retry together.
    pub fn delay(&self, attempt: u32, random: u64) -> Duration {
        let exp = attempt.saturating_sub(1).min(32);
        let full = self
            .base_delay
            .saturating_mul(1u32 << exp.min(31))
            .min(self.max_delay);
        let full_ms = u64::try_from(full.as_millis()).unwrap_or(u64::MAX);
        let half = full_ms / 2;
        let jitter = if half == 0 { 0 } else { random % (half + 1) };
        Duration::from_millis(full_ms - half + jitter)
    }
}

/// What every backend shares: its name for messages, its clock and its retry policy.
#[derive(Debug, Clone)]
pub(crate) struct Core {
    pub(crate) label: Arc<str>,
    pub(crate) clock: Clock,
    pub(crate) retry: RetryPolicy,
}
