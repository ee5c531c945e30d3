//! GitHub and GitHub Enterprise through octocrab (its raw request methods, so that status codes
//! and rate-limit headers drive our own retry policy).

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{HeaderMap, StatusCode};
use octocrab::Octocrab;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::{Value as Json, json};

pub use crate::api::Token;
use crate::api::{
    BoxFuture, ChecksState, Forge, ForgeError, NewPullRequest, PrState, PullRequest, RetryPolicy,
};

/// The public API; GitHub Enterprise Server is `https://HOST/api/v3`.
pub const PUBLIC_API: &str = "https://api.github.com";

/// A repository on GitHub.
pub struct GitHub {
    client: Octocrab,
    owner: String,
    repo: String,
    retry: RetryPolicy,
}

#[derive(Clone, Copy)]
enum Method {
    Get,
    Post,
    Patch,
    Put,
}

/// The token goes only over TLS, except to this machine (a GitHub double, a local proxy).
fn secure_endpoint(api: &str) -> Result<(), ForgeError> {
    let uri: http::Uri = api
        .parse()
        .map_err(|e| ForgeError::Config(format!("GitHub API URL `{api}`: {e}")))?;
    let host = uri.host().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback());
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(()),
        Some("http") if loopback => Ok(()),
        Some("http") => Err(ForgeError::Config(format!(
            "GitHub API URL `{api}` would send the token unencrypted: use https:// (http:// only \
             to this machine)"
        ))),
        _ => Err(ForgeError::Config(format!(
            "GitHub API URL `{api}` is not an https:// URL with a host"
        ))),
    }
}

impl GitHub {
    /// `api` is the API base URL (`https://api.github.com`, or a GHE / test server URL).
    pub fn new(
        api: &str,
        owner: &str,
        repo: &str,
        token: Option<&Token>,
        retry: RetryPolicy,
    ) -> Result<Self, ForgeError> {
        secure_endpoint(api)?;
        let mut builder = Octocrab::builder()
            .base_uri(api)
            .map_err(|e| ForgeError::Config(format!("GitHub API URL `{api}`: {e}")))?;
        if let Some(token) = token {
            builder = builder.personal_token(token.expose_secret().to_string());
        }
        let client = builder
            .build()
            .map_err(|e| ForgeError::Config(format!("cannot build the GitHub client: {e}")))?;
        Ok(Self {
            client,
            owner: owner.to_string(),
            repo: repo.to_string(),
            retry,
        })
    }

    fn forge(&self) -> String {
        format!("github {}/{}", self.owner, self.repo)
    }

    fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.owner, self.repo)
    }

    /// Send a request, retrying rate limits and server errors; the body text on success.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Json>,
        what: &str,
    ) -> Result<String, ForgeError> {
        let mut attempt = 0u32;
        loop {
            let response = match method {
                Method::Get => self.client._get(path).await,
                Method::Post => self.client._post(path, body).await,
                Method::Patch => self.client._patch(path, body).await,
                Method::Put => self.client._put(path, body).await,
            };
            let response = match response {
                Ok(r) => r,
                Err(err) => {
                    if attempt < self.retry.max_retries {
                        tracing::debug!(what, attempt, "transport error, retrying: {err}");
                        tokio::time::sleep(self.backoff(attempt)).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(ForgeError::Transport {
                        forge: self.forge(),
                        message: format!("{what}: {err}"),
                    });
                }
            };
            let status = response.status();
            let headers = response.headers().clone();
            let text =
                self.client
                    .body_to_string(response)
                    .await
                    .map_err(|e| ForgeError::Transport {
                        forge: self.forge(),
                        message: format!("{what}: reading the response: {e}"),
                    })?;
            if status.is_success() {
                return Ok(text);
            }
            if is_rate_limited(status, &headers, &text) {
                let wait = rate_limit_wait(&headers).unwrap_or_else(|| self.backoff(attempt));
                if wait > self.retry.max_delay || attempt >= self.retry.max_retries {
                    return Err(ForgeError::RateLimited {
                        forge: self.forge(),
                        retry_after: Some(wait),
                    });
                }
                tracing::info!(
                    what,
                    wait_ms = wait.as_millis() as u64,
                    "rate limited by GitHub, waiting"
                );
                tokio::time::sleep(wait).await;
                attempt += 1;
                continue;
            }
            if status.is_server_error() {
                if attempt < self.retry.max_retries {
                    tracing::info!(
                        what,
                        status = status.as_u16(),
                        attempt,
                        "GitHub server error, retrying"
                    );
                    tokio::time::sleep(self.backoff(attempt)).await;
                    attempt += 1;
                    continue;
                }
                return Err(ForgeError::Unavailable {
                    forge: self.forge(),
                    status: status.as_u16(),
                    what: what.to_string(),
                    attempts: attempt + 1,
                });
            }
            let message = serde_json::from_str::<Json>(&text)
                .ok()
                .and_then(|j| j.get("message").and_then(Json::as_str).map(str::to_string))
                .unwrap_or_else(|| text.chars().take(200).collect());
            return Err(ForgeError::Rejected {
                forge: self.forge(),
                status: status.as_u16(),
                what: what.to_string(),
                message,
            });
        }
    }

    /// Exponential backoff with a little jitter, capped.
    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .retry
            .base_delay
            .saturating_mul(1u32 << attempt.min(16));
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let jitter = exp.mul_f64(f64::from(nanos % 1000) / 4000.0);
        (exp + jitter).min(self.retry.max_delay)
    }

    fn parse<T: for<'de> Deserialize<'de>>(&self, text: &str, what: &str) -> Result<T, ForgeError> {
        serde_json::from_str(text).map_err(|e| ForgeError::Protocol {
            forge: self.forge(),
            what: what.to_string(),
            message: e.to_string(),
        })
    }

    /// Auto-merge is GraphQL only: run `mutation` on the pull request's node id.
    async fn auto_merge_mutation(
        &self,
        number: u64,
        what: &'static str,
        mutation: &'static str,
    ) -> Result<(), ForgeError> {
        let pull = self.pull_json(number).await?;
        let id = pull.node_id.ok_or_else(|| ForgeError::Protocol {
            forge: self.forge(),
            what: what.into(),
            message: "the pull request has no node_id".into(),
        })?;
        let query = json!({ "query": mutation, "variables": { "id": id } });
        let text = self
            .send(Method::Post, "/graphql", Some(&query), what)
            .await?;
        let reply: Json = self.parse(&text, what)?;
        match reply.get("errors").and_then(Json::as_array) {
            Some(errors) if !errors.is_empty() => Err(ForgeError::Rejected {
                forge: self.forge(),
                status: 200,
                what: what.into(),
                message: errors
                    .iter()
                    .filter_map(|e| e.get("message").and_then(Json::as_str))
                    .collect::<Vec<_>>()
                    .join("; "),
            }),
            _ => Ok(()),
        }
    }

    async fn pull_json(&self, number: u64) -> Result<ApiPull, ForgeError> {
        let text = self
            .send(
                Method::Get,
                &self.repo_path(&format!("/pulls/{number}")),
                None,
                "get pull request",
            )
            .await?;
        self.parse(&text, "get pull request")
    }
}

fn is_rate_limited(status: StatusCode, headers: &HeaderMap, body: &str) -> bool {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return true;
    }
    status == StatusCode::FORBIDDEN
        && (headers.contains_key("retry-after")
            || header(headers, "x-ratelimit-remaining").as_deref() == Some("0")
            || body.to_ascii_lowercase().contains("rate limit"))
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

/// `Retry-After: <seconds>`, else `X-RateLimit-Reset: <epoch seconds>` when the budget is spent.
fn rate_limit_wait(headers: &HeaderMap) -> Option<Duration> {
    if let Some(secs) = header(headers, "retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    let reset = header(headers, "x-ratelimit-reset")?
        .trim()
        .parse::<u64>()
        .ok()?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(reset.saturating_sub(now) + 1))
}

#[derive(Debug, Deserialize)]
struct ApiRef {
    #[serde(rename = "ref")]
    name: String,
    #[serde(default)]
    sha: String,
}

#[derive(Debug, Deserialize)]
struct ApiLabel {
    name: String,
}

#[derive(Debug, Deserialize)]
struct ApiPull {
    number: u64,
    #[serde(default)]
    html_url: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: Option<String>,
    state: String,
    #[serde(default)]
    merged_at: Option<String>,
    #[serde(default)]
    merged: Option<bool>,
    head: ApiRef,
    base: ApiRef,
    #[serde(default)]
    labels: Vec<ApiLabel>,
    #[serde(default)]
    node_id: Option<String>,
    #[serde(default)]
    created_at: Option<String>,
}

