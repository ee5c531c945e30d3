//! The burn-down: counts per status, the compliance scores of the latest audits and their trend,
//! what was opened and resolved day by day, and what needs a human and why.
//!
//! - Policy compliance score: the share of enabled policies that pass (no failed check and no
//!   evaluation error) in each repository's latest recorded audit.
//! - Resource compliance score: the share of resources with no violation in those audits.
//! - Per framework: a control passes when every policy mapped to it passes.
//!
//! Scores describe the code as audited: a dismissed violation still counts against them.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::backend::Backend;
use super::clock::format_day;
use super::error::StoreError;
use super::select::{Filter, resolve, write_filter};
use super::sql::{Sql, Tx};
use super::types::{Status, parse_frameworks};

/// How `status` breaks the counts down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StatusBy {
    #[default]
    Status,
    Policy,
    Framework,
    Severity,
    Repo,
}

impl StatusBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Policy => "policy",
            Self::Framework => "framework",
            Self::Severity => "severity",
            Self::Repo => "repo",
        }
    }
}

/// Counts per status for one key of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BreakdownRow {
    pub key: String,
    pub total: u64,
    pub counts: BTreeMap<Status, u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breakdown {
    pub by: &'static str,
    pub rows: Vec<BreakdownRow>,
}

/// The two compliance scores over the latest audit of each repository, as percentages.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Scores {
    pub policy: Option<f64>,
    pub policies_passing: u64,
    pub policies_enabled: u64,
    pub resource: Option<f64>,
    pub resources_clean: u64,
    pub resources: u64,
    /// Repositories with a recorded audit.
    pub repositories: u64,
}

/// One framework's controls in the latest audits.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameworkScore {
    pub framework: String,
    pub controls: u64,
    pub passing: u64,
    pub score: Option<f64>,
    /// The controls that fail, sorted.
    pub failing: Vec<String>,
}

/// One recorded audit, for the trend.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditPoint {
    pub audit: i64,
    pub repository: String,
    pub recorded_at: String,
    pub policy_score: Option<f64>,
    pub resource_score: Option<f64>,
    pub violations: u64,
    pub opened: u64,
    pub reopened: u64,
    pub resolved: u64,
}

/// What changed on one day (UTC).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct DayActivity {
    pub day: String,
    pub opened: u64,
    pub reopened: u64,
    pub resolved: u64,
}

/// A violation the agent gave up on, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedsHuman {
    pub fingerprint: String,
    pub repository: String,
    pub policy: String,
    pub file: String,
    pub line: i64,
    pub resource: String,
    pub reason: Option<String>,
    pub last_error: Option<String>,
}

/// Everything `remedy status` shows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub total: u64,
    pub counts: BTreeMap<Status, u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breakdown: Option<Breakdown>,
    pub scores: Scores,
    pub frameworks: Vec<FrameworkScore>,
    /// Recorded audits, oldest first (the last [`TREND_AUDITS`]).
    pub trend: Vec<AuditPoint>,
    /// Days with changes, oldest first (the last [`ACTIVITY_DAYS`] days).
    pub activity: Vec<DayActivity>,
    /// Times a resolved violation came back.
    pub reopens: u64,
    /// The first [`NEEDS_HUMAN_SHOWN`] violations that need a human, in priority order.
    pub needs_human: Vec<NeedsHuman>,
}

pub const TREND_AUDITS: i64 = 10;
pub const ACTIVITY_DAYS: i64 = 14;
pub const NEEDS_HUMAN_SHOWN: i64 = 20;

