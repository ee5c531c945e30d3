//! The store and queue, one suite run against both backends: SQLite in a temp file and the
//! machine's PostgreSQL (`REMEDY_TEST_DATABASE_URL`), each test in a schema of its own.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use remedy_guardrails::Severity;
use remedy_store::{
    AGENT, ClaimGroups, ClaimScope, Completion, Filter, Page, PrRef, PrState, Priority, Queue,
    Retry, Settlement, Status, StatusBy, Store, StoreError,
};
use remedy_tests::store::{self as common, Backend, Kind, T0, fp, record, repository, resolve_all};

const LEASE: Duration = Duration::from_secs(60);

fn ids(fps: &[usize]) -> Filter {
    Filter {
        ids: fps.iter().map(|i| fp(*i)).collect(),
        ..Filter::default()
    }
}

async fn status_of(store: &Store, i: usize) -> Status {
    let page = store.violations(&ids(&[i]), Page::default()).await.unwrap();
    assert_eq!(page.violations.len(), 1, "violation {i}");
    page.violations[0].status
}

async fn count(store: &Store, status: Status) -> u64 {
    store.counts(&Filter::default()).await.unwrap()[&status]
}

async fn assign_all(store: &Store) -> u64 {
    store
        .assign(&Filter::default(), None, AGENT, "tester")
        .await
        .unwrap()
}

// --- record ----------------------------------------------------------------------------------

async fn record_opens_resolves_reopens_and_keeps_dismissed(b: &Backend) {
    let store = &b.store;
    let repo = repository("infra");
    let first = record(store, &repo, 0..5).await;
    assert_eq!((first.opened, first.reopened, first.resolved), (5, 0, 0));

    // 3 and 4 are fixed.
    b.tick(Duration::from_secs(60));
    let second = record(store, &repo, 0..3).await;
    assert_eq!((second.opened, second.reopened, second.resolved), (0, 0, 2));
    assert_eq!(status_of(store, 3).await, Status::Resolved);
    assert_eq!(status_of(store, 0).await, Status::Open);

    // 2 is accepted risk.
    let dismissed = store
        .dismiss(&ids(&[2]), "accepted risk: public docs bucket", "alice")
        .await
        .unwrap();
    assert_eq!(dismissed, 1);

    // 3 comes back, 2 is found again, 5 is new.
    b.tick(Duration::from_secs(60));
    let third = record(store, &repo, [0, 1, 2, 3, 5]).await;
    assert_eq!(
        (
            third.opened,
            third.reopened,
            third.resolved,
            third.dismissed
        ),
        (1, 1, 0, 1)
    );
    assert_eq!(status_of(store, 3).await, Status::Open);
    assert_eq!(status_of(store, 2).await, Status::Dismissed);
    assert_eq!(status_of(store, 4).await, Status::Resolved);

    // Dismissed survives not being found, too.
    let fourth = record(store, &repo, [0, 1, 3, 5]).await;
    assert_eq!(fourth.resolved, 0);
    assert_eq!(status_of(store, 2).await, Status::Dismissed);

    let v3 = &store
        .violations(&ids(&[3]), Page::default())
        .await
        .unwrap()
        .violations[0];
    assert_eq!(v3.reopen_count, 1);
    let history: Vec<(String, Option<Status>, Option<Status>)> = store
        .events(&ids(&[3]))
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.kind, e.from, e.to))
        .collect();
    assert_eq!(
        history,
        vec![
            ("opened".into(), None, Some(Status::Open)),
            (
                "resolved".into(),
                Some(Status::Open),
                Some(Status::Resolved)
            ),
            (
                "reopened".into(),
                Some(Status::Resolved),
                Some(Status::Open)
            ),
        ]
    );
    let dismissal = store.events(&ids(&[2])).await.unwrap();
    let last = dismissal.last().unwrap();
    assert_eq!(
        (last.kind.as_str(), last.actor.as_str()),
        ("dismissed", "alice")
    );
    assert_eq!(
        last.data.as_ref().unwrap()["reason"],
        "accepted risk: public docs bucket"
    );
    let status = store
        .status(&Filter::default(), StatusBy::Status)
        .await
        .unwrap();
    assert_eq!(status.reopens, 1);
}

async fn record_resolves_only_what_was_audited(b: &Backend) {
    let store = &b.store;
    let repo = repository("mono");
    // Violations 0..100 span stacks/s0000 and stacks/s0001 (50 per file).
    record(store, &repo, 0..100).await;
    let other = repository("other");
    record(store, &other, 0..10).await;

    // Audit only stacks/s0001, finding nothing: only its violations resolve.
    let nothing = common::SyntheticAudit::new(Vec::new(), 10);
    let scope = ["stacks/s0001".to_string()];
    let summary = store
        .record(&nothing.input(&repo, &common::policies(), &scope, "audit"))
        .await
        .unwrap();
    assert_eq!(summary.resolved, 50);
    // Audit everything with only one policy enabled, finding nothing: only its violations go.
    let one_policy: Vec<_> = common::policies().into_iter().take(1).collect();
    let summary = store
        .record(&nothing.input(&repo, &one_policy, &[], "audit"))
        .await
        .unwrap();
    assert_eq!(summary.resolved, 5, "policy 0 in stacks/s0000");
    let counts = store
        .counts(&Filter {
            repositories: vec!["https://github.com/acme/mono.git".into()],
            ..Filter::default()
        })
        .await
        .unwrap();
    assert_eq!(counts[&Status::Resolved], 55);
    assert_eq!(counts[&Status::Open], 45);
    // The other repository is untouched.
    let counts = store
        .counts(&Filter {
            repositories: vec!["git@github.com:acme/other.git".into()],
            ..Filter::default()
        })
        .await
        .unwrap();
    assert_eq!(counts[&Status::Open], 10);
}

