//! The store's public vocabulary: statuses, priorities, violations as recorded, and events.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use remedy_guardrails::Severity;
use serde::Serialize;

use super::clock::format_time;
use super::sql::Row;

/// Where a violation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Found by an audit, not yet taken up.
    Open,
    /// Given to someone; assigned to `remedy` (the agent) it is in the work queue.
    Assigned,
    /// A worker holds a lease on it.
    InProgress,
    /// A fix waits for review in a pull request.
    PrOpen,
    /// No longer found by an audit (or found already fixed).
    Resolved,
    /// The agent gave up; the reason says why.
    NeedsHuman,
    /// By design or an accepted risk; kept across audits.
    Dismissed,
}

impl Status {
    pub const ALL: [Status; 7] = [
        Self::Open,
        Self::Assigned,
        Self::InProgress,
        Self::PrOpen,
        Self::Resolved,
        Self::NeedsHuman,
        Self::Dismissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Assigned => "assigned",
            Self::InProgress => "in_progress",
            Self::PrOpen => "pr_open",
            Self::Resolved => "resolved",
            Self::NeedsHuman => "needs_human",
            Self::Dismissed => "dismissed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.to_ascii_lowercase().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == wanted)
            .ok_or_else(|| {
                format!(
                    "unknown status `{s}` (expected one of: {})",
                    Self::ALL.map(Status::as_str).join(", ")
                )
            })
    }
}

/// How soon a violation should be dealt with: `p0` (first) to `p4` (last). Defaults from the
/// severity: critical p0, high p1, medium p2, low p3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Priority(u8);

impl Priority {
    pub const HIGHEST: Priority = Priority(0);
    pub const LOWEST: Priority = Priority(4);

    pub fn new(level: u8) -> Option<Self> {
        (level <= 4).then_some(Self(level))
    }

    pub fn level(self) -> u8 {
        self.0
    }

    pub fn for_severity(severity: Severity) -> Self {
        Self(match severity {
            Severity::Critical => 0,
            Severity::High => 1,
            Severity::Medium => 2,
            Severity::Low => 3,
        })
    }

    pub(crate) fn from_db(level: i64) -> Self {
        Self(u8::try_from(level.clamp(0, 4)).unwrap_or(4))
    }
}

impl fmt::Display for Priority {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p{}", self.0)
    }
}

impl FromStr for Priority {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let digits = s.strip_prefix(['p', 'P']).unwrap_or(s);
        digits
            .parse::<u8>()
            .ok()
            .and_then(Self::new)
            .ok_or_else(|| format!("unknown priority `{s}` (expected p0, p1, p2, p3 or p4)"))
    }
}

impl Serialize for Priority {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

pub(crate) fn severity_rank(severity: Severity) -> i64 {
    match severity {
        Severity::Low => 0,
        Severity::Medium => 1,
        Severity::High => 2,
        Severity::Critical => 3,
    }
}

pub(crate) fn parse_status(text: &str) -> Result<Status, sqlx::Error> {
    text.parse()
        .map_err(|e: String| sqlx::Error::Decode(e.into()))
}

pub(crate) fn parse_severity(text: &str) -> Result<Severity, sqlx::Error> {
    text.parse()
        .map_err(|e: String| sqlx::Error::Decode(e.into()))
}

pub(crate) fn parse_frameworks(text: &str) -> BTreeMap<String, Vec<String>> {
    serde_json::from_str(text).unwrap_or_default()
}

/// The resource a violation is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResourceInfo {
    #[serde(rename = "type")]
    pub type_token: String,
    pub name: Option<String>,
    pub name_expr: String,
}

/// The pull request a fix went out in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrRef {
    pub branch: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A violation as the store knows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViolationRecord {
    #[serde(skip)]
    pub id: i64,
    pub fingerprint: String,
    pub repository: String,
    #[serde(skip)]
    pub repository_root: String,
    pub status: Status,
    pub priority: Priority,
    pub assignee: Option<String>,
    pub policy: String,
    pub title: String,
    pub severity: Severity,
    pub rule: String,
    pub message: String,
    pub resource: ResourceInfo,
    pub file: String,
    pub line: i64,
    pub column: i64,
    pub end_line: i64,
    pub end_column: i64,
    pub frameworks: BTreeMap<String, Vec<String>>,
    pub remediation: String,
    /// Why it was dismissed, or why it needs a human.
    pub reason: Option<String>,
    pub last_error: Option<String>,
    pub attempts: i64,
    pub reopen_count: i64,
    #[serde(serialize_with = "ser_time")]
    pub first_seen_at: i64,
    #[serde(serialize_with = "ser_time")]
    pub last_seen_at: i64,
    #[serde(serialize_with = "ser_time")]
    pub updated_at: i64,
    #[serde(serialize_with = "ser_opt_time")]
    pub resolved_at: Option<i64>,
    pub pr: Option<PrRef>,
}

fn ser_time<S: serde::Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_time(*ms))
}

