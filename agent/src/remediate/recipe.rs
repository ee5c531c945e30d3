//! Declarative fixes: a policy's `remediation` edits applied to one resource, one after another,
//! each on the text the previous one left.

use std::collections::BTreeMap;
use std::path::Path;

use remedy_guardrails::{Edit, Policy, PolicySet};
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

/// Counts `policy`'s messages on the located resource in a candidate text (0 when it passes,
/// `usize::MAX` when the resource is gone), for [`apply`].
pub fn firing_counter<'p>(
    policies: &'p PolicySet,
    language: Language,
    file: &str,
    locator: &Locator,
    policy: &str,
) -> impl FnMut(&str) -> usize + 'p {
    let mut evaluator = policies.evaluator();
    let index = policies.policies().iter().position(|p| p.id == policy);
    let file = file.to_string();
    let locator = locator.clone();
    move |text: &str| {
        let document = Document::new(language, Path::new(&file), text.to_string());
        let Some(resource) = document.find(&locator.type_token, &locator.name, locator.ordinal)
        else {
            return usize::MAX;
        };
        evaluator
            .evaluate(resource)
            .findings
            .iter()
            .find(|f| Some(f.policy) == index)
            .map_or(0, |f| f.count)
    }
}

/// Apply `policy`'s remediation to the located resource in `text`; the new text.
///
/// `still_firing(text)` counts the policy's messages on the resource in a text. An edit on
/// every element (`ingress[*].x`) is applied element by element, and kept only where it makes a
/// message go away: elements that already comply are left as they are.
pub fn apply(
    language: Language,
    file: &str,
    text: &str,
    locator: &Locator,
    policy: &Policy,
    values: &TeamValues,
    still_firing: &mut dyn FnMut(&str) -> usize,
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
        current = if edit.property().contains("[*]") {
            apply_per_element(language, file, current, locator, edit, values, still_firing)?
        } else {
            apply_one(
                language,
                file,
                current,
                locator,
                edit,
                edit.property(),
                values,
            )?
        };
    }
    Ok(current)
}

/// Apply `edit` to each element `[*]` stands for, keeping the changes that silence a message.
fn apply_per_element(
    language: Language,
    file: &str,
    text: String,
    locator: &Locator,
    edit: &Edit,
    values: &TeamValues,
    still_firing: &mut dyn FnMut(&str) -> usize,
) -> Result<String, Decline> {
    let paths = {
        let document = Document::new(language, Path::new(file), text.clone());
        let resource = locate(&document, locator, file)?;
        document
            .concrete_paths(resource, edit.property())
            .map_err(|e| Decline::NotLocal {
                reason: format!("declarative fix of `{}` declined: {e}", edit.property()),
            })?
    };
    let mut current = text;
    let mut firing = still_firing(&current);
    for path in paths {
        let trial = apply_one(
            language,
            file,
            current.clone(),
            locator,
            edit,
            &path,
            values,
        )?;
        let after = still_firing(&trial);
        if after < firing {
            current = trial;
            firing = after;
        }
    }
    Ok(current)
}

fn locate<'d>(
    document: &'d Document,
    locator: &Locator,
    file: &str,
) -> Result<&'d Resource, Decline> {
    document
        .find(&locator.type_token, &locator.name, locator.ordinal)
        .ok_or_else(|| Decline::NotLocal {
            reason: format!(
                "{} `{}` is no longer in {file}",
                locator.type_token, locator.name
            ),
        })
}

/// Apply one edit at `property` (a concrete path, or the edit's own).
fn apply_one(
    language: Language,
    file: &str,
    current: String,
    locator: &Locator,
    edit: &Edit,
    property: &str,
    values: &TeamValues,
) -> Result<String, Decline> {
    let document = Document::new(language, Path::new(file), current);
    let resource = locate(&document, locator, file)?;
    let edits = match edit {
        Edit::Set {
            value: Some(value), ..
        } => document.set(resource, property, value),
        Edit::Set {
            value_from_config: Some(key),
            ..
        } => match values.get(key) {
            Some(value) => document.set(resource, property, value),
            None => return Err(Decline::NeedsValue { key: key.clone() }),
        },
        Edit::Set { .. } => Err(EditError::InvalidPath(property.to_string())),
        Edit::Remove { .. } => document.remove(resource, property),
    }
    .map_err(|e| Decline::NotLocal {
        reason: format!("declarative fix of `{property}` declined: {e}"),
    })?;
    document.apply(&edits).map_err(|e| Decline::NotLocal {
        reason: e.to_string(),
    })
}
