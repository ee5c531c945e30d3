//! Selecting violations (by repository, id, policy, severity, framework, path, status, priority,
//! assignee) in SQL, and the transition that changes a selection with one event per violation.
//! The commands built on it are in [`crate::bulk`].

use std::collections::BTreeSet;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use remedy_guardrails::Severity;
use serde::Serialize;

use super::error::StoreError;
use super::repo::normalize_remote;
use super::sql::{Dialect, Sql, Tx, like_escape};
use super::types::{
    Priority, Status, VIOLATION_COLUMNS, VIOLATION_FROM, ViolationRecord, parse_frameworks,
    severity_rank,
};

/// The order in which work is claimed (and violations listed).
pub(crate) const QUEUE_ORDER: &str = "v.priority, v.severity_rank DESC, v.first_seen_at, v.id";

/// Which violations a command applies to. Empty fields do not narrow; all given fields must
/// match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Repositories, by URL in any form (`git@github.com:o/r.git`) or root path.
    pub repositories: Vec<String>,
    /// Fingerprints, or unique-enough prefixes of them (at least 6 hex digits).
    pub ids: Vec<String>,
    pub policies: Vec<String>,
    pub statuses: Vec<Status>,
    pub min_severity: Option<Severity>,
    /// `framework` or `framework:control`, e.g. `nist-800-53-r5` or `pci-dss-4.0:1.4.1`.
    pub frameworks: Vec<String>,
    /// Globs over the file path relative to the repository root (`infra/**/*.ts`); a path
    /// without glob characters matches that file or everything under that directory.
    pub paths: Vec<String>,
    pub priorities: Vec<Priority>,
    pub assignees: Vec<String>,
}

impl Filter {
    /// Whether any field narrows the selection.
    pub fn is_empty(&self) -> bool {
        self == &Self::default()
    }
}

/// A page of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub limit: u64,
    pub offset: u64,
}

impl Default for Page {
    fn default() -> Self {
        Self {
            limit: 50,
            offset: 0,
        }
    }
}

/// One page of violations and how many matched in all.
#[derive(Debug, Clone, Serialize)]
pub struct ViolationPage {
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
    pub violations: Vec<ViolationRecord>,
}

/// What the framework and path parts of a filter come to, looked up once per transaction.
#[derive(Debug, Default)]
pub(crate) struct Resolved {
    /// Policies mapped to the wanted frameworks (`None`: no framework filter).
    policies: Option<Vec<String>>,
    /// Files matching the path globs (`None`: no path filter).
    files: Option<Vec<String>>,
    /// Fingerprints the ids and id prefixes name (`None`: no id filter).
    fingerprints: Option<Vec<String>>,
}

/// Ids one filter may name. An assignment of the whole backlog selects by policy or path.
pub const MAX_IDS: usize = 10_000;

/// Id prefixes looked up per statement: each is one `LIKE` in an `OR` chain, and SQLite parses
/// such a chain as a tree no deeper than 1,000.
const IDS_PER_LOOKUP: usize = 250;

fn has_glob_chars(pattern: &str) -> bool {
    pattern.contains(['*', '?', '[', '{'])
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, StoreError> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        let mut add = |p: &str| -> Result<(), StoreError> {
            let glob = GlobBuilder::new(p)
                .literal_separator(true)
                .build()
                .map_err(|e| StoreError::Invalid(format!("invalid path glob `{p}`: {e}")))?;
            builder.add(glob);
            Ok(())
        };
        add(pattern)?;
        if !has_glob_chars(pattern) {
            add(&format!("{pattern}/**"))?;
        }
    }
    builder
        .build()
        .map_err(|e| StoreError::Invalid(format!("invalid path globs: {e}")))
}

fn check_ids(ids: &[String]) -> Result<(), StoreError> {
    for id in ids {
        if id.len() < 6 || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(StoreError::Invalid(format!(
                "`{id}` is not a violation id: give the fingerprint, or at least its first 6 \
                 hex digits (see `remedy violations`)"
            )));
        }
    }
    Ok(())
}