fn ser_opt_time<S: serde::Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
    match ms {
        Some(ms) => s.collect_str(&format_time(*ms)),
        None => s.serialize_none(),
    }
}

/// The columns [`ViolationRecord::from_row`] reads; `v` is violations, `r` repositories and `p`
/// a left-joined prs.
pub(crate) const VIOLATION_COLUMNS: &str = "v.id, v.fingerprint, r.url AS repo_url, \
    r.root AS repo_root, v.status, v.priority, v.assignee, v.policy, v.title, v.severity, v.rule, \
    v.message, v.resource_type, v.resource_name, v.name_expr, v.file, v.line, v.col, v.end_line, \
    v.end_col, v.frameworks, v.remediation, v.reason, v.last_error, v.attempts, v.reopen_count, \
    v.first_seen_at, v.last_seen_at, v.updated_at, v.resolved_at, p.branch AS pr_branch, \
    p.number AS pr_number, p.url AS pr_url";

/// `FROM` clause that goes with [`VIOLATION_COLUMNS`].
pub(crate) const VIOLATION_FROM: &str = "violations v JOIN repositories r ON r.id = v.repo_id \
    LEFT JOIN prs p ON p.id = v.pr_id";

impl ViolationRecord {
    pub(crate) fn from_row(row: &Row) -> Result<Self, sqlx::Error> {
        let pr = row.opt_text("pr_branch")?.map(|branch| PrRef {
            branch,
            number: None,
            url: None,
        });
        let pr = match pr {
            Some(mut pr) => {
                pr.number = row.opt_int("pr_number")?;
                pr.url = row.opt_text("pr_url")?;
                Some(pr)
            }
            None => None,
        };
        Ok(Self {
            id: row.int("id")?,
            fingerprint: row.text("fingerprint")?,
            repository: row.text("repo_url")?,
            repository_root: row.text("repo_root")?,
            status: parse_status(&row.text("status")?)?,
            priority: Priority::from_db(row.int("priority")?),
            assignee: row.opt_text("assignee")?,
            policy: row.text("policy")?,
            title: row.text("title")?,
            severity: parse_severity(&row.text("severity")?)?,
            rule: row.text("rule")?,
            message: row.text("message")?,
            resource: ResourceInfo {
                type_token: row.text("resource_type")?,
                name: row.opt_text("resource_name")?,
                name_expr: row.text("name_expr")?,
            },
            file: row.text("file")?,
            line: row.int("line")?,
            column: row.int("col")?,
            end_line: row.int("end_line")?,
            end_column: row.int("end_col")?,
            frameworks: parse_frameworks(&row.text("frameworks")?),
            remediation: row.text("remediation")?,
            reason: row.opt_text("reason")?,
            last_error: row.opt_text("last_error")?,
            attempts: row.int("attempts")?,
            reopen_count: row.int("reopen_count")?,
            first_seen_at: row.int("first_seen_at")?,
            last_seen_at: row.int("last_seen_at")?,
            updated_at: row.int("updated_at")?,
            resolved_at: row.opt_int("resolved_at")?,
            pr,
        })
    }
}

/// One change of a violation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Event {
    pub fingerprint: String,
    pub repository: String,
    #[serde(serialize_with = "ser_time")]
    pub at: i64,
    /// Who or what made the change: a person, `audit`, or a worker's id.
    pub actor: String,
    /// `opened`, `reopened`, `resolved`, `assigned`, `unassigned`, `dismissed`, `priority`,
    /// `assignee`, `claimed`, `released`, `failed`, `gave_up`, `completed`.
    pub kind: String,
    pub from: Option<Status>,
    pub to: Option<Status>,
    pub data: Option<serde_json::Value>,
}

impl Event {
    pub(crate) fn from_row(row: &Row) -> Result<Self, sqlx::Error> {
        let status = |col: &str| -> Result<Option<Status>, sqlx::Error> {
            row.opt_text(col)?.map(|s| parse_status(&s)).transpose()
        };
        Ok(Self {
            fingerprint: row.text("fingerprint")?,
            repository: row.text("repo_url")?,
            at: row.int("at")?,
            actor: row.text("actor")?,
            kind: row.text("kind")?,
            from: status("from_status")?,
            to: status("to_status")?,
            data: row
                .opt_text("data")?
                .and_then(|d| serde_json::from_str(&d).ok()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_priorities_parse() {
        for status in Status::ALL {
            assert_eq!(status.as_str().parse::<Status>().unwrap(), status);
        }
        assert_eq!("needs-human".parse::<Status>().unwrap(), Status::NeedsHuman);
        assert!("closed".parse::<Status>().is_err());
        assert_eq!("p1".parse::<Priority>().unwrap(), Priority::new(1).unwrap());
        assert_eq!("3".parse::<Priority>().unwrap().to_string(), "p3");
        assert!("p5".parse::<Priority>().is_err());
        assert_eq!(
            Priority::for_severity(Severity::Critical),
            Priority::HIGHEST
        );
    }
}
