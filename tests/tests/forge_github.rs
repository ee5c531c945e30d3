//! The GitHub forge against the REST double: pull requests opened, found, updated, labelled,
//! reviewed, merged; rate limits and server errors retried; the token only ever in the
//! Authorization header.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

use std::time::{Duration, Instant};

use remedy_forge::github::{GitHub, Token};
use remedy_forge::{ChecksState, Forge, ForgeError, NewPullRequest, PrState, RetryPolicy};
use remedy_tests::github::{Failure, GitHubDouble};

fn quick() -> RetryPolicy {
    RetryPolicy {
        max_retries: 3,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(5),
    }
}

fn new_pr(head: &str) -> NewPullRequest {
    NewPullRequest {
        title: "fix(aws-s3-bucket-public-read): site".into(),
        body: "body".into(),
        head: head.into(),
        base: "main".into(),
        labels: vec!["remedy".into(), "security".into()],
        reviewers: vec!["alice".into(), "acme/platform".into()],
        draft: false,
    }
}

#[tokio::test]
async fn open_find_update_label_review_merge() {
    let double = GitHubDouble::start();
    let token = Token::from("ghp_secret_token_value");
    let gh = GitHub::new(&double.url(), "acme", "infra", Some(&token), quick()).unwrap();

    assert_eq!(gh.find_pull("remedy/x/1").await.unwrap(), None);
    let pr = gh.open_pull(&new_pr("remedy/x/1")).await.unwrap();
    assert_eq!(pr.number, 1);
    assert_eq!(pr.state, PrState::Open);
    assert_eq!(pr.labels, vec!["remedy", "security"]);
    let held = &double.pulls()[0];
    assert_eq!(
        (held.head.as_str(), held.base.as_str()),
        ("remedy/x/1", "main")
    );
    assert_eq!(held.reviewers, vec!["alice", "platform"]);

    let found = gh.find_pull("remedy/x/1").await.unwrap().unwrap();
    assert_eq!(found.number, 1);
    gh.update_pull(1, "new title", "new body").await.unwrap();
    assert_eq!(double.pulls()[0].title, "new title");

    gh.open_pull(&new_pr("remedy/y/2")).await.unwrap();
    gh.open_pull(&new_pr("feature/z")).await.unwrap();
    let open = gh.open_pulls("remedy/").await.unwrap();
    assert_eq!(open.len(), 2);

    double.set_checks(&found.head_sha, "pending");
    assert_eq!(
        gh.checks(&found.head_sha).await.unwrap(),
        ChecksState::Pending
    );
    double.set_checks(&found.head_sha, "success");
    assert_eq!(
        gh.checks(&found.head_sha).await.unwrap(),
        ChecksState::Success
    );
    assert_eq!(gh.checks("unknown").await.unwrap(), ChecksState::None);

    gh.enable_auto_merge(2).await.unwrap();
    assert!(double.pulls()[1].auto_merge);
    gh.merge(1).await.unwrap();
    assert_eq!(gh.get_pull(1).await.unwrap().state, PrState::Merged);
    double.close(2);
    assert_eq!(
        gh.find_pull("remedy/y/2").await.unwrap().unwrap().state,
        PrState::Closed
    );

    // The token travels in the Authorization header and nowhere else.
    for request in double.requests() {
        assert!(
            request
                .header("authorization")
                .is_some_and(|h| h.contains("ghp_secret_token_value"))
        );
        assert!(!request.body.contains("ghp_secret"));
        assert!(!request.path.contains("ghp_secret") && !request.query.contains("ghp_secret"));
    }
    assert!(!format!("{token:?}").contains("ghp_secret"));
}

#[tokio::test]
async fn secondary_rate_limit_and_server_errors_are_retried() {
    let double = GitHubDouble::start();
    let gh = GitHub::new(&double.url(), "acme", "infra", None, quick()).unwrap();
    double.fail_next(Failure::secondary_rate_limit(
        "POST",
        "/repos/acme/infra/pulls",
        1,
    ));
    double.fail_next(Failure::status("POST", "/repos/acme/infra/pulls", 502));
    let started = Instant::now();
    let pr = gh.open_pull(&new_pr("remedy/x/1")).await.unwrap();
    assert_eq!(pr.number, 1);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After was honoured"
    );
    let posts = double
        .requests()
        .into_iter()
        .filter(|r| r.method == "POST" && r.path == "/repos/acme/infra/pulls")
        .count();
    assert_eq!(posts, 3, "403, then 502, then success");
    assert_eq!(double.pulls().len(), 1, "no duplicate pull request");
}

#[tokio::test]
async fn a_long_rate_limit_is_reported_not_waited_out() {
    let double = GitHubDouble::start();
    let gh = GitHub::new(&double.url(), "acme", "infra", None, quick()).unwrap();
    double.fail_next(Failure::secondary_rate_limit(
        "GET",
        "/repos/acme/infra/pulls",
        3600,
    ));
    let err = gh.find_pull("remedy/x/1").await.unwrap_err();
    assert!(
        matches!(err, ForgeError::RateLimited { retry_after: Some(d), .. } if d.as_secs() == 3600),
        "{err}"
    );
    assert!(err.is_transient());
}

#[tokio::test]
async fn persistent_server_errors_and_rejections() {
    let double = GitHubDouble::start();
    let gh = GitHub::new(&double.url(), "acme", "infra", None, quick()).unwrap();
    for _ in 0..4 {
        double.fail_next(Failure::status("GET", "/repos/acme/infra/pulls/7", 503));
    }
    let err = gh.get_pull(7).await.unwrap_err();
    assert!(
        matches!(
            err,
            ForgeError::Unavailable {
                status: 503,
                attempts: 4,
                ..
            }
        ),
        "{err}"
    );
    let err = gh.get_pull(99).await.unwrap_err();
    assert!(
        matches!(err, ForgeError::Rejected { status: 404, .. }),
        "{err}"
    );
    assert!(!err.is_transient());
}
