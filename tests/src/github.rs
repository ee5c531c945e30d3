//! A GitHub REST double: an in-memory axum app that octocrab talks to through its base URI.
//!
//! It keeps state (pull requests opened, then listed, updated, labelled, merged), records every
//! request, and can be told to fail the next matching requests (a 403 secondary rate limit, a
//! 502) so retry paths run for real. Only the endpoints remedy uses are served.

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use serde_json::{Value as Json, json};
use tokio::sync::oneshot;

/// A pull request as the double holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pull {
    pub number: u64,
    pub title: String,
    pub body: String,
    pub head: String,
    pub head_sha: String,
    pub base: String,
    /// `open` or `closed`.
    pub state: String,
    pub merged: bool,
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub auto_merge: bool,
    /// When it was opened, RFC 3339 (the machine's clock; [`GitHubDouble::edit`] changes it).
    pub created_at: String,
}

/// One request the double received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A scripted failure: the next request whose method and path prefix match gets this answer.
#[derive(Debug, Clone)]
pub struct Failure {
    pub method: String,
    pub path_prefix: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Failure {
    /// GitHub's secondary rate limit: 403 with `Retry-After`.
    pub fn secondary_rate_limit(method: &str, path_prefix: &str, retry_after_secs: u64) -> Self {
        Self {
            method: method.to_string(),
            path_prefix: path_prefix.to_string(),
            status: 403,
            headers: vec![("retry-after".into(), retry_after_secs.to_string())],
            body: json!({"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}).to_string(),
        }
    }

    pub fn status(method: &str, path_prefix: &str, status: u16) -> Self {
        Self {
            method: method.to_string(),
            path_prefix: path_prefix.to_string(),
            status,
            headers: Vec::new(),
            body: json!({"message": "server error"}).to_string(),
        }
    }
}

#[derive(Default)]
struct Inner {
    pulls: Vec<Pull>,
    /// Check-run conclusions by commit: `success`, `failure`, or `pending` (in progress).
    checks: BTreeMap<String, String>,
    requests: Vec<Request>,
    failures: VecDeque<Failure>,
}

type Shared = Arc<Mutex<Inner>>;

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Inner> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The running double.
pub struct GitHubDouble {
    addr: SocketAddr,
    shared: Shared,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl GitHubDouble {
    /// Start on 127.0.0.1 on a free port.
    ///
    /// # Panics
    /// When no local port can be bound or the runtime cannot start (a broken test machine).
    #[allow(clippy::expect_used)]
    pub fn start() -> Self {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let addr = listener.local_addr().expect("local address");
        let shared: Shared = Arc::default();
        let state = Arc::clone(&shared);
        let (stop, stopped) = oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("test runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
                let app = Router::new()
                    .route(
                        "/repos/{owner}/{repo}/pulls",
                        get(list_pulls).post(create_pull),
                    )
                    .route(
                        "/repos/{owner}/{repo}/pulls/{number}",
                        get(get_pull).patch(update_pull),
                    )
                    .route(
                        "/repos/{owner}/{repo}/pulls/{number}/merge",
                        put(merge_pull),
                    )
                    .route(
                        "/repos/{owner}/{repo}/pulls/{number}/requested_reviewers",
                        post(request_reviewers),
                    )
                    .route(
                        "/repos/{owner}/{repo}/issues/{number}/labels",
                        post(add_labels),
                    )
                    .route(
                        "/repos/{owner}/{repo}/commits/{sha}/check-runs",
                        get(check_runs),
                    )
                    .route("/graphql", post(graphql))
                    .layer(axum::middleware::from_fn_with_state(
                        Arc::clone(&state),
                        record_and_fail,
                    ))
                    .with_state(state);
                tokio::select! {
                    _ = axum::serve(listener, app) => {}
                    _ = stopped => {}
                }
            });
        });
        Self {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The API base URL to give octocrab.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn pulls(&self) -> Vec<Pull> {
        lock(&self.shared).pulls.clone()
    }

    pub fn requests(&self) -> Vec<Request> {
        lock(&self.shared).requests.clone()
    }

    /// Fail the next matching request (failures are used in the order added).
    pub fn fail_next(&self, failure: Failure) {
        lock(&self.shared).failures.push_back(failure);
    }

    /// A person closes a pull request without merging.
    pub fn close(&self, number: u64) {
        self.with_pull(number, |p| p.state = "closed".into());
    }

    /// A person merges a pull request.
    pub fn merge(&self, number: u64) {
        self.with_pull(number, |p| {
            p.state = "closed".into();
            p.merged = true;
        });
    }

    /// A person edits a pull request (its title, body, labels …) on the website.
    pub fn edit(&self, number: u64, f: impl FnOnce(&mut Pull)) {
        self.with_pull(number, f);
    }

    /// Report check runs on a commit.
    pub fn set_checks(&self, sha: &str, conclusion: &str) {
        lock(&self.shared)
            .checks
            .insert(sha.to_string(), conclusion.to_string());
    }

    /// The branch of a pull request moved (someone pushed).
    pub fn set_head_sha(&self, number: u64, sha: &str) {
        self.with_pull(number, |p| p.head_sha = sha.to_string());
    }

    fn with_pull(&self, number: u64, f: impl FnOnce(&mut Pull)) {
        if let Some(p) = lock(&self.shared)
            .pulls
            .iter_mut()
            .find(|p| p.number == number)
        {
            f(p);
        }
    }
}

impl Drop for GitHubDouble {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Record every request, and answer with a scripted failure when one matches.
async fn record_and_fail(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, 1 << 20)
        .await
        .unwrap_or_default();
    let recorded = Request {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or_default().to_string(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or_default().to_string()))
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    };
    let failure = {
        let mut inner = lock(&shared);
        inner.requests.push(recorded);
        let position = inner.failures.iter().position(|f| {
            f.method.eq_ignore_ascii_case(method.as_str()) && uri.path().starts_with(&f.path_prefix)
        });
        position.and_then(|i| inner.failures.remove(i))
    };
    if let Some(f) = failure {
        let mut response = (
            StatusCode::from_u16(f.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            f.body,
        )
            .into_response();
        for (k, v) in f.headers {
            if let (Ok(name), Ok(value)) = (
                axum::http::HeaderName::from_bytes(k.as_bytes()),
                axum::http::HeaderValue::from_str(&v),
            ) {
                response.headers_mut().insert(name, value);
            }
        }
        return response;
    }
    next.run(axum::extract::Request::from_parts(
        parts,
        axum::body::Body::from(bytes),
    ))
    .await
}

fn pull_json(p: &Pull) -> Json {
    json!({
        "number": p.number,
        "node_id": format!("PR_node_{}", p.number),
        "html_url": format!("https://github.example/pull/{}", p.number),
        "title": p.title,
        "body": p.body,
        "state": p.state,
        "merged": p.merged,
        "merged_at": if p.merged { Json::String("2026-01-01T00:00:00Z".into()) } else { Json::Null },
        "head": { "ref": p.head, "sha": p.head_sha },
        "base": { "ref": p.base, "sha": "base" },
        "labels": p.labels.iter().map(|l| json!({"name": l})).collect::<Vec<_>>(),
        "requested_reviewers": p.reviewers.iter().map(|r| json!({"login": r})).collect::<Vec<_>>(),
        "created_at": p.created_at,
    })
}

fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"message": "Not Found"})),
    )
        .into_response()
}

