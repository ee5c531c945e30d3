//! A scripted OpenAI-compatible LLM server: the test double of the LLM tests, and what
//! `remedy eval --provider replay` serves transcripts from (see [`crate::transcript`]).
//!
//! ```no_run
//! use remedy_eval::scripted_llm::{Reply, ScriptedLlm};
//! use serde_json::json;
//!
//! let llm = ScriptedLlm::start(vec![
//!     Reply::status(429).retry_after(1),
//!     Reply::tool("set_property", json!({"path": "acl", "value": "private"})),
//!     Reply::tool("submit", json!({})),
//! ]);
//! // point the client at llm.base_url(), run, then inspect llm.requests()
//! ```
//!
//! Each request to `POST /v1/chat/completions` takes the next reply of the script; a request
//! past the end gets a 400 naming the request, so a test that expected fewer requests fails
//! loudly. Where requests arrive in no fixed order (several workers at once),
//! [`ScriptedLlm::answering`] picks each reply from the request itself instead. The server runs on its own thread and runtime, so sync and async tests alike can
//! use it; dropping it stops it.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value as Json, json};
use tokio::sync::oneshot;

/// One scripted answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// An assistant message calling these tools: `(name, raw arguments)`. The arguments are
    /// sent verbatim, so they may be malformed JSON on purpose.
    ToolCalls(Vec<(String, String)>),
    /// An assistant message with text and no tool calls.
    Text(String),
    /// An assistant message with text (when some) and tool calls `(name, raw arguments)`, as
    /// models sometimes write a sentence next to their calls.
    Message {
        content: Option<String>,
        tool_calls: Vec<(String, String)>,
    },
    /// A status with a JSON error body, optionally with `Retry-After` (seconds).
    Status {
        status: u16,
        retry_after: Option<u64>,
    },
    /// `200 OK` with this body as is (for example, not JSON at all).
    Raw(String),
    /// Wait, then answer.
    Delay(Duration, Box<Reply>),
    /// Never answer (until the server is dropped).
    Silence,
}

impl Reply {
    /// A single tool call with JSON arguments.
    #[allow(clippy::needless_pass_by_value)] // reads as `Reply::tool(name, json!(…))`
    pub fn tool(name: &str, arguments: Json) -> Self {
        Self::ToolCalls(vec![(name.to_string(), arguments.to_string())])
    }

    /// Several tool calls in one message.
    pub fn tools(calls: &[(&str, Json)]) -> Self {
        Self::ToolCalls(
            calls
                .iter()
                .map(|(n, a)| ((*n).to_string(), a.to_string()))
                .collect(),
        )
    }

    /// A tool call whose arguments are this raw text.
    pub fn tool_raw(name: &str, arguments: &str) -> Self {
        Self::ToolCalls(vec![(name.to_string(), arguments.to_string())])
    }

    pub fn text(text: &str) -> Self {
        Self::Text(text.to_string())
    }

    pub fn status(status: u16) -> Self {
        Self::Status {
            status,
            retry_after: None,
        }
    }

    /// Add `Retry-After: secs` to a [`Reply::Status`].
    pub fn retry_after(self, secs: u64) -> Self {
        match self {
            Self::Status { status, .. } => Self::Status {
                status,
                retry_after: Some(secs),
            },
            other => other,
        }
    }

    pub fn delayed(self, by: Duration) -> Self {
        Self::Delay(by, Box::new(self))
    }
}

