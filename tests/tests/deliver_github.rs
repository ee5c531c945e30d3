//! Delivery to GitHub end to end: real git (a bare `file://` remote and a managed clone), the
//! GitHub REST double, a SQLite store on a manual clock, the real worker. Pull requests opened
//! with the right head, base, title, body, labels and reviewers; grouping; re-runs that open
//! nothing new; closed pull requests and people's commits respected; rate limits; retries.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::time::{Duration, Instant};

use remedy_deliver::{GroupBy, Mode};
use remedy_store::Status;
use remedy_tests::github::Failure;
use support::{DB_TS, INDEX_TS, KEY_ROTATION, PUBLIC_READ, World, git};

#[tokio::test]
async fn a_pull_request_per_violation_with_head_base_title_body_labels_and_reviewers() {
    let world = World::new().await;
    assert_eq!(world.assign(&[PUBLIC_READ, KEY_ROTATION], &[]).await, 4);
    let delivery = world.delivery(world.settings(), None);
    let processed = world.run(&delivery).await;
    assert_eq!(processed.len(), 4);
    assert!(
        processed.iter().all(|p| p.outcome.label() == "fixed"),
        "{processed:#?}"
    );

    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 4);
    let branches = world.remote_branches();
    assert_eq!(branches.len(), 4);
    for pull in &pulls {
        assert_eq!(pull.base, "main");
        assert!(
            branches.iter().any(|(b, _)| *b == pull.head),
            "{}",
            pull.head
        );
        assert_eq!(pull.labels, vec!["remedy", "security"]);
        assert_eq!(pull.reviewers, vec!["alice", "platform"]);
        assert!(
            pull.body.contains("Reproduce: `remedy check infra/"),
            "{}",
            pull.body
        );
        assert!(pull.body.contains("The gate's evidence"), "{}", pull.body);
        assert!(pull.body.contains("target_resolved"), "{}", pull.body);
        assert!(!pull.body.contains("{{"), "{}", pull.body);
    }

    let site = world
        .violations()
        .await
        .into_iter()
        .find(|v| v.policy == PUBLIC_READ && v.resource.name.as_deref() == Some("site"))
        .unwrap();
    let branch = format!("remedy/{PUBLIC_READ}/{}", &site.fingerprint[..8]);
    let pull = pulls.iter().find(|p| p.head == branch).unwrap();
    assert_eq!(
        pull.title,
        format!("fix: {PUBLIC_READ} on site in infra/index.ts")
    );
    for needle in [
        "severity **high**",
        "`aws:s3/bucket:Bucket` `site` in `infra/index.ts`",
        "nist-800-53-r5",
        &format!("remedy check infra/index.ts --policy {PUBLIC_READ}"),
    ] {
        assert!(pull.body.contains(needle), "{needle}\n{}", pull.body);
    }
    // One commit, by remedy, with the trailer; only the target changed.
    let messages = world.messages(&branch);
    assert_eq!(messages.len(), 1);
    assert!(messages[0].ends_with(&format!("Remedy-Violation: {}", site.fingerprint)));
    let fixed = world.show(&branch, "infra/index.ts");
    assert_eq!(
        fixed,
        INDEX_TS
            .replacen("acl: \"public-read\"", "acl: \"private\"", 1)
            .trim_end()
    );
    let author = git(&world.remote, &["log", "-1", "--format=%an <%ae>", &branch]);
    assert_eq!(author, "remedy <remedy@users.noreply.github.com>");

    // The store knows each pull request.
    let open = world.with_status(Status::PrOpen).await;
    assert_eq!(open.len(), 4);
    let pr = open
        .iter()
        .find(|v| v.fingerprint == site.fingerprint)
        .unwrap();
    let pr = pr.pr.as_ref().unwrap();
    assert_eq!(pr.branch, branch);
    assert_eq!(pr.number, Some(i64::try_from(pull.number).unwrap()));
    assert_eq!(
        pr.url.as_deref(),
        Some(format!("https://github.example/pull/{}", pull.number).as_str())
    );
    // The user's checkout is untouched.
    assert_eq!(git(&world.work, &["status", "--porcelain"]), "");
    assert_eq!(git(&world.work, &["branch", "--list", "remedy/*"]), "");
}