pub(crate) async fn resolve(tx: &mut Tx, filter: &Filter) -> Result<Resolved, StoreError> {
    check_ids(&filter.ids)?;
    let mut resolved = Resolved::default();
    if !filter.ids.is_empty() {
        resolved.fingerprints = Some(fingerprints_of(tx, &filter.ids).await?);
    }
    if !filter.frameworks.is_empty() {
        let rows = tx
            .fetch_map(
                &Sql::new("SELECT DISTINCT policy, frameworks FROM violations"),
                |r| Ok((r.text("policy")?, r.text("frameworks")?)),
            )
            .await?;
        let mut policies = BTreeSet::new();
        for (policy, frameworks) in rows {
            let frameworks = parse_frameworks(&frameworks);
            let wanted = filter.frameworks.iter().any(|want| {
                let (name, control) = match want.split_once(':') {
                    Some((n, c)) => (n, Some(c)),
                    None => (want.as_str(), None),
                };
                frameworks
                    .iter()
                    .filter(|(f, _)| f.eq_ignore_ascii_case(name))
                    .any(|(_, controls)| {
                        control.is_none_or(|c| controls.iter().any(|x| x.eq_ignore_ascii_case(c)))
                    })
            });
            if wanted {
                policies.insert(policy);
            }
        }
        resolved.policies = Some(policies.into_iter().collect());
    }
    if !filter.paths.is_empty() {
        let globs = glob_set(&filter.paths)?;
        let files = tx
            .fetch_map(&Sql::new("SELECT DISTINCT file FROM violations"), |r| {
                r.text("file")
            })
            .await?;
        resolved.files = Some(files.into_iter().filter(|f| globs.is_match(f)).collect());
    }
    let listed = [&resolved.policies, &resolved.files, &resolved.fingerprints]
        .iter()
        .filter_map(|list| list.as_ref().map(Vec::len))
        .sum::<usize>();
    if listed + 100 > tx.dialect().max_params() {
        return Err(StoreError::Invalid(format!(
            "the selection lists {listed} policies, files and ids, more than one statement can \
             carry: narrow it or split it"
        )));
    }
    Ok(resolved)
}

/// The fingerprints that ids (full, or prefixes of at least 6 hex digits) name.
async fn fingerprints_of(tx: &mut Tx, ids: &[String]) -> Result<Vec<String>, StoreError> {
    if ids.len() > MAX_IDS {
        return Err(StoreError::Invalid(format!(
            "{} ids in one selection; at most {MAX_IDS} (select by policy, path or framework \
             for more)",
            ids.len()
        )));
    }
    let mut found = BTreeSet::new();
    for chunk in ids.chunks(IDS_PER_LOOKUP) {
        let mut sql = Sql::new("SELECT fingerprint FROM violations v WHERE ");
        for (i, id) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(" OR ");
            }
            let id = id.to_ascii_lowercase();
            if id.len() >= 32 {
                sql.push("v.fingerprint = ").bind(id);
            } else {
                sql.push("v.fingerprint LIKE ")
                    .bind(format!("{}%", like_escape(&id)))
                    .push(" ESCAPE '\\'");
            }
        }
        found.extend(tx.fetch_map(&sql, |r| r.text("fingerprint")).await?);
    }
    Ok(found.into_iter().collect())
}

/// Append the filter's conditions (on `v`), starting with `1 = 1`; `resolved` is what
/// [`resolve`] made of the same filter (ids, frameworks and paths are conditions only through it).
pub(crate) fn write_filter(sql: &mut Sql, filter: &Filter, resolved: &Resolved) {
    sql.push("1 = 1");
    if !filter.repositories.is_empty() {
        let mut urls: Vec<String> = Vec::new();
        for repo in &filter.repositories {
            urls.push(repo.clone());
            urls.push(normalize_remote(repo));
        }
        sql.push(" AND v.repo_id IN (SELECT id FROM repositories WHERE url IN ")
            .bind_list(urls)
            .push(")");
    }
    if !filter.policies.is_empty() {
        sql.push(" AND v.policy IN ")
            .bind_list(filter.policies.iter().map(String::as_str));
    }
    if !filter.statuses.is_empty() {
        sql.push(" AND v.status IN ")
            .bind_list(filter.statuses.iter().map(|s| s.as_str()));
    }
    if let Some(min) = filter.min_severity {
        sql.push(" AND v.severity_rank >= ")
            .bind(severity_rank(min));
    }
    if !filter.priorities.is_empty() {
        sql.push(" AND v.priority IN ")
            .bind_list(filter.priorities.iter().map(|p| i64::from(p.level())));
    }
    if !filter.assignees.is_empty() {
        sql.push(" AND v.assignee IN ")
            .bind_list(filter.assignees.iter().map(String::as_str));
    }
    for (column, list) in [
        ("v.policy", &resolved.policies),
        ("v.file", &resolved.files),
        ("v.fingerprint", &resolved.fingerprints),
    ] {
        match list {
            None => {}
            Some(list) if list.is_empty() => {
                sql.push(" AND 1 = 0");
            }
            Some(list) => {
                sql.push(&format!(" AND {column} IN "))
                    .bind_list(list.iter().map(String::as_str));
            }
        }
    }
}

/// A change applied to the violations that `pred` selects (aliased `v`), with one event each.
pub(crate) struct Transition<'a> {
    pub actor: &'a str,
    pub kind: &'a str,
    /// The new status (`None`: unchanged).
    pub to: Option<Status>,
    pub now: i64,
    /// Only the first `limit` in queue order.
    pub limit: Option<u64>,
    /// PostgreSQL: pass over rows that other transactions hold instead of waiting for them.
    pub skip_locked: bool,
    pub pred: &'a (dyn Fn(&mut Sql) + Sync),
    /// The `SET` list, without `SET`.
    pub set: &'a (dyn Fn(&mut Sql) + Sync),
    /// An SQL expression over the old row `v` giving the event's JSON data (or `NULL`).
    pub data: &'a (dyn Fn(&mut Sql) -> String + Sync),
}