fn percent(part: u64, whole: u64) -> Option<f64> {
    // Rounded to a tenth of a percent.
    (whole > 0).then(|| (part as f64 * 1000.0 / whole as f64).round() / 10.0)
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

fn zero_counts() -> BTreeMap<Status, u64> {
    Status::ALL.into_iter().map(|s| (s, 0)).collect()
}

/// The burn-down for the violations matching `filter` (scores and trend follow its
/// repositories only), broken down `by`.
pub(crate) async fn status(
    db: &Backend,
    filter: &Filter,
    by: StatusBy,
) -> Result<StatusReport, StoreError> {
    let now = db.clock().now_ms();
    let mut tx = db.begin_read().await?;
    let resolved = resolve(&mut tx, filter).await?;

    // Counts, grouped by the breakdown key (and always by status).
    let key = match by {
        StatusBy::Status => "v.status",
        StatusBy::Policy | StatusBy::Framework => "v.policy",
        StatusBy::Severity => "v.severity",
        StatusBy::Repo => "r.url",
    };
    let mut sql = Sql::new(format!(
        "SELECT {key} AS k, v.status, COUNT(*) AS n FROM violations v \
         JOIN repositories r ON r.id = v.repo_id WHERE "
    ));
    write_filter(&mut sql, filter, &resolved);
    sql.push(&format!(" GROUP BY {key}, v.status"));
    let rows = tx
        .fetch_map(&sql, |r| Ok((r.text("k")?, r.text("status")?, r.int("n")?)))
        .await?;
    let mut counts = zero_counts();
    let mut by_key: BTreeMap<String, BTreeMap<Status, u64>> = BTreeMap::new();
    let frameworks_of = if by == StatusBy::Framework {
        policy_frameworks(&mut tx).await?
    } else {
        BTreeMap::new()
    };
    for (k, status, n) in rows {
        let Ok(status) = status.parse::<Status>() else {
            continue;
        };
        let n = count(n);
        *counts.entry(status).or_default() += n;
        let keys: Vec<String> = if by == StatusBy::Framework {
            frameworks_of.get(&k).cloned().unwrap_or_default()
        } else {
            vec![k]
        };
        for k in keys {
            *by_key
                .entry(k)
                .or_insert_with(zero_counts)
                .entry(status)
                .or_default() += n;
        }
    }
    let total = counts.values().sum();
    let breakdown = (by != StatusBy::Status).then(|| {
        let mut rows: Vec<BreakdownRow> = by_key
            .into_iter()
            .map(|(key, counts)| BreakdownRow {
                key,
                total: counts.values().sum(),
                counts,
            })
            .collect();
        rows.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
        Breakdown {
            by: by.as_str(),
            rows,
        }
    });

    let repo_filter = repo_condition(filter);
    let (scores, frameworks) = latest_scores(&mut tx, &repo_filter).await?;
    let trend = trend(&mut tx, &repo_filter).await?;
    let activity = activity(&mut tx, &repo_filter, now).await?;

    let mut reopens = Sql::new(
        "SELECT CAST(COALESCE(SUM(v.reopen_count), 0) AS BIGINT) FROM violations v WHERE ",
    );
    write_filter(&mut reopens, filter, &resolved);
    let reopens = count(tx.fetch_int(&reopens).await?);

    let mut human = Sql::new(
        "SELECT v.fingerprint, r.url, v.policy, v.file, v.line, v.resource_name, v.name_expr, \
         v.reason, v.last_error FROM violations v JOIN repositories r ON r.id = v.repo_id \
         WHERE v.status = 'needs_human' AND ",
    );
    write_filter(&mut human, filter, &resolved);
    human
        .push(" ORDER BY ")
        .push(super::select::QUEUE_ORDER)
        .push(" LIMIT ")
        .bind(NEEDS_HUMAN_SHOWN);
    let needs_human = tx
        .fetch_map(&human, |r| {
            Ok(NeedsHuman {
                fingerprint: r.text("fingerprint")?,
                repository: r.text("url")?,
                policy: r.text("policy")?,
                file: r.text("file")?,
                line: r.int("line")?,
                resource: r
                    .opt_text("resource_name")?
                    .map_or_else(|| r.text("name_expr"), Ok)?,
                reason: r.opt_text("reason")?,
                last_error: r.opt_text("last_error")?,
            })
        })
        .await?;
    tx.commit().await?;

    Ok(StatusReport {
        total,
        counts,
        breakdown,
        scores,
        frameworks,
        trend,
        activity,
        reopens,
        needs_human,
    })
}

/// Policy id → the frameworks it maps to, from the recorded violations.
async fn policy_frameworks(tx: &mut Tx) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
    let rows = tx
        .fetch_map(
            &Sql::new("SELECT DISTINCT policy, frameworks FROM violations"),
            |r| Ok((r.text("policy")?, r.text("frameworks")?)),
        )
        .await?;
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (policy, frameworks) in rows {
        out.entry(policy)
            .or_default()
            .extend(parse_frameworks(&frameworks).into_keys());
    }
    Ok(out
        .into_iter()
        .map(|(p, f)| (p, f.into_iter().collect()))
        .collect())
}

/// The repository part of a filter, for the audit-based numbers.
fn repo_condition(filter: &Filter) -> Filter {
    Filter {
        repositories: filter.repositories.clone(),
        ..Filter::default()
    }
}

/// `a.repo_id` restricted to the filter's repositories.
fn write_audit_repos(sql: &mut Sql, filter: &Filter) {
    if filter.repositories.is_empty() {
        sql.push("1 = 1");
        return;
    }
    let mut urls = Vec::new();
    for repo in &filter.repositories {
        urls.push(repo.clone());
        urls.push(super::repo::normalize_remote(repo));
    }
    sql.push("a.repo_id IN (SELECT id FROM repositories WHERE url IN ")
        .bind_list(urls)
        .push(")");
}

