//! The HTTP side: async-openai against any OpenAI-compatible endpoint, with a per-request
//! timeout, retries on 429/5xx/connection errors that honour `Retry-After`, and governor limits
//! on requests and tokens per minute.
//!
//! async-openai's own retry layer sleeps for whatever `Retry-After` says; ours caps the wait
//! (a server asking for an hour fails the request instead of stalling a worker) and never
//! retries a timeout (a hung endpoint would otherwise cost several timeouts per request).

use std::future::Future;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use async_openai::config::Config;
use async_openai::error::OpenAIError;
use async_openai::middleware::HttpRequestFactory;
use async_openai::types::chat::{CreateChatCompletionRequest, CreateChatCompletionResponse};
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue, RETRY_AFTER};
use secrecy::SecretString;

use super::error::LlmError;
use super::settings::{ApiKey, LlmSettings};

/// Longest error text kept from a response body.
const MAX_ERROR_CHARS: usize = 300;

/// A chat-completions client for one endpoint and model.
pub(crate) struct ChatClient {
    client: async_openai::Client<Endpoint>,
    requests: DefaultDirectRateLimiter,
    tokens: DefaultDirectRateLimiter,
    token_burst: NonZeroU32,
}

impl ChatClient {
    pub(crate) fn new(
        settings: &LlmSettings,
        base_url: &str,
        key: Option<ApiKey>,
    ) -> Result<Self, LlmError> {
        // reqwest is built without a bundled crypto provider; ring is ours. Installing fails
        // harmlessly when the process already chose one.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let timeout = Duration::from_secs(settings.timeout_secs);
        let mut builder = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)));
        if is_loopback(base_url) {
            // A model on this machine (Ollama, vLLM, the replay server of `remedy eval`) is
            // never reached through HTTP_PROXY: a proxy elsewhere cannot reach it.
            builder = builder.no_proxy();
        }
        let http = builder
            .build()
            .map_err(|e| LlmError::Client(e.to_string()))?;
        let transport = Transport {
            http,
            max_retries: settings.max_retries,
            max_retry_after: Duration::from_secs(settings.max_retry_after_secs),
        };
        let endpoint = Endpoint::new(base_url, key)?;
        let client = async_openai::Client::with_config(endpoint).with_http_service(transport);
        let per_minute = |n: u32| NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN);
        let token_burst = per_minute(settings.tokens_per_minute);
        Ok(Self {
            client,
            requests: RateLimiter::direct(Quota::per_minute(per_minute(
                settings.requests_per_minute,
            ))),
            tokens: RateLimiter::direct(Quota::per_minute(token_burst)),
            token_burst,
        })
    }

    /// Send one chat-completion request, within the rate limits. `estimated_tokens` is what the
    /// tokens-per-minute limit is charged. Also how long the limits held the request back.
    pub(crate) async fn complete(
        &self,
        request: CreateChatCompletionRequest,
        estimated_tokens: u32,
    ) -> Result<(CreateChatCompletionResponse, Duration), LlmError> {
        let queued = std::time::Instant::now();
        self.requests.until_ready().await;
        let n = NonZeroU32::new(estimated_tokens.min(self.token_burst.get()))
            .unwrap_or(NonZeroU32::MIN);
        // `n` never exceeds the burst, so capacity is always sufficient.
        let _ = self.tokens.until_n_ready(n).await;
        let waited = queued.elapsed();
        let response = self
            .client
            .chat()
            .create(request)
            .await
            .map_err(|e| LlmError::Request(describe(&e)))?;
        Ok((response, waited))
    }
}

/// Whether `base_url` names this machine: `localhost`, 127.0.0.0/8 or `::1`.
pub(crate) fn is_loopback(base_url: &str) -> bool {
    match url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// A short, secret-free description of a failed request.
fn describe(error: &OpenAIError) -> String {
    let text = match error {
        OpenAIError::Reqwest(e) if e.is_timeout() => "the endpoint did not answer in time".into(),
        OpenAIError::Reqwest(e) if e.is_connect() => {
            format!("cannot connect to the endpoint: {e}")
        }
        OpenAIError::ApiError(api) => format!(
            "the endpoint answered {}: {}",
            api.status_code, api.api_error.message
        ),
        OpenAIError::JSONDeserialize(e, _) => {
            format!("the endpoint's answer is not a chat completion ({e})")
        }
        other => other.to_string(),
    };
    truncate(&text, MAX_ERROR_CHARS)
}

pub(crate) fn truncate(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &text[..i]),
        None => text.to_string(),
    }
}

/// The endpoint's address and key, as async-openai's [`Config`].
struct Endpoint {
    base: String,
    key: Option<ApiKey>,
    none: SecretString,
}

impl Endpoint {
    fn new(base: &str, key: Option<ApiKey>) -> Result<Self, LlmError> {
        if let Some(key) = &key {
            // Checked here so building headers later cannot fail.
            HeaderValue::from_str(&format!("Bearer {}", key.expose())).map_err(|_| {
                LlmError::Client("the API key cannot be sent in an HTTP header".into())
            })?;
        }
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            key,
            none: SecretString::from(String::new()),
        })
    }
}

