//! What reviewers read: commit messages (one per fix, with the `Remedy-Violation` trailer) and
//! the pull request's title and body, from a plain-text template (built in:
//! `agent/templates/pr.md`; `[delivery] template` replaces it).
//!
//! The template's first line is the title; the body follows a blank line. `{{name}}` is replaced
//! by a value; `{{#violations}} … {{/violations}}` repeats for each violation of the pull
//! request. Pull request values: `subject`, `count`, `violations_word`, `base`, `branch`,
//! `group`. Per violation: `policy`, `title`, `severity`, `message`, `resource`,
//! `resource_type`, `file`, `frameworks`, `evidence`, `made_by`, `impact`, `fingerprint`. An unknown name is left as
//! written, so a typo shows in the pull request instead of vanishing.
//!
//! The body is rebuilt from the branch's own commit messages, so a pull request that gains a fix
//! on a later run lists every fix on its branch, and the store is not needed to say what is in
//! it.

use std::collections::BTreeMap;
use std::path::Path;

use remedy_guardrails::{Impact, ImpactKind};

use super::accepted::{AcceptedFix, MadeBy};

/// The built-in pull request template.
pub const DEFAULT: &str = include_str!("../../templates/pr.md");

/// The trailer that ties a commit to the violation it fixes.
pub const TRAILER: &str = "Remedy-Violation";

/// The trailer that says who made the fix ([`MadeBy`]).
pub const MADE_BY_TRAILER: &str = "Remedy-Made-By";

/// The trailer that says what the fix does to the deployed resource ([`ImpactKind`]).
pub const IMPACT_TRAILER: &str = "Remedy-Impact";

/// One fix, as commit messages carry it and pull requests show it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixSummary {
    pub fingerprint: String,
    pub policy: String,
    pub title: String,
    pub severity: String,
    pub message: String,
    pub resource: String,
    pub resource_type: String,
    pub file: String,
    /// `nist-800-53-r5 AC-3, AC-4; pci-dss-4.0 1.4.2`, or empty.
    pub frameworks: String,
    /// `name: evidence`, one per gate check.
    pub evidence: Vec<String>,
    /// Who made the fix; `None` for a commit that does not say (it is then treated as a
    /// model's: never merged without a reviewer).
    pub made_by: Option<MadeBy>,
    /// What the fix does to the deployed resource; a commit that does not say predates the
    /// declaration and was made in place.
    pub impact: ImpactKind,
    /// The deploy impact as reviewers read it.
    pub impact_text: String,
}

impl FixSummary {
    pub fn of(fix: &AcceptedFix) -> Self {
        Self {
            fingerprint: fix.fingerprint.clone(),
            policy: fix.policy.clone(),
            title: fix.title.clone(),
            severity: fix.severity.to_string(),
            message: one_line(&fix.message),
            resource: one_line(&fix.resource),
            resource_type: fix.resource_type.clone(),
            file: fix.file.clone(),
            frameworks: fix
                .frameworks
                .iter()
                .map(|(f, controls)| format!("{f} {}", controls.join(", ")))
                .collect::<Vec<_>>()
                .join("; "),
            evidence: fix
                .verdict
                .checks
                .iter()
                .map(|c| format!("{}: {}", c.name, one_line(&c.evidence)))
                .collect(),
            made_by: Some(fix.made_by.clone()),
            impact: fix.impact.kind,
            impact_text: impact_text(&fix.impact),
        }
    }

    /// Whether this fix lets its pull request merge without a reviewer: a recipe's, updating
    /// the resource in place.
    pub fn may_auto_merge(&self) -> bool {
        self.made_by.as_ref().is_some_and(MadeBy::may_auto_merge)
            && self.impact == ImpactKind::InPlace
    }
}