/// A request the server received.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The body as JSON (`Null` when it was not JSON; see `raw`).
    pub body: Json,
    pub raw: String,
    /// Header names (lower case) and values.
    pub headers: Vec<(String, String)>,
    /// When it arrived.
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The messages sent.
    pub fn messages(&self) -> Vec<Json> {
        self.body["messages"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The text content of the messages with this role, in order.
    pub fn contents(&self, role: &str) -> Vec<String> {
        self.messages()
            .iter()
            .filter(|m| m["role"] == role)
            .filter_map(|m| m["content"].as_str().map(str::to_string))
            .collect()
    }

    /// The first user message: the task.
    pub fn task(&self) -> String {
        self.contents("user").into_iter().next().unwrap_or_default()
    }

    /// The tool results sent back in this request, in order.
    pub fn tool_results(&self) -> Vec<String> {
        self.contents("tool")
    }

    /// The names of the tools offered.
    pub fn tool_names(&self) -> Vec<String> {
        self.body["tools"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|t| t["function"]["name"].as_str().map(str::to_string))
            .collect()
    }
}

/// Picks the reply to a request from the request (its task, the tool results so far).
pub type Responder = Box<dyn Fn(&Recorded) -> Reply + Send + Sync>;

struct Shared {
    script: Mutex<VecDeque<Reply>>,
    responder: Option<Responder>,
    requests: Mutex<Vec<Recorded>>,
}

/// The running server.
pub struct ScriptedLlm {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl ScriptedLlm {
    /// Start on 127.0.0.1 on a free port.
    ///
    /// # Panics
    /// When no local port can be bound or the runtime cannot start (a broken test machine);
    /// [`ScriptedLlm::try_start`] returns the error instead.
    #[allow(clippy::expect_used)]
    pub fn start(script: Vec<Reply>) -> Self {
        Self::try_start(script).expect("start the scripted LLM server on 127.0.0.1")
    }

    /// Start on 127.0.0.1 on a free port, or say why it cannot.
    pub fn try_start(script: Vec<Reply>) -> std::io::Result<Self> {
        Self::serve(script, None)
    }

    /// Start on 127.0.0.1 on a free port, answering every request with `responder`'s reply
    /// to it: for callers whose requests arrive in no fixed order.
    ///
    /// # Panics
    /// As [`ScriptedLlm::start`].
    #[allow(clippy::expect_used)]
    pub fn answering(responder: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> Self {
        Self::serve(Vec::new(), Some(Box::new(responder)))
            .expect("start the scripted LLM server on 127.0.0.1")
    }

    fn serve(script: Vec<Reply>, responder: Option<Responder>) -> std::io::Result<Self> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let shared = Arc::new(Shared {
            script: Mutex::new(script.into()),
            responder,
            requests: Mutex::new(Vec::new()),
        });
        let (stop, stopped) = oneshot::channel::<()>();
        let state = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("scripted-llm".into())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let app = Router::new()
                        .route("/v1/chat/completions", post(chat))
                        .route("/chat/completions", post(chat))
                        .with_state(state);
                    tokio::select! {
                        _ = axum::serve(listener, app) => {}
                        _ = stopped => {}
                    }
                });
                // Dropping the runtime here cancels requests still waiting (Silence, Delay).
            })?;
        Ok(Self {
            addr,
            shared,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The base URL to configure clients with: `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replace the script and forget the requests so far: the server answers as if it had just
    /// started with `script` (request numbers start again at 1).
    pub fn reset(&self, script: Vec<Reply>) {
        let mut requests = self
            .shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *self
            .shared
            .script
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = script.into();
        requests.clear();
    }

    /// Replies not yet used.
    pub fn remaining(&self) -> usize {
        self.shared
            .script
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

impl Drop for ScriptedLlm {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn chat(State(shared): State<Arc<Shared>>, headers: HeaderMap, raw: String) -> Response {
    let body: Json = serde_json::from_str(&raw).unwrap_or(Json::Null);
    let (index, recorded) = {
        let mut requests = shared
            .requests
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let recorded = Recorded {
            body: body.clone(),
            raw: raw.clone(),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        n.as_str().to_string(),
                        String::from_utf8_lossy(v.as_bytes()).into_owned(),
                    )
                })
                .collect(),
            at: Instant::now(),
        };
        requests.push(recorded.clone());
        (requests.len(), recorded)
    };
    let scripted = shared
        .script
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .pop_front();
    let reply = scripted.or_else(|| shared.responder.as_ref().map(|r| r(&recorded)));
    let Some(reply) = reply else {
        return error(
            StatusCode::BAD_REQUEST,
            &format!("the script has no reply for request {index}"),
            None,
        );
    };
    answer(reply, &body, &raw, index).await
}

async fn answer(mut reply: Reply, body: &Json, raw: &str, index: usize) -> Response {
    loop {
        match reply {
            Reply::Delay(by, inner) => {
                tokio::time::sleep(by).await;
                reply = *inner;
            }
            Reply::Silence => {
                // Cancelled when the server is dropped.
                std::future::pending::<()>().await;
                return StatusCode::GATEWAY_TIMEOUT.into_response();
            }
            Reply::Status {
                status,
                retry_after,
            } => {
                let status = StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT);
                return error(status, "scripted error", retry_after);
            }
            Reply::Raw(text) => {
                return (
                    StatusCode::OK,
                    [(header::CONTENT_TYPE, "application/json")],
                    text,
                )
                    .into_response();
            }
            Reply::Text(text) => {
                return completion(
                    body,
                    raw,
                    index,
                    &json!({"role": "assistant", "content": text}),
                    "stop",
                );
            }
            Reply::Message {
                content,
                tool_calls,
            } if tool_calls.is_empty() => {
                reply = Reply::Text(content.unwrap_or_default());
            }
            Reply::Message {
                content,
                tool_calls,
            } => return tool_call_completion(body, raw, index, content.as_deref(), &tool_calls),
            Reply::ToolCalls(calls) => {
                return tool_call_completion(body, raw, index, None, &calls);
            }
        }
    }
}

/// An assistant message calling tools `(name, raw arguments)`, with text when some.
fn tool_call_completion(
    body: &Json,
    raw: &str,
    index: usize,
    content: Option<&str>,
    calls: &[(String, String)],
) -> Response {
    let calls: Vec<Json> = calls
        .iter()
        .enumerate()
        .map(|(i, (name, arguments))| {
            json!({
                "id": format!("call_{index}_{i}"),
                "type": "function",
                "function": {"name": name, "arguments": arguments}
            })
        })
        .collect();
    completion(
        body,
        raw,
        index,
        &json!({"role": "assistant", "content": content, "tool_calls": calls}),
        "tool_calls",
    )
}

fn completion(body: &Json, raw: &str, index: usize, message: &Json, finish: &str) -> Response {
    let prompt_tokens = raw.len() / 4;
    let completion_tokens = message.to_string().len() / 4;
    axum::Json(json!({
        "id": format!("chatcmpl-{index}"),
        "object": "chat.completion",
        "created": 0,
        "model": body["model"].as_str().unwrap_or("scripted"),
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens
        }
    }))
    .into_response()
}

fn error(status: StatusCode, message: &str, retry_after: Option<u64>) -> Response {
    let body =
        json!({"error": {"message": message, "type": "scripted", "param": null, "code": null}});
    let mut response = (status, axum::Json(body)).into_response();
    if let Some(secs) = retry_after
        && let Ok(value) = secs.to_string().parse()
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
