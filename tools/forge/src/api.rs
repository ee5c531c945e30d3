//! The provider-neutral forge API: the [`Forge`] trait and what it speaks in.

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use serde::Serialize;

/// A forge token: never printed (its `Debug` is redacted), zeroed when dropped. The same type
/// authenticates git pushes over HTTPS.
pub type Token = secrecy::SecretString;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PrState {
    Open,
    /// Closed without merging.
    Closed,
    Merged,
}

/// A pull (merge) request as remedy needs to see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PullRequest {
    pub number: u64,
    pub url: String,
    pub title: String,
    pub body: String,
    /// The source branch name.
    pub head: String,
    /// The commit the source branch points at.
    pub head_sha: String,
    pub base: String,
    pub state: PrState,
    pub labels: Vec<String>,
    /// When it was opened (milliseconds since the epoch), when the forge says.
    pub created_ms: Option<i64>,
}

/// What to open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPullRequest {
    pub title: String,
    pub body: String,
    pub head: String,
    pub base: String,
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub draft: bool,
}

/// Combined status of the required checks on a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChecksState {
    /// No checks reported.
    None,
    Pending,
    Success,
    Failure,
}

#[derive(Debug, thiserror::Error)]
pub enum ForgeError {
    /// The forge refused after retries: rate limited. `retry_after` when it said how long.
    #[error("{forge}: rate limited{}", .retry_after.map(|d| format!(" (retry after {}s)", d.as_secs())).unwrap_or_default())]
    RateLimited {
        forge: String,
        retry_after: Option<Duration>,
    },
    /// A server error that did not go away after retries.
    #[error("{forge}: {status} from {what} after {attempts} attempt(s)")]
    Unavailable {
        forge: String,
        status: u16,
        what: String,
        attempts: u32,
    },
    /// The request was wrong or not allowed (4xx other than rate limits).
    #[error("{forge}: {what} failed with {status}: {message}")]
    Rejected {
        forge: String,
        status: u16,
        what: String,
        message: String,
    },
    #[error("{forge}: {message}")]
    Transport { forge: String, message: String },
    #[error("{forge}: unexpected response to {what}: {message}")]
    Protocol {
        forge: String,
        what: String,
        message: String,
    },
    #[error("invalid forge configuration: {0}")]
    Config(String),
}

impl ForgeError {
    /// Worth trying again later (the forge is down or throttling).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::RateLimited { .. } | Self::Unavailable { .. } | Self::Transport { .. }
        )
    }
}

/// How hard to retry 429, secondary rate limits (403) and 5xx.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    /// The longest single wait, also the cap on `Retry-After` / `X-RateLimit-Reset`: a longer
    /// requested wait is reported as [`ForgeError::RateLimited`] instead of blocking.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 4,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(60),
        }
    }
}

/// A code host that holds pull requests.
pub trait Forge: Send + Sync {
    fn name(&self) -> &str;
    /// The most recent pull request from `head` (any state), if there is one.
    fn find_pull<'a>(
        &'a self,
        head: &'a str,
    ) -> BoxFuture<'a, Result<Option<PullRequest>, ForgeError>>;
    fn get_pull(&self, number: u64) -> BoxFuture<'_, Result<PullRequest, ForgeError>>;
    /// Pull requests in any state whose head branch starts with `prefix`, opened after
    /// `since_ms` (milliseconds since the epoch), newest first.
    fn recent_pulls<'a>(
        &'a self,
        prefix: &'a str,
        since_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<PullRequest>, ForgeError>>;
    /// Open pull requests whose head branch starts with `prefix`.
    fn open_pulls<'a>(
        &'a self,
        prefix: &'a str,
    ) -> BoxFuture<'a, Result<Vec<PullRequest>, ForgeError>>;
    fn open_pull<'a>(
        &'a self,
        pr: &'a NewPullRequest,
    ) -> BoxFuture<'a, Result<PullRequest, ForgeError>>;
    fn update_pull<'a>(
        &'a self,
        number: u64,
        title: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<PullRequest, ForgeError>>;
    fn add_labels<'a>(
        &'a self,
        number: u64,
        labels: &'a [String],
    ) -> BoxFuture<'a, Result<(), ForgeError>>;
    fn request_reviewers<'a>(
        &'a self,
        number: u64,
        reviewers: &'a [String],
    ) -> BoxFuture<'a, Result<(), ForgeError>>;
    fn checks<'a>(&'a self, sha: &'a str) -> BoxFuture<'a, Result<ChecksState, ForgeError>>;
    /// Merge now (squash).
    fn merge(&self, number: u64) -> BoxFuture<'_, Result<(), ForgeError>>;
    /// Ask the forge to merge once required checks pass.
    fn enable_auto_merge(&self, number: u64) -> BoxFuture<'_, Result<(), ForgeError>>;
    /// Withdraw an earlier [`Forge::enable_auto_merge`]: the pull request now needs a reviewer.
    fn disable_auto_merge(&self, number: u64) -> BoxFuture<'_, Result<(), ForgeError>>;
}
