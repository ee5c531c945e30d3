//! One attempt of the agent loop: the system and task prompts, then tool calls applied to the
//! in-memory file until the model submits or gives up, within a cap on tool calls.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use async_openai::types::chat::{
    ChatCompletionMessageToolCalls, ChatCompletionRequestAssistantMessage,
    ChatCompletionRequestAssistantMessageContent, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestSystemMessageContent,
    ChatCompletionRequestToolMessage, ChatCompletionRequestToolMessageContent,
    ChatCompletionRequestUserMessage, ChatCompletionRequestUserMessageContent,
    CreateChatCompletionRequest,
};

use super::client::ChatClient;
use super::error::LlmError;
use super::prompts::{self, Prompts, render};
use super::settings::{ApiKey, LlmSettings};
use super::tools::{self, Step};
use super::workspace::{self, Workspace, editable_note};
use crate::recipe::TeamValues;
use crate::request::{
    BoxFuture, FixRequest, LlmFixer, Proposal, ProposeError, ProposeFailure, Usage,
};

/// The LLM agent: an [`LlmFixer`] talking to an OpenAI-compatible endpoint.
pub struct LlmAgent {
    client: ChatClient,
    prompts: Prompts,
    model: String,
    max_tool_calls: usize,
    max_completion_tokens: Option<u32>,
    temperature: Option<f32>,
    recording: Option<Arc<Recording>>,
}

/// One assistant message as the endpoint sent it: its text and its tool calls
/// `(name, raw arguments)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssistantTurn {
    pub content: Option<String>,
    pub tool_calls: Vec<(String, String)>,
}

/// The assistant messages an agent received, attempt by attempt (for
/// `remedy eval --record-transcripts`). Only the endpoint's answers are kept: no prompt, no
/// header, no key.
#[derive(Debug, Default)]
pub struct Recording {
    attempts: Mutex<Vec<Vec<AssistantTurn>>>,
}

impl Recording {
    /// Everything recorded so far, leaving the recording empty.
    pub fn take(&self) -> Vec<Vec<AssistantTurn>> {
        std::mem::take(&mut *self.attempts.lock().unwrap_or_else(PoisonError::into_inner))
    }

    fn start_attempt(&self) {
        self.attempts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Vec::new());
    }

    fn push(&self, turn: AssistantTurn) {
        let mut attempts = self.attempts.lock().unwrap_or_else(PoisonError::into_inner);
        match attempts.last_mut() {
            Some(attempt) => attempt.push(turn),
            None => attempts.push(vec![turn]),
        }
    }
}

impl std::fmt::Debug for LlmAgent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LlmAgent")
            .field("model", &self.model)
            .finish_non_exhaustive()
    }
}

impl LlmAgent {
    /// An agent for `settings` (which must name an endpoint and a model).
    pub fn new(settings: &LlmSettings, key: Option<ApiKey>) -> Result<Self, LlmError> {
        settings.validate()?;
        let (Some(base_url), Some(model)) = (&settings.base_url, &settings.model) else {
            return Err(LlmError::Setting {
                key: "base_url",
                message: "no LLM endpoint is configured".into(),
            });
        };
        Ok(Self {
            client: ChatClient::new(settings, base_url, key)?,
            prompts: Prompts::load(settings.prompts_dir.as_deref())?,
            model: model.clone(),
            max_tool_calls: settings.max_tool_calls,
            max_completion_tokens: settings.max_completion_tokens,
            temperature: settings.temperature,
            recording: None,
        })
    }

    /// Keep every assistant message this agent receives in `recording`.
    #[must_use]
    pub fn with_recording(mut self, recording: Arc<Recording>) -> Self {
        self.recording = Some(recording);
        self
    }

