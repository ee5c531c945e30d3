//! What the LLM agent is configured with: the endpoint, limits and prompts (meant for an `[llm]`
//! table in `remedy.toml`, every key also a flag of `remedy fix`), and the API key, which comes
//! from the environment only.

use std::fmt;
use std::path::PathBuf;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

use super::error::LlmError;

/// Environment variables holding the API key, in order of preference.
pub const KEY_VARIABLES: [&str; 2] = ["REMEDY_LLM_API_KEY", "OPENAI_API_KEY"];

/// The LLM agent's settings. Unset keys take the defaults below.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LlmSettings {
    /// An OpenAI-compatible endpoint, for example `https://api.openai.com/v1` or
    /// `http://localhost:11434/v1`.
    pub base_url: Option<String>,
    /// The model name the endpoint knows.
    pub model: Option<String>,
    /// Longest wait for one HTTP request, in seconds.
    pub timeout_secs: u64,
    /// Proposals (gate rejections included) before the violation goes to a person.
    pub max_attempts: usize,
    /// Retries of one request on 429, 5xx and connection errors.
    pub max_retries: u32,
    /// Longest `Retry-After` honoured, in seconds; a longer one fails the request.
    pub max_retry_after_secs: u64,
    /// Tool calls (and plain replies) the model may make in one attempt.
    pub max_tool_calls: usize,
    /// Requests per minute to the endpoint, across all violations.
    pub requests_per_minute: u32,
    /// Prompt tokens per minute (estimated before sending), across all violations.
    pub tokens_per_minute: u32,
    /// `max_completion_tokens` sent with each request, when set.
    pub max_completion_tokens: Option<u32>,
    /// `temperature` sent with each request, when set (some models accept only the default).
    pub temperature: Option<f32>,
    /// A directory whose `system.txt`, `task.txt` and `feedback.txt` replace the built-in
    /// prompts (each file is optional).
    pub prompts_dir: Option<PathBuf>,
}

impl Default for LlmSettings {
    fn default() -> Self {
        Self {
            base_url: None,
            model: None,
            timeout_secs: 120,
            max_attempts: 3,
            max_retries: 3,
            max_retry_after_secs: 60,
            max_tool_calls: 16,
            requests_per_minute: 60,
            tokens_per_minute: 200_000,
            max_completion_tokens: None,
            temperature: None,
            prompts_dir: None,
        }
    }
}

impl LlmSettings {
    /// Both an endpoint and a model are set.
    pub fn is_configured(&self) -> bool {
        self.base_url.is_some() && self.model.is_some()
    }

    /// Checks serde cannot express; the error names the key.
    pub fn validate(&self) -> Result<(), LlmError> {
        let bad = |key: &'static str, message: String| LlmError::Setting { key, message };
        match (&self.base_url, &self.model) {
            (Some(_), None) => return Err(bad("model", "is required with `base_url`".into())),
            (None, Some(_)) => return Err(bad("base_url", "is required with `model`".into())),
            _ => {}
        }
        if let Some(url) = &self.base_url {
            let parsed = url::Url::parse(url)
                .map_err(|e| bad("base_url", format!("`{url}` is not a URL: {e}")))?;
            if !parsed.has_host() {
                return Err(bad("base_url", format!("`{url}` has no host")));
            }
            if !parsed.username().is_empty() || parsed.password().is_some() {
                // Credentials in the URL would end up in logs; keys come from the environment.
                return Err(bad(
                    "base_url",
                    "must not carry credentials; set REMEDY_LLM_API_KEY instead".into(),
                ));
            }
            match parsed.scheme() {
                "https" => {}
                // The key would cross the network in the clear; only this machine may be
                // reached over plain HTTP (Ollama, vLLM, a replay server).
                "http" if super::client::is_loopback(url) => {}
                "http" => {
                    return Err(bad(
                        "base_url",
                        format!(
                            "`{url}` sends the API key unencrypted: use https:// (http:// only to this machine)"
                        ),
                    ));
                }
                _ => {
                    return Err(bad(
                        "base_url",
                        format!("`{url}` is not an http:// or https:// URL"),
                    ));
                }
            }
        }
        if self.model.as_deref().is_some_and(|m| m.trim().is_empty()) {
            return Err(bad("model", "is empty".into()));
        }
        for (key, value) in [
            ("timeout_secs", self.timeout_secs),
            ("max_attempts", self.max_attempts as u64),
            ("max_tool_calls", self.max_tool_calls as u64),
            ("requests_per_minute", u64::from(self.requests_per_minute)),
            ("tokens_per_minute", u64::from(self.tokens_per_minute)),
        ] {
            if value == 0 {
                return Err(bad(key, "must be at least 1".into()));
            }
        }
        if let Some(t) = self.temperature
            && !(0.0..=2.0).contains(&t)
        {
            return Err(bad("temperature", format!("{t} is outside 0 to 2")));
        }
        Ok(())
    }
}

