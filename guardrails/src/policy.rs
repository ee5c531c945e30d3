//! A policy: one Rego package with `deny`/`violation`/`warn` rules and its metadata.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use crate::reads::Reads;
use crate::severity::Severity;

/// The rule kinds the engine evaluates (the pulumi-policy-opa convention).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleKind {
    Deny,
    Violation,
    Warn,
}

impl RuleKind {
    pub const ALL: [RuleKind; 3] = [Self::Deny, Self::Violation, Self::Warn];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Deny => "deny",
            Self::Violation => "violation",
            Self::Warn => "warn",
        }
    }
}

/// One declarative source edit. `since`/`until` bound it to the provider majors it is written
/// for (`until` exclusive): pulumi-aws 7 configures a bucket with companion resources where 6
/// used inline settings. A program whose provider major is not known gets the edits without a
/// `since` (the inline form, valid in both). `types`, when given, are the resource types it is
/// for (a policy over a bucket and its separate ACL resource fixes each its own way).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Edit {
    /// Set `property` (a dotted path; `[*]` for every element of an array) to `value`, or to the
    /// team's value found under `value_from_config` in `remedy.toml`.
    Set {
        property: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value: Option<Json>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        value_from_config: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<u32>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        types: Vec<String>,
    },
    /// Remove `property`.
    Remove {
        property: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<u32>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        types: Vec<String>,
    },
    /// Add a resource of `type` after the target, named after it with `suffix`, whose
    /// `refer` property is the target's `attribute` (`bucket: site.id`), with `properties`
    /// (camelCase): the companion resource of a split-resource provider.
    Companion {
        #[serde(rename = "type")]
        type_token: String,
        refer: String,
        #[serde(default = "id_attribute")]
        attribute: String,
        suffix: String,
        #[serde(default)]
        properties: serde_json::Map<String, Json>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        until: Option<u32>,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        types: Vec<String>,
    },
}

fn id_attribute() -> String {
    "id".into()
}

impl Edit {
    /// The property the edit writes on the target (for a companion: the one that refers to it).
    pub fn property(&self) -> &str {
        match self {
            Self::Set { property, .. } | Self::Remove { property, .. } => property,
            Self::Companion { refer, .. } => refer,
        }
    }

    /// Whether the edit is written for a resource of `type_token` in a program pinning
    /// provider major `major` (`None`: not known, and only edits without a `since` apply).
    pub fn applies_to(&self, major: Option<u32>, type_token: &str) -> bool {
        let (since, until, types) = self.scope();
        let major_fits = match major {
            None => since.is_none(),
            Some(major) => since.is_none_or(|s| major >= s) && until.is_none_or(|u| major < u),
        };
        major_fits && (types.is_empty() || types.iter().any(|t| t == type_token))
    }

    /// The provider majors the edit is written for (`since`, `until` exclusive) and the
    /// resource types (empty: all).
    fn scope(&self) -> (Option<u32>, Option<u32>, &[String]) {
        match self {
            Self::Set {
                since,
                until,
                types,
                ..
            }
            | Self::Remove {
                since,
                until,
                types,
                ..
            }
            | Self::Companion {
                since,
                until,
                types,
                ..
            } => (*since, *until, types),
        }
    }

    /// What the edit does, for people: ``set `acl` ``, ``add aws:s3/bucketVersioning:… ``.
    pub fn describe(&self) -> String {
        match self {
            Self::Set {
                property,
                value: Some(value),
                ..
            } => format!("set `{property}` to `{value}`"),
            Self::Set {
                property,
                value_from_config: Some(key),
                ..
            } => format!("set `{property}` to the team's `{key}` from remedy.toml"),
            Self::Set { property, .. } => format!("set `{property}`"),
            Self::Remove { property, .. } => format!("remove `{property}`"),
            Self::Companion { type_token, .. } => {
                format!("add a {type_token} that refers to the resource")
            }
        }
    }
}

/// How a violation of the policy is fixed in source: declarative edits (applied in order), or
/// none (`manual`), with an optional hint for people and the LLM.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Remediation {
    pub edits: Vec<Edit>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// As written in metadata: one edit, a list of edits, or `{"kind": "manual", "hint": …}`.
