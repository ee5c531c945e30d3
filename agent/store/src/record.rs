//! Recording an audit: upsert its violations by fingerprint and keep its summary.
//!
//! New violations open; ones the audit no longer finds (within what it audited: its paths and
//! its policies) are resolved; resolved ones found again reopen (and count a reopen); dismissed
//! ones stay dismissed. All of it in one transaction, set-based: the audit's violations go into
//! a temporary table in multi-row batches, and a handful of statements do the rest.

use std::collections::{BTreeMap, HashSet};

use remedy_guardrails::{PolicySet, Severity, Tally, Violation};
use serde::Serialize;

use super::backend::Backend;
use super::error::StoreError;
use super::repo::Repository;
use super::select::{Transition, transition};
use super::sql::{Dialect, Sql, Tx, like_escape, rows_per_chunk};
use super::types::{Priority, Status, severity_rank};

/// An enabled policy of the audit, for the scores.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyInfo {
    pub id: String,
    pub severity: Severity,
    pub frameworks: BTreeMap<String, Vec<String>>,
}

impl PolicyInfo {
    pub fn from_set(set: &PolicySet) -> Vec<Self> {
        set.policies()
            .iter()
            .map(|p| Self {
                id: p.id.clone(),
                severity: p.severity,
                frameworks: p.frameworks.clone(),
            })
            .collect()
    }
}

/// What an audit counted besides its violations, kept with each recorded audit for the trend.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AuditCounts {
    pub files: u64,
    pub resources: u64,
    /// Resources without any violation.
    pub clean_resources: u64,
    /// Checks skipped because a property the policy reads is not statically known.
    pub indeterminate: u64,
    /// Files that could not be read or fully parsed.
    pub files_with_errors: u64,
    pub duration_ms: u64,
}

/// Most files an audit may fail to read and still resolve violations elsewhere.
const MAX_UNSEEN_FILES: usize = 200;

/// What to record: one audit of (part of) a repository.
#[derive(Debug, Clone, Copy)]
pub struct RecordInput<'a> {
    pub repository: &'a Repository,
    /// Every violation the audit found in its scope (a violation seen twice counts once).
    pub violations: &'a [Violation],
    /// Per policy id: resources passed, failed, undecided and in error.
    pub tallies: &'a BTreeMap<String, Tally>,
    pub counts: AuditCounts,
    /// Every policy the audit evaluated.
    pub policies: &'a [PolicyInfo],
    /// The audited paths relative to the repository root (`""` or none: all of it).
    pub scope: &'a [String],
    /// Files in the scope the audit could not read or fully parse: a violation it did not find
    /// there is not resolved (an undecodable file must not look fixed).
    pub unseen: &'a [String],
    /// Who recorded it.
    pub actor: &'a str,
}

/// What recording changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordSummary {
    pub audit_id: i64,
    pub repository: String,
    /// Violations in the audit.
    pub violations: u64,
    /// New violations, now `open`.
    pub opened: u64,
    /// Resolved violations found again, `open` again.
    pub reopened: u64,
    /// Violations no longer found, now `resolved`.
    pub resolved: u64,
    /// Found again but dismissed: they stay dismissed.
    pub dismissed: u64,
}

/// Columns of the temporary table of the audit's violations, in insert order.
const SEEN_COLUMNS: [&str; 18] = [
    "fingerprint",
    "policy",
    "title",
    "severity",
    "severity_rank",
    "rule",
    "message",
    "resource_type",
    "resource_name",
    "name_expr",
    "file",
    "line",
    "col",
    "end_line",
    "end_col",
    "frameworks",
    "remediation",
    "priority",
];

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Record an audit (see the module docs).
pub(crate) async fn record(
    db: &Backend,
    input: &RecordInput<'_>,
) -> Result<RecordSummary, StoreError> {
    let now = db.clock().now_ms();
    let mut tx = db.begin_write().await?;
    let summary = record_in(&mut tx, input, now).await?;
    tx.commit().await?;
    tracing::info!(
        opened = summary.opened,
        reopened = summary.reopened,
        resolved = summary.resolved,
        "audit recorded"
    );
    Ok(summary)
}