/// The endpoint's API key. Never printed: `Debug` shows `ApiKey(***)`.
#[derive(Clone)]
pub struct ApiKey(SecretString);

impl ApiKey {
    /// The key from `REMEDY_LLM_API_KEY`, else `OPENAI_API_KEY`; `None` when neither is set
    /// (local endpoints often need none).
    pub fn from_env() -> Result<Option<Self>, LlmError> {
        Self::lookup(|name| std::env::var(name).ok())
    }

    /// As [`ApiKey::from_env`], reading variables through `var`.
    pub fn lookup(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, LlmError> {
        for name in KEY_VARIABLES {
            if let Some(value) = var(name).filter(|v| !v.trim().is_empty()) {
                return Self::new(&value).map(Some).map_err(|()| LlmError::Setting {
                    key: name,
                    message: "holds characters that cannot be sent in an HTTP header".into(),
                });
            }
        }
        Ok(None)
    }

    /// A key given directly (tests, embedding). Surrounding whitespace is dropped; a key with
    /// characters an HTTP header cannot carry is refused.
    #[allow(clippy::result_unit_err)]
    pub fn new(value: &str) -> Result<Self, ()> {
        let trimmed = value.trim();
        if trimmed.is_empty() || !trimmed.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
            return Err(());
        }
        Ok(Self(SecretString::from(trimmed.to_string())))
    }

    pub(crate) fn secret(&self) -> &SecretString {
        &self.0
    }

    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_reject_unknown_keys_and_name_bad_ones() {
        let err = toml::from_str::<LlmSettings>("base_url = \"http://x\"\nmodle = \"m\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("modle"), "{err}");

        let settings: LlmSettings =
            toml::from_str("base_url = \"http://127.0.0.1:1/v1\"\nmodel = \"m\"\n").unwrap();
        assert!(settings.is_configured());
        assert_eq!(settings.max_attempts, 3);
        settings.validate().unwrap();
        for local in [
            "http://localhost:11434/v1",
            "http://[::1]:8000/v1",
            "https://api.example/v1",
        ] {
            let settings = LlmSettings {
                base_url: Some(local.into()),
                model: Some("m".into()),
                ..LlmSettings::default()
            };
            settings.validate().unwrap();
        }

        let cases = [
            ("base_url = \"ftp://x\"\nmodel = \"m\"", "base_url"),
            ("base_url = \"https://\"\nmodel = \"m\"", "base_url"),
            ("base_url = \"https://u:p@x/v1\"\nmodel = \"m\"", "base_url"),
            (
                "base_url = \"http://api.example/v1\"\nmodel = \"m\"",
                "base_url",
            ),
            (
                "base_url = \"http://127.0.0.1.example/v1\"\nmodel = \"m\"",
                "base_url",
            ),
            ("base_url = \"https://x\"", "model"),
            ("model = \"m\"", "base_url"),
            (
                "base_url = \"https://x\"\nmodel = \"m\"\nmax_attempts = 0",
                "max_attempts",
            ),
            (
                "base_url = \"https://x\"\nmodel = \"m\"\ntemperature = 3.0",
                "temperature",
            ),
        ];
        for (text, key) in cases {
            let settings: LlmSettings = toml::from_str(text).unwrap();
            let err = settings.validate().unwrap_err();
            assert!(
                matches!(&err, LlmError::Setting { key: k, .. } if *k == key),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn api_key_prefers_remedy_variable_and_never_prints() {
        let env = |name: &str| match name {
            "REMEDY_LLM_API_KEY" => Some("sk-remedy-123\n".to_string()),
            "OPENAI_API_KEY" => Some("sk-openai-456".to_string()),
            _ => None,
        };
        let key = ApiKey::lookup(env).unwrap().unwrap();
        assert_eq!(key.expose(), "sk-remedy-123");
        assert_eq!(format!("{key:?}"), "ApiKey(***)");

        let only_openai = |name: &str| (name == "OPENAI_API_KEY").then(|| "sk-o".to_string());
        assert_eq!(
            ApiKey::lookup(only_openai).unwrap().unwrap().expose(),
            "sk-o"
        );
        assert!(ApiKey::lookup(|_| None).unwrap().is_none());

        let broken = |name: &str| (name == "REMEDY_LLM_API_KEY").then(|| "sk bad".to_string());
        let err = ApiKey::lookup(broken).unwrap_err().to_string();
        assert!(
            err.contains("REMEDY_LLM_API_KEY") && !err.contains("sk bad"),
            "{err}"
        );
    }
}