    async fn attempt(
        &self,
        request: &FixRequest<'_>,
        feedback: &[String],
        usage: &mut Usage,
        prompt_hash: &mut Option<String>,
    ) -> Result<String, ProposeError> {
        let (system, task) =
            opening(&self.prompts, request, feedback).map_err(ProposeError::GaveUp)?;
        *prompt_hash = Some(prompts::hash(&system, &task));
        let mut messages = vec![system_message(system), user_message(task)];
        let mut workspace = Workspace::new(request);
        let mut calls = 0;
        while calls < self.max_tool_calls {
            let body = self.request(messages.clone());
            let estimate = estimate_tokens(&body);
            let (response, waited) = self
                .client
                .complete(body, estimate)
                .await
                .map_err(|e| ProposeError::Failed(e.to_string()))?;
            usage.requests += 1;
            usage.rate_limited_ms += u64::try_from(waited.as_millis()).unwrap_or(u64::MAX);
            if let Some(u) = &response.usage {
                usage.prompt_tokens += u64::from(u.prompt_tokens);
                usage.completion_tokens += u64::from(u.completion_tokens);
            }
            let Some(choice) = response.choices.into_iter().next() else {
                return Err(ProposeError::Failed(
                    "the endpoint answered with no choices".into(),
                ));
            };
            let message = choice.message;
            let tool_calls = message.tool_calls.unwrap_or_default();
            if let Some(recording) = &self.recording {
                recording.push(AssistantTurn {
                    content: message.content.clone(),
                    tool_calls: tool_calls.iter().map(raw_call).collect(),
                });
            }
            if tool_calls.is_empty() {
                calls += 1;
                tracing::debug!("the model answered without tool calls");
                messages.push(ChatCompletionRequestMessage::Assistant(
                    ChatCompletionRequestAssistantMessage {
                        content: Some(ChatCompletionRequestAssistantMessageContent::Text(
                            message.content.unwrap_or_default(),
                        )),
                        ..Default::default()
                    },
                ));
                messages.push(user_message(
                    "Answer with tool calls only: edit the resource, then call submit, or call \
                     give_up with a reason."
                        .into(),
                ));
                continue;
            }
            messages.push(ChatCompletionRequestMessage::Assistant(
                ChatCompletionRequestAssistantMessage {
                    content: message
                        .content
                        .filter(|c| !c.is_empty())
                        .map(ChatCompletionRequestAssistantMessageContent::Text),
                    tool_calls: Some(tool_calls.clone()),
                    ..Default::default()
                },
            ));
            for call in tool_calls {
                calls += 1;
                let (id, step, name) = match call {
                    ChatCompletionMessageToolCalls::Function(call) => {
                        let step = if calls > self.max_tool_calls {
                            Step::Reply("error: too many tool calls".into())
                        } else {
                            tools::dispatch(
                                &call.function.name,
                                &call.function.arguments,
                                &mut workspace,
                            )
                        };
                        (call.id, step, call.function.name)
                    }
                    ChatCompletionMessageToolCalls::Custom(call) => (
                        call.id,
                        Step::Reply("error: only function tools are available".into()),
                        call.custom_tool.name,
                    ),
                };
                match step {
                    Step::Submit => {
                        tracing::debug!(tool = %name, "the model submitted");
                        return Ok(workspace.text().to_string());
                    }
                    Step::GiveUp(reason) => {
                        tracing::debug!(tool = %name, "the model gave up");
                        return Err(ProposeError::GaveUp(reason));
                    }
                    Step::Reply(text) => {
                        tracing::debug!(
                            tool = %super::client::truncate(&name, 64),
                            error = text.starts_with("error:"),
                            "tool call"
                        );
                        messages.push(ChatCompletionRequestMessage::Tool(
                            ChatCompletionRequestToolMessage {
                                content: ChatCompletionRequestToolMessageContent::Text(text),
                                tool_call_id: id,
                            },
                        ));
                    }
                }
            }
        }
        Err(ProposeError::GaveUp(format!(
            "the model did not submit a fix within {} tool calls",
            self.max_tool_calls
        )))
    }

    fn request(&self, messages: Vec<ChatCompletionRequestMessage>) -> CreateChatCompletionRequest {
        CreateChatCompletionRequest {
            model: self.model.clone(),
            messages,
            tools: Some(tools::definitions()),
            max_completion_tokens: self.max_completion_tokens,
            temperature: self.temperature,
            ..Default::default()
        }
    }
}

impl LlmFixer for LlmAgent {
    fn propose<'a>(
        &'a self,
        request: &'a FixRequest<'a>,
        feedback: &'a [String],
    ) -> BoxFuture<'a, Result<Proposal, ProposeFailure>> {
        Box::pin(async move {
            let started = Instant::now();
            let mut usage = Usage::default();
            let mut prompt_hash = None;
            if let Some(recording) = &self.recording {
                recording.start_attempt();
            }
            let result = self
                .attempt(request, feedback, &mut usage, &mut prompt_hash)
                .await;
            usage.latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
            match result {
                Ok(after) => Ok(Proposal {
                    after,
                    model: self.model.clone(),
                    prompt_hash: prompt_hash.unwrap_or_default(),
                    usage,
                }),
                Err(error) => Err(ProposeFailure {
                    error,
                    model: Some(self.model.clone()),
                    prompt_hash,
                    usage,
                }),
            }
        })
    }
}

/// A tool call as `(name, raw arguments)`; a custom (non-function) call keeps its name and input.
fn raw_call(call: &ChatCompletionMessageToolCalls) -> (String, String) {
    match call {
        ChatCompletionMessageToolCalls::Function(call) => {
            (call.function.name.clone(), call.function.arguments.clone())
        }
        ChatCompletionMessageToolCalls::Custom(call) => (
            call.custom_tool.name.clone(),
            call.custom_tool.input.clone(),
        ),
    }
}

/// The first request of an attempt, as it would be sent: for measuring prompt sizes.
pub fn first_request(
    prompts: &Prompts,
    model: &str,
    request: &FixRequest<'_>,
    feedback: &[String],
) -> Result<CreateChatCompletionRequest, String> {
    let (system, task) = opening(prompts, request, feedback)?;
    Ok(CreateChatCompletionRequest {
        model: model.to_string(),
        messages: vec![system_message(system), user_message(task)],
        tools: Some(tools::definitions()),
        ..Default::default()
    })
}