/// "Replaces the resource (deleted and created again). Encrypting …"
fn impact_text(impact: &Impact) -> String {
    let mut text = impact.kind.describe().to_string();
    if let Some(first) = text.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    match &impact.note {
        Some(note) => format!("{text}. {}", one_line(note)),
        None => format!("{text}."),
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The commit message: what was wrong, the resource, the controls, the gate's evidence, and the
/// `Remedy-Violation` trailer.
pub fn commit_message(fix: &AcceptedFix) -> String {
    let s = FixSummary::of(fix);
    let checks: Vec<String> = s.evidence.iter().map(|e| format!("- {e}")).collect();
    let mut out = format!(
        "fix({}): {} in {}\n\n{} ({}).\n{}\n\nResource: {}\n",
        s.policy, s.resource, s.file, s.title, s.severity, s.message, s.resource_type
    );
    if !s.frameworks.is_empty() {
        out.push_str(&format!("Frameworks: {}\n", s.frameworks));
    }
    out.push_str(&format!("Deploy impact: {}\n", s.impact_text));
    out.push_str(&format!(
        "\nGate:\n{}\n\n{MADE_BY_TRAILER}: {}\n{IMPACT_TRAILER}: {}\n{TRAILER}: {}\n",
        checks.join("\n"),
        fix.made_by.trailer_value(),
        s.impact.as_str(),
        s.fingerprint
    ));
    out
}

/// The fingerprint in a commit message's `Remedy-Violation` trailer.
pub fn trailer(message: &str) -> Option<&str> {
    message
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(TRAILER)?.strip_prefix(':'))
        .map(str::trim)
        .filter(|fp| !fp.is_empty())
}

/// Read a commit message written by [`commit_message`] back; `None` without the trailer.
pub fn parse_commit(message: &str) -> Option<FixSummary> {
    let fingerprint = trailer(message)?.to_string();
    let mut lines = message.lines();
    let subject = lines.next().unwrap_or_default();
    let mut s = FixSummary {
        fingerprint,
        ..FixSummary::default()
    };
    if let Some((policy, rest)) = subject
        .strip_prefix("fix(")
        .and_then(|r| r.split_once("): "))
    {
        s.policy = policy.to_string();
        if let Some((resource, file)) = rest.rsplit_once(" in ") {
            s.resource = resource.to_string();
            s.file = file.to_string();
        }
    }
    let body: Vec<&str> = lines.skip_while(|l| l.is_empty()).collect();
    if let Some(first) = body.first()
        && let Some((title, severity)) = first.rsplit_once(" (")
    {
        s.title = title.to_string();
        s.severity = severity
            .trim_end_matches('.')
            .trim_end_matches(')')
            .to_string();
    }
    s.message = body
        .iter()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ");
    let mut in_gate = false;
    for line in &body {
        if let Some(v) = line
            .strip_prefix(MADE_BY_TRAILER)
            .and_then(|v| v.strip_prefix(':'))
        {
            s.made_by = Some(MadeBy::parse(v));
        } else if let Some(v) = line
            .strip_prefix(IMPACT_TRAILER)
            .and_then(|v| v.strip_prefix(':'))
        {
            // An impact remedy does not know is not in place.
            s.impact = ImpactKind::parse(v).unwrap_or(ImpactKind::MayBreak);
        } else if let Some(v) = line.strip_prefix("Deploy impact: ") {
            s.impact_text = v.to_string();
        } else if let Some(v) = line.strip_prefix("Resource: ") {
            s.resource_type = v.to_string();
        } else if let Some(v) = line.strip_prefix("Frameworks: ") {
            s.frameworks = v.to_string();
        } else if *line == "Gate:" {
            in_gate = true;
        } else if in_gate && let Some(e) = line.strip_prefix("- ") {
            s.evidence.push(e.to_string());
        } else if line.is_empty() {
            in_gate = false;
        }
    }
    Some(s)
}

/// A pull request's title and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    pub title: String,
    pub body: String,
}