#[derive(Deserialize)]
#[serde(untagged)]
enum RemediationSpec {
    Manual(ManualSpec),
    One(Edit),
    Many(Vec<Edit>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ManualSpec {
    kind: ManualKind,
    #[serde(default)]
    hint: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ManualKind {
    Manual,
}

impl<'de> Deserialize<'de> for Remediation {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match RemediationSpec::deserialize(d)? {
            RemediationSpec::Manual(ManualSpec {
                kind: ManualKind::Manual,
                hint,
            }) => Self {
                edits: Vec::new(),
                hint,
            },
            RemediationSpec::One(edit) => Self {
                edits: vec![edit],
                hint: None,
            },
            RemediationSpec::Many(edits) => Self { edits, hint: None },
        })
    }
}

impl Remediation {
    /// `set`, `remove`, `set+remove` or `manual` (a companion resource counts as a setting).
    pub fn kind(&self) -> &'static str {
        let sets = self
            .edits
            .iter()
            .any(|e| matches!(e, Edit::Set { .. } | Edit::Companion { .. }));
        let removes = self.edits.iter().any(|e| matches!(e, Edit::Remove { .. }));
        match (sets, removes) {
            (false, false) => "manual",
            (true, false) => "set",
            (false, true) => "remove",
            (true, true) => "set+remove",
        }
    }

    pub fn is_declarative(&self) -> bool {
        !self.edits.is_empty()
    }

    /// The property keys the edits write (`versioning`, `enabled` for `versioning.enabled`):
    /// what a message may name in another language's spelling.
    pub fn keys(&self) -> Vec<&str> {
        self.edits
            .iter()
            .flat_map(|e| e.property().split(['.', '[', ']', '*']))
            .filter(|k| !k.is_empty())
            .collect()
    }

    /// Whether which edits apply depends on the provider major a program pins.
    pub fn depends_on_major(&self) -> bool {
        self.edits.iter().any(|e| {
            let (since, until, _) = e.scope();
            since.is_some() || until.is_some()
        })
    }

    /// The edits written for a resource of `type_token` in a program pinning provider major
    /// `major` (see [`Edit::applies_to`]).
    pub fn edits_for<'a>(
        &'a self,
        major: Option<u32>,
        type_token: &'a str,
    ) -> impl Iterator<Item = &'a Edit> + 'a {
        self.edits
            .iter()
            .filter(move |e| e.applies_to(major, type_token))
    }

    /// Config keys whose team-specific values the edits need.
    pub fn config_keys(&self) -> impl Iterator<Item = &str> {
        self.edits.iter().filter_map(|e| match e {
            Edit::Set {
                value_from_config: Some(key),
                ..
            } => Some(key.as_str()),
            _ => None,
        })
    }
}

/// What applying a policy's fix does to the deployed resource. Reviewers read it in the commit
/// and the pull request, and a fix that is not `in_place` is never merged without them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impact {
    pub kind: ImpactKind,
    /// What to look out for, in a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ImpactKind {
    /// The provider updates the resource in place.
    #[default]
    InPlace,
    /// The provider deletes and recreates the resource (a new id; its data goes with it unless
    /// restored).
    Replace,
    /// Updated in place, but what depends on the old behaviour may stop working (traffic from
    /// outside, clients on a protocol no longer allowed).
    MayBreak,
}

impl ImpactKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InPlace => "in_place",
            Self::Replace => "replace",
            Self::MayBreak => "may_break",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "in_place" => Some(Self::InPlace),
            "replace" => Some(Self::Replace),
            "may_break" => Some(Self::MayBreak),
            _ => None,
        }
    }

    /// For people: "updates the resource in place".
    pub fn describe(self) -> &'static str {
        match self {
            Self::InPlace => "updates the resource in place",
            Self::Replace => "replaces the resource (deleted and created again)",
            Self::MayBreak => "updates in place, but may break what depends on the old setting",
        }
    }
}

/// The `metadata` object a policy declares, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Metadata {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub resource_types: Vec<String>,
    #[serde(default)]
    pub frameworks: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub remediation: Option<Remediation>,
    #[serde(default)]
    pub impact: Option<Impact>,
}