impl Transition<'_> {
    fn write_selection(&self, sql: &mut Sql) {
        (self.pred)(sql);
        sql.push(" ORDER BY ");
        sql.push(QUEUE_ORDER);
        if let Some(limit) = self.limit {
            sql.push(" LIMIT ")
                .bind(i64::try_from(limit).unwrap_or(i64::MAX));
        }
    }

    fn write_to(&self, sql: &mut Sql, old: &str) {
        match self.to {
            Some(status) => {
                sql.bind(status.as_str());
            }
            None => {
                sql.push(old);
            }
        }
    }
}

/// Apply `t`; how many violations changed.
pub(crate) async fn transition(tx: &mut Tx, t: &Transition<'_>) -> Result<u64, StoreError> {
    match tx.dialect() {
        Dialect::Sqlite => {
            // The transaction holds SQLite's write lock, so the two statements see one state:
            // first the events (reading the old rows), then the change.
            let mut events = Sql::new(
                "INSERT INTO events (violation_id, at, actor, kind, from_status, to_status, data) \
                 SELECT v.id, ",
            );
            events
                .bind(t.now)
                .push(", ")
                .bind(t.actor)
                .push(", ")
                .bind(t.kind)
                .push(", v.status, ");
            t.write_to(&mut events, "v.status");
            events.push(", ");
            let data = (t.data)(&mut events);
            events.push(&data);
            events.push(" FROM violations v WHERE ");
            t.write_selection(&mut events);
            let changed = tx.execute(&events).await?;
            if changed == 0 {
                return Ok(0);
            }
            let mut update = Sql::new("UPDATE violations SET ");
            (t.set)(&mut update);
            update.push(" WHERE id IN (SELECT v.id FROM violations v WHERE ");
            t.write_selection(&mut update);
            update.push(")");
            tx.execute(&update).await?;
            Ok(changed)
        }
        Dialect::Postgres => {
            // One statement: lock the rows, change them, log them.
            let mut sql = Sql::new("WITH sel AS (SELECT v.id, v.status AS from_status, ");
            let data = (t.data)(&mut sql);
            sql.push(&data);
            sql.push(" AS data FROM violations v WHERE ");
            t.write_selection(&mut sql);
            sql.push(if t.skip_locked {
                " FOR UPDATE SKIP LOCKED"
            } else {
                " FOR UPDATE"
            });
            sql.push("), upd AS (UPDATE violations SET ");
            (t.set)(&mut sql);
            sql.push(
                " FROM sel WHERE violations.id = sel.id RETURNING violations.id, \
                 violations.status AS new_status, sel.from_status, sel.data) \
                 INSERT INTO events (violation_id, at, actor, kind, from_status, to_status, data) \
                 SELECT id, ",
            );
            sql.bind(t.now)
                .push(", ")
                .bind(t.actor)
                .push(", ")
                .bind(t.kind)
                .push(", from_status, ");
            t.write_to(&mut sql, "new_status");
            sql.push(", data FROM upd");
            tx.execute(&sql).await
        }
    }
}

/// Full records of the violations with these ids, in queue order.
pub(crate) async fn fetch_by_ids(
    tx: &mut Tx,
    ids: &[i64],
) -> Result<Vec<ViolationRecord>, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(10_000) {
        let mut sql = Sql::new(format!(
            "SELECT {VIOLATION_COLUMNS} FROM {VIOLATION_FROM} WHERE v.id IN "
        ));
        sql.bind_list(chunk.iter().copied());
        sql.push(" ORDER BY ");
        sql.push(QUEUE_ORDER);
        out.extend(tx.fetch_map(&sql, ViolationRecord::from_row).await?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_globs() {
        let set = glob_set(&["infra/prod".into(), "**/*.py".into(), "web/*.ts".into()]).unwrap();
        assert!(set.is_match("infra/prod/index.ts"));
        assert!(set.is_match("infra/prod"));
        assert!(!set.is_match("infra/production/index.ts"));
        assert!(set.is_match("a/b/c.py"));
        assert!(set.is_match("web/index.ts"));
        assert!(!set.is_match("web/sub/index.ts"));
        assert!(glob_set(&["[".into()]).is_err());
    }

    #[test]
    fn ids_must_look_like_fingerprints() {
        assert!(check_ids(&["1a2bc0".into()]).is_ok());
        assert!(check_ids(&["1a2b".into()]).is_err());
        assert!(check_ids(&["zzzzzzzz".into()]).is_err());
    }
}