#[tokio::test]
async fn a_rerun_opens_no_pull_request_and_pushes_nothing() {
    let world = World::new().await;
    world.assign(&[PUBLIC_READ, KEY_ROTATION], &[]).await;
    let settings = world.settings();
    world.run(&world.delivery(settings.clone(), None)).await;
    // A reviewer rewrites one description and removes a label: remedy leaves that alone.
    world.github.edit(1, |p| {
        p.body = "Looks right; waiting for the change window.".into();
        p.labels.retain(|l| l != "security");
    });
    let pulls = world.github.pulls();
    let branches = world.remote_branches();
    assert_eq!(pulls.len(), 4);

    // Another replica with a store of its own (or this one after losing its records) works the
    // same backlog: it finds every branch and pull request and writes nothing.
    let other = support::open_store(&world.dir.path().join("other.db"), &world.clock).await;
    assert_eq!(
        world
            .assign_in(&other, &[PUBLIC_READ, KEY_ROTATION], &[])
            .await,
        4
    );
    let delivery = world.delivery_with(settings, None, Some(&other));
    let requests_before = world.github.requests().len();
    let processed = world.run_in(&other, &delivery).await;
    assert_eq!(processed.len(), 4);
    for p in &processed {
        assert_eq!(p.outcome.label(), "fixed");
        assert!(p.outcome.delivered().unwrap().unchanged, "{p:#?}");
    }
    assert_eq!(
        world.github.pulls(),
        pulls,
        "no new or changed pull request"
    );
    assert_eq!(world.remote_branches(), branches, "nothing pushed");
    let writes = world.github.requests()[requests_before..]
        .iter()
        .filter(|r| r.method != "GET")
        .count();
    assert_eq!(writes, 0, "a re-run only reads");
    let open = world.violations_in(&other).await;
    assert!(
        open.iter()
            .filter(|v| v.policy == PUBLIC_READ || v.policy == KEY_ROTATION)
            .all(|v| v.status == Status::PrOpen && v.pr.as_ref().unwrap().number.is_some())
    );
}

#[tokio::test]
async fn grouping_per_policy_chains_fixes_in_one_file_and_later_ones_join_the_group() {
    let world = World::new().await;
    let mut settings = world.settings();
    settings.group_by = GroupBy::PerPolicy;
    // First only the index.ts violations.
    world
        .assign(&[PUBLIC_READ, KEY_ROTATION], &["infra/index.ts"])
        .await;
    let delivery = world.delivery(settings.clone(), None);
    world.run(&delivery).await;
    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 2, "one per policy");
    let acl = pulls
        .iter()
        .find(|p| p.head.starts_with(&format!("remedy/{PUBLIC_READ}/")))
        .unwrap();
    assert_eq!(
        acl.title,
        format!("fix: 2 violations of {PUBLIC_READ} ({PUBLIC_READ})")
    );
    // Two commits on one branch; the second made on the text the first left.
    assert_eq!(world.messages(&acl.head).len(), 2);
    let text = world.show(&acl.head, "infra/index.ts");
    assert_eq!(text.matches("acl: \"private\"").count(), 2, "{text}");
    assert!(!text.contains("public-read"));
    let first_tip = world
        .remote_branches()
        .into_iter()
        .find(|(b, _)| *b == acl.head)
        .unwrap()
        .1;

    // A violation found later in another file joins the same pull request: one more commit
    // (a fast-forward), the body lists all three, nothing new is opened.
    world.assign(&[PUBLIC_READ], &["infra/db.ts"]).await;
    let processed = world.run(&delivery).await;
    assert_eq!(processed.len(), 1);
    assert_eq!(processed[0].outcome.label(), "fixed");
    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 2);
    let acl = pulls.iter().find(|p| p.head == acl.head).unwrap();
    assert_eq!(world.messages(&acl.head).len(), 3);
    git(
        &world.remote,
        &["merge-base", "--is-ancestor", &first_tip, &acl.head],
    );
    assert!(
        acl.body.contains("`backups` in `infra/db.ts`"),
        "{}",
        acl.body
    );
    assert!(
        acl.body.contains("`logs` in `infra/index.ts`"),
        "{}",
        acl.body
    );
    assert_eq!(
        acl.title,
        format!("fix: 3 violations of {PUBLIC_READ} ({PUBLIC_READ})")
    );
}