async fn record_in_batches_and_again(b: &Backend) {
    let store = &b.store;
    let repo = repository("big");
    let first = record(store, &repo, 0..2_500).await;
    assert_eq!(first.opened, 2_500);
    let again = record(store, &repo, 500..3_000).await;
    assert_eq!((again.opened, again.resolved), (500, 500));
    assert_eq!(count(store, Status::Open).await, 2_500);
    let events = store
        .events(&Filter {
            paths: vec!["stacks/s0000".into()],
            ..Filter::default()
        })
        .await
        .unwrap();
    // 50 opened and 50 resolved in the first file.
    assert_eq!(events.len(), 100);
}

// --- selection -------------------------------------------------------------------------------

async fn assign_selects_by_every_filter(b: &Backend) {
    let store = &b.store;
    let repo = repository("infra");
    record(store, &repo, 0..200).await;
    let by = |f: Filter| async move { store.assign(&f, None, AGENT, "bob").await.unwrap() };

    // Policy 2 (critical) appears every 10th violation.
    assert_eq!(
        by(Filter {
            policies: vec!["aws-ec2-security-group-open-admin".into()],
            ..Filter::default()
        })
        .await,
        20
    );
    // Critical = policies 2 and 3; 2 already assigned.
    assert_eq!(
        by(Filter {
            min_severity: Some(Severity::Critical),
            ..Filter::default()
        })
        .await,
        20
    );
    // CIS control 2.1 is mapped from policy 4 alone (see remedy_eval::violations).
    assert_eq!(
        by(Filter {
            frameworks: vec!["cis-aws-2.0:2.1".into()],
            ..Filter::default()
        })
        .await,
        20
    );
    // A path glob, and an id prefix.
    let open_in_file = store
        .counts(&Filter {
            paths: vec!["stacks/s0003/*.ts".into()],
            statuses: vec![Status::Open],
            ..Filter::default()
        })
        .await
        .unwrap()[&Status::Open];
    assert_eq!(
        by(Filter {
            paths: vec!["stacks/s0003/*.ts".into()],
            ..Filter::default()
        })
        .await,
        open_in_file
    );
    let prefix = fp(105)[..10].to_string();
    assert_eq!(
        by(Filter {
            ids: vec![prefix],
            ..Filter::default()
        })
        .await,
        1
    );
    // --limit takes the highest priority first.
    store
        .unassign(&Filter::default(), None, "bob")
        .await
        .unwrap();
    assert_eq!(count(store, Status::Assigned).await, 0);
    assert_eq!(
        store
            .assign(&Filter::default(), Some(7), AGENT, "bob")
            .await
            .unwrap(),
        7
    );
    let assigned = store
        .violations(
            &Filter {
                statuses: vec![Status::Assigned],
                ..Filter::default()
            },
            Page::default(),
        )
        .await
        .unwrap();
    assert!(
        assigned
            .violations
            .iter()
            .all(|v| v.severity == Severity::Critical)
    );
    assert!(
        assigned
            .violations
            .iter()
            .all(|v| v.assignee.as_deref() == Some(AGENT))
    );

    // Bad input is an error, not a silent no-op.
    let err = store
        .assign(
            &Filter {
                ids: vec!["xyz".into()],
                ..Filter::default()
            },
            None,
            AGENT,
            "bob",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
}

/// A selection of thousands of ids (an API client pasting a report's ids) is applied in full;
/// one past the cap is a clear error, never a store failure.
async fn thousands_of_ids_in_one_selection(b: &Backend) {
    let store = &b.store;
    let repo = repository("infra");
    record(store, &repo, 0..2_500).await;
    let mut wanted: Vec<String> = (0..2_000).map(|i| fp(i)[..12].to_string()).collect();
    wanted.extend((2_000..2_100).map(fp));
    let assigned = store
        .assign(
            &Filter {
                ids: wanted,
                ..Filter::default()
            },
            None,
            AGENT,
            "api",
        )
        .await
        .unwrap();
    assert_eq!(assigned, 2_100);
    assert_eq!(status_of(store, 1_999).await, Status::Assigned);
    assert_eq!(status_of(store, 2_200).await, Status::Open);
    let too_many = Filter {
        ids: (0..remedy_store::MAX_IDS + 1)
            .map(|i| format!("{i:06x}"))
            .collect(),
        ..Filter::default()
    };
    let err = store
        .assign(&too_many, None, AGENT, "api")
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Invalid(_)), "{err}");
}