async fn list_pulls(
    State(shared): State<Shared>,
    Query(q): Query<BTreeMap<String, String>>,
) -> Response {
    let inner = lock(&shared);
    let state = q.get("state").map_or("open", String::as_str);
    let head = q
        .get("head")
        .map(|h| h.split_once(':').map_or(h.as_str(), |(_, b)| b).to_string());
    let per_page: usize = q.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
    let page: usize = q
        .get("page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1)
        .max(1);
    let mut pulls: Vec<&Pull> = inner
        .pulls
        .iter()
        .filter(|p| state == "all" || p.state == state)
        .filter(|p| head.as_ref().is_none_or(|h| &p.head == h))
        .collect();
    pulls.sort_by_key(|p| std::cmp::Reverse(p.number));
    let page: Vec<Json> = pulls
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .map(pull_json)
        .collect();
    axum::Json(Json::Array(page)).into_response()
}

async fn create_pull(State(shared): State<Shared>, axum::Json(body): axum::Json<Json>) -> Response {
    let mut inner = lock(&shared);
    let field = |k: &str| {
        body.get(k)
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let head = field("head");
    if inner
        .pulls
        .iter()
        .any(|p| p.head == head && p.state == "open")
    {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(json!({"message": "Validation Failed", "errors": [{"message": format!("A pull request already exists for {head}.")}]})),
        )
            .into_response();
    }
    let number = inner.pulls.iter().map(|p| p.number).max().unwrap_or(0) + 1;
    let pull = Pull {
        number,
        title: field("title"),
        body: field("body"),
        head_sha: format!("{:040x}", 0xabc0_0000 + number),
        head,
        base: field("base"),
        state: "open".into(),
        merged: false,
        labels: Vec::new(),
        reviewers: Vec::new(),
        auto_merge: false,
        created_at: remedy_store::format_time(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        ),
    };
    let json = pull_json(&pull);
    inner.pulls.push(pull);
    (StatusCode::CREATED, axum::Json(json)).into_response()
}

async fn get_pull(
    State(shared): State<Shared>,
    Path((_, _, number)): Path<(String, String, u64)>,
) -> Response {
    let inner = lock(&shared);
    match inner.pulls.iter().find(|p| p.number == number) {
        Some(p) => axum::Json(pull_json(p)).into_response(),
        None => not_found(),
    }
}

async fn update_pull(
    State(shared): State<Shared>,
    Path((_, _, number)): Path<(String, String, u64)>,
    axum::Json(body): axum::Json<Json>,
) -> Response {
    let mut inner = lock(&shared);
    let Some(p) = inner.pulls.iter_mut().find(|p| p.number == number) else {
        return not_found();
    };
    if let Some(t) = body.get("title").and_then(Json::as_str) {
        p.title = t.to_string();
    }
    if let Some(b) = body.get("body").and_then(Json::as_str) {
        p.body = b.to_string();
    }
    if let Some(s) = body.get("state").and_then(Json::as_str) {
        p.state = s.to_string();
    }
    axum::Json(pull_json(p)).into_response()
}

async fn merge_pull(
    State(shared): State<Shared>,
    Path((_, _, number)): Path<(String, String, u64)>,
) -> Response {
    let mut inner = lock(&shared);
    let Some(p) = inner.pulls.iter_mut().find(|p| p.number == number) else {
        return not_found();
    };
    if p.state != "open" {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            axum::Json(json!({"message": "Pull Request is not mergeable"})),
        )
            .into_response();
    }
    p.state = "closed".into();
    p.merged = true;
    axum::Json(json!({"merged": true, "message": "Pull Request successfully merged"}))
        .into_response()
}