impl Config for Endpoint {
    fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        if let Some(key) = &self.key
            && let Ok(mut value) = HeaderValue::from_str(&format!("Bearer {}", key.expose()))
        {
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        headers
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    fn query(&self) -> Vec<(&str, &str)> {
        Vec::new()
    }

    fn api_base(&self) -> &str {
        &self.base
    }

    fn api_key(&self) -> &SecretString {
        self.key.as_ref().map_or(&self.none, ApiKey::secret)
    }
}

/// Sends requests and retries the ones worth retrying.
#[derive(Clone)]
struct Transport {
    http: reqwest::Client,
    max_retries: u32,
    max_retry_after: Duration,
}

type ResponseFuture = Pin<Box<dyn Future<Output = Result<reqwest::Response, OpenAIError>> + Send>>;

impl tower::Service<HttpRequestFactory> for Transport {
    type Response = reqwest::Response;
    type Error = OpenAIError;
    type Future = ResponseFuture;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: HttpRequestFactory) -> Self::Future {
        let this = Arc::new(self.clone());
        Box::pin(async move { this.send(request).await })
    }
}

impl Transport {
    async fn send(&self, factory: HttpRequestFactory) -> Result<reqwest::Response, OpenAIError> {
        let mut retry = 0;
        loop {
            let request = factory.build().await?;
            let result = self.http.execute(request).await;
            let wait = match &result {
                Ok(response) => {
                    let status = response.status();
                    if status.as_u16() != 429 && !status.is_server_error() {
                        return result.map_err(OpenAIError::Reqwest);
                    }
                    match retry_after(response.headers()) {
                        Some(wait) if wait > self.max_retry_after => {
                            tracing::warn!(
                                status = status.as_u16(),
                                retry_after_secs = wait.as_secs(),
                                "the LLM endpoint asks to wait longer than max_retry_after_secs; giving up on this request"
                            );
                            return result.map_err(OpenAIError::Reqwest);
                        }
                        Some(wait) => wait,
                        None => backoff(retry),
                    }
                }
                Err(e) if e.is_connect() => backoff(retry),
                Err(_) => return result.map_err(OpenAIError::Reqwest),
            };
            if retry >= self.max_retries {
                return result.map_err(OpenAIError::Reqwest);
            }
            retry += 1;
            tracing::warn!(
                status = result.as_ref().ok().map(|r| r.status().as_u16()),
                retry,
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "the LLM endpoint is busy or unreachable; retrying"
            );
            tokio::time::sleep(wait).await;
        }
    }
}

/// `Retry-After` in seconds (the HTTP-date form falls back to backoff).
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    headers
        .get(RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// 0.5 s, 1 s, 2 s … capped at 8 s.
fn backoff(retry: u32) -> Duration {
    Duration::from_millis(500)
        .saturating_mul(2u32.saturating_pow(retry))
        .min(Duration::from_secs(8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped() {
        assert_eq!(backoff(0), Duration::from_millis(500));
        assert_eq!(backoff(2), Duration::from_secs(2));
        assert_eq!(backoff(30), Duration::from_secs(8));
    }

    #[test]
    fn retry_after_reads_seconds_only() {
        let mut headers = HeaderMap::new();
        assert_eq!(retry_after(&headers), None);
        headers.insert(RETRY_AFTER, HeaderValue::from_static(" 3 "));
        assert_eq!(retry_after(&headers), Some(Duration::from_secs(3)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&headers), None);
    }

    #[test]
    fn endpoint_marks_the_key_sensitive_and_sends_none_without_one() {
        let key = ApiKey::new("sk-secret").unwrap();
        let endpoint = Endpoint::new("http://127.0.0.1:9/v1/", Some(key)).unwrap();
        let headers = endpoint.headers();
        let auth = headers.get(AUTHORIZATION).unwrap();
        assert!(auth.is_sensitive());
        assert!(!format!("{headers:?}").contains("sk-secret"));
        assert_eq!(
            endpoint.url("/chat/completions"),
            "http://127.0.0.1:9/v1/chat/completions"
        );
        let open = Endpoint::new("http://127.0.0.1:9/v1", None).unwrap();
        assert!(open.headers().get(AUTHORIZATION).is_none());
    }

    #[test]
    fn only_this_machine_is_loopback() {
        for url in [
            "http://127.0.0.1:8080/v1",
            "http://127.1.2.3/v1",
            "http://localhost:11434/v1",
            "http://LOCALHOST/v1",
            "http://[::1]:9/v1",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "https://api.openai.com/v1",
            "http://10.0.0.1/v1",
            "http://localhost.example.com/v1",
            "not a url",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn truncate_counts_characters() {
        assert_eq!(truncate("abc", 5), "abc");
        assert_eq!(truncate("ééééé", 2), "éé…");
    }
}
