//! The GitHub token never leaves the Authorization header: not in any log line (captured at
//! trace level through a whole delivery, a rejected request and a sync), not in the git
//! configuration of the user's repository, the managed clone or the remote, not in pull
//! requests, not in the store's events.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests fail loudly by design

mod support;

use std::io::Write;
use std::sync::{Arc, Mutex};

use remedy_forge::Token;
use remedy_store::Filter;
use remedy_tests::github::Failure;
use support::{KEY_ROTATION, PUBLIC_READ, World};

const TOKEN: &str = "ghp_TopSecretToken1234567890abcdefABCDEF";

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[tokio::test]
async fn the_token_appears_in_no_log_line_config_pull_request_or_event() {
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let world = World::new().await;
    world.assign(&[PUBLIC_READ, KEY_ROTATION], &[]).await;
    // One request refused outright (an error that is logged and recorded), one retried.
    world
        .github
        .fail_next(Failure::status("POST", "/repos/acme/infra/pulls", 401));
    world
        .github
        .fail_next(Failure::status("GET", "/repos/acme/infra/pulls", 502));
    let delivery = world.delivery(world.settings(), Some(Token::from(TOKEN)));
    let processed = world.run(&delivery).await;
    assert!(processed.iter().any(|p| p.outcome.label() == "fixed"));
    assert!(
        processed
            .iter()
            .any(|p| p.outcome.reason().is_some_and(|r| r.contains("401"))),
        "{processed:#?}"
    );
    world.github.merge(1);
    world.sync(&delivery).await;
    drop(delivery);

    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("pull request opened"),
        "logs were captured:\n{logs}"
    );
    assert!(logs.contains("401"), "the refusal was logged:\n{logs}");
    for line in logs.lines() {
        assert!(!line.contains(TOKEN), "token in a log line: {line}");
        assert!(
            !line.contains("TopSecret"),
            "part of the token in a log line: {line}"
        );
    }

    // Only the Authorization header carries it.
    let requests = world.github.requests();
    assert!(!requests.is_empty());
    for r in &requests {
        assert!(r.header("authorization").is_some_and(|h| h.contains(TOKEN)));
        assert!(!r.path.contains(TOKEN) && !r.query.contains(TOKEN) && !r.body.contains(TOKEN));
    }
    for pull in world.github.pulls() {
        assert!(!pull.body.contains(TOKEN) && !pull.title.contains(TOKEN));
    }
    // Nowhere on disk: the user's repository, the managed clone, the remote, the store.
    for root in [&world.work.join(".git"), &world.data, &world.remote] {
        for file in files_under(root) {
            let bytes = std::fs::read(&file).unwrap();
            assert!(
                !bytes.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()),
                "token in {}",
                file.display()
            );
        }
    }
    let db = std::fs::read(world.dir.path().join("remedy.db")).unwrap();
    assert!(!db.windows(TOKEN.len()).any(|w| w == TOKEN.as_bytes()));
    let events = world.store.events(&Filter::default()).await.unwrap();
    assert!(!events.is_empty());
    let events = serde_json::to_string(&events).unwrap();
    assert!(!events.contains(TOKEN));
    assert!(!format!("{:?}", Token::from(TOKEN)).contains(TOKEN));
}