/// The hourly budgets are the store's, shared by every process on it: at most `per_hour` in
/// any hour, a branch counted once, the forge's recent pull requests counted too.
async fn delivery_slots_hold_across_processes(b: &Backend) {
    use remedy_store::SlotKind::{Commit, PullRequest};
    let store = &b.store;
    let other = b.reopen(&b.clock).await;
    let repo = "github.com/acme/infra";
    assert_eq!(
        store
            .take_delivery_slot(repo, PullRequest, "remedy/a", 2, &[])
            .await
            .unwrap(),
        None
    );
    // The same branch again (a retried pull request) takes no second slot.
    assert_eq!(
        other
            .take_delivery_slot(repo, PullRequest, "remedy/a", 2, &[])
            .await
            .unwrap(),
        None
    );
    b.tick(Duration::from_secs(600));
    assert_eq!(
        other
            .take_delivery_slot(repo, PullRequest, "remedy/b", 2, &[])
            .await
            .unwrap(),
        None
    );
    let until = store
        .take_delivery_slot(repo, PullRequest, "remedy/c", 2, &[])
        .await
        .unwrap()
        .expect("the hour's budget is spent");
    assert_eq!(until, T0 + 3_600_000 + 1, "free once `a` is an hour old");
    // Another repository has its own budget.
    assert_eq!(
        store
            .take_delivery_slot("github.com/acme/web", PullRequest, "remedy/c", 2, &[])
            .await
            .unwrap(),
        None
    );
    // What the forge reports opened counts, once per branch.
    let forge = vec![
        ("remedy/a".to_string(), T0),
        ("remedy/z".to_string(), T0 + 1),
    ];
    assert!(
        store
            .take_delivery_slot("github.com/acme/web", PullRequest, "remedy/d", 2, &forge)
            .await
            .unwrap()
            .is_some()
    );

    // Commits, counted per minute over the same hour, by both processes together.
    let first = store.clock().now_ms();
    for i in 0..5 {
        let taker = if i % 2 == 0 { store } else { &other };
        assert_eq!(
            taker
                .take_delivery_slot(repo, Commit, "w", 5, &[])
                .await
                .unwrap(),
            None
        );
        b.tick(Duration::from_secs(60));
    }
    let until = store
        .take_delivery_slot(repo, Commit, "w", 5, &[])
        .await
        .unwrap()
        .expect("five commits in the hour");
    assert_eq!(
        until,
        first + 3_600_000,
        "free when the first minute leaves the hour"
    );
    b.clock.set(until);
    assert_eq!(
        store
            .take_delivery_slot(repo, Commit, "w", 5, &[])
            .await
            .unwrap(),
        None
    );
    assert!(
        store
            .take_delivery_slot(repo, Commit, "w", 5, &[])
            .await
            .unwrap()
            .is_some()
    );
    other.close().await;
}

async fn priority_and_assignee_in_bulk(b: &Backend) {
    let store = &b.store;
    record(store, &repository("infra"), 0..20).await;
    let low = Filter {
        policies: vec!["aws-kms-key-rotation".into()],
        ..Filter::default()
    };
    assert_eq!(
        store
            .set_priority(&low, Priority::HIGHEST, "carol")
            .await
            .unwrap(),
        2
    );
    // Setting it again changes nothing and logs nothing.
    assert_eq!(
        store
            .set_priority(&low, Priority::HIGHEST, "carol")
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        store
            .set_assignee(&low, Some("dave"), "carol")
            .await
            .unwrap(),
        2
    );
    let page = store.violations(&low, Page::default()).await.unwrap();
    assert!(
        page.violations
            .iter()
            .all(|v| v.priority == Priority::HIGHEST)
    );
    assert!(
        page.violations
            .iter()
            .all(|v| v.assignee.as_deref() == Some("dave"))
    );
    let events = store.events(&low).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "priority").count(), 2);
    let priority = events.iter().find(|e| e.kind == "priority").unwrap();
    assert_eq!(priority.data.as_ref().unwrap()["from"], 2);
    assert_eq!(priority.data.as_ref().unwrap()["to"], 0);

    // Paging.
    let all = store
        .violations(
            &Filter::default(),
            Page {
                limit: 8,
                offset: 16,
            },
        )
        .await
        .unwrap();
    assert_eq!((all.total, all.violations.len()), (20, 4));
    // Raised to p0, the kms ones now come right after the critical ones (p0 by severity),
    // before any high one (p1).
    let first = store
        .violations(
            &Filter::default(),
            Page {
                limit: 6,
                offset: 0,
            },
        )
        .await
        .unwrap();
    let kms = first
        .violations
        .iter()
        .filter(|v| v.policy == "aws-kms-key-rotation")
        .count();
    assert_eq!(kms, 2);
    assert!(
        first
            .violations
            .iter()
            .all(|v| v.priority == Priority::HIGHEST)
    );
}

// --- queue -----------------------------------------------------------------------------------

async fn claims_follow_priority_then_severity_then_age(b: &Backend) {
    let store = &b.store;
    let repo = repository("infra");
    record(store, &repo, 0..10).await;
    b.tick(Duration::from_secs(5));
    record(store, &repo, 0..20).await;
    assign_all(store).await;
    let claimed = store
        .claim("w1", 20, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    assert_eq!(claimed.len(), 20);
    let order: Vec<(Priority, Severity, i64)> = claimed
        .iter()
        .map(|w| {
            (
                w.violation.priority,
                w.violation.severity,
                w.violation.first_seen_at,
            )
        })
        .collect();
    let mut sorted = order.clone();
    sorted.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2)));
    assert_eq!(order, sorted);
    assert_eq!(claimed[0].violation.severity, Severity::Critical);
    // Older first within a priority: 2 and 3 (first audit) before 12 and 13.
    assert_eq!(claimed[0].violation.first_seen_at, T0);
    // A work item carries what a worker needs.
    let item = &claimed[0];
    assert_eq!(item.violation.repository, "github.com/acme/infra");
    assert_eq!(item.violation.repository_root, "/src/infra");
    assert!(item.violation.file.starts_with("stacks/"));
    assert!(item.violation.resource.name.is_some());
    assert!(!item.violation.frameworks.is_empty());
    assert_eq!(item.violation.attempts, 1);
    assert_eq!(item.lease.expires_at, b.clock.now_ms() + 60_000);
    assert_eq!(item.violation.status, Status::InProgress);
}

