//! The daemon's HTTP API (JSON): assign work, inspect violations, status and pull requests,
//! health, readiness and Prometheus metrics.
//!
//! Mutating endpoints need `Authorization: Bearer $REMEDY_API_TOKEN` when the daemon listens
//! beyond loopback (it refuses to start there without a token); with `read_token`, every
//! endpoint but the health probes does. Requests must name the daemon in `Host` (a loopback
//! name, the address it listens on, or a name the operator configured): a DNS-rebinding page in
//! a browser names its own host and is refused. Malformed requests get a 4xx with a JSON
//! `{"error": …}` saying what is wrong.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::pool::Shared;
use remedy_guardrails::Severity;
use remedy_store::{Filter, Page, Priority, Status, StatusBy};

pub struct Api {
    pub shared: Arc<Shared>,
    /// Required on mutating requests when set (and on reads with `read_token`).
    pub token: Option<String>,
    /// Reads need the token too.
    pub read_token: bool,
    /// Who requests may name in `Host`.
    pub hosts: Hosts,
    pub started: std::time::Instant,
}

type Ctx = State<Arc<Api>>;

pub fn router(api: Arc<Api>) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/v1/assignments", post(assign))
        .route("/v1/violations", get(violations))
        .route("/v1/violations/{fingerprint}", get(violation))
        .route("/v1/status", get(status))
        .route("/v1/prs", get(prs))
        .fallback(|| async { error(StatusCode::NOT_FOUND, "no such endpoint") })
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&api),
            guard,
        ))
        .with_state(api)
}

/// The names a request may give in `Host`: loopback names, the address the daemon listens on
/// (any address of this machine when that is unspecified, `0.0.0.0`), and the operator's names.
/// A page in the operator's browser that reaches the daemon through a DNS name rebound to it
/// gives that name, so it is refused.
#[derive(Debug, Clone)]
pub struct Hosts {
    pub listen: std::net::IpAddr,
    pub names: Vec<String>,
}

impl Hosts {
    pub fn allows(&self, host: &str) -> bool {
        let name = host_name(host);
        if name.is_empty() {
            return false;
        }
        if name.eq_ignore_ascii_case("localhost") {
            return true;
        }
        if let Ok(ip) = name.parse::<std::net::IpAddr>() {
            return ip.is_loopback() || self.listen.is_unspecified() || ip == self.listen;
        }
        self.names.iter().any(|n| n.eq_ignore_ascii_case(name))
    }
}

/// `host` without its port or IPv6 brackets.
fn host_name(host: &str) -> &str {
    match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    }
}

/// Every request names the daemon in `Host`; reads carry the token when `read_token` says so
/// (the health probes excepted).
async fn guard(
    State(api): Ctx,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if !api.hosts.allows(host) {
        return error(
            StatusCode::MISDIRECTED_REQUEST,
            "this daemon answers only requests addressed to localhost, its listen address or a \
             name given with --api-host ([daemon] hosts)",
        );
    }
    let probe = matches!(request.uri().path(), "/healthz" | "/readyz");
    if api.read_token
        && !probe
        && request.method() == axum::http::Method::GET
        && let Some(refused) = unauthorized(&api, request.headers())
    {
        return refused;
    }
    next.run(request).await
}

/// The refusal of a request without the daemon's token, when it has one.
fn unauthorized(api: &Api, headers: &HeaderMap) -> Option<Response> {
    let token = api.token.as_ref()?;
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer);
    if given.is_some_and(|given| same_secret(given, token)) {
        None
    } else {
        Some(error(
            StatusCode::UNAUTHORIZED,
            "a bearer token (REMEDY_API_TOKEN) is required",
        ))
    }
}

/// Whether the daemon may listen on `addr` with this token.
pub fn check_listen(addr: &SocketAddr, token: Option<&str>) -> Result<(), String> {
    if addr.ip().is_loopback() || token.is_some_and(|t| !t.is_empty()) {
        Ok(())
    } else {
        Err(format!(
            "listening on {addr} (beyond loopback) needs REMEDY_API_TOKEN in the environment, \
             so that mutating requests can be authenticated"
        ))
    }
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

fn store_error(err: &remedy_store::StoreError) -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        format!("the store is unavailable: {err}"),
    )
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(api): Ctx) -> Response {
    let draining = *api.shared.shutdown.borrow();
    let store_ok = api.shared.store_ok.load(Ordering::Relaxed);
    let ready = !draining && store_ok;
    let body = Json(json!({ "ready": ready, "draining": draining, "store": store_ok }));
    if ready {
        (StatusCode::OK, body).into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    }
}

