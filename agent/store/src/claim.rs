//! What a claim takes, and taking it. Both backends run this inside their write transaction.
//!
//! A claim follows the queue order (priority, severity, age). When delivery groups fixes (per
//! file, per resource, per policy), a claim takes the group at the head of the queue whole (up
//! to the batch size), then the next groups while they fit whole, so that a group's fixes are
//! made, pushed and published together: one push and one pull request update per group instead of one per
//! violation (at 30,000 violations that is the difference between 600 pushes and 30,000, and
//! between fitting GitHub's API limits or not). A group another worker holds is left to it.

use super::clock::millis;
use super::error::StoreError;
use super::queue::{self, ClaimGroups, ClaimScope, WorkItem};
use super::select::QUEUE_ORDER;
use super::sql::{Dialect, Sql, Tx};

/// What names a group in the `violations` table.
#[derive(Debug, Clone, Copy)]
struct GroupColumn {
    name: &'static str,
    index: &'static str,
}

/// The column that, with the repository, names a group, and the queue index on it
/// (migration 0002).
fn group_column(groups: ClaimGroups) -> Option<GroupColumn> {
    match groups {
        ClaimGroups::None => None,
        ClaimGroups::File => Some(GroupColumn {
            name: "file",
            index: "violations_queue_file",
        }),
        ClaimGroups::Policy => Some(GroupColumn {
            name: "policy",
            index: "violations_queue_policy",
        }),
    }
}

/// The PostgreSQL advisory lock grouped claims take ("remedy" in ASCII).
const GROUPED_CLAIM_LOCK: i64 = 0x7265_6d65_6479;

/// A row picked for the claim: its id, status before, and the owner of an expired lease.
struct Picked {
    id: i64,
    status: String,
    owner: Option<String>,
}

/// Claim up to `n` violations for `worker` in `tx` (the caller commits).
pub(crate) async fn claim(
    tx: &mut Tx,
    now: i64,
    worker: &str,
    n: usize,
    lease: std::time::Duration,
    scope: &ClaimScope,
) -> Result<Vec<WorkItem>, StoreError> {
    let picked = match group_column(scope.groups) {
        None => pick(tx, now, scope, n, &[], None).await?,
        Some(column) => {
            if tx.dialect() == Dialect::Postgres {
                // Under READ COMMITTED a concurrent claim's rows are invisible to the "held
                // elsewhere" test until it commits, and `SKIP LOCKED` would hand a second
                // claimer the rest of a group the first is taking. Grouped claims take turns
                // (until commit), as SQLite's `BEGIN IMMEDIATE` makes them.
                tx.execute(&Sql::new(format!(
                    "SELECT pg_advisory_xact_lock({GROUPED_CLAIM_LOCK})"
                )))
                .await?;
            }
            pick_groups(tx, now, scope, n, column).await?
        }
    };
    if picked.is_empty() {
        return Ok(Vec::new());
    }
    take(tx, now, worker, now.saturating_add(millis(lease)), picked).await
}

/// Whole groups in queue order of their first member, while they fit in `n`.
async fn pick_groups(
    tx: &mut Tx,
    now: i64,
    scope: &ClaimScope,
    n: usize,
    column: GroupColumn,
) -> Result<Vec<Picked>, StoreError> {
    let mut picked: Vec<Picked> = Vec::new();
    while picked.len() < n {
        let taken: Vec<i64> = picked.iter().map(|p| p.id).collect();
        let Some(head) = head_group(tx, now, scope, &taken, column).await? else {
            break;
        };
        // The first group is taken up to `n` (a larger one continues in the next claim); a
        // later one only whole, so that no group's fixes are split between two claims.
        let room = n - picked.len();
        let first = picked.is_empty();
        let limit = if first { room } else { room + 1 };
        let members = pick(tx, now, scope, limit, &taken, Some((column, &head))).await?;
        if members.is_empty() || members.len() > room {
            // Taken by a concurrent claim between the two statements, or too large to fit.
            break;
        }
        picked.extend(members);
    }
    Ok(picked)
}

/// The repository and group value of the first claimable violation whose group no other
/// worker holds under a live lease.
async fn head_group(
    tx: &mut Tx,
    now: i64,
    scope: &ClaimScope,
    taken: &[i64],
    column: GroupColumn,
) -> Result<Option<(i64, String)>, StoreError> {
    let column = column.name;
    let sql = claimable(
        tx.dialect(),
        &format!("v.repo_id, v.{column} AS grp"),
        "violations_queue",
        now,
        scope,
        taken,
        1,
        |sql| {
            let live = sql.arg(now);
            sql.push(&format!(
                " AND NOT EXISTS (SELECT 1 FROM violations w WHERE w.repo_id = v.repo_id \
                 AND w.{column} = v.{column} AND w.status = 'in_progress' \
                 AND w.lease_expires_at > {live})"
            ));
        },
    );
    let heads = tx
        .fetch_map(&sql, |r| Ok((r.int("repo_id")?, r.text("grp")?)))
        .await?;
    Ok(heads.into_iter().next())
}

