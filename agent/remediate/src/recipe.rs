//! Declarative fixes: a policy's `remediation` edits applied to one resource, one after another,
//! each on the text the previous one left.

use remedy_guardrails::Evaluator;
use std::collections::BTreeMap;
use std::path::Path;

use remedy_guardrails::{Edit, Policy, PolicySet, Violation};
use remedy_source::edit::{Document, EditError, NewCompanion};
use remedy_source::{Language, Resource};
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

    /// The decline with property keys spelled as the program's language writes them: a Python
    /// user reads `vpc_config.endpoint_public_access`, not the canonical camelCase. A hint is
    /// the policy author's text, so every camelCase key in it is respelled; a reason may quote
    /// the program, so only the keys of the policy's own edits are.
    fn spelled_for(self, language: Language, policy: &Policy) -> Self {
        match self {
            Self::Manual { hint } => Self::Manual {
                hint: hint.map(|h| language.spell_keys(&h, None)),
            },
            Self::NotLocal { reason } => {
                let keys = policy.remediation.keys();
                Self::NotLocal {
                    reason: language.spell_keys(&reason, Some(&keys)),
                }
            }
            other @ Self::NeedsValue { .. } => other,
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
    /// The locator of `resource`, one of `document`'s resources.
    pub fn of(document: &Document, resource: &Resource) -> Self {
        let name = resource.display_name().to_string();
        let ordinal = document
            .resources()
            .iter()
            .filter(|r| r.type_token == resource.type_token && r.display_name() == name)
            // By identity: the resources a component creates share its span.
            .position(|r| std::ptr::eq(r, resource))
            .unwrap_or(0);
        Self {
            type_token: resource.type_token.clone(),
            name,
            ordinal,
        }
    }
}

/// The resource a violation is about: at its span, of its type, and (where a component creates
/// several of one type at one call, as a load balancer's listeners) the one its fingerprint
/// names.
pub(crate) fn resource_of(document: &Document, violation: &Violation) -> Option<usize> {
    let resources = document.resources();
    let candidates: Vec<usize> = (0..resources.len())
        .filter(|&i| {
            resources[i].span == violation.span
                && resources[i].type_token == violation.resource.type_token
        })
        .collect();
    if let [only] = candidates[..] {
        return Some(only);
    }
    candidates.into_iter().find(|&i| {
        let locator = Locator::of(document, &resources[i]);
        remedy_guardrails::fingerprint(
            &violation.policy,
            &locator.type_token,
            &locator.name,
            &violation.file,
            locator.ordinal,
        ) == violation.fingerprint
    })
}

/// Counts `policy`'s messages on the located resource in a candidate (0 when it passes,
/// `usize::MAX` when the resource is gone), for [`apply`].
pub fn firing_counter<'p>(
    policies: &'p PolicySet,
    locator: &Locator,
    policy: &str,
) -> impl FnMut(&Document) -> usize + 'p {
    let mut evaluator = Evaluator::new(policies);
    let index = policies.policies().iter().position(|p| p.id == policy);
    let locator = locator.clone();
    move |document: &Document| {
        let Some(at) = document.find_index(&locator.type_token, &locator.name, locator.ordinal)
        else {
            return usize::MAX;
        };
        evaluator
            .evaluate_in(document.resources(), at)
            .findings
            .iter()
            .find(|f| Some(f.policy) == index)
            .map_or(0, |f| f.count)
    }
}

/// Apply `policy`'s remediation to the located resource in `document`; the fixed document.
///
/// `still_firing(document)` counts the policy's messages on the resource. An edit on every
/// element (`ingress[*].x`) is applied element by element, and kept only where it makes a
/// message go away: elements that already comply are left as they are. Why a fix was declined
/// names properties as the program's language spells them.
///
/// `major` is the provider major the program pins, when known: it picks the edits written for
/// it (pulumi-aws 7's companion resources, or the inline settings).
pub fn apply(
    document: &Document,
    file: &str,
    locator: &Locator,
    policy: &Policy,
    values: &TeamValues,
    major: Option<u32>,
    still_firing: &mut dyn FnMut(&Document) -> usize,
) -> Result<Document, Decline> {
    apply_edits(document, file, locator, policy, values, major, still_firing)
        .map_err(|decline| decline.spelled_for(document.language(), policy))
}

