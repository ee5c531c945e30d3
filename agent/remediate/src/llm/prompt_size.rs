//! The size of what the LLM agent sends first for each violation of a corpus (the eval's: the
//! built-in pack's violating fixtures and the gate suite's programs,
//! `remedy_eval::fixtures::violating_programs`). Measured by the `prompt_size` benchmark (with a
//! real tokenizer) and guarded by a test.

use remedy_guardrails::Evaluator;
use std::path::Path;

use super::prompts::Prompts;
use super::session::first_request;
use crate::recipe::{self, Locator, TeamValues};
use crate::request::FixRequest;
use remedy_guardrails::PolicySet;
use remedy_source::Language;
use remedy_source::edit::Document;
use serde_json::Value as Json;

/// One violation's first request, in parts.
#[derive(Debug, Clone)]
pub struct PromptSample {
    /// `file: policy on resource`.
    pub label: String,
    pub system: String,
    pub task: String,
    /// The tool definitions as sent (JSON).
    pub tools: String,
}

/// The first request for every violation of `policies` in `programs` (`(label, text)` pairs,
/// the label ending in the file's name), built exactly as the agent builds it. `root` is the
/// repository root the requests may read around.
pub fn samples(
    policies: &PolicySet,
    programs: &[(String, String)],
    root: &Path,
) -> Result<Vec<PromptSample>, String> {
    let prompts = Prompts::default();
    let mut evaluator = Evaluator::new(policies);
    let mut out = Vec::new();
    for (label, text) in programs {
        // Fixtures are named by their real path; the gate suite's by the program's name.
        let file = label.rsplit(':').next().unwrap_or(label).to_string();
        let Some(language) = Language::from_path(Path::new(&file)) else {
            continue;
        };
        let document = Document::new(language, Path::new(&file), text.clone());
        for violation in evaluator.audit_source(&file, language, text).violations {
            let Some(policy) = policies.get(&violation.policy) else {
                continue;
            };
            let Some(resource) =
                recipe::resource_of(&document, &violation).map(|i| &document.resources()[i])
            else {
                continue;
            };
            let locator = Locator::of(&document, resource);
            let mut firing = recipe::firing_counter(policies, &locator, &policy.id);
            let values = TeamValues::new();
            let declined = recipe::apply(
                &document,
                &file,
                &locator,
                policy,
                &values,
                None,
                &mut firing,
            )
            .err()
            .map(|d| d.reason());
            let request = FixRequest {
                violation: &violation,
                policy,
                language,
                text,
                locator,
                root,
                declined,
                values: &values,
            };
            let body = first_request(&prompts, "measure", &request, &[])?;
            let body = serde_json::to_value(&body).map_err(|e| e.to_string())?;
            let content = |i: usize| {
                body["messages"][i]["content"]
                    .as_str()
                    .unwrap_or("")
                    .to_string()
            };
            out.push(PromptSample {
                label: format!(
                    "{label}: {} on {}",
                    violation.policy, violation.resource.name_expr
                ),
                system: content(0),
                task: content(1),
                tools: body.get("tools").map_or_else(String::new, Json::to_string),
            });
        }
    }
    Ok(out)
}

/// The median of `values` (the lower middle for an even count); 0 when empty.
pub fn median(values: &mut [usize]) -> usize {
    values.sort_unstable();
    match values.len() {
        0 => 0,
        n => values[(n - 1) / 2],
    }
}