/// Up to `n` claimable violations in queue order, not among `taken`, in one group when given;
/// locked against concurrent claims on PostgreSQL.
async fn pick(
    tx: &mut Tx,
    now: i64,
    scope: &ClaimScope,
    n: usize,
    taken: &[i64],
    group: Option<(GroupColumn, &(i64, String))>,
) -> Result<Vec<Picked>, StoreError> {
    let index = group.map_or("violations_queue", |(column, _)| column.index);
    let sql = claimable(
        tx.dialect(),
        "v.id, v.status, v.lease_owner",
        index,
        now,
        scope,
        taken,
        n,
        |sql| {
            if let Some((column, (repo, value))) = group {
                sql.push(" AND v.repo_id = ")
                    .bind(*repo)
                    .push(&format!(" AND v.{} = ", column.name))
                    .bind(value.as_str());
            }
        },
    );
    tx.fetch_map(&sql, |r| {
        Ok(Picked {
            id: r.int("id")?,
            status: r.text("status")?,
            owner: r.opt_text("lease_owner")?,
        })
    })
    .await
}

/// `SELECT columns` of the first `limit` claimable violations in queue order that are not
/// among `taken` and meet `condition`: read through `index` on SQLite (which, without
/// statistics, would otherwise sort the whole backlog), locked against concurrent claims on
/// PostgreSQL.
#[allow(clippy::too_many_arguments)]
fn claimable(
    dialect: Dialect,
    columns: &str,
    index: &str,
    now: i64,
    scope: &ClaimScope,
    taken: &[i64],
    limit: usize,
    condition: impl FnOnce(&mut Sql),
) -> Sql {
    let mut sql = Sql::new(format!("SELECT {columns} FROM violations v "));
    if dialect == Dialect::Sqlite {
        sql.push(&format!("INDEXED BY {index} "));
    }
    sql.push("WHERE ");
    queue::write_claimable(&mut sql, now, scope);
    condition(&mut sql);
    if !taken.is_empty() {
        sql.push(" AND v.id NOT IN ")
            .bind_list(taken.iter().copied());
    }
    sql.push(" ORDER BY ")
        .push(QUEUE_ORDER)
        .push(" LIMIT ")
        .bind(i64::try_from(limit).unwrap_or(i64::MAX));
    if dialect == Dialect::Postgres {
        sql.push(" FOR UPDATE SKIP LOCKED");
    }
    sql
}

/// Lease the picked rows to `worker`, count the attempt, log the claim.
async fn take(
    tx: &mut Tx,
    now: i64,
    worker: &str,
    expires: i64,
    picked: Vec<Picked>,
) -> Result<Vec<WorkItem>, StoreError> {
    let token = queue::new_token();
    let mut update = Sql::new(
        "UPDATE violations SET status = 'in_progress', attempts = attempts + 1, lease_owner = ",
    );
    update
        .bind(worker)
        .push(", lease_token = ")
        .bind(token)
        .push(", lease_expires_at = ")
        .bind(expires)
        .push(", updated_at = ")
        .bind(now)
        .push(" WHERE id IN ")
        .bind_list(picked.iter().map(|p| p.id))
        .push(" RETURNING id, attempts");
    let attempts: std::collections::HashMap<i64, i64> = tx
        .fetch_map(&update, |r| Ok((r.int("id")?, r.int("attempts")?)))
        .await?
        .into_iter()
        .collect();
    let events: Vec<(i64, String, Option<String>, i64)> = picked
        .into_iter()
        .map(|p| {
            // The previous holder is named only when its lease had expired.
            let expired = if p.status == "in_progress" {
                p.owner
            } else {
                None
            };
            (
                p.id,
                p.status,
                expired,
                attempts.get(&p.id).copied().unwrap_or(0),
            )
        })
        .collect();
    queue::insert_claim_events(tx, &events, worker, now, expires).await?;
    let ids: Vec<i64> = events.iter().map(|e| e.0).collect();
    let mut items = queue::items(tx, &ids, worker, token, expires).await?;
    // In the order picked: group by group.
    let position: std::collections::HashMap<i64, usize> =
        ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    items.sort_by_key(|item| position.get(&item.lease.violation_id).copied());
    Ok(items)
}