async fn metrics(State(api): Ctx) -> Response {
    let store = &api.shared.store;
    let filter = Filter {
        repositories: api.shared.scope.repository.iter().cloned().collect(),
        ..Filter::default()
    };
    let (counts, queue) = match (
        store.counts(&filter).await,
        store.queue_stats(&filter).await,
    ) {
        (Ok(c), Ok(q)) => (c, q),
        (Err(err), _) | (_, Err(err)) => {
            api.shared.metrics.store_error();
            return store_error(&err);
        }
    };
    let body = api
        .shared
        .metrics
        .render(&counts, &queue, store.clock().now_ms());
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}

/// `POST /v1/assignments`: the filters of `remedy assign`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Assignment {
    #[serde(default)]
    policy: Vec<String>,
    #[serde(default)]
    min_severity: Option<Severity>,
    #[serde(default)]
    framework: Vec<String>,
    #[serde(default)]
    path: Vec<String>,
    #[serde(default)]
    id: Vec<String>,
    #[serde(default)]
    all: bool,
    #[serde(default)]
    limit: Option<u64>,
    /// A person instead of the agent.
    #[serde(default)]
    to: Option<String>,
}

async fn assign(
    State(api): Ctx,
    headers: HeaderMap,
    body: Result<Json<Assignment>, JsonRejection>,
) -> Response {
    if let Some(refused) = unauthorized(&api, &headers) {
        return refused;
    }
    let Json(a) = match body {
        Ok(body) => body,
        Err(rejection) => return error(StatusCode::BAD_REQUEST, rejection.body_text()),
    };
    let filter = Filter {
        repositories: api.shared.scope.repository.iter().cloned().collect(),
        ids: a.id,
        policies: a.policy,
        min_severity: a.min_severity,
        frameworks: a.framework,
        paths: a.path,
        ..Filter::default()
    };
    let narrowed =
        filter.ids.len() + filter.policies.len() + filter.frameworks.len() + filter.paths.len() > 0
            || filter.min_severity.is_some();
    if !narrowed && !a.all {
        return error(
            StatusCode::BAD_REQUEST,
            "nothing selected: give policy, min_severity, framework, path or id filters, or \"all\": true",
        );
    }
    let to = a.to.unwrap_or_else(|| remedy_store::AGENT.to_string());
    match api.shared.store.assign(&filter, a.limit, &to, "api").await {
        Ok(n) => (StatusCode::OK, Json(json!({ "assigned": n, "to": to }))).into_response(),
        Err(err @ remedy_store::StoreError::Invalid(_)) => {
            error(StatusCode::BAD_REQUEST, err.to_string())
        }
        Err(err) => store_error(&err),
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    min_severity: Option<Severity>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    limit: Option<u64>,
    #[serde(default)]
    offset: Option<u64>,
}

async fn violations(State(api): Ctx, query: Result<Query<ListQuery>, QueryRejection>) -> Response {
    let Query(q) = match query {
        Ok(q) => q,
        Err(rejection) => return error(StatusCode::BAD_REQUEST, rejection.body_text()),
    };
    let statuses = match q.status.as_deref().map(str::parse::<Status>).transpose() {
        Ok(s) => s.into_iter().collect(),
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let priorities = match q
        .priority
        .as_deref()
        .map(str::parse::<Priority>)
        .transpose()
    {
        Ok(p) => p.into_iter().collect(),
        Err(e) => return error(StatusCode::BAD_REQUEST, e),
    };
    let filter = Filter {
        repositories: api.shared.scope.repository.iter().cloned().collect(),
        policies: q.policy.into_iter().collect(),
        statuses,
        min_severity: q.min_severity,
        paths: q.path.into_iter().collect(),
        priorities,
        ..Filter::default()
    };
    let page = Page {
        limit: q.limit.unwrap_or(50).clamp(1, 1000),
        offset: q.offset.unwrap_or(0),
    };
    match api.shared.store.violations(&filter, page).await {
        Ok(page) => Json(json!({
            "total": page.total,
            "offset": page.offset,
            "limit": page.limit,
            "violations": page.violations,
        }))
        .into_response(),
        Err(err) => store_error(&err),
    }
}

async fn violation(State(api): Ctx, Path(fingerprint): Path<String>) -> Response {
    if fingerprint.len() < 6 || !fingerprint.bytes().all(|b| b.is_ascii_hexdigit()) {
        return error(
            StatusCode::BAD_REQUEST,
            "a fingerprint is at least 6 hex digits",
        );
    }
    let filter = Filter {
        repositories: api.shared.scope.repository.iter().cloned().collect(),
        ids: vec![fingerprint.clone()],
        ..Filter::default()
    };
    let page = match api
        .shared
        .store
        .violations(
            &filter,
            Page {
                limit: 2,
                offset: 0,
            },
        )
        .await
    {
        Ok(page) => page,
        Err(err @ remedy_store::StoreError::Invalid(_)) => {
            return error(StatusCode::BAD_REQUEST, err.to_string());
        }
        Err(err) => return store_error(&err),
    };
    match page.violations.as_slice() {
        [] => error(StatusCode::NOT_FOUND, format!("no violation {fingerprint}")),
        [one] => match api.shared.store.events(&filter).await {
            Ok(events) => Json(json!({ "violation": one, "events": events })).into_response(),
            Err(err) => store_error(&err),
        },
        _ => error(
            StatusCode::BAD_REQUEST,
            format!("{fingerprint} matches several violations; give more digits"),
        ),
    }
}

async fn status(State(api): Ctx) -> Response {
    let filter = Filter {
        repositories: api.shared.scope.repository.iter().cloned().collect(),
        ..Filter::default()
    };
    match api.shared.store.status(&filter, StatusBy::Status).await {
        Ok(report) => Json(json!({
            "status": report,
            "uptime_seconds": api.started.elapsed().as_secs(),
        }))
        .into_response(),
        Err(err) => store_error(&err),
    }
}

async fn prs(State(api): Ctx) -> Response {
    match api.shared.store.pr_summaries(500).await {
        Ok(prs) => Json(json!({ "prs": prs })).into_response(),
        Err(err) => store_error(&err),
    }
}

/// The credentials of an `Authorization: Bearer …` header; the scheme is case-insensitive
/// (RFC 9110, 11.1).
fn bearer(value: &str) -> Option<&str> {
    let (scheme, credentials) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| credentials.trim())
}

/// Whether two secrets are equal, in time that does not depend on where they differ: their
/// digests are compared in full.
fn same_secret(given: &str, expected: &str) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_tokens_in_any_case_compared_in_full() {
        assert_eq!(bearer("Bearer abc"), Some("abc"));
        assert_eq!(bearer("bearer abc"), Some("abc"));
        assert_eq!(bearer("BEARER  abc "), Some("abc"));
        assert_eq!(bearer("Basic abc"), None);
        assert_eq!(bearer("Bearerabc"), None);
        assert!(same_secret("s3cret", "s3cret"));
        assert!(!same_secret("s3cret", "s3creT"));
        assert!(!same_secret("", "s3cret"));
    }

    #[test]
    fn hosts_the_daemon_answers_to() {
        let loopback = Hosts {
            listen: "127.0.0.1".parse().unwrap(),
            names: vec!["remedy.internal".into()],
        };
        for host in [
            "localhost",
            "localhost:8080",
            "127.0.0.1:9090",
            "[::1]:80",
            "LOCALHOST",
            "remedy.internal:7807",
            "REMEDY.internal",
        ] {
            assert!(loopback.allows(host), "{host}");
        }
        for host in [
            "",
            "evil.example",
            "evil.example:8080",
            "127.0.0.1.evil.example",
            "10.0.0.1",
            "remedy.internal.evil.example",
        ] {
            assert!(!loopback.allows(host), "{host}");
        }
        let one = Hosts {
            listen: "10.0.0.5".parse().unwrap(),
            names: Vec::new(),
        };
        assert!(one.allows("10.0.0.5:7807"));
        assert!(!one.allows("10.0.0.6:7807"));
        assert!(!one.allows("attacker.example"));
        let any = Hosts {
            listen: "0.0.0.0".parse().unwrap(),
            names: Vec::new(),
        };
        assert!(any.allows("10.0.0.6:7807"));
        assert!(any.allows("[fd00::1]:7807"));
        assert!(!any.allows("attacker.example"));
    }
}