#[tokio::test]
async fn grouping_per_file_and_the_cap_per_pull_request() {
    let world = World::new().await;
    let mut settings = world.settings();
    settings.group_by = GroupBy::PerFile;
    world.assign(&[PUBLIC_READ, KEY_ROTATION], &[]).await;
    world.run(&world.delivery(settings, None)).await;
    let mut heads: Vec<String> = world.github.pulls().into_iter().map(|p| p.head).collect();
    heads.sort();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert!(heads[0].starts_with("remedy/file-db/"), "{heads:?}");
    assert!(heads[1].starts_with("remedy/file-index/"), "{heads:?}");
    let index = world.show(&heads[1], "infra/index.ts");
    assert!(index.contains("enableKeyRotation: true") && !index.contains("public-read"));

    // Per policy with at most 2 violations per pull request: 3 public-read fixes → 2 PRs.
    let world = World::new().await;
    let mut settings = world.settings();
    settings.group_by = GroupBy::PerPolicy;
    settings.max_violations_per_pr = 2;
    world.assign(&[PUBLIC_READ], &[]).await;
    world.run(&world.delivery(settings, None)).await;
    let mut heads: Vec<String> = world.github.pulls().into_iter().map(|p| p.head).collect();
    heads.sort();
    assert_eq!(heads.len(), 2, "{heads:?}");
    assert_eq!(heads[1], format!("{}-2", heads[0]));
    assert_eq!(world.messages(&heads[0]).len(), 2);
    assert_eq!(world.messages(&heads[1]).len(), 1);
}

#[tokio::test]
async fn a_pull_request_closed_unmerged_is_not_reopened() {
    let world = World::new().await;
    let mut settings = world.settings();
    settings.group_by = GroupBy::PerPolicy;
    world.assign(&[PUBLIC_READ], &["infra/index.ts"]).await;
    let delivery = world.delivery(settings, None);
    world.run(&delivery).await;
    assert_eq!(world.github.pulls().len(), 1);
    world.github.close(1);

    // A later violation of the same group is not delivered into a new or reopened PR.
    world.assign(&[PUBLIC_READ], &["infra/db.ts"]).await;
    let processed = world.run(&delivery).await;
    assert_eq!(processed[0].outcome.label(), "needs_human");
    assert!(
        processed[0]
            .outcome
            .reason()
            .unwrap()
            .contains("was closed without merging"),
        "{processed:#?}"
    );
    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 1);
    assert_eq!(pulls[0].state, "closed");

    // Sync hands the closed pull request's violations to a person.
    let synced = world.sync(&delivery).await;
    assert_eq!(synced.len(), 1);
    assert_eq!(synced[0].action.as_str(), "closed");
    let human = world.with_status(Status::NeedsHuman).await;
    assert_eq!(human.len(), 3);
    assert!(
        human
            .iter()
            .all(|v| v.reason.as_deref().unwrap().contains("#1")),
        "{human:#?}"
    );
    assert!(
        world
            .github
            .requests()
            .iter()
            .all(|r| !(r.method == "PATCH" && r.body.contains("\"state\""))),
        "never reopened"
    );
}