fn apply_edits(
    document: &Document,
    file: &str,
    locator: &Locator,
    policy: &Policy,
    values: &TeamValues,
    major: Option<u32>,
    still_firing: &mut dyn FnMut(&Document) -> usize,
) -> Result<Document, Decline> {
    if !policy.remediation.is_declarative() {
        return Err(Decline::Manual {
            hint: policy.remediation.hint.clone(),
        });
    }
    let target = locate(document, locator, file)?;
    let chosen: Vec<&Edit> = policy
        .remediation
        .edits_for(major, &target.type_token)
        .collect();
    if chosen.is_empty() {
        return Err(Decline::NotLocal {
            reason: format!(
                "the policy's declarative fix is not written for provider major {}",
                major.map_or_else(|| "unknown".to_string(), |m| m.to_string())
            ),
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
    let (each, whole): (Vec<&Edit>, Vec<&Edit>) = chosen
        .iter()
        .copied()
        .partition(|e| e.property().contains("[*]"));
    // `None` while nothing has changed: the edits work on the caller's document until then.
    let mut current: Option<Document> = None;
    for edit in whole {
        let from = current.as_ref().unwrap_or(document);
        current = Some(apply_one(
            from,
            file,
            locator,
            edit,
            edit.property(),
            values,
        )?);
    }
    if !each.is_empty() {
        let from = current.as_ref().unwrap_or(document);
        if let Some(after) = apply_per_element(from, file, locator, &each, values, still_firing)? {
            current = Some(after);
        }
    }
    match current {
        Some(after) if after.text() != document.text() => Ok(after),
        _ => {
            let paths: Vec<&str> = chosen.iter().map(|e| e.property()).collect();
            Err(Decline::NotLocal {
                reason: format!(
                    "the declarative fix ({}) changes nothing on this resource's shape",
                    paths.join(", ")
                ),
            })
        }
    }
}

/// Apply the `[*]` edits to one element at a time (all of them to the same element, in order),
/// keeping an element's changes only when they silence one of the policy's messages. `None`
/// when no element's changes were kept.
fn apply_per_element(
    document: &Document,
    file: &str,
    locator: &Locator,
    edits: &[&Edit],
    values: &TeamValues,
    still_firing: &mut dyn FnMut(&Document) -> usize,
) -> Result<Option<Document>, Decline> {
    let declined = |property: &str, e: EditError| Decline::NotLocal {
        reason: format!("declarative fix of `{property}` declined: {e}"),
    };
    // The elements: those of the array the first edit ranges over.
    let elements = {
        let resource = locate(document, locator, file)?;
        let property = edits[0].property();
        let array = &property[..property.find("[*]").unwrap_or(property.len())];
        document
            .concrete_paths(resource, &format!("{array}[*]"))
            .map_err(|e| declined(property, e))?
    };
    let mut current: Option<Document> = None;
    let mut firing = still_firing(document);
    for element in elements {
        let mut trial: Option<Document> = None;
        for edit in edits {
            let property = edit.property().replacen(
                &format!(
                    "{}[*]",
                    &element[..element.rfind('[').unwrap_or(element.len())]
                ),
                &element,
                1,
            );
            let from = trial.as_ref().or(current.as_ref()).unwrap_or(document);
            trial = Some(apply_one(from, file, locator, edit, &property, values)?);
        }
        if let Some(trial) = trial {
            let after = still_firing(&trial);
            if after < firing {
                current = Some(trial);
                firing = after;
            }
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

/// Whether a resource of `type_token` refers to `resource` through its `refer` property.
fn has_companion(document: &Document, resource: &Resource, type_token: &str, refer: &str) -> bool {
    let Some(binding) = resource.binding.as_deref() else {
        return false;
    };
    document.resources().iter().any(|r| {
        r.type_token == type_token
            && r.references
                .get(refer)
                .is_some_and(|reference| reference.binding == binding)
    })
}

/// Apply one edit at `property` (a concrete path, or the edit's own); the edited document.
fn apply_one(
    document: &Document,
    file: &str,
    locator: &Locator,
    edit: &Edit,
    property: &str,
    values: &TeamValues,
) -> Result<Document, Decline> {
    let resource = locate(document, locator, file)?;
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
        // A resource of that type already configures the target: it governs, and a second
        // would fight it.
        Edit::Companion {
            type_token, refer, ..
        } if has_companion(document, resource, type_token, refer) => Ok(Vec::new()),
        Edit::Companion {
            type_token,
            refer,
            attribute,
            suffix,
            properties,
            ..
        } => document
            .add_companion(
                resource,
                NewCompanion {
                    type_token,
                    refer,
                    attribute,
                    suffix,
                    properties,
                },
            )
            .map(|edit| vec![edit]),
    }
    .map_err(|e| Decline::NotLocal {
        reason: format!("declarative fix of `{property}` declined: {e}"),
    })?;
    let text = document.apply(&edits).map_err(|e| Decline::NotLocal {
        reason: e.to_string(),
    })?;
    Ok(Document::new(document.language(), Path::new(file), text))
}
