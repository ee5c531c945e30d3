//! Declarative fixes: a policy's `remediation` edits applied to one resource, one after another,
//! each on the text the previous one left.

use std::collections::BTreeMap;
use std::path::Path;

use remedy_guardrails::{Edit, Policy};
use remedy_tools::edit::{Document, EditError};
use remedy_tools::{Language, Resource};
use serde_json::Value as Json;

/// Values only the team knows (`value_from_config` in a policy's remediation), from the
/// `[values]` table of `remedy.toml`.
pub type TeamValues = BTreeMap<String, Json>;

/// Why the declarative path did not produce a fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decline {
    /// The policy has no declarative remediation.
    Manual { hint: Option<String> },
    /// The fix needs a team value that is not configured.
    NeedsValue { key: String },
    /// No local, safe edit exists (shared definition, unknown value, spread …): an LLM or a
    /// person must decide.
    NotLocal { reason: String },
}

impl Decline {
    pub fn reason(&self) -> String {
        match self {
            Self::Manual { hint: Some(hint) } => format!("no declarative fix: {hint}"),
            Self::Manual { hint: None } => "no declarative fix for this policy".into(),
            Self::NeedsValue { key } => format!(
                "the fix needs a value only your team knows: set `values.{key}` in remedy.toml"
            ),
            Self::NotLocal { reason } => reason.clone(),
        }
    }
}

/// Where the resource is: the n-th resource of its type with this display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locator {
    pub type_token: String,
    pub name: String,
    pub ordinal: usize,
}

impl Locator {
    pub fn of(document: &Document, resource: &Resource) -> Self {
        let name = resource.display_name().to_string();
        let ordinal = document
            .resources()
            .iter()
            .filter(|r| r.type_token == resource.type_token && r.display_name() == name)
            .position(|r| r.span == resource.span)
            .unwrap_or(0);
        Self {
            type_token: resource.type_token.clone(),
            name,
            ordinal,
        }
    }
}

/// Apply `policy`'s remediation to the located resource in `text`; the new text.
pub fn apply(
    language: Language,
    file: &str,
    text: &str,
    locator: &Locator,
    policy: &Policy,
    values: &TeamValues,
) -> Result<String, Decline> {
    if !policy.remediation.is_declarative() {
        return Err(Decline::Manual {
            hint: policy.remediation.hint.clone(),
        });
    }
    // Every team value first: a fix is all or nothing.
    if let Some(key) = policy
        .remediation
        .config_keys()
        .find(|k| !values.contains_key(*k))
    {
        return Err(Decline::NeedsValue {
            key: key.to_string(),
        });
    }
    let mut current = text.to_string();
    for edit in &policy.remediation.edits {
        let document = Document::new(language, Path::new(file), current);
        let resource = document
            .find(&locator.type_token, &locator.name, locator.ordinal)
            .ok_or_else(|| Decline::NotLocal {
                reason: format!(
                    "{} `{}` is no longer in {file}",
                    locator.type_token, locator.name
                ),
            })?;
        let edits = match edit {
            Edit::Set {
                property,
                value: Some(value),
                ..
            } => document.set(resource, property, value),
            Edit::Set {
                property,
                value_from_config: Some(key),
                ..
            } => match values.get(key) {
                Some(value) => document.set(resource, property, value),
                None => return Err(Decline::NeedsValue { key: key.clone() }),
            },
            Edit::Set { property, .. } => Err(EditError::InvalidPath(property.clone())),
            Edit::Remove { property } => document.remove(resource, property),
        }
        .map_err(|e| Decline::NotLocal {
            reason: format!("declarative fix of `{}` declined: {e}", edit.property()),
        })?;
        current = document.apply(&edits).map_err(|e| Decline::NotLocal {
            reason: e.to_string(),
        })?;
    }
    Ok(current)
}