async fn record_in(
    tx: &mut Tx,
    input: &RecordInput<'_>,
    now: i64,
) -> Result<RecordSummary, StoreError> {
    let dialect = tx.dialect();
    let actor = input.actor;

    let mut repo =
        Sql::new("INSERT INTO repositories (url, root, created_at, updated_at) VALUES (");
    repo.bind(input.repository.url.as_str())
        .push(", ")
        .bind(input.repository.root.to_string_lossy().into_owned())
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(
            ") ON CONFLICT (url) DO UPDATE SET root = excluded.root, \
             updated_at = excluded.updated_at RETURNING id",
        );
    let repo_id = tx.fetch_int(&repo).await?;

    let scope: Vec<String> = input
        .scope
        .iter()
        .map(|s| s.trim_matches('/').to_string())
        .collect();
    let whole_repo = scope.is_empty() || scope.iter().any(String::is_empty);
    let s = &input.counts;
    let mut audit = Sql::new(
        "INSERT INTO audits (repo_id, recorded_at, actor, scope, files, resources, \
         clean_resources, policies, violations, indeterminate, files_with_errors, duration_ms) \
         VALUES (",
    );
    audit
        .bind(repo_id)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(actor)
        .push(", ")
        .bind(serde_json::to_string(&scope).unwrap_or_else(|_| "[]".into()));
    for n in [
        s.files,
        s.resources,
        s.clean_resources,
        input.policies.len() as u64,
        input.violations.len() as u64,
        s.indeterminate,
        s.files_with_errors,
        s.duration_ms,
    ] {
        audit.push(", ").bind(to_i64(n));
    }
    audit.push(") RETURNING id");
    let audit_id = tx.fetch_int(&audit).await?;

    insert_policies(tx, audit_id, input).await?;

    // The audit's violations, once each.
    let mut seen_fps = HashSet::with_capacity(input.violations.len());
    let violations: Vec<_> = input
        .violations
        .iter()
        .filter(|v| seen_fps.insert(v.fingerprint.as_str()))
        .collect();
    let table = create_seen(tx).await?;
    for chunk in violations.chunks(rows_per_chunk(dialect, SEEN_COLUMNS.len())) {
        let mut sql = Sql::new(format!(
            "INSERT INTO {table} ({}) VALUES ",
            SEEN_COLUMNS.join(", ")
        ));
        for (i, v) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.push("(")
                .bind(v.fingerprint.as_str())
                .push(", ")
                .bind(v.policy.as_str())
                .push(", ")
                .bind(v.title.as_str())
                .push(", ")
                .bind(v.severity.as_str())
                .push(", ")
                .bind(severity_rank(v.severity))
                .push(", ")
                .bind(v.rule.as_str())
                .push(", ")
                .bind(v.message.as_str())
                .push(", ")
                .bind(v.resource.type_token.as_str())
                .push(", ")
                .bind(v.resource.name.clone())
                .push(", ")
                .bind(v.resource.name_expr.as_str())
                .push(", ")
                .bind(v.file.as_str())
                .push(", ")
                .bind(i64::from(v.line))
                .push(", ")
                .bind(i64::from(v.column))
                .push(", ")
                .bind(i64::from(v.end_line))
                .push(", ")
                .bind(i64::from(v.end_column))
                .push(", ")
                .bind(serde_json::to_string(&v.frameworks).unwrap_or_else(|_| "{}".into()))
                .push(", ")
                .bind(v.remediation)
                .push(", ")
                .bind(i64::from(Priority::for_severity(v.severity).level()))
                .push(")");
        }
        tx.execute(&sql).await?;
    }

    let audit_data = |dialect: Dialect, sql: &mut Sql| {
        let id = sql.arg(audit_id);
        dialect.json_object(&[("audit", &id)])
    };

    // Found again after resolution: open again.
    let reopened = transition(
        tx,
        &Transition {
            actor,
            kind: "reopened",
            to: Some(Status::Open),
            now,
            limit: None,
            skip_locked: false,
            pred: &|sql: &mut Sql| {
                sql.push("v.repo_id = ")
                    .bind(repo_id)
                    .push(&format!(
                        " AND v.status = 'resolved' AND v.fingerprint IN (SELECT fingerprint FROM {table})"
                    ));
            },
            set: &|sql: &mut Sql| {
                sql.push(
                    "status = 'open', reopen_count = reopen_count + 1, resolved_at = NULL, \
                     attempts = 0, not_before = 0, reason = NULL, pr_id = NULL, updated_at = ",
                )
                .bind(now);
            },
            data: &|sql: &mut Sql| audit_data(dialect, sql),
        },
    )
    .await?;

    // Everything found: refresh what may have moved (lines, messages, metadata).
    let mut refresh = Sql::new(
        "UPDATE violations SET title = s.title, severity = s.severity, \
         severity_rank = s.severity_rank, rule = s.rule, message = s.message, \
         resource_name = s.resource_name, name_expr = s.name_expr, line = s.line, col = s.col, \
         end_line = s.end_line, end_col = s.end_col, frameworks = s.frameworks, \
         remediation = s.remediation, last_seen_at = ",
    );
    refresh
        .bind(now)
        .push(", last_audit_id = ")
        .bind(audit_id)
        .push(&format!(" FROM {table} s WHERE violations.repo_id = "))
        .bind(repo_id)
        .push(" AND violations.fingerprint = s.fingerprint");
    tx.execute(&refresh).await?;

    // New ones.
    let mut insert = Sql::new(format!(
        "INSERT INTO violations (repo_id, {}, status, first_seen_at, last_seen_at, updated_at, \
         first_audit_id, last_audit_id) SELECT ",
        SEEN_COLUMNS.join(", ")
    ));
    insert.bind(repo_id).push(", ");
    insert.push(
        &SEEN_COLUMNS
            .iter()
            .map(|c| format!("s.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    insert
        .push(", 'open', ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(now)
        .push(", ")
        .bind(audit_id)
        .push(", ")
        .bind(audit_id)
        .push(&format!(
            " FROM {table} s WHERE NOT EXISTS (SELECT 1 FROM violations v WHERE v.repo_id = "
        ))
        .bind(repo_id)
        .push(" AND v.fingerprint = s.fingerprint)");
    let opened = tx.execute(&insert).await?;
    if opened > 0 {
        let mut events = Sql::new(
            "INSERT INTO events (violation_id, at, actor, kind, from_status, to_status, data) \
             SELECT id, ",
        );
        events
            .bind(now)
            .push(", ")
            .bind(actor)
            .push(", 'opened', NULL, 'open', ");
        let data = audit_data(dialect, &mut events);
        events
            .push(&data)
            .push(" FROM violations WHERE repo_id = ")
            .bind(repo_id)
            .push(" AND last_audit_id = ")
            .bind(audit_id)
            .push(" AND first_audit_id = ")
            .bind(audit_id);
        tx.execute(&events).await?;
    }

    // Not found within what was audited: resolved.
    let resolved = transition(
        tx,
        &Transition {
            actor,
            kind: "resolved",
            to: Some(Status::Resolved),
            now,
            limit: None,
            skip_locked: false,
            pred: &|sql: &mut Sql| {
                sql.push("v.repo_id = ")
                    .bind(repo_id)
                    .push(" AND v.status NOT IN ('resolved', 'dismissed') AND v.last_audit_id <> ")
                    .bind(audit_id)
                    .push(" AND v.policy IN (SELECT policy FROM audit_policies WHERE audit_id = ")
                    .bind(audit_id)
                    .push(")");
                // Past a few hundred files the audit saw too little to resolve anything safely
                // (and a statement would run out of bind variables).
                if input.unseen.len() > MAX_UNSEEN_FILES {
                    sql.push(" AND 1 = 0");
                } else {
                    for file in input.unseen {
                        sql.push(" AND v.file <> ").bind(file.as_str());
                    }
                }
                if !whole_repo {
                    sql.push(" AND (");
                    for (i, path) in scope.iter().enumerate() {
                        if i > 0 {
                            sql.push(" OR ");
                        }
                        sql.push("v.file = ")
                            .bind(path.as_str())
                            .push(" OR v.file LIKE ")
                            .bind(format!("{}/%", like_escape(path)))
                            .push(" ESCAPE '\\'");
                    }
                    sql.push(")");
                }
            },
            set: &|sql: &mut Sql| {
                sql.push("status = 'resolved', resolved_at = ")
                    .bind(now)
                    .push(
                        ", lease_owner = NULL, lease_token = NULL, lease_expires_at = NULL, \
                         updated_at = ",
                    )
                    .bind(now);
            },
            data: &|sql: &mut Sql| audit_data(dialect, sql),
        },
    )
    .await?;

    let mut dismissed = Sql::new(format!(
        "SELECT COUNT(*) FROM violations v JOIN {table} s ON s.fingerprint = v.fingerprint \
         WHERE v.status = 'dismissed' AND v.repo_id = "
    ));
    dismissed.bind(repo_id);
    let dismissed = tx.fetch_int(&dismissed).await?;

    drop_seen(tx, &table).await?;

    let mut update = Sql::new("UPDATE audits SET opened = ");
    update
        .bind(to_i64(opened))
        .push(", reopened = ")
        .bind(to_i64(reopened))
        .push(", resolved = ")
        .bind(to_i64(resolved))
        .push(" WHERE id = ")
        .bind(audit_id);
    tx.execute(&update).await?;

    // A large change leaves PostgreSQL's statistics behind until autovacuum catches up; the
    // queue's plans depend on them.
    if dialect == Dialect::Postgres && opened + reopened + resolved >= 1000 {
        tx.execute_raw("ANALYZE violations").await?;
    }

    Ok(RecordSummary {
        audit_id,
        repository: input.repository.url.clone(),
        violations: violations.len() as u64,
        opened,
        reopened,
        resolved,
        dismissed: count(dismissed),
    })
}

async fn insert_policies(
    tx: &mut Tx,
    audit_id: i64,
    input: &RecordInput<'_>,
) -> Result<(), StoreError> {
    for chunk in input.policies.chunks(rows_per_chunk(tx.dialect(), 9)) {
        let mut sql = Sql::new(
            "INSERT INTO audit_policies (audit_id, policy, severity, frameworks, passed, failed, \
             indeterminate, errors) VALUES ",
        );
        for (i, policy) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            let tally: Tally = input.tallies.get(&policy.id).copied().unwrap_or_default();
            sql.push("(")
                .bind(audit_id)
                .push(", ")
                .bind(policy.id.as_str())
                .push(", ")
                .bind(policy.severity.as_str())
                .push(", ")
                .bind(serde_json::to_string(&policy.frameworks).unwrap_or_else(|_| "{}".into()));
            for n in [
                tally.passed,
                tally.failed,
                tally.indeterminate,
                tally.errors,
            ] {
                sql.push(", ").bind(to_i64(n));
            }
            sql.push(")");
        }
        tx.execute(&sql).await?;
    }
    Ok(())
}

/// Create the temporary table of the audit's violations; its name.
async fn create_seen(tx: &mut Tx) -> Result<String, StoreError> {
    let columns = "fingerprint TEXT PRIMARY KEY, policy TEXT NOT NULL, title TEXT NOT NULL, \
        severity TEXT NOT NULL, severity_rank BIGINT NOT NULL, rule TEXT NOT NULL, \
        message TEXT NOT NULL, resource_type TEXT NOT NULL, resource_name TEXT, \
        name_expr TEXT NOT NULL, file TEXT NOT NULL, line BIGINT NOT NULL, col BIGINT NOT NULL, \
        end_line BIGINT NOT NULL, end_col BIGINT NOT NULL, frameworks TEXT NOT NULL, \
        remediation TEXT NOT NULL, priority BIGINT NOT NULL";
    match tx.dialect() {
        Dialect::Sqlite => {
            tx.execute_raw("DROP TABLE IF EXISTS temp.remedy_seen")
                .await?;
            tx.execute_raw(&format!("CREATE TEMP TABLE remedy_seen ({columns})"))
                .await?;
            Ok("temp.remedy_seen".into())
        }
        Dialect::Postgres => {
            tx.execute_raw(&format!(
                "CREATE TEMP TABLE remedy_seen ({columns}) ON COMMIT DROP"
            ))
            .await?;
            Ok("remedy_seen".into())
        }
    }
}

async fn drop_seen(tx: &mut Tx, table: &str) -> Result<(), StoreError> {
    match tx.dialect() {
        // Temporary tables live as long as the pooled connection: drop it now.
        Dialect::Sqlite => tx.execute_raw(&format!("DROP TABLE {table}")).await,
        // Dropped at commit.
        Dialect::Postgres => Ok(()),
    }
}