async fn request_reviewers(
    State(shared): State<Shared>,
    Path((_, _, number)): Path<(String, String, u64)>,
    axum::Json(body): axum::Json<Json>,
) -> Response {
    let mut inner = lock(&shared);
    let Some(p) = inner.pulls.iter_mut().find(|p| p.number == number) else {
        return not_found();
    };
    for key in ["reviewers", "team_reviewers"] {
        for r in body.get(key).and_then(Json::as_array).into_iter().flatten() {
            if let Some(r) = r.as_str() {
                p.reviewers.push(r.to_string());
            }
        }
    }
    (StatusCode::CREATED, axum::Json(pull_json(p))).into_response()
}

async fn add_labels(
    State(shared): State<Shared>,
    Path((_, _, number)): Path<(String, String, u64)>,
    axum::Json(body): axum::Json<Json>,
) -> Response {
    let mut inner = lock(&shared);
    let Some(p) = inner.pulls.iter_mut().find(|p| p.number == number) else {
        return not_found();
    };
    for l in body
        .get("labels")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(l) = l.as_str()
            && !p.labels.iter().any(|x| x == l)
        {
            p.labels.push(l.to_string());
        }
    }
    let labels: Vec<Json> = p.labels.iter().map(|l| json!({"name": l})).collect();
    axum::Json(Json::Array(labels)).into_response()
}

async fn check_runs(
    State(shared): State<Shared>,
    Path((_, _, sha)): Path<(String, String, String)>,
) -> Response {
    let inner = lock(&shared);
    let runs = match inner.checks.get(&sha).map(String::as_str) {
        None => Vec::new(),
        Some("pending") => vec![json!({"status": "in_progress", "conclusion": null})],
        Some(conclusion) => vec![json!({"status": "completed", "conclusion": conclusion})],
    };
    axum::Json(json!({"total_count": runs.len(), "check_runs": runs})).into_response()
}

async fn graphql(State(shared): State<Shared>, axum::Json(body): axum::Json<Json>) -> Response {
    let query = body.get("query").and_then(Json::as_str).unwrap_or_default();
    let (mutation, enable) = if query.contains("enablePullRequestAutoMerge") {
        ("enablePullRequestAutoMerge", true)
    } else if query.contains("disablePullRequestAutoMerge") {
        ("disablePullRequestAutoMerge", false)
    } else {
        return axum::Json(json!({"errors": [{"message": "unsupported query"}]})).into_response();
    };
    let id = body
        .pointer("/variables/id")
        .and_then(Json::as_str)
        .unwrap_or_default();
    let number: Option<u64> = id.strip_prefix("PR_node_").and_then(|n| n.parse().ok());
    let mut inner = lock(&shared);
    match inner.pulls.iter_mut().find(|p| Some(p.number) == number) {
        Some(p) => {
            p.auto_merge = enable;
            axum::Json(json!({"data": {mutation: {"clientMutationId": null}}})).into_response()
        }
        None => axum::Json(json!({"errors": [{"message": "Could not resolve to a node"}]}))
            .into_response(),
    }
}