/// The system prompt and the task (with the gate's feedback, on a retry).
fn opening(
    prompts: &Prompts,
    request: &FixRequest<'_>,
    feedback: &[String],
) -> Result<(String, String), String> {
    let context = workspace::context(request)?;
    let v = request.violation;
    let policy = request.policy;
    let remediation = describe_remediation(policy, request.values);
    let editable = if context.editable.is_empty() {
        String::new()
    } else {
        format!(", the definitions {}", context.editable.join(", "))
    };
    let shared = editable_note(&[], &context.shared);
    let language = match request.language {
        remedy_source::Language::TypeScript => "TypeScript",
        remedy_source::Language::Python => "Python",
    };
    let declined = request
        .declined
        .as_deref()
        .unwrap_or("the declarative fix was not used for this violation");
    let severity = policy.severity.to_string();
    let mut task = render(
        &prompts.task,
        &[
            ("policy_id", &policy.id),
            ("policy_title", &policy.title),
            ("severity", &severity),
            ("message", &v.message),
            ("resource_type", &request.locator.type_token),
            ("resource_name", &request.locator.name),
            ("file", &v.file),
            ("language", language),
            ("remediation", &remediation),
            ("declined", declined),
            ("editable", &editable),
            ("shared", &shared),
            ("context", &context.source),
        ],
    );
    if !feedback.is_empty() {
        let reasons: Vec<String> = feedback.iter().map(|r| format!("- {r}")).collect();
        task.push_str(&render(
            &prompts.feedback,
            &[("reasons", &reasons.join("\n"))],
        ));
    }
    Ok((prompts.system.clone(), task))
}

/// The policy's remediation in words: its declarative edits and its hint. A team value the team
/// has set is given; one it has not is said to be unknown.
fn describe_remediation(policy: &remedy_guardrails::Policy, values: &TeamValues) -> String {
    let mut parts: Vec<String> = policy
        .remediation
        .edits
        .iter()
        .map(|edit| match edit {
            remedy_guardrails::Edit::Set {
                property,
                value: Some(value),
                ..
            } => format!("set `{property}` to {value}"),
            remedy_guardrails::Edit::Set {
                property,
                value_from_config: Some(key),
                ..
            } => match values.get(key) {
                Some(value) => format!(
                    "set `{property}` to the team's value `{key}` (from remedy.toml): {value}"
                ),
                None => format!("set `{property}` to the team's value `{key}` (not known to you)"),
            },
            remedy_guardrails::Edit::Set { property, .. } => format!("set `{property}`"),
            remedy_guardrails::Edit::Remove { property, .. } => format!("remove `{property}`"),
            companion @ remedy_guardrails::Edit::Companion { .. } => companion.describe(),
        })
        .collect();
    if let Some(hint) = &policy.remediation.hint {
        parts.push(hint.clone());
    }
    if parts.is_empty() {
        "none given; decide from the policy and the finding".into()
    } else {
        parts.join("; ")
    }
}

fn system_message(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
        content: ChatCompletionRequestSystemMessageContent::Text(text),
        name: None,
    })
}

fn user_message(text: String) -> ChatCompletionRequestMessage {
    ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
        content: ChatCompletionRequestUserMessageContent::Text(text),
        name: None,
    })
}

/// A rough token count for the tokens-per-minute limit: a quarter of the request's JSON size.
fn estimate_tokens(request: &CreateChatCompletionRequest) -> u32 {
    let bytes = serde_json::to_vec(request).map_or(0, |b| b.len());
    u32::try_from(bytes / 4).unwrap_or(u32::MAX).max(1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

    use super::*;

    #[test]
    fn the_remediation_gives_a_team_value_the_team_has_set_and_only_that() {
        let policies = remedy_guardrails::PolicySet::builtin().unwrap();
        let policy = policies.get("aws-ec2-security-group-open-admin").unwrap();
        let unset = describe_remediation(policy, &TeamValues::new());
        assert!(
            unset.contains("the team's value `admin_cidr_blocks` (not known to you)"),
            "{unset}"
        );
        let mut values = TeamValues::new();
        values.insert(
            "admin_cidr_blocks".into(),
            serde_json::json!(["10.0.0.0/8"]),
        );
        values.insert("unrelated".into(), serde_json::json!("elsewhere"));
        let set = describe_remediation(policy, &values);
        assert!(
            set.contains(
                "set `ingress[*].cidrBlocks` to the team's value `admin_cidr_blocks` (from \
                 remedy.toml): [\"10.0.0.0/8\"]"
            ),
            "{set}"
        );
        assert!(!set.contains("not known to you"), "{set}");
        assert!(!set.contains("elsewhere"), "{set}");
    }
}