#[tokio::test]
async fn once_a_person_commits_to_the_branch_remedy_leaves_it_alone() {
    let world = World::new().await;
    let mut settings = world.settings();
    settings.group_by = GroupBy::PerPolicy;
    world.assign(&[PUBLIC_READ], &["infra/index.ts"]).await;
    let delivery = world.delivery(settings, None);
    world.run(&delivery).await;
    let head = world.github.pulls()[0].head.clone();
    let text = world.show(&head, "infra/index.ts");
    world.push_as(
        "alice",
        &head,
        "infra/index.ts",
        &format!("{text}\n// reviewed\n"),
    );
    let tip = world.remote_branches()[0].1.clone();

    // A new violation of the group does not go onto alice's branch.
    world.assign(&[PUBLIC_READ], &["infra/db.ts"]).await;
    let processed = world.run(&delivery).await;
    assert_eq!(processed[0].outcome.label(), "needs_human");
    let reason = processed[0].outcome.reason().unwrap().to_string();
    assert!(
        reason.contains("alice <alice@example.com> committed to"),
        "{reason}"
    );
    assert_eq!(
        world.remote_branches()[0].1,
        tip,
        "the branch was not rewritten"
    );
    assert_eq!(world.github.pulls().len(), 1);

    // Even when the base moves under it and it conflicts, sync leaves it to alice.
    world.commit_on_main(
        "infra/index.ts",
        INDEX_TS.replace(
            "export const site",
            "// a change on main\nexport const site",
        ),
    );
    world.commit_on_main(
        "infra/index.ts",
        INDEX_TS.replacen("acl: \"public-read\"", "acl: \"log-delivery-write\"", 1),
    );
    let synced = world.sync(&delivery).await;
    assert_eq!(synced[0].action.as_str(), "left_alone", "{synced:#?}");
    assert_eq!(world.remote_branches()[0].1, tip);
    assert_eq!(world.with_status(Status::PrOpen).await.len(), 2);
}

#[tokio::test]
async fn merged_pull_requests_resolve_after_the_base_is_audited_again() {
    let world = World::new().await;
    world.assign(&[PUBLIC_READ], &[]).await;
    let delivery = world.delivery(world.settings(), None);
    world.run(&delivery).await;
    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 3);
    // #1 is merged for real; #2 is marked merged but its change never reached main; #3 stays.
    world.merge_on_remote(&pulls[0].head);
    world.github.merge(pulls[0].number);
    world.github.merge(pulls[1].number);
    let synced = world.sync(&delivery).await;
    let action = |head: &str| synced.iter().find(|s| s.branch == head).unwrap();
    assert_eq!(action(&pulls[0].head).action.as_str(), "resolved");
    assert_eq!(
        action(&pulls[0].head).violations[0].status,
        Status::Resolved
    );
    assert_eq!(action(&pulls[1].head).violations[0].status, Status::Open);
    assert_eq!(action(&pulls[2].head).action.as_str(), "open");

    assert_eq!(world.with_status(Status::Resolved).await.len(), 1);
    let reopened = world.with_status(Status::Open).await;
    let reopened: Vec<_> = reopened
        .iter()
        .filter(|v| v.policy == PUBLIC_READ)
        .collect();
    assert_eq!(reopened.len(), 1);
    assert!(reopened[0].pr.is_none());
    assert!(
        reopened[0].attempts == 0,
        "back in the backlog, to be assigned again"
    );
    assert_eq!(world.with_status(Status::PrOpen).await.len(), 1);
    // A second sync has only the open one left to follow.
    assert_eq!(world.sync(&delivery).await.len(), 1);
}