impl ApiPull {
    fn into_pull(self) -> PullRequest {
        let p = self;
        let state = match p.state.as_str() {
            "open" => PrState::Open,
            _ if p.merged == Some(true) || p.merged_at.is_some() => PrState::Merged,
            _ => PrState::Closed,
        };
        PullRequest {
            number: p.number,
            url: p.html_url,
            title: p.title,
            body: p.body.unwrap_or_default(),
            head: p.head.name,
            head_sha: p.head.sha,
            base: p.base.name,
            state,
            labels: p.labels.into_iter().map(|l| l.name).collect(),
            created_ms: p
                .created_at
                .as_deref()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
                .map(|t| t.timestamp_millis()),
        }
    }
}

#[derive(Debug, Deserialize)]
struct CheckRun {
    status: String,
    #[serde(default)]
    conclusion: Option<String>,
}

#[derive(Debug, Deserialize)]
struct CheckRuns {
    #[serde(default)]
    check_runs: Vec<CheckRun>,
}

impl Forge for GitHub {
    fn name(&self) -> &str {
        "github"
    }

    fn find_pull<'a>(
        &'a self,
        head: &'a str,
    ) -> BoxFuture<'a, Result<Option<PullRequest>, ForgeError>> {
        Box::pin(async move {
            let path = self.repo_path(&format!(
                "/pulls?state=all&head={}:{}&sort=created&direction=desc&per_page=10",
                self.owner,
                urlencode(head)
            ));
            let text = self
                .send(Method::Get, &path, None, "list pull requests")
                .await?;
            let pulls: Vec<ApiPull> = self.parse(&text, "list pull requests")?;
            Ok(pulls
                .into_iter()
                .find(|p| p.head.name == head)
                .map(ApiPull::into_pull))
        })
    }

    fn get_pull(&self, number: u64) -> BoxFuture<'_, Result<PullRequest, ForgeError>> {
        Box::pin(async move { self.pull_json(number).await.map(ApiPull::into_pull) })
    }

    fn recent_pulls<'a>(
        &'a self,
        prefix: &'a str,
        since_ms: i64,
    ) -> BoxFuture<'a, Result<Vec<PullRequest>, ForgeError>> {
        Box::pin(async move {
            let mut out = Vec::new();
            // An hour of pull requests fits in a few pages; older pages are never needed.
            for page in 1..=10 {
                let path = self.repo_path(&format!(
                    "/pulls?state=all&sort=created&direction=desc&per_page=100&page={page}"
                ));
                let text = self
                    .send(Method::Get, &path, None, "list recent pull requests")
                    .await?;
                let pulls: Vec<ApiPull> = self.parse(&text, "list recent pull requests")?;
                let last = pulls.len() < 100;
                let mut older = false;
                for pull in pulls.into_iter().map(ApiPull::into_pull) {
                    match pull.created_ms {
                        Some(at) if at <= since_ms => older = true,
                        _ if pull.head.starts_with(prefix) => out.push(pull),
                        _ => {}
                    }
                }
                if last || older {
                    break;
                }
            }
            Ok(out)
        })
    }

    fn open_pulls<'a>(
        &'a self,
        prefix: &'a str,
    ) -> BoxFuture<'a, Result<Vec<PullRequest>, ForgeError>> {
        Box::pin(async move {
            let mut out = Vec::new();
            for page in 1..=50 {
                let path = self.repo_path(&format!("/pulls?state=open&per_page=100&page={page}"));
                let text = self
                    .send(Method::Get, &path, None, "list open pull requests")
                    .await?;
                let pulls: Vec<ApiPull> = self.parse(&text, "list open pull requests")?;
                let last = pulls.len() < 100;
                out.extend(
                    pulls
                        .into_iter()
                        .filter(|p| p.head.name.starts_with(prefix))
                        .map(ApiPull::into_pull),
                );
                if last {
                    break;
                }
            }
            Ok(out)
        })
    }

    fn open_pull<'a>(
        &'a self,
        pr: &'a NewPullRequest,
    ) -> BoxFuture<'a, Result<PullRequest, ForgeError>> {
        Box::pin(async move {
            let body = json!({
                "title": pr.title,
                "head": pr.head,
                "base": pr.base,
                "body": pr.body,
                "draft": pr.draft,
                "maintainer_can_modify": true,
            });
            let text = self
                .send(
                    Method::Post,
                    &self.repo_path("/pulls"),
                    Some(&body),
                    "open pull request",
                )
                .await?;
            let created: ApiPull = self.parse(&text, "open pull request")?;
            let number = created.number;
            let mut pull = created.into_pull();
            if !pr.labels.is_empty() {
                self.add_labels(number, &pr.labels).await?;
                pull.labels.clone_from(&pr.labels);
            }
            if !pr.reviewers.is_empty() {
                self.request_reviewers(number, &pr.reviewers).await?;
            }
            Ok(pull)
        })
    }

    fn update_pull<'a>(
        &'a self,
        number: u64,
        title: &'a str,
        body: &'a str,
    ) -> BoxFuture<'a, Result<PullRequest, ForgeError>> {
        Box::pin(async move {
            let patch = json!({ "title": title, "body": body });
            let text = self
                .send(
                    Method::Patch,
                    &self.repo_path(&format!("/pulls/{number}")),
                    Some(&patch),
                    "update pull request",
                )
                .await?;
            let pull: ApiPull = self.parse(&text, "update pull request")?;
            Ok(pull.into_pull())
        })
    }

    fn add_labels<'a>(
        &'a self,
        number: u64,
        labels: &'a [String],
    ) -> BoxFuture<'a, Result<(), ForgeError>> {
        Box::pin(async move {
            let body = json!({ "labels": labels });
            self.send(
                Method::Post,
                &self.repo_path(&format!("/issues/{number}/labels")),
                Some(&body),
                "add labels",
            )
            .await
            .map(|_| ())
        })
    }

    fn request_reviewers<'a>(
        &'a self,
        number: u64,
        reviewers: &'a [String],
    ) -> BoxFuture<'a, Result<(), ForgeError>> {
        Box::pin(async move {
            let (teams, users): (Vec<&String>, Vec<&String>) =
                reviewers.iter().partition(|r| r.contains('/'));
            let teams: Vec<&str> = teams.iter().filter_map(|t| t.split('/').nth(1)).collect();
            let body = json!({ "reviewers": users, "team_reviewers": teams });
            self.send(
                Method::Post,
                &self.repo_path(&format!("/pulls/{number}/requested_reviewers")),
                Some(&body),
                "request reviewers",
            )
            .await
            .map(|_| ())
        })
    }

    fn checks<'a>(&'a self, sha: &'a str) -> BoxFuture<'a, Result<ChecksState, ForgeError>> {
        Box::pin(async move {
            let text = self
                .send(
                    Method::Get,
                    &self.repo_path(&format!("/commits/{sha}/check-runs?per_page=100")),
                    None,
                    "read checks",
                )
                .await?;
            let runs: CheckRuns = self.parse(&text, "read checks")?;
            if runs.check_runs.is_empty() {
                return Ok(ChecksState::None);
            }
            let failed = runs.check_runs.iter().any(|r| {
                matches!(
                    r.conclusion.as_deref(),
                    Some(
                        "failure"
                            | "cancelled"
                            | "timed_out"
                            | "action_required"
                            | "startup_failure"
                    )
                )
            });
            if failed {
                return Ok(ChecksState::Failure);
            }
            if runs.check_runs.iter().any(|r| r.status != "completed") {
                return Ok(ChecksState::Pending);
            }
            Ok(ChecksState::Success)
        })
    }

    fn merge(&self, number: u64) -> BoxFuture<'_, Result<(), ForgeError>> {
        Box::pin(async move {
            let body = json!({ "merge_method": "squash" });
            self.send(
                Method::Put,
                &self.repo_path(&format!("/pulls/{number}/merge")),
                Some(&body),
                "merge pull request",
            )
            .await
            .map(|_| ())
        })
    }

    fn enable_auto_merge(&self, number: u64) -> BoxFuture<'_, Result<(), ForgeError>> {
        Box::pin(self.auto_merge_mutation(
            number,
            "enable auto-merge",
            "mutation($id: ID!) { enablePullRequestAutoMerge(input: {pullRequestId: $id, mergeMethod: SQUASH}) { clientMutationId } }",
        ))
    }

    fn disable_auto_merge(&self, number: u64) -> BoxFuture<'_, Result<(), ForgeError>> {
        Box::pin(self.auto_merge_mutation(
            number,
            "disable auto-merge",
            "mutation($id: ID!) { disablePullRequestAutoMerge(input: {pullRequestId: $id}) { clientMutationId } }",
        ))
    }
}

/// Percent-encode a branch name for a query string.
fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_goes_over_tls_or_stays_on_this_machine() {
        for ok in [
            "https://api.github.com",
            "https://ghe.example/api/v3",
            "http://127.0.0.1:8080",
            "http://localhost:9000/api",
            "http://[::1]:80",
        ] {
            assert!(secure_endpoint(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://api.github.com",
            "http://127.0.0.1.evil.example",
            "ftp://api.github.com",
            "api.github.com",
        ] {
            assert!(secure_endpoint(bad).is_err(), "{bad}");
        }
    }
}