async fn claims_can_be_scoped(b: &Backend) {
    let store = &b.store;
    record(store, &repository("a"), 0..20).await;
    record(store, &repository("b"), 0..20).await;
    assign_all(store).await;
    let only_b = ClaimScope {
        repository: Some("github.com/acme/b".into()),
        policies: vec!["aws-dynamodb-pitr".into(), "aws-kms-key-rotation".into()],
        ..ClaimScope::default()
    };
    let claimed = store.claim("w", 100, LEASE, &only_b).await.unwrap();
    assert_eq!(claimed.len(), 4);
    assert!(
        claimed
            .iter()
            .all(|w| w.violation.repository == "github.com/acme/b")
    );
    // Violations assigned to a person are not the agent's work.
    store
        .set_assignee(&Filter::default(), Some("erin"), "lead")
        .await
        .unwrap();
    let rest = store
        .claim("w", 100, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    assert!(rest.is_empty());
}

/// The files of claimed items, in claim order, one entry per run of the same file.
fn runs_of_files(items: &[remedy_store::WorkItem]) -> Vec<(String, usize)> {
    let mut runs: Vec<(String, usize)> = Vec::new();
    for item in items {
        match runs.last_mut() {
            Some((file, n)) if *file == item.violation.file => *n += 1,
            _ => runs.push((item.violation.file.clone(), 1)),
        }
    }
    runs
}

async fn claims_take_a_delivery_group_whole(b: &Backend) {
    let store = &b.store;
    let repo = repository("mono");
    // Three files of 50 (stacks/s0000 … s0002), the severities mixed within each.
    record(store, &repo, 0..150).await;
    assign_all(store).await;
    // One violation in the last file goes first: its whole file follows it.
    store
        .set_priority(&Filter::default(), Priority::LOWEST, "lead")
        .await
        .unwrap();
    store
        .set_priority(&ids(&[149]), Priority::HIGHEST, "lead")
        .await
        .unwrap();
    let by_file = ClaimScope {
        groups: ClaimGroups::File,
        ..ClaimScope::default()
    };
    let first = store.claim("w1", 60, LEASE, &by_file).await.unwrap();
    assert_eq!(
        runs_of_files(&first),
        [("stacks/s0002/index.ts".to_string(), 50)]
    );
    assert_eq!(first[0].violation.fingerprint, fp(149));
    // The next file would not fit whole in the 10 left: it waits for a claim of its own.

    // A group larger than the claim is taken as far as it goes…
    let second = store.claim("w2", 30, LEASE, &by_file).await.unwrap();
    let runs = runs_of_files(&second);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0].1, 30);
    let partial = runs[0].0.clone();
    // …and the rest of it is left to the worker holding it, even the part not claimed yet.
    let third = store.claim("w3", 100, LEASE, &by_file).await.unwrap();
    let runs = runs_of_files(&third);
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_ne!(runs[0].0, partial);
    assert_eq!(runs[0].1, 50);
    assert!(
        store
            .claim("w3", 100, LEASE, &by_file)
            .await
            .unwrap()
            .is_empty()
    );
    // Without grouping the rest of the held file is anyone's.
    let ungrouped = store
        .claim("w3", 100, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    assert_eq!(ungrouped.len(), 20);
    assert!(ungrouped.iter().all(|i| i.violation.file == partial));
    resolve_all(store, third.iter().chain(&ungrouped)).await;

    // Dead workers' groups are claimable again once their leases expire, whole, one after
    // another while they fit.
    b.tick(LEASE + Duration::from_secs(1));
    let again = store.claim("w4", 100, LEASE, &by_file).await.unwrap();
    assert_eq!(
        runs_of_files(&again),
        [
            ("stacks/s0002/index.ts".to_string(), 50),
            (partial.clone(), 30)
        ]
    );
    assert!(again.iter().all(|i| i.violation.attempts == 2));

    // Per-policy groups: every claimed violation of one policy, before the next policy's.
    record(store, &repository("other"), 0..40).await;
    assign_all(store).await;
    let by_policy = ClaimScope {
        repository: Some("github.com/acme/other".into()),
        groups: ClaimGroups::Policy,
        ..ClaimScope::default()
    };
    let claimed = store.claim("w5", 10, LEASE, &by_policy).await.unwrap();
    let policies: Vec<&str> = claimed
        .iter()
        .map(|i| i.violation.policy.as_str())
        .collect();
    // 40 violations over 10 policies: 4 each, so two policies fit whole in 10.
    assert_eq!(policies.len(), 8);
    assert!(
        policies[..4].iter().all(|p| *p == policies[0]),
        "{policies:?}"
    );
    assert!(
        policies[4..].iter().all(|p| *p == policies[4]),
        "{policies:?}"
    );
    assert_ne!(policies[0], policies[4]);
}