/// Unreadable means unknown: a merged file that is no longer text, or no longer parses, on the
/// base resolves nothing; the violation goes to a person saying why.
#[tokio::test]
async fn a_merged_file_that_cannot_be_read_resolves_nothing() {
    let world = World::new().await;
    world.assign(&[PUBLIC_READ], &[]).await;
    let delivery = world.delivery(world.settings(), None);
    world.run(&delivery).await;
    let pulls = world.github.pulls();
    let waiting = world.with_status(Status::PrOpen).await;
    let file_of = |head: &str| {
        waiting
            .iter()
            .find(|v| v.pr.as_ref().is_some_and(|p| p.branch == head))
            .unwrap()
            .file
            .clone()
    };
    for (pull, damage) in [
        (&pulls[0], b"\n// caf\xe9\n".as_slice()),
        (&pulls[1], b"\nexport const = ;\n".as_slice()),
    ] {
        world.merge_on_remote(&pull.head);
        world.github.merge(pull.number);
        let file = file_of(&pull.head);
        let mut text = world.show("main", &file).into_bytes();
        text.extend_from_slice(damage);
        world.commit_on_main(&file, text);
    }
    let synced = world.sync(&delivery).await;
    for pull in &pulls[..2] {
        let s = synced.iter().find(|s| s.branch == pull.head).unwrap();
        assert_eq!(s.violations[0].status, Status::NeedsHuman, "{synced:#?}");
    }
    assert!(world.with_status(Status::Resolved).await.is_empty());
    let human = world.with_status(Status::NeedsHuman).await;
    assert_eq!(human.len(), 2);
    assert!(
        human.iter().all(|v| v
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("cannot be read or fully parsed"))),
        "{human:#?}"
    );
}

#[tokio::test]
async fn a_conflicting_base_is_redone_and_force_pushed() {
    let world = World::new().await;
    world.assign(&[PUBLIC_READ], &["infra/db.ts"]).await;
    let delivery = world.delivery(world.settings(), None);
    world.run(&delivery).await;
    let head = world.github.pulls()[0].head.clone();
    let before = world.remote_branches()[0].1.clone();

    // Someone edits the same lines on main: the branch no longer merges.
    let moved = DB_TS.replace(
        "    acl: \"public-read\",\n",
        "    acl: \"public-read\", // still public, for the CDN\n",
    );
    world.commit_on_main("infra/db.ts", &moved);
    let synced = world.sync(&delivery).await;
    assert_eq!(synced[0].action.as_str(), "redone", "{synced:#?}");
    let after = world.remote_branches()[0].1.clone();
    assert_ne!(after, before);
    let main = git(&world.remote, &["rev-parse", "main"]);
    assert_eq!(git(&world.remote, &["merge-base", "main", &head]), main);
    let text = world.show(&head, "infra/db.ts");
    assert!(text.contains("acl: \"private\""), "{text}");
    assert!(text.contains("for the CDN"), "{text}");
    assert_eq!(world.messages(&head).len(), 1);
    assert_eq!(world.github.pulls().len(), 1);
}

#[tokio::test]
async fn prs_per_hour_opens_two_and_defers_the_rest_until_the_hour_is_over() {
    let world = World::new().await;
    let mut settings = world.settings();
    settings.prs_per_hour = 2;
    world.assign(&[PUBLIC_READ, KEY_ROTATION], &[]).await;
    let delivery = world.delivery(settings, None);
    let processed = world.run(&delivery).await;
    let count = |o: &str| processed.iter().filter(|p| p.outcome.label() == o).count();
    assert_eq!(
        (count("fixed"), count("deferred")),
        (2, 2),
        "{processed:#?}"
    );
    assert_eq!(world.github.pulls().len(), 2);
    assert_eq!(
        world.remote_branches().len(),
        2,
        "deferred work pushes nothing"
    );
    let deferred = processed
        .iter()
        .find(|p| p.outcome.label() == "deferred")
        .unwrap();
    assert!(deferred.outcome.reason().unwrap().contains("2 per hour"));

    // Deferred work stays claimable later, without an attempt counted.
    let waiting = world.with_status(Status::Assigned).await;
    assert_eq!(waiting.len(), 2);
    assert!(waiting.iter().all(|v| v.attempts == 0), "{waiting:#?}");
    assert!(
        world.run(&delivery).await.is_empty(),
        "not before the next slot"
    );

    // Half an hour later the two are still within the hour.
    world.clock.advance(Duration::from_secs(30 * 60));
    assert!(world.run(&delivery).await.is_empty(), "not within the hour");
    // An hour after they opened, the whole budget is back.
    world.clock.advance(Duration::from_secs(30 * 60 + 1));
    let processed = world.run(&delivery).await;
    assert_eq!(
        processed
            .iter()
            .filter(|p| p.outcome.label() == "fixed")
            .count(),
        2,
        "{processed:#?}"
    );
    assert_eq!(world.github.pulls().len(), 4);
}