/// What a pull request is about, besides its fixes.
#[derive(Debug, Clone)]
pub struct PrContext<'a> {
    pub base: &'a str,
    pub branch: &'a str,
    /// The group's key, in a comment at the end of the body.
    pub group: &'a str,
    /// What the group's members share ("site in index.ts", "index.ts", a policy).
    pub label: &'a str,
}

/// A loaded template.
#[derive(Debug, Clone)]
pub struct Template {
    text: String,
}

impl Default for Template {
    fn default() -> Self {
        Self {
            text: DEFAULT.to_string(),
        }
    }
}

impl Template {
    /// The template at `path`, or the built-in one.
    pub fn load(path: Option<&Path>) -> Result<Self, std::io::Error> {
        match path {
            None => Ok(Self::default()),
            Some(path) => std::fs::read_to_string(path)
                .map(|text| Self { text })
                .map_err(|e| std::io::Error::new(e.kind(), format!("{}: {e}", path.display()))),
        }
    }

    pub fn render(&self, context: &PrContext<'_>, fixes: &[FixSummary]) -> Rendered {
        let mut vars = BTreeMap::new();
        vars.insert("subject", subject(context, fixes));
        vars.insert("count", fixes.len().to_string());
        vars.insert(
            "violations_word",
            if fixes.len() == 1 {
                "violation"
            } else {
                "violations"
            }
            .to_string(),
        );
        vars.insert("base", context.base.to_string());
        vars.insert("branch", context.branch.to_string());
        vars.insert("group", context.group.to_string());
        let text = expand_sections(&self.text, fixes, &vars);
        let text = substitute(&text, &vars);
        let (title, body) = text.split_once('\n').unwrap_or((text.as_str(), ""));
        Rendered {
            title: title.trim().to_string(),
            body: body.trim_start_matches('\n').trim_end().to_string() + "\n",
        }
    }
}

fn subject(context: &PrContext<'_>, fixes: &[FixSummary]) -> String {
    match fixes {
        [one] => format!("{} on {} in {}", one.policy, one.resource, one.file),
        _ => {
            let policies: std::collections::BTreeSet<&str> =
                fixes.iter().map(|f| f.policy.as_str()).collect();
            if policies.len() == 1 {
                format!(
                    "{} violations of {} ({})",
                    fixes.len(),
                    fixes.first().map_or("", |f| f.policy.as_str()),
                    context.label
                )
            } else {
                format!("{} policy violations in {}", fixes.len(), context.label)
            }
        }
    }
}