async fn concurrent_grouped_claims_never_split_a_group(b: &Backend) {
    let store = &b.store;
    // 20 files of 50.
    record(store, &repository("mono"), 0..1000).await;
    assign_all(store).await;
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let scope = ClaimScope {
                groups: ClaimGroups::File,
                ..ClaimScope::default()
            };
            store
                .claim(&format!("w{w}"), 50, LEASE, &scope)
                .await
                .unwrap()
        }));
    }
    let mut files = HashSet::new();
    for task in tasks {
        let claimed = task.await.unwrap();
        let runs = runs_of_files(&claimed);
        assert_eq!(runs.len(), 1, "{runs:?}");
        assert_eq!(runs[0].1, 50, "a whole file: {runs:?}");
        assert!(
            files.insert(runs[0].0.clone()),
            "{} claimed twice",
            runs[0].0
        );
    }
}

async fn eight_workers_claim_each_item_exactly_once(b: &Backend) {
    let store = &b.store;
    let repo = repository("big");
    record(store, &repo, 0..10_000).await;
    assert_eq!(assign_all(store).await, 10_000);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let worker = format!("worker-{w}");
            let mut mine = Vec::new();
            loop {
                let batch = store
                    .claim(&worker, 50, LEASE, &ClaimScope::default())
                    .await
                    .unwrap();
                if batch.is_empty() {
                    break;
                }
                for item in batch {
                    mine.push(item.violation.fingerprint.clone());
                    store
                        .complete(
                            &item.lease,
                            &Completion::Resolved {
                                note: "fixed at head".into(),
                            },
                        )
                        .await
                        .unwrap();
                }
            }
            mine
        }));
    }
    let mut all = Vec::new();
    let mut workers_with_work = 0;
    for task in tasks {
        let mine = task.await.unwrap();
        workers_with_work += usize::from(!mine.is_empty());
        all.extend(mine);
    }
    let unique: HashSet<&String> = all.iter().collect();
    assert_eq!(all.len(), 10_000, "claimed in all");
    assert_eq!(unique.len(), 10_000, "each exactly once");
    assert!(workers_with_work >= 2, "work was shared");
    assert_eq!(count(store, Status::Resolved).await, 10_000);
    let claims = store
        .events(&Filter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "claimed")
        .count();
    assert_eq!(claims, 10_000);
}