#[tokio::test]
async fn violations_that_go_to_a_person_neither_wait_on_nor_spend_the_pull_request_limits() {
    let world = World::new().await;
    let mut settings = world.settings();
    settings.prs_per_hour = 1;
    let delivery = world.delivery(settings, None);
    // No declarative fix and no LLM: every access-logging violation goes to a person.
    world.assign(&["aws-s3-bucket-access-logging"], &[]).await;
    let processed = world.run(&delivery).await;
    assert_eq!(processed.len(), 3, "{processed:#?}");
    assert!(
        processed.iter().all(|p| p.outcome.label() == "needs_human"),
        "triaged, not deferred: {processed:#?}"
    );
    assert!(world.github.pulls().is_empty());
    assert!(world.remote_branches().is_empty(), "nothing pushed");

    // The hour's one pull request is still there for a fix.
    world.assign(&[KEY_ROTATION], &[]).await;
    let processed = world.run(&delivery).await;
    let outcomes: Vec<&str> = processed.iter().map(|p| p.outcome.label()).collect();
    assert_eq!(outcomes, ["fixed"], "{processed:#?}");
    assert_eq!(world.github.pulls().len(), 1);
}

#[tokio::test]
async fn max_open_prs_counts_the_forges_open_remedy_pull_requests() {
    let world = World::new().await;
    let mut settings = world.settings();
    settings.max_open_prs = 3;
    // One remedy pull request is already open on the forge.
    world.assign(&[KEY_ROTATION], &[]).await;
    world.run(&world.delivery(world.settings(), None)).await;
    assert_eq!(world.github.pulls().len(), 1);
    world.assign(&[PUBLIC_READ], &[]).await;
    let processed = world.run(&world.delivery(settings, None)).await;
    let count = |o: &str| processed.iter().filter(|p| p.outcome.label() == o).count();
    assert_eq!(
        (count("fixed"), count("deferred")),
        (2, 1),
        "{processed:#?}"
    );
    let deferred = processed
        .iter()
        .find(|p| p.outcome.label() == "deferred")
        .unwrap();
    assert!(
        deferred
            .outcome
            .reason()
            .unwrap()
            .contains("max_open_prs = 3"),
        "{deferred:#?}"
    );
}

#[tokio::test]
async fn secondary_rate_limits_and_bad_gateways_are_retried() {
    let world = World::new().await;
    world.assign(&[KEY_ROTATION], &[]).await;
    world.github.fail_next(Failure::secondary_rate_limit(
        "POST",
        "/repos/acme/infra/pulls",
        1,
    ));
    world
        .github
        .fail_next(Failure::status("POST", "/repos/acme/infra/pulls", 502));
    let started = Instant::now();
    let processed = world.run(&world.delivery(world.settings(), None)).await;
    assert_eq!(processed[0].outcome.label(), "fixed", "{processed:#?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After honoured"
    );
    let posts = world
        .github
        .requests()
        .iter()
        .filter(|r| r.method == "POST" && r.path == "/repos/acme/infra/pulls")
        .count();
    assert_eq!(posts, 3);
    assert_eq!(world.github.pulls().len(), 1);
}