async fn latest_scores(
    tx: &mut Tx,
    filter: &Filter,
) -> Result<(Scores, Vec<FrameworkScore>), StoreError> {
    let mut latest = Sql::new(
        "SELECT a.id, a.resources, a.clean_resources FROM audits a \
         WHERE a.id IN (SELECT MAX(id) FROM audits GROUP BY repo_id) AND ",
    );
    write_audit_repos(&mut latest, filter);
    let audits = tx
        .fetch_map(&latest, |r| {
            Ok((r.int("id")?, r.int("resources")?, r.int("clean_resources")?))
        })
        .await?;
    let mut scores = Scores {
        repositories: audits.len() as u64,
        ..Scores::default()
    };
    if audits.is_empty() {
        return Ok((scores, Vec::new()));
    }
    for (_, resources, clean) in &audits {
        scores.resources += count(*resources);
        scores.resources_clean += count(*clean);
    }
    let mut sql = Sql::new(
        "SELECT policy, frameworks, failed, errors FROM audit_policies WHERE audit_id IN ",
    );
    sql.bind_list(audits.iter().map(|(id, _, _)| *id));
    let policies = tx
        .fetch_map(&sql, |r| {
            Ok((
                r.text("frameworks")?,
                r.int("failed")? == 0 && r.int("errors")? == 0,
            ))
        })
        .await?;
    // (framework, control) → passes
    let mut controls: BTreeMap<(String, String), bool> = BTreeMap::new();
    for (frameworks, passes) in &policies {
        scores.policies_enabled += 1;
        if *passes {
            scores.policies_passing += 1;
        }
        for (framework, ids) in parse_frameworks(frameworks) {
            for id in ids {
                let entry = controls.entry((framework.clone(), id)).or_insert(true);
                *entry &= *passes;
            }
        }
    }
    scores.policy = percent(scores.policies_passing, scores.policies_enabled);
    scores.resource = percent(scores.resources_clean, scores.resources);

    let mut by_framework: BTreeMap<String, FrameworkScore> = BTreeMap::new();
    for ((framework, control), passes) in controls {
        let entry = by_framework
            .entry(framework.clone())
            .or_insert_with(|| FrameworkScore {
                framework,
                controls: 0,
                passing: 0,
                score: None,
                failing: Vec::new(),
            });
        entry.controls += 1;
        if passes {
            entry.passing += 1;
        } else {
            entry.failing.push(control);
        }
    }
    let frameworks = by_framework
        .into_values()
        .map(|mut f| {
            f.score = percent(f.passing, f.controls);
            f
        })
        .collect();
    Ok((scores, frameworks))
}

async fn trend(tx: &mut Tx, filter: &Filter) -> Result<Vec<AuditPoint>, StoreError> {
    let mut sql = Sql::new(
        "SELECT a.id, r.url, a.recorded_at, a.resources, a.clean_resources, a.violations, \
         a.opened, a.reopened, a.resolved, \
         (SELECT COUNT(*) FROM audit_policies p WHERE p.audit_id = a.id) AS enabled, \
         (SELECT COUNT(*) FROM audit_policies p WHERE p.audit_id = a.id AND p.failed = 0 \
          AND p.errors = 0) AS passing \
         FROM audits a JOIN repositories r ON r.id = a.repo_id WHERE ",
    );
    write_audit_repos(&mut sql, filter);
    sql.push(" ORDER BY a.id DESC LIMIT ").bind(TREND_AUDITS);
    let mut points = tx
        .fetch_map(&sql, |r| {
            Ok(AuditPoint {
                audit: r.int("id")?,
                repository: r.text("url")?,
                recorded_at: super::clock::format_time(r.int("recorded_at")?),
                policy_score: percent(count(r.int("passing")?), count(r.int("enabled")?)),
                resource_score: percent(
                    count(r.int("clean_resources")?),
                    count(r.int("resources")?),
                ),
                violations: count(r.int("violations")?),
                opened: count(r.int("opened")?),
                reopened: count(r.int("reopened")?),
                resolved: count(r.int("resolved")?),
            })
        })
        .await?;
    points.reverse();
    Ok(points)
}

async fn activity(tx: &mut Tx, repos: &Filter, now: i64) -> Result<Vec<DayActivity>, StoreError> {
    const DAY: i64 = 86_400_000;
    let since = (now.div_euclid(DAY) - (ACTIVITY_DAYS - 1)) * DAY;
    let resolved = super::select::Resolved::default();
    let mut sql = Sql::new(format!(
        "SELECT e.at / {DAY} AS day, e.kind, e.to_status, COUNT(*) AS n FROM events e \
         JOIN violations v ON v.id = e.violation_id WHERE e.at >= "
    ));
    sql.bind(since)
        .push(" AND (e.kind IN ('opened', 'reopened') OR e.to_status = 'resolved') AND ");
    write_filter(&mut sql, repos, &resolved);
    sql.push(&format!(" GROUP BY e.at / {DAY}, e.kind, e.to_status"));
    let rows = tx
        .fetch_map(&sql, |r| {
            Ok((
                r.int("day")?,
                r.text("kind")?,
                r.opt_text("to_status")?,
                r.int("n")?,
            ))
        })
        .await?;
    let mut days: BTreeMap<i64, DayActivity> = BTreeMap::new();
    for (day, kind, to, n) in rows {
        let entry = days.entry(day).or_insert_with(|| DayActivity {
            day: format_day(day * DAY),
            ..DayActivity::default()
        });
        match (kind.as_str(), to.as_deref()) {
            ("opened", _) => entry.opened += count(n),
            ("reopened", _) => entry.reopened += count(n),
            (_, Some("resolved")) => entry.resolved += count(n),
            _ => {}
        }
    }
    Ok(days.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentages_round_to_a_tenth() {
        assert_eq!(percent(1, 3), Some(33.3));
        assert_eq!(percent(2, 3), Some(66.7));
        assert_eq!(percent(0, 0), None);
        assert_eq!(percent(5, 5), Some(100.0));
    }
}