async fn expired_leases_are_claimed_again(b: &Backend) {
    let store = &b.store;
    record(store, &repository("infra"), 0..3).await;
    assign_all(store).await;
    let mine = store
        .claim("w1", 10, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    assert_eq!(mine.len(), 3);
    // Held: nobody else gets them.
    assert!(
        store
            .claim("w2", 10, LEASE, &ClaimScope::default())
            .await
            .unwrap()
            .is_empty()
    );
    // A heartbeat keeps one alive past the others' expiry.
    b.tick(Duration::from_secs(50));
    let until = store.heartbeat(&mine[0].lease, LEASE).await.unwrap();
    assert_eq!(until, b.clock.now_ms() + 60_000);
    b.tick(Duration::from_secs(11));
    let theirs = store
        .claim("w2", 10, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    assert_eq!(theirs.len(), 2);
    assert!(theirs.iter().all(|w| w.violation.attempts == 2));
    // The first worker lost those two: it can neither finish nor extend them.
    let err = store
        .complete(
            &mine[1].lease,
            &Completion::Resolved {
                note: "late".into(),
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err}");
    assert!(store.heartbeat(&mine[2].lease, LEASE).await.is_err());
    // But it still holds the one it kept alive.
    store
        .complete(
            &mine[0].lease,
            &Completion::NeedsHuman {
                reason: "needs the team's CIDR".into(),
            },
        )
        .await
        .unwrap();
    let events = store.events(&Filter::default()).await.unwrap();
    let reclaim = events
        .iter()
        .filter(|e| e.kind == "claimed" && e.actor == "w2")
        .collect::<Vec<_>>();
    assert_eq!(reclaim.len(), 2);
    assert_eq!(reclaim[0].from, Some(Status::InProgress));
    assert_eq!(reclaim[0].data.as_ref().unwrap()["expired_lease_of"], "w1");
}

async fn failures_back_off_then_need_a_human(b: &Backend) {
    let store = &b.store;
    record(store, &repository("infra"), 0..1).await;
    assign_all(store).await;
    // max_attempts is 3, base delay 10 s.
    let mut delays = Vec::new();
    for attempt in 1..=3 {
        let item = store
            .claim("w", 1, LEASE, &ClaimScope::default())
            .await
            .unwrap()
            .pop()
            .expect("claimable");
        assert_eq!(item.violation.attempts, attempt);
        let retry = store
            .fail(&item.lease, &format!("LLM timeout #{attempt}"))
            .await
            .unwrap();
        match retry {
            Retry::At(at) => {
                let delay = at - b.clock.now_ms();
                delays.push(delay);
                // Not before the backoff ends.
                b.tick(Duration::from_millis(u64::try_from(delay).unwrap() - 1));
                assert!(
                    store
                        .claim("w", 1, LEASE, &ClaimScope::default())
                        .await
                        .unwrap()
                        .is_empty()
                );
                b.tick(Duration::from_millis(1));
            }
            Retry::GaveUp => assert_eq!(attempt, 3),
        }
    }
    assert!((5_000..=10_000).contains(&delays[0]), "{delays:?}");
    assert!((10_000..=20_000).contains(&delays[1]), "{delays:?}");
    let v = &store
        .violations(&ids(&[0]), Page::default())
        .await
        .unwrap()
        .violations[0];
    assert_eq!(v.status, Status::NeedsHuman);
    assert_eq!(v.last_error.as_deref(), Some("LLM timeout #3"));
    assert!(v.reason.as_deref().unwrap().contains("LLM timeout #3"));
    let status = store
        .status(&Filter::default(), StatusBy::Status)
        .await
        .unwrap();
    assert_eq!(status.needs_human.len(), 1);
    assert!(
        status.needs_human[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("failed 3 times")
    );
    // Unassigning hands it back to people; assigning again starts the attempts afresh.
    assert_eq!(
        store
            .unassign(&Filter::default(), None, "lead")
            .await
            .unwrap(),
        1
    );
    assign_all(store).await;
    let again = store
        .claim("w", 1, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    assert_eq!(again[0].violation.attempts, 1);
}

async fn a_lease_that_expires_on_the_last_attempt_needs_a_human(b: &Backend) {
    let store = &b.store;
    record(store, &repository("infra"), 0..1).await;
    assign_all(store).await;
    for _ in 0..3 {
        let got = store
            .claim("w", 1, LEASE, &ClaimScope::default())
            .await
            .unwrap();
        assert_eq!(got.len(), 1, "claimable again after the lease expired");
        b.tick(LEASE + Duration::from_secs(1));
    }
    assert!(
        store
            .claim("w", 1, LEASE, &ClaimScope::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(status_of(store, 0).await, Status::NeedsHuman);
    let last = store.events(&ids(&[0])).await.unwrap().pop().unwrap();
    assert_eq!(last.kind, "gave_up");
}

async fn release_and_outcomes(b: &Backend) {
    let store = &b.store;
    record(store, &repository("infra"), 0..4).await;
    assign_all(store).await;
    let items = store
        .claim("w", 4, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    store.release(&items[0].lease).await.unwrap();
    let back = store
        .claim("w", 1, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    assert_eq!(
        back[0].violation.fingerprint,
        items[0].violation.fingerprint
    );
    assert_eq!(back[0].violation.attempts, 1, "a release does not count");

    let pr = PrRef {
        branch: "remedy/aws-s3-bucket-public-read".into(),
        number: Some(42),
        url: Some("https://github.com/acme/infra/pull/42".into()),
    };
    store
        .complete(&back[0].lease, &Completion::Fixed { pr: pr.clone() })
        .await
        .unwrap();
    store
        .complete(&items[1].lease, &Completion::Fixed { pr: pr.clone() })
        .await
        .unwrap();
    store
        .complete(
            &items[2].lease,
            &Completion::Resolved {
                note: "already fixed".into(),
            },
        )
        .await
        .unwrap();
    store
        .complete(
            &items[3].lease,
            &Completion::NeedsHuman {
                reason: "manual policy".into(),
            },
        )
        .await
        .unwrap();
    let page = store
        .violations(&Filter::default(), Page::default())
        .await
        .unwrap();
    let by_fp: BTreeMap<&str, _> = page
        .violations
        .iter()
        .map(|v| (v.fingerprint.as_str(), v))
        .collect();
    let fixed = by_fp[items[1].violation.fingerprint.as_str()];
    assert_eq!(fixed.status, Status::PrOpen);
    assert_eq!(fixed.pr.as_ref(), Some(&pr));
    assert_eq!(
        by_fp[items[2].violation.fingerprint.as_str()].status,
        Status::Resolved
    );
    let human = by_fp[items[3].violation.fingerprint.as_str()];
    assert_eq!(
        (human.status, human.reason.as_deref()),
        (Status::NeedsHuman, Some("manual policy"))
    );
    // Completed work cannot be completed twice.
    assert!(
        store
            .complete(
                &items[2].lease,
                &Completion::Resolved {
                    note: "again".into()
                }
            )
            .await
            .is_err()
    );
}

async fn dismissing_work_in_progress_ends_the_lease(b: &Backend) {
    let store = &b.store;
    record(store, &repository("infra"), 0..1).await;
    assign_all(store).await;
    let item = store
        .claim("w", 1, LEASE, &ClaimScope::default())
        .await
        .unwrap()
        .pop()
        .unwrap();
    store
        .dismiss(&ids(&[0]), "by design", "alice")
        .await
        .unwrap();
    let err = store.fail(&item.lease, "boom").await.unwrap_err();
    assert!(matches!(err, StoreError::LeaseLost { .. }));
    assert_eq!(status_of(store, 0).await, Status::Dismissed);
    assert!(store.dismiss(&ids(&[0]), " ", "alice").await.is_err());
}

// --- status ----------------------------------------------------------------------------------

async fn status_answers_the_burn_down(b: &Backend) {
    let store = &b.store;
    let repo = repository("infra");
    // 20 violations over 60 resources: policies 0..9 each fail twice.
    record(store, &repo, 0..20).await;
    b.tick(Duration::from_secs(86_400));
    // Next day: policy 9 (i = 9, 19) is fixed everywhere, 18 too.
    let kept: Vec<usize> = (0..18).filter(|i| i % 10 != 9).collect();
    record(store, &repo, kept).await;
    store
        .assign(
            &Filter {
                min_severity: Some(Severity::Critical),
                ..Filter::default()
            },
            None,
            AGENT,
            "lead",
        )
        .await
        .unwrap();

    let report = store
        .status(&Filter::default(), StatusBy::Policy)
        .await
        .unwrap();
    assert_eq!(report.total, 20);
    assert_eq!(report.counts[&Status::Resolved], 3);
    assert_eq!(report.counts[&Status::Assigned], 4);
    assert_eq!(report.counts[&Status::Open], 13);
    // Enabled policies: 10, of which only policy 9 passes now.
    assert_eq!(
        (
            report.scores.policies_passing,
            report.scores.policies_enabled
        ),
        (1, 10)
    );
    assert_eq!(report.scores.policy, Some(10.0));
    assert!(report.scores.resource.is_some());
    // The trend: two audits, the second better.
    assert_eq!(report.trend.len(), 2);
    assert_eq!(report.trend[0].policy_score, Some(0.0));
    assert_eq!(report.trend[1].policy_score, Some(10.0));
    assert_eq!(report.trend[1].resolved, 3);
    // Activity per day: 20 opened, then 3 resolved.
    assert_eq!(report.activity.len(), 2);
    assert_eq!(report.activity[0].opened, 20);
    assert_eq!(report.activity[1].resolved, 3);
    // Per framework: NIST SC-10 maps to policy 9 alone, and passes.
    let nist = report
        .frameworks
        .iter()
        .find(|f| f.framework == "nist-800-53-r5")
        .unwrap();
    assert_eq!((nist.passing, nist.controls), (1, 10));
    assert!(!nist.failing.contains(&"SC-10".to_string()));
    // Breakdown by policy.
    let breakdown = report.breakdown.unwrap();
    assert_eq!(breakdown.rows.len(), 10);
    let sg = breakdown
        .rows
        .iter()
        .find(|r| r.key == "aws-ec2-security-group-open-admin")
        .unwrap();
    assert_eq!((sg.total, sg.counts[&Status::Assigned]), (2, 2));
    for by in [StatusBy::Framework, StatusBy::Severity, StatusBy::Repo] {
        let r = store.status(&Filter::default(), by).await.unwrap();
        let rows = r.breakdown.unwrap().rows;
        assert!(!rows.is_empty(), "{by:?}");
        if by == StatusBy::Repo {
            assert_eq!(rows[0].key, "github.com/acme/infra");
            assert_eq!(rows[0].total, 20);
        }
    }
}

// --- errors ----------------------------------------------------------------------------------

async fn a_second_replica_sees_the_same_queue(b: &Backend) {
    record(&b.store, &repository("infra"), 0..10).await;
    assign_all(&b.store).await;
    let other = b.reopen(&b.clock).await;
    let a = b
        .store
        .claim("a", 6, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    let rest = other
        .claim("b", 10, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    assert_eq!((a.len(), rest.len()), (6, 4));
    other.close().await;
}

// --- delivery: deferral, pull requests, sync --------------------------------------------------

async fn deferral_and_pull_requests_settled_by_sync(b: &Backend) {
    let store = &b.store;
    let repo = repository("infra");
    record(store, &repo, 0..4).await;
    assign_all(store).await;
    let scope = ClaimScope::default();
    let items = store.claim("w", 4, LEASE, &scope).await.unwrap();
    assert_eq!(items.len(), 4);

    // Deferred: back in the queue, no attempt counted, not claimable before the instant.
    let until = T0 + 30 * 60_000;
    store
        .defer(
            &items[3].lease,
            until,
            "pull request limit reached (2 per hour)",
        )
        .await
        .unwrap();
    let deferred_fp = items[3].violation.fingerprint.clone();
    let v = store
        .violations(
            &Filter {
                ids: vec![deferred_fp.clone()],
                ..Filter::default()
            },
            Page::default(),
        )
        .await
        .unwrap()
        .violations
        .remove(0);
    assert_eq!((v.status, v.attempts), (Status::Assigned, 0));
    assert!(store.claim("w", 4, LEASE, &scope).await.unwrap().is_empty());
    assert!(matches!(
        store.defer(&items[3].lease, until, "again").await,
        Err(StoreError::LeaseLost { .. })
    ));
    // Two in one pull request, one in another.
    let pr = |branch: &str, n: i64| PrRef {
        branch: branch.into(),
        number: Some(n),
        url: Some(format!("https://github.example/pull/{n}")),
    };
    for (item, p) in items[..3].iter().zip([
        pr("remedy/a/1", 1),
        pr("remedy/a/1", 1),
        pr("remedy/b/2", 2),
    ]) {
        store
            .complete(&item.lease, &Completion::Fixed { pr: p })
            .await
            .unwrap();
    }
    b.tick(Duration::from_secs(30 * 60));
    let again = store.claim("w", 4, LEASE, &scope).await.unwrap();
    assert_eq!(again.len(), 1);
    store.release(&again[0].lease).await.unwrap();

    let open = store.prs(&repo.url, PrState::Open).await.unwrap();
    assert_eq!(open.len(), 2);
    assert_eq!(open[0].branch, "remedy/a/1");
    assert_eq!(open[0].number, Some(1));
    assert_eq!(open[0].violations.len(), 2);
    assert_eq!(open[1].violations.len(), 1);
    assert!(
        store
            .prs("github.com/acme/other", PrState::Open)
            .await
            .unwrap()
            .is_empty()
    );

    // #1 merged: one fixed, one still there; #2 closed by a person.
    let a = &open[0].violations;
    let settled = store
        .settle_pr(
            &repo.url,
            "remedy/a/1",
            PrState::Merged,
            &[
                Settlement {
                    fingerprint: a[0].fingerprint.clone(),
                    to: Status::Resolved,
                    reason: "fixed by #1".into(),
                },
                Settlement {
                    fingerprint: a[1].fingerprint.clone(),
                    to: Status::Open,
                    reason: "still found after #1".into(),
                },
            ],
            "sync",
        )
        .await
        .unwrap();
    assert_eq!(settled, 2);
    let b_fp = open[1].violations[0].fingerprint.clone();
    store
        .note_pr(
            &repo.url,
            "remedy/b/2",
            "left_alone",
            &serde_json::json!({"reason": "x"}),
            "sync",
        )
        .await
        .unwrap();
    store
        .settle_pr(
            &repo.url,
            "remedy/b/2",
            PrState::Closed,
            &[Settlement {
                fingerprint: b_fp.clone(),
                to: Status::NeedsHuman,
                reason: "pull request #2 was closed without merging".into(),
            }],
            "sync",
        )
        .await
        .unwrap();
    assert!(
        store
            .prs(&repo.url, PrState::Open)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store.prs(&repo.url, PrState::Merged).await.unwrap().len(),
        1
    );
    let by_fp = |fp: &str| Filter {
        ids: vec![fp.to_string()],
        ..Filter::default()
    };
    let get = |fp: String| async move {
        store
            .violations(&by_fp(&fp), Page::default())
            .await
            .unwrap()
            .violations
            .remove(0)
    };
    let resolved = get(a[0].fingerprint.clone()).await;
    assert_eq!(resolved.status, Status::Resolved);
    assert!(resolved.resolved_at.is_some());
    let reopened = get(a[1].fingerprint.clone()).await;
    assert_eq!(reopened.status, Status::Open);
    assert!(reopened.pr.is_none());
    let human = get(b_fp.clone()).await;
    assert_eq!(human.status, Status::NeedsHuman);
    assert!(human.reason.unwrap().contains("#2"));
    let events = store.events(&by_fp(&b_fp)).await.unwrap();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert!(kinds.ends_with(&["left_alone", "synced"]), "{kinds:?}");
    let events = store.events(&by_fp(&deferred_fp)).await.unwrap();
    assert!(events.iter().any(|e| e.kind == "deferred"));
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let b = super::Backend::new(super::Kind::Sqlite).await;
                    super::$case(&b).await;
                    b.cleanup().await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let b = super::Backend::new(super::Kind::Postgres).await;
                    super::$case(&b).await;
                    b.cleanup().await;
                }
            )*
        }
    };
}

suite!(
    record_opens_resolves_reopens_and_keeps_dismissed,
    record_resolves_only_what_was_audited,
    record_in_batches_and_again,
    assign_selects_by_every_filter,
    thousands_of_ids_in_one_selection,
    delivery_slots_hold_across_processes,
    priority_and_assignee_in_bulk,
    claims_follow_priority_then_severity_then_age,
    claims_can_be_scoped,
    claims_take_a_delivery_group_whole,
    concurrent_grouped_claims_never_split_a_group,
    eight_workers_claim_each_item_exactly_once,
    expired_leases_are_claimed_again,
    failures_back_off_then_need_a_human,
    a_lease_that_expires_on_the_last_attempt_needs_a_human,
    release_and_outcomes,
    dismissing_work_in_progress_ends_the_lease,
    status_answers_the_burn_down,
    a_second_replica_sees_the_same_queue,
    deferral_and_pull_requests_settled_by_sync,
);

// --- errors that name the store ---------------------------------------------------------------

#[tokio::test]
async fn a_corrupt_sqlite_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("remedy.db");
    std::fs::write(&path, vec![0x5a; 64 * 1024]).unwrap();
    let err = Store::open(&format!("sqlite://{}", path.display()), Default::default())
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains(&path.display().to_string()), "{message}");
    assert!(
        message.contains("not a remedy database or is damaged"),
        "{message}"
    );
}

#[tokio::test]
async fn an_unreachable_postgres_is_a_clear_error() {
    let options = remedy_store::StoreOptions {
        connect_timeout: Duration::from_secs(5),
        ..Default::default()
    };
    let started = std::time::Instant::now();
    // Port 9 (discard) has no PostgreSQL on it.
    let err = Store::open("postgres://remedy:hunter2@127.0.0.1:9/remedy", options)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err:?}");
    let message = err.to_string();
    assert!(
        message.contains("postgres://remedy@127.0.0.1:9/remedy"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
    assert!(started.elapsed() < Duration::from_secs(5), "fails fast");
}

#[tokio::test]
async fn migrations_apply_once_and_a_newer_store_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("remedy.db").display());
    let store = Store::open(&url, Default::default()).await.unwrap();
    store.close().await;
    // Opening again applies nothing new.
    let store = Store::open(&url, Default::default()).await.unwrap();
    store.close().await;
    // A store written by a later version.
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (999, 'future', 1, x'00', 0)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let err = Store::open(&url, Default::default()).await.unwrap_err();
    assert!(err.to_string().contains("newer remedy"), "{err}");
}

#[tokio::test]
async fn work_items_round_trip_through_json() {
    let b = Backend::new(Kind::Sqlite).await;
    record(&b.store, &repository("infra"), 0..1).await;
    assign_all(&b.store).await;
    let item = b
        .store
        .claim("w", 1, LEASE, &ClaimScope::default())
        .await
        .unwrap();
    let json = serde_json::to_value(&item[0]).unwrap();
    assert_eq!(json["violation"]["status"], "in_progress");
    assert_eq!(json["lease"]["worker"], "w");
    assert_eq!(json["violation"]["first_seen_at"], "2026-11-25T00:00:00Z");
    let shared = Arc::new(b.store.clone());
    assert_eq!(shared.label(), b.url);
    b.cleanup().await;
}