#[tokio::test]
async fn a_forge_outage_leaves_nothing_half_written_and_the_retry_completes_it() {
    let world = World::new().await;
    world.assign(&[KEY_ROTATION], &[]).await;
    for _ in 0..4 {
        world
            .github
            .fail_next(Failure::status("POST", "/repos/acme/infra/pulls", 500));
    }
    let delivery = world.delivery(world.settings(), None);
    let processed = world.run(&delivery).await;
    assert_eq!(processed[0].outcome.label(), "failed");
    assert!(processed[0].outcome.reason().unwrap().contains("500"));
    assert!(world.github.pulls().is_empty());
    // The store says: retry later (not delivered, not given up).
    let v = &world.with_status(Status::Assigned).await[0];
    assert!(v.pr.is_none());
    assert!(v.last_error.as_deref().unwrap().contains("delivery failed"));
    let pushed = world.remote_branches();
    assert_eq!(pushed.len(), 1, "the branch went out before the outage");

    // Later: the pushed branch is found again and its pull request opened; no second commit.
    world.clock.advance(Duration::from_secs(3600));
    let processed = world.run(&delivery).await;
    assert_eq!(processed[0].outcome.label(), "fixed", "{processed:#?}");
    assert_eq!(world.github.pulls().len(), 1);
    assert_eq!(world.remote_branches(), pushed);
    assert_eq!(world.messages(&pushed[0].0).len(), 1);
}

#[tokio::test]
async fn auto_merge_where_allowed_and_local_mode_opens_nothing() {
    let world = World::new().await;
    let mut settings = world.settings();
    settings.rules = vec![
        remedy_deliver::settings::ModeRule {
            policies: vec![KEY_ROTATION.into()],
            severities: vec![],
            mode: Mode::AutoMerge,
        },
        remedy_deliver::settings::ModeRule {
            policies: vec!["aws-s3-*".into()],
            severities: vec![],
            mode: Mode::Local,
        },
    ];
    world.assign(&[PUBLIC_READ, KEY_ROTATION], &[]).await;
    let processed = world.run(&world.delivery(settings, None)).await;
    assert!(processed.iter().all(|p| p.outcome.label() == "fixed"));
    let pulls = world.github.pulls();
    assert_eq!(pulls.len(), 1, "local mode pushes branches only");
    assert!(
        pulls[0].auto_merge,
        "auto-merge enabled: checks have not passed yet"
    );
    assert!(
        pulls[0].reviewers.is_empty(),
        "no reviewers asked for auto-merge"
    );
    assert_eq!(world.remote_branches().len(), 4);
}

#[tokio::test]
async fn a_long_secondary_rate_limit_defers_the_work_until_it_lifts() {
    let world = World::new().await;
    world.assign(&[KEY_ROTATION], &[]).await;
    world.github.fail_next(Failure::secondary_rate_limit(
        "GET",
        "/repos/acme/infra/pulls",
        3600,
    ));
    let delivery = world.delivery(world.settings(), None);
    let processed = world.run(&delivery).await;
    assert_eq!(processed[0].outcome.label(), "deferred", "{processed:#?}");
    assert!(
        processed[0]
            .outcome
            .reason()
            .unwrap()
            .contains("retry after 3600s"),
        "{processed:#?}"
    );
    let waiting = world.with_status(Status::Assigned).await;
    assert_eq!((waiting.len(), waiting[0].attempts), (1, 0));
    assert!(world.run(&delivery).await.is_empty(), "not before it lifts");
    world.clock.advance(Duration::from_secs(3600));
    let processed = world.run(&delivery).await;
    assert_eq!(processed[0].outcome.label(), "fixed", "{processed:#?}");
    assert_eq!(world.github.pulls().len(), 1);
}
