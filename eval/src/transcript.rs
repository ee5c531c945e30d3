//! LLM transcripts: the assistant's replies to one case, attempt by attempt, which the replay
//! provider of `remedy eval` serves from a local OpenAI-compatible server ([`ScriptedLlm`]) so
//! the LLM path is scored deterministically and without a network.
//!
//! `eval/transcripts/<case-id>.json`:
//!
//! ```json
//! {
//!   "source": "scripted",
//!   "about": "reads the resource, sets the property, submits",
//!   "attempts": [
//!     [
//!       { "tool": "read_resource" },
//!       { "tool": "set_property", "arguments": { "path": "acl", "value": "private" } },
//!       { "tool": "submit" }
//!     ]
//!   ]
//! }
//! ```
//!
//! - `source`: `scripted` (written by hand: scripted model turns that test the engine's handling
//!   of model behaviour, not a model's quality) or `recorded` (what a live endpoint answered,
//!   saved by `remedy eval --provider llm --record-transcripts DIR`; `model` names the model).
//! - `attempts`: one list of turns per attempt (a proposal the gate judges, or a give-up); each
//!   turn is one assistant message, the answer to one request:
//!   - `{"tool": NAME, "arguments": ARGS}`: one tool call (`arguments` defaults to `{}`);
//!   - `{"tools": [{"tool": NAME, "arguments": ARGS}, …]}`: several calls in one message;
//!   - `{"text": TEXT}`: text without tool calls; next to `tool` or `tools`, the text the message
//!     carries with its calls.
//!
//!   `ARGS` that is a string is sent as is (malformed arguments on purpose, such as
//!   `"{\"path\": \"acl\""`); any other JSON value is sent as its JSON text.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::scripted_llm::{Recorded, Reply};

#[derive(Debug, thiserror::Error)]
pub enum TranscriptError {
    #[error("{}: {source}", .path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {message}", .path.display())]
    Invalid { path: PathBuf, message: String },
}

/// Who wrote the assistant's turns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Written by hand to exercise the engine; no model produced them.
    Scripted,
    /// Saved from a live endpoint.
    Recorded,
}

/// One tool call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Call {
    pub tool: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Json>,
}

impl Call {
    /// The arguments as the model sends them: a string as is, anything else as JSON text.
    pub fn raw_arguments(&self) -> String {
        match &self.arguments {
            None => "{}".into(),
            Some(Json::String(raw)) => raw.clone(),
            Some(other) => other.to_string(),
        }
    }

    /// A call as an endpoint returned it: arguments that are a JSON object are kept parsed
    /// (readable; whitespace and key order normalised), anything else as the raw string.
    pub fn from_raw(tool: &str, arguments: &str) -> Self {
        let arguments = match serde_json::from_str::<Json>(arguments) {
            Ok(value @ Json::Object(_)) => value,
            _ => Json::String(arguments.to_string()),
        };
        Self {
            tool: tool.to_string(),
            arguments: Some(arguments),
        }
    }
}

/// One assistant message.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Turn {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arguments: Option<Json>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<Call>,
}

impl Turn {
    /// A message as an endpoint returned it: its text and its calls `(name, raw arguments)`.
    pub fn from_message(text: Option<String>, calls: &[(String, String)]) -> Self {
        let text = text.filter(|t| !t.is_empty());
        let mut calls: Vec<Call> = calls.iter().map(|(n, a)| Call::from_raw(n, a)).collect();
        if calls.len() == 1 {
            let call = calls.remove(0);
            return Self {
                text,
                tool: Some(call.tool),
                arguments: call.arguments,
                tools: Vec::new(),
            };
        }
        Self {
            text: if calls.is_empty() {
                Some(text.unwrap_or_default())
            } else {
                text
            },
            tool: None,
            arguments: None,
            tools: calls,
        }
    }

    /// The tool calls of this message.
    pub fn calls(&self) -> Vec<Call> {
        match &self.tool {
            Some(tool) => vec![Call {
                tool: tool.clone(),
                arguments: self.arguments.clone(),
            }],
            None => self.tools.clone(),
        }
    }