impl Metadata {
    /// Checks serde cannot express; the message names the offending field.
    pub fn validate(&self) -> Result<(), String> {
        let id_ok = !self.id.is_empty()
            && self
                .id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
        if !id_ok {
            return Err(format!(
                "`id` must be lower-case letters, digits, `-` or `.`, got {:?}",
                self.id
            ));
        }
        if self.title.trim().is_empty() {
            return Err("`title` is empty".into());
        }
        if let Some(bad) = self.resource_types.iter().find(|t| !t.contains(':')) {
            return Err(format!(
                "`resource_types` entry {bad:?} is not a Pulumi type token like aws:s3/bucket:Bucket"
            ));
        }
        for edit in self.remediation.iter().flat_map(|r| &r.edits) {
            if edit.property().is_empty() {
                return Err("`remediation.property` is empty".into());
            }
            let (_, _, types) = edit.scope();
            if let Some(bad) = types.iter().find(|t| !self.resource_types.contains(t)) {
                return Err(format!(
                    "`remediation` edit of `{}` is for {bad:?}, which is not in `resource_types`",
                    edit.property()
                ));
            }
            if let Edit::Set {
                value,
                value_from_config,
                ..
            } = edit
                && value.is_some() == value_from_config.is_some()
            {
                return Err(format!(
                    "`remediation` setting `{}` needs exactly one of `value` or `value_from_config`",
                    edit.property()
                ));
            }
        }
        Ok(())
    }
}

/// A loaded policy.
#[derive(Debug, Clone, Serialize)]
pub struct Policy {
    pub id: String,
    pub title: String,
    pub severity: Severity,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Types the policy applies to; empty means every type.
    pub resource_types: Vec<String>,
    /// Framework → control ids, for example `nist-800-53-r5` → `["SC-28"]`.
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub remediation: Remediation,
    /// What the fix does to the deployed resource.
    pub impact: Impact,
    /// The Rego package, `data.remedy.aws.s3_bucket_public_read`.
    pub package: String,
    /// Where it was loaded from: `builtin:aws/s3_bucket_public_read.rego` or a file path.
    pub source: String,
    pub rules: Vec<RuleKind>,
    /// The package declares `fix_declined`: messages saying why the program itself contradicts
    /// the fix on a resource (a public website bucket), which then goes to a person.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub declines_fixes: bool,
    #[serde(skip)]
    pub(crate) reads: Reads,
}

impl Policy {
    pub(crate) fn from_metadata(
        metadata: Metadata,
        package: String,
        source: String,
        rules: Vec<RuleKind>,
        reads: Reads,
    ) -> Self {
        Self {
            id: metadata.id,
            title: metadata.title,
            severity: metadata.severity,
            description: metadata.description,
            resource_types: metadata.resource_types,
            frameworks: metadata.frameworks,
            remediation: metadata.remediation.unwrap_or_default(),
            impact: metadata.impact.unwrap_or_default(),
            package,
            source,
            rules,
            declines_fixes: false,
            reads,
        }
    }

    /// A package without metadata (an existing OPA pack for Pulumi): named after its package,
    /// medium severity, every resource type.
    pub(crate) fn without_metadata(
        package: String,
        source: String,
        rules: Vec<RuleKind>,
        reads: Reads,
    ) -> Self {
        let id = package.trim_start_matches("data.").to_string();
        Self {
            title: id.clone(),
            id,
            severity: Severity::Medium,
            description: None,
            resource_types: Vec::new(),
            frameworks: BTreeMap::new(),
            remediation: Remediation::default(),
            impact: Impact::default(),
            package,
            source,
            rules,
            declines_fixes: false,
            reads,
        }
    }

    /// Whether the policy reads its input whole (`input` passed to a function, iterated, or a
    /// helper package that does), rather than by property paths. Such a policy is undecidable on
    /// any resource with an unknown value.
    pub fn reads_whole_input(&self) -> bool {
        self.reads.paths().is_none()
    }

    pub fn applies_to(&self, type_token: &str) -> bool {
        self.resource_types.is_empty() || self.resource_types.iter().any(|t| t == type_token)
    }

    /// Whether the policy maps to a framework whose key starts with `framework`
    /// (case-insensitive): `hitrust` matches `hitrust-csf-11`.
    pub fn in_framework(&self, framework: &str) -> bool {
        let wanted = framework.to_ascii_lowercase();
        self.frameworks.keys().any(|k| k.starts_with(&wanted))
    }
}