fn expand_sections(text: &str, fixes: &[FixSummary], outer: &BTreeMap<&str, String>) -> String {
    const OPEN: &str = "{{#violations}}";
    const CLOSE: &str = "{{/violations}}";
    let Some(start) = text.find(OPEN) else {
        return text.to_string();
    };
    let Some(len) = text[start..].find(CLOSE) else {
        return text.to_string();
    };
    let inner = text[start + OPEN.len()..start + len].trim_start_matches('\n');
    let mut out = text[..start].to_string();
    for fix in fixes {
        let mut vars = outer.clone();
        vars.insert("fingerprint", fix.fingerprint.clone());
        vars.insert("policy", fix.policy.clone());
        vars.insert("title", fix.title.clone());
        vars.insert("severity", fix.severity.to_string());
        vars.insert("message", fix.message.clone());
        vars.insert("resource", fix.resource.clone());
        vars.insert("resource_type", fix.resource_type.clone());
        vars.insert("file", fix.file.clone());
        vars.insert(
            "impact",
            if fix.impact_text.is_empty() {
                "not recorded".into()
            } else {
                fix.impact_text.clone()
            },
        );
        vars.insert(
            "made_by",
            fix.made_by
                .as_ref()
                .map_or_else(|| "not recorded".into(), ToString::to_string),
        );
        vars.insert(
            "frameworks",
            if fix.frameworks.is_empty() {
                "none mapped".into()
            } else {
                fix.frameworks.clone()
            },
        );
        vars.insert(
            "evidence",
            fix.evidence
                .iter()
                .map(|e| format!("  - {e}"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
        out.push_str(&substitute(inner, &vars));
    }
    let rest = &text[start + len + CLOSE.len()..];
    out.push_str(rest.strip_prefix('\n').unwrap_or(rest));
    expand_sections(&out, fixes, outer)
}

fn substitute(text: &str, vars: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) if vars.contains_key(after[..end].trim()) => {
                out.push_str(&vars[after[..end].trim()]);
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use remedy_guardrails::gate::{Check, Verdict};

    fn fix() -> AcceptedFix {
        AcceptedFix {
            fingerprint: "1a2bc0dc73e151b39d100fde1c221a6c".into(),
            policy: "aws-s3-bucket-public-read".into(),
            title: "S3 buckets must not grant public read access".into(),
            severity: remedy_guardrails::Severity::High,
            message: "site grants public access with the canned ACL \"public-read\"".into(),
            resource: "site".into(),
            resource_type: "aws:s3/bucket:Bucket".into(),
            file: "infra/index.ts".into(),
            frameworks: [(
                "nist-800-53-r5".to_string(),
                vec!["AC-3".to_string(), "AC-4".to_string()],
            )]
            .into_iter()
            .collect(),
            after: String::new(),
            verdict: Verdict {
                checks: vec![
                    Check {
                        name: "target_resolved",
                        passed: true,
                        evidence: "aws-s3-bucket-public-read runs on `site` and passes".into(),
                    },
                    Check::new(
                        "validate",
                        true,
                        "tsc --noEmit --pretty false -p . passed in 2.1 s",
                    ),
                ],
            },
            made_by: MadeBy::Recipe,
            impact: Impact::default(),
        }
    }

    #[test]
    fn commit_messages_round_trip() {
        let message = commit_message(&fix());
        assert!(message.ends_with(
            "Remedy-Made-By: recipe\nRemedy-Impact: in_place\nRemedy-Violation: \
             1a2bc0dc73e151b39d100fde1c221a6c\n"
        ));
        let parsed = parse_commit(&message).unwrap();
        assert_eq!(parsed, FixSummary::of(&fix()));
        assert!(parsed.may_auto_merge());
        assert_eq!(parse_commit("a person's commit\n\nSigned-off-by: x"), None);
    }

    #[test]
    fn the_deploy_impact_is_said_and_only_an_in_place_fix_may_merge_alone() {
        let replacing = AcceptedFix {
            impact: Impact {
                kind: ImpactKind::Replace,
                note: Some("Its data is lost\nunless restored.".into()),
            },
            ..fix()
        };
        let message = commit_message(&replacing);
        assert!(
            message.contains(
                "Deploy impact: Replaces the resource (deleted and created again). Its data is \
                 lost unless restored.\n"
            ),
            "{message}"
        );
        assert!(message.contains("\nRemedy-Impact: replace\n"), "{message}");
        let parsed = parse_commit(&message).unwrap();
        assert_eq!(parsed, FixSummary::of(&replacing));
        assert!(!parsed.may_auto_merge(), "a recipe's, but it replaces");
        let in_place = parse_commit(&commit_message(&fix())).unwrap();
        assert!(in_place.may_auto_merge());
        assert_eq!(in_place.impact_text, "Updates the resource in place.");
        // An impact remedy does not know is not taken for in place.
        let odd = message.replace("Remedy-Impact: replace", "Remedy-Impact: sideways");
        assert_eq!(parse_commit(&odd).unwrap().impact, ImpactKind::MayBreak);
        let body = Template::default()
            .render(
                &PrContext {
                    base: "main",
                    branch: "b",
                    group: "g",
                    label: "l",
                },
                &[FixSummary::of(&replacing)],
            )
            .body;
        assert!(
            body.contains("- Deploy impact: Replaces the resource (deleted and created again)."),
            "{body}"
        );
    }

    #[test]
    fn who_made_a_fix_is_recorded_and_only_a_recipe_may_merge_alone() {
        let by_model = AcceptedFix {
            made_by: MadeBy::Model("gpt-4o\nRemedy-Made-By: recipe".into()),
            ..fix()
        };
        let message = commit_message(&by_model);
        // A model name cannot forge a second trailer line.
        assert_eq!(
            message
                .lines()
                .filter(|l| l.starts_with("Remedy-Made-By"))
                .count(),
            1,
            "{message}"
        );
        let parsed = parse_commit(&message).unwrap();
        assert_eq!(
            parsed.made_by,
            Some(MadeBy::Model("gpt-4o Remedy-Made-By: recipe".into()))
        );
        assert!(!parsed.may_auto_merge());
        // A remedy commit from before the trailer existed does not say: not proven a recipe's.
        let old = message.replace("Remedy-Made-By: llm gpt-4o Remedy-Made-By: recipe\n", "");
        let parsed = parse_commit(&old).unwrap();
        assert_eq!(parsed.made_by, None);
        assert!(!parsed.may_auto_merge());
        let body = Template::default()
            .render(
                &PrContext {
                    base: "main",
                    branch: "b",
                    group: "g",
                    label: "l",
                },
                &[FixSummary::of(&fix()), FixSummary::of(&by_model), parsed],
            )
            .body;
        for needle in [
            "Made by: the policy's declarative fix",
            "Made by: an LLM (gpt-4o Remedy-Made-By: recipe)",
            "Made by: not recorded",
        ] {
            assert!(body.contains(needle), "{needle}\n{body}");
        }
    }

    #[test]
    fn the_default_template_says_what_reviewers_need() {
        let context = PrContext {
            base: "main",
            branch: "remedy/aws-s3-bucket-public-read/1a2bc0dc",
            group: "1a2bc0dc73e151b39d100fde1c221a6c",
            label: "site in infra/index.ts",
        };
        let r = Template::default().render(&context, &[FixSummary::of(&fix())]);
        assert_eq!(
            r.title,
            "fix: aws-s3-bucket-public-read on site in infra/index.ts"
        );
        for needle in [
            "severity **high**",
            "nist-800-53-r5 AC-3, AC-4",
            "`aws:s3/bucket:Bucket` `site` in `infra/index.ts`",
            "  - target_resolved: aws-s3-bucket-public-read runs on `site` and passes",
            "  - validate: tsc --noEmit --pretty false -p . passed in 2.1 s",
            "remedy check infra/index.ts --policy aws-s3-bucket-public-read",
            "1 policy violation on `main`",
            "- Made by: the policy's declarative fix",
        ] {
            assert!(r.body.contains(needle), "{needle}\n{}", r.body);
        }
        assert!(!r.body.contains("{{"), "{}", r.body);
        let two = Template::default().render(
            &PrContext {
                label: "aws-s3-bucket-public-read",
                ..context
            },
            &[FixSummary::of(&fix()), FixSummary::of(&fix())],
        );
        assert_eq!(
            two.title,
            "fix: 2 violations of aws-s3-bucket-public-read (aws-s3-bucket-public-read)"
        );
    }

    #[test]
    fn a_custom_template_and_unknown_names() {
        let t = Template {
            text: "[sec] {{count}} {{nope}}\n\n{{#violations}}* {{policy}}\n{{/violations}}end"
                .into(),
        };
        let r = t.render(
            &PrContext {
                base: "main",
                branch: "b",
                group: "g",
                label: "l",
            },
            &[FixSummary::of(&fix())],
        );
        assert_eq!(r.title, "[sec] 1 {{nope}}");
        assert_eq!(r.body, "* aws-s3-bucket-public-read\nend\n");
    }
}