    fn check(&self) -> Result<(), String> {
        match (&self.tool, self.tools.is_empty(), &self.text) {
            (Some(_), false, _) => Err("give `tool` or `tools`, not both".into()),
            (None, _, _) if self.arguments.is_some() => {
                Err("`arguments` without `tool` (inside `tools`, each call has its own)".into())
            }
            (None, true, None) => Err("a turn needs `tool`, `tools` or `text`".into()),
            _ if self.calls().iter().any(|c| c.tool.trim().is_empty()) => {
                Err("a tool name is empty".into())
            }
            _ => Ok(()),
        }
    }

    fn reply(&self) -> Reply {
        Reply::Message {
            content: self.text.clone(),
            tool_calls: self
                .calls()
                .iter()
                .map(|c| (c.tool.clone(), c.raw_arguments()))
                .collect(),
        }
    }
}

/// A case's transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Transcript {
    pub source: Source,
    /// The model that produced a recorded transcript.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// What the transcript exercises, in a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    pub attempts: Vec<Vec<Turn>>,
}

/// Where the transcript of case `id` lives in `dir`.
pub fn path(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

impl Transcript {
    /// Read and check `path`.
    pub fn load(path: &Path) -> Result<Self, TranscriptError> {
        let text = std::fs::read_to_string(path).map_err(|source| TranscriptError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text).map_err(|message| TranscriptError::Invalid {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parse and check a transcript's JSON text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let transcript: Self = serde_json::from_str(text).map_err(|e| e.to_string())?;
        transcript.check()?;
        Ok(transcript)
    }

    fn check(&self) -> Result<(), String> {
        if self.attempts.is_empty() {
            return Err("no attempts".into());
        }
        if self.source == Source::Recorded && self.model.as_deref().is_none_or(str::is_empty) {
            return Err("a recorded transcript names its `model`".into());
        }
        for (a, attempt) in self.attempts.iter().enumerate() {
            if attempt.is_empty() {
                return Err(format!("attempt {} has no turns", a + 1));
            }
            for (t, turn) in attempt.iter().enumerate() {
                turn.check()
                    .map_err(|e| format!("attempt {}, turn {}: {e}", a + 1, t + 1))?;
            }
        }
        Ok(())
    }

    /// The transcript as pretty JSON, ending with a newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).map_or_else(|_| String::new(), |s| s + "\n")
    }

    /// Every turn in order: the script of the server that replays this transcript.
    pub fn replies(&self) -> Vec<Reply> {
        self.attempts.iter().flatten().map(Turn::reply).collect()
    }

    /// Whether the engine asked for exactly the turns this transcript scripts: as many attempts,
    /// and as many requests in each as the attempt has turns. Otherwise the replay diverged
    /// (a turn answered a request it was not written for) and says where.
    pub fn check_replay(&self, requests: &[Recorded]) -> Result<(), String> {
        let made = requests_per_attempt(requests);
        for (i, (&made, scripted)) in made.iter().zip(&self.attempts).enumerate() {
            if made != scripted.len() {
                return Err(format!(
                    "attempt {} made {made} request(s); the transcript scripts {} turn(s) for it",
                    i + 1,
                    scripted.len()
                ));
            }
        }
        if made.len() != self.attempts.len() {
            return Err(format!(
                "the engine made {} attempt(s); the transcript scripts {}",
                made.len(),
                self.attempts.len()
            ));
        }
        Ok(())
    }
}

/// Requests grouped by attempt: an attempt starts with a request that carries no assistant
/// message (only the system prompt and the task).
pub fn requests_per_attempt(requests: &[Recorded]) -> Vec<usize> {
    let mut counts: Vec<usize> = Vec::new();
    for request in requests {
        let fresh = !request.messages().iter().any(|m| m["role"] == "assistant");
        match counts.last_mut() {
            Some(count) if !fresh => *count += 1,
            _ => counts.push(1),
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TEXT: &str = r#"{
      "source": "scripted",
      "about": "malformed, then right",
      "attempts": [
        [
          { "tool": "set_property", "arguments": "{\"path\": \"acl\"" },
          { "text": "Setting it now.", "tools": [
              { "tool": "set_property", "arguments": { "path": "acl", "value": "private" } },
              { "tool": "submit" }
          ] }
        ],
        [ { "text": "I cannot help." }, { "tool": "give_up", "arguments": { "reason": "r" } } ]
      ]
    }"#;

    #[test]
    fn turns_become_the_servers_replies() {
        let transcript = Transcript::parse(TEXT).unwrap();
        let replies = transcript.replies();
        assert_eq!(replies.len(), 4);
        let Reply::Message {
            content,
            tool_calls,
        } = &replies[0]
        else {
            panic!("{:?}", replies[0]);
        };
        assert_eq!(content, &None);
        assert_eq!(
            tool_calls,
            &[("set_property".to_string(), "{\"path\": \"acl\"".to_string())]
        );
        let Reply::Message {
            content,
            tool_calls,
        } = &replies[1]
        else {
            panic!();
        };
        assert_eq!(content.as_deref(), Some("Setting it now."));
        assert_eq!(tool_calls[1], ("submit".to_string(), "{}".to_string()));
        assert_eq!(
            serde_json::from_str::<Json>(&tool_calls[0].1).unwrap(),
            json!({"path": "acl", "value": "private"})
        );
        // Round trip.
        assert_eq!(
            Transcript::parse(&transcript.to_json()).unwrap(),
            transcript
        );
    }

    #[test]
    fn bad_transcripts_say_where() {
        let bad = [
            (r#"{"source": "scripted", "attempts": []}"#, "no attempts"),
            (
                r#"{"source": "recorded", "attempts": [[{"text": "x"}]]}"#,
                "model",
            ),
            (
                r#"{"source": "scripted", "attempts": [[{"text": "x"}], []]}"#,
                "attempt 2 has no turns",
            ),
            (
                r#"{"source": "scripted", "attempts": [[{"arguments": {}}]]}"#,
                "attempt 1, turn 1: `arguments` without `tool`",
            ),
            (
                r#"{"source": "scripted", "attempts": [[{"tool": "submit", "tools": [{"tool": "x"}]}]]}"#,
                "not both",
            ),
            (r#"{"source": "scripted", "attempts": [[{}]]}"#, "needs"),
            (
                r#"{"source": "model", "attempts": [[{"text": "x"}]]}"#,
                "unknown variant",
            ),
            (
                r#"{"source": "scripted", "attempts": [[{"tol": "x"}]]}"#,
                "unknown field",
            ),
        ];
        for (text, expected) in bad {
            let err = Transcript::parse(text).unwrap_err();
            assert!(err.contains(expected), "{text}: {err}");
        }
    }

    #[test]
    fn recorded_messages_keep_what_the_endpoint_sent() {
        let turn = Turn::from_message(
            Some(String::new()),
            &[("set_property".into(), r#"{"value":true,"path":"x"}"#.into())],
        );
        assert_eq!(turn.text, None);
        assert_eq!(turn.tool.as_deref(), Some("set_property"));
        assert_eq!(turn.arguments, Some(json!({"path": "x", "value": true})));
        let broken = Turn::from_message(None, &[("submit".into(), "{oops".into())]);
        assert_eq!(broken.calls()[0].raw_arguments(), "{oops");
        let text = Turn::from_message(Some("hello".into()), &[]);
        assert_eq!(text.text.as_deref(), Some("hello"));
        assert!(text.calls().is_empty());
        let two = Turn::from_message(
            None,
            &[("a".into(), "{}".into()), ("b".into(), "{}".into())],
        );
        assert_eq!(two.tools.len(), 2);
        for turn in [turn, broken, text, two] {
            turn.check().unwrap();
        }
    }

    fn request(roles: &[&str]) -> Recorded {
        let messages: Vec<Json> = roles.iter().map(|r| json!({"role": r})).collect();
        Recorded {
            body: json!({ "messages": messages }),
            raw: String::new(),
            headers: Vec::new(),
            at: std::time::Instant::now(),
        }
    }

    #[test]
    fn a_replay_that_asks_for_other_turns_diverges() {
        let transcript = Transcript::parse(TEXT).unwrap();
        let first = request(&["system", "user"]);
        let second = request(&["system", "user", "assistant", "tool"]);
        assert_eq!(
            requests_per_attempt(&[first.clone(), second.clone(), first.clone()]),
            [2, 1]
        );
        let exact = [first.clone(), second.clone(), first.clone(), second.clone()];
        transcript.check_replay(&exact).unwrap();
        let err = transcript
            .check_replay(&[first.clone(), second.clone()])
            .unwrap_err();
        assert!(
            err.contains("made 1 attempt(s); the transcript scripts 2"),
            "{err}"
        );
        let err = transcript
            .check_replay(&[first.clone(), first, second])
            .unwrap_err();
        assert!(err.contains("attempt 1 made 1 request(s)"), "{err}");
    }
}
